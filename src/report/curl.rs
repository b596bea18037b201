//! A curl command that reproduces a failed request, from the scrubbed request record.
//!
//! Every word is shell-quoted with `shlex`. A scrubbed credential (`<scrubbed:authorization>`,
//! `<scrubbed:env.kimai_token>`) becomes a reference to the environment variable the API's auth
//! reads (`"$KIMAI_TOKEN"`), so that the command runs once the user exports it; the secret itself
//! is never known here. Case files may be hostile: only validated variable names are ever left
//! unquoted, every literal goes through `shlex`.

use crate::case::template::{Expr, Part, Template};
use crate::case::Api;
use crate::redact::placeholder;
use crate::run::event::{CredentialRef, TargetInfo};
use crate::run::CaseOutcome;

/// Headers curl sets itself.
const SKIPPED_HEADERS: &[&str] = &["content-length", "host"];

/// `conform mock`'s default port.
const MOCK_PORT: u16 = 8765;

/// The variable a token obtained by a token request is expected in.
const TOKEN_VARIABLE: &str = "CONFORM_TOKEN";

/// `reproduce:` and the curl command of a failed case, or nothing when no request was sent.
pub fn block(o: &CaseOutcome, targets: &[TargetInfo]) -> String {
    match command(o, credentials_of(targets, o)) {
        Some(cmd) => format!("reproduce:\n{cmd}\n"),
        None => String::new(),
    }
}

/// The credential references of the outcome's API.
pub fn credentials_of<'a>(targets: &'a [TargetInfo], o: &CaseOutcome) -> &'a [CredentialRef] {
    targets
        .iter()
        .find(|t| t.api == o.id.api)
        .map_or(&[][..], |t| t.credentials.as_slice())
}

/// The curl command for the outcome's request, one option per line.
pub fn command(o: &CaseOutcome, credentials: &[CredentialRef]) -> Option<String> {
    let r = o.request.as_ref()?;
    // A playback request goes to the recordings, which `conform mock` serves on a fixed port.
    let mut first = String::new();
    let mut url = r.url.clone();
    if let Some(rest) = r.url.strip_prefix("playback://") {
        let (api, path) = rest.split_once('/').unwrap_or((rest, ""));
        first = format!(
            "# the recorded mock: conform mock --api {} --port {MOCK_PORT}\n",
            quote(api)
        );
        url = format!("http://127.0.0.1:{MOCK_PORT}/{path}");
    }
    let mut words = vec![
        format!("{first}curl -X {}", quote(&r.method)),
        word(&url, credentials),
    ];
    for (name, value) in &r.headers {
        if SKIPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        words.push(format!(
            "-H {}",
            word(&format!("{name}: {value}"), credentials)
        ));
    }
    if let Some(body) = &r.body {
        words.push(format!("--data-raw {}", word(body, credentials)));
    }
    Some(words.join(" \\\n  "))
}

