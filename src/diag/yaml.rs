//! serde-saphyr errors as conform diagnostics: located, saying what was found, with
//! "did you mean" for unknown keys and variants.

use std::path::Path;

use super::{byte_offset, did_you_mean, truncate_str, Diagnostic, Pos};

/// Turns a serde-saphyr error in `source` into a located diagnostic that says what was found,
/// adding "did you mean" for unknown keys and variants (serde's message lists the valid ones).
pub fn from_yaml_error(file: &Path, err: &serde_saphyr::Error, source: &str) -> Diagnostic {
    use serde_saphyr::MessageFormatter;
    let inner = err.without_snippet();
    let message = serde_saphyr::UserMessageFormatter
        .format_message(inner)
        .into_owned();
    let location = err.location();
    let pos = location.map(Pos::from_saphyr).unwrap_or(Pos::UNKNOWN);
    let found = byte_offset(source, pos).map(|at| describe_found(&source[at..]));
    let (message, help) = match explain_depth(&message) {
        Some(explained) => explained,
        None => explain_yaml(message, found),
    };
    let len = location.map_or(1, |l| usize::try_from(l.span().len()).unwrap_or(1));
    let mut diag = Diagnostic::new(file, pos, message.clone()).with_len(len);
    if let Some(found) = unknown_name(&message) {
        diag = diag.pointing_at(found);
    }
    if let Some(help) = help.or_else(|| suggestion_for_unknown(&message)) {
        diag = diag.with_help(help);
    }
    diag
}

/// Nesting beyond serde-saphyr's depth budget (64) or its scanner's flow limit, in one message.
fn explain_depth(message: &str) -> Option<(String, Option<String>)> {
    let too_deep =
        message == "recursion limit exceeded" || message.contains("limits breached: Depth");
    too_deep.then(|| {
        (
            "YAML nested too deep: expected at most 64 levels of maps and lists".to_string(),
            Some("case files need only a few levels of nesting".to_string()),
        )
    })
}

/// serde-saphyr's terse type errors ("expected sequence start") in conform's words, with what
/// was found at the position; other messages unchanged.
fn explain_yaml(message: String, found: Option<String>) -> (String, Option<String>) {
    let Some(found) = found else {
        return (message, None);
    };
    let expected = match message.as_str() {
        "expected sequence start" => "a list",
        "expected mapping start" => "a mapping",
        "expected string scalar" => "a string",
        "invalid boolean (true or false expected)" => {
            let help = "YAML 1.1 words such as yes, no, on, off are not booleans here";
            return (
                format!("invalid boolean {found}: expected true or false"),
                Some(help.into()),
            );
        }
        m if m.starts_with("expected ") && !m.contains("found") => {
            return (format!("{m}, found {found}"), None);
        }
        _ => return (message, None),
    };
    (format!("expected {expected}, found {found}"), None)
}

/// What the YAML at the start of `rest` is, in words: "a mapping", "a list", "`word`".
fn describe_found(rest: &str) -> String {
    let line = rest.lines().next().unwrap_or("").trim_end();
    match line.chars().next() {
        None => "nothing".into(),
        Some('{') => "a mapping".into(),
        Some('[') => "a list".into(),
        Some('-') if line.len() == 1 || line[1..].starts_with(' ') => "a list".into(),
        Some('"' | '\'') => "a quoted string".into(),
        Some('|' | '>') => "a block string".into(),
        Some(_) => {
            let token: &str = line
                .split([',', '}', ']', '#'])
                .next()
                .unwrap_or(line)
                .trim_end();
            if token.contains(": ") || token.ends_with(':') {
                "a mapping".into()
            } else {
                format!("`{}`", truncate_str(token, 60))
            }
        }
    }
}

/// The name in serde's "unknown field `x`" or "unknown variant `x`".
fn unknown_name(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    rest.split_once('`')
        .map(|(found, _)| found)
        .filter(|f| !f.is_empty())
}

/// Parses serde's "unknown field `x`, expected one of a, b" (and the variant form) into a hint.
fn suggestion_for_unknown(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (found, tail) = rest.split_once('`')?;
    let expected = tail
        .split_once("expected one of ")
        .or_else(|| tail.split_once("expected "))?
        .1;
    let candidates: Vec<&str> = expected
        .split(", ")
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty())
        .collect();
    did_you_mean(found, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key() {
        assert_eq!(
            suggestion_for_unknown("unknown field `tgas`, expected one of name, tags, request"),
            Some("did you mean `tags`?".to_string())
        );
        assert_eq!(
            suggestion_for_unknown("unknown field `zzz`, expected one of name, tags"),
            None
        );
    }

    #[test]
    fn says_what_was_found() {
        assert_eq!(describe_found("{ name: a }"), "a mapping");
        assert_eq!(describe_found("- a"), "a list");
        assert_eq!(describe_found("yes }"), "`yes`");
        let (m, _) = explain_yaml("expected sequence start".into(), Some("a mapping".into()));
        assert_eq!(m, "expected a list, found a mapping");
    }
}
