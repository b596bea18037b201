//! `conform validate --spec`: the loaded suite's requests against vendor specs; mismatches as
//! located errors on stderr (exit 2), counts and notes on stdout.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::Out;
use crate::case::Suite;
use crate::diag::{byte_offset, did_you_mean, render_all, Diagnostic, Pos, Style};
use crate::error::{Error, EXIT_OK, EXIT_USAGE};
use crate::import::spec::Spec;
use crate::spec_check::{check_api, ApiFindings};

pub fn check(suite: &Suite, specs: &[(String, PathBuf)], env: Option<&str>) -> Result<i32, Error> {
    let mut mismatches = Vec::new();
    for (name, path) in specs {
        let Some(api) = suite.api(name) else {
            let names = suite.apis.iter().map(|a| a.name.as_str());
            let hint = did_you_mean(name, names)
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "--spec names API `{name}`, which has no folder under cases/{hint}"
            )));
        };
        let spec = Spec::load(path)?;
        let findings = check_api(api, &spec, env);
        Out::text(&summary(&findings));
        mismatches.extend(findings.mismatches);
    }
    if mismatches.is_empty() {
        return Ok(EXIT_OK);
    }
    let mut sources: HashMap<PathBuf, Arc<str>> = HashMap::new();
    let located: Vec<Diagnostic> = mismatches
        .into_iter()
        .map(|d| {
            let source = sources.entry(d.file.clone()).or_insert_with(|| {
                std::fs::read_to_string(suite.root.join(&d.file))
                    .unwrap_or_default()
                    .into()
            });
            after_case_name(d, source).with_source(Arc::clone(source))
        })
        .collect();
    eprint!("{}", render_all(&located, Style::detect(), &[]));
    Ok(EXIT_USAGE)
}

/// Carets go under the focus (a parameter, a body key) in the case's request, not under the
/// same word in the case's name: the search starts on the line after the name when it finds
/// the focus there.
fn after_case_name(mut d: Diagnostic, source: &str) -> Diagnostic {
    let next = Pos {
        line: d.pos.line + 1,
        column: 1,
    };
    let found = match (&d.focus, byte_offset(source, next)) {
        (Some(focus), Some(start)) => source[start..]
            .char_indices()
            .take_while(|(i, _)| *i < 4096)
            .any(|(i, _)| source[start + i..].starts_with(&**focus)),
        _ => false,
    };
    if found {
        d.pos = next;
    }
    d
}

/// The counts of one API, then its notes: endpoints the spec lacks, values not checked.
fn summary(f: &ApiFindings) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{}: {} of {} in {}; {} checked, {}, {} invalid on purpose, {}",
        f.api,
        f.endpoints_in_spec,
        plural(f.endpoints, "endpoint"),
        f.spec_file,
        plural(f.checked, "request"),
        plural(f.mismatches.len(), "mismatch").replace("hs", "hes"),
        f.invalid_on_purpose,
        plural(f.quirks.len(), "known spec quirk"),
    );
    if f.skipped > 0 {
        out.push_str(&format!(", {} skipped", plural(f.skipped, "case")));
    }
    out.push('\n');
    for (endpoint, (file, pos, cases)) in &f.not_in_spec {
        let at = Diagnostic::new(file, *pos, "").location();
        out.push_str(&format!(
            "note: {at}: `{endpoint}` is not in {}: {} not checked\n",
            f.spec_file,
            plural(*cases, "case")
        ));
    }
    for line in &f.quirks {
        out.push_str(&format!("note: {line}\n"));
    }
    for line in &f.unchecked {
        out.push_str(&format!("note: {line}\n"));
    }
    out
}