/// One shell word: literal text single-quoted, known placeholders as variable references.
fn word(text: &str, credentials: &[CredentialRef]) -> String {
    let mut out = String::new();
    let mut rest = text;
    'scan: while !rest.is_empty() {
        for (i, _) in rest.char_indices() {
            for c in credentials {
                for form in [c.placeholder.clone(), percent_encoded(&c.placeholder)] {
                    if rest[i..].starts_with(&form) {
                        if i > 0 {
                            out.push_str(&quote(&rest[..i]));
                        }
                        out.push_str(&c.shell);
                        rest = &rest[i + form.len()..];
                        continue 'scan;
                    }
                }
            }
        }
        out.push_str(&quote(rest));
        break;
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// How the redactor writes a placeholder inside a URL's query.
fn percent_encoded(text: &str) -> String {
    text.replace('<', "%3C")
        .replace(':', "%3A")
        .replace('>', "%3E")
}

fn quote(text: &str) -> String {
    shlex::try_quote(text).map_or_else(|_| "''".to_string(), |q| q.into_owned())
}

/// What each scrubbed credential of the API in `env` is, as a shell expression.
pub fn credential_refs(api: &Api, env: Option<&str>) -> Vec<CredentialRef> {
    let mut refs: Vec<CredentialRef> = Vec::new();
    let mut add = |placeholder: String, shell: String| {
        if !refs.iter().any(|r| r.placeholder == placeholder) {
            refs.push(CredentialRef { placeholder, shell });
        }
    };
    let auth = env
        .and_then(|e| api.environments.get(e))
        .and_then(|e| e.auth.as_ref());
    if let Some(auth) = auth {
        for (name, t) in auth.headers.iter().chain(&auth.query) {
            add(placeholder(name), shell(t));
        }
        if let Some((user, pass)) = &auth.basic {
            let encode = format!(
                "\"$(printf '%s:%s' {} {} | base64)\"",
                shell(user),
                shell(pass)
            );
            add(placeholder("authorization"), format!("'Basic '{encode}"));
            add(placeholder("basic"), encode);
        }
        if let Some(bearer) = &auth.bearer {
            add(
                placeholder("authorization"),
                format!("'Bearer '{}", shell(bearer)),
            );
        }
        if let Some(tr) = &auth.token_request {
            add(
                placeholder(&tr.header),
                format!("{}\"${TOKEN_VARIABLE}\"", quote(&tr.prefix)),
            );
        }
    }
    for name in &api.env_refs {
        if is_variable_name(name) {
            add(placeholder(&format!("env.{name}")), format!("\"${name}\""));
        }
    }
    refs
}

/// A template as a shell expression: literals quoted, `{{ env.NAME }}` as `"$NAME"`; anything
/// else (a variable, a function call) as a variable named after it, for the user to export.
fn shell(t: &Template) -> String {
    let mut out = String::new();
    for part in &t.parts {
        match part {
            Part::Lit(text) => out.push_str(&quote(text)),
            Part::Expr(Expr::Env(name)) | Part::Expr(Expr::Var(name)) if is_variable_name(name) => {
                out.push_str(&format!("\"${name}\""))
            }
            Part::Expr(Expr::Lit(text)) => out.push_str(&quote(text)),
            Part::Expr(_) => out.push_str(&format!("\"${TOKEN_VARIABLE}\"")),
        }
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// A POSIX shell variable name: safe to leave unquoted inside `"$..."`.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cred(placeholder: &str, shell: &str) -> CredentialRef {
        CredentialRef {
            placeholder: placeholder.into(),
            shell: shell.into(),
        }
    }

    /// The word as a shell reads it (variables not expanded).
    fn read(word: &str) -> Vec<String> {
        shlex::split(word).unwrap()
    }

    #[test]
    fn placeholders_become_variables_and_the_rest_is_quoted() {
        let creds = [
            cred("<scrubbed:authorization>", "'Bearer '\"$KIMAI_TOKEN\""),
            cred("<scrubbed:apikey>", "\"$KEY\""),
        ];
        assert_eq!(
            read(&word("Authorization: <scrubbed:authorization>", &creds)),
            ["Authorization: Bearer $KIMAI_TOKEN"]
        );
        assert_eq!(
            read(&word(
                "http://h/x?apikey=%3Cscrubbed%3Aapikey%3E&q=1",
                &creds
            )),
            ["http://h/x?apikey=$KEY&q=1"]
        );
        // Hostile text stays one word, with nothing a shell would expand.
        let hostile = "'; rm -rf / #$(x) `y` \"";
        let quoted = word(hostile, &creds);
        assert_eq!(read(&quoted), [hostile]);
        assert!(!quoted.contains("\"$"), "{quoted}");
    }

    #[test]
    fn only_plain_names_are_left_unquoted() {
        assert!(is_variable_name("KIMAI_TOKEN"));
        assert!(!is_variable_name("A$(id)"));
        assert!(!is_variable_name("1X"));
    }
}
