//! Request headers (`headers:` of api.yaml, of an environment's `auth:` and of a case): names
//! and the literal parts of values are checked at load, so a header the HTTP client would refuse
//! (a space in its name, a CR or LF in its value) is a located error, not a run-time failure.

use std::collections::BTreeSet;
use std::path::Path;

use hyper::header::{HeaderName, HeaderValue};
use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::super::raw::Scalar;
use super::super::template::{Part, Template};
use super::{noted, pos, ApiLowering};

impl ApiLowering<'_, '_> {
    /// Like `named_templates`, for headers: every bad name and value is reported; `None` when any
    /// entry failed.
    pub(super) fn header_templates(
        &mut self,
        file: &Path,
        entries: &IndexMap<String, Spanned<Scalar>>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Vec<(String, Template)>> {
        let mut ok = true;
        for (name, value) in entries {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                ok = false;
                let message = format!("invalid header name `{name}`: {}", bad_name_reason(name));
                let help = "header names are letters, digits and !#$%&'*+-.^_`|~".to_string();
                self.error_on_at(file, pos(value), name, message, help);
            }
        }
        let templates = self.named_templates(file, entries, known, check_env);
        let templates = noted(&mut ok, templates)?;
        for ((name, template), value) in templates.iter().zip(entries.values()) {
            let literal = template.parts.iter().find_map(|p| match p {
                Part::Lit(s) => HeaderValue::from_str(s).is_err().then_some(s),
                Part::Expr(_) => None,
            });
            if let Some(literal) = literal {
                ok = false;
                let c = literal
                    .chars()
                    .find(|c| (c.is_control() && *c != '\t') || *c == '\u{7f}')
                    .unwrap_or('\0');
                let message = format!(
                    "invalid value of header `{name}`: it holds the control character {}",
                    c.escape_default()
                );
                let help = "a header value is one line of text: remove the line break or \
                            control character"
                    .to_string();
                self.error_help(file, pos(value), message, help);
            }
        }
        ok.then_some(templates)
    }
}

fn bad_name_reason(name: &str) -> String {
    match name.chars().find(|c| !is_token_char(*c)) {
        _ if name.is_empty() => "it is empty".into(),
        Some(' ') => "it holds a space".into(),
        Some(c) if c.is_control() => {
            format!("it holds the control character {}", c.escape_default())
        }
        Some(c) => format!("it holds `{c}`"),
        None => "it is not a valid HTTP token".into(),
    }
}

/// RFC 9110 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}
