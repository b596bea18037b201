//! Located diagnostics: what went wrong in which file, at which line and column, and how to fix it.
//!
//! Every load-time problem becomes a [`Diagnostic`]; rendering (source line, caret, help) lives here
//! so that every error conform prints about user input looks the same.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based position in a source file. `line == 0` means "no position known".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const UNKNOWN: Pos = Pos { line: 0, column: 0 };

    pub fn from_saphyr(loc: serde_saphyr::Location) -> Pos {
        Pos {
            line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
            column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
        }
    }
}

/// One problem with user input, located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pos,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col` (or just `file` when no position is known).
    pub fn location(&self) -> String {
        if self.pos.line == 0 {
            self.file.display().to_string()
        } else {
            format!(
                "{}:{}:{}",
                self.file.display(),
                self.pos.line,
                self.pos.column
            )
        }
    }

    /// Renders the diagnostic with the offending source line and a caret, like rustc and hurl do.
    pub fn render(&self, source: Option<&str>) -> String {
        let mut out = format!("error: {}\n  --> {}\n", self.message, self.location());
        if let Some(line_text) = source.and_then(|s| source_line(s, self.pos.line)) {
            let number = self.pos.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_pad: String = line_text
                .chars()
                .take(self.pos.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{pad} |\n{number} | {line_text}\n{pad} | {caret_pad}^\n"
            ));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

fn source_line(source: &str, line: u32) -> Option<&str> {
    if line == 0 {
        return None;
    }
    // Keep very long lines readable: a caret far to the right of a 10 kB line helps nobody.
    source.lines().nth(line as usize - 1).map(|l| {
        if l.len() > 200 {
            truncate_str(l, 200)
        } else {
            l
        }
    })
}

/// Truncates on a char boundary.
pub fn truncate_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The closest candidate to `found`, when it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Turns a serde-saphyr error into a located diagnostic, adding "did you mean" for unknown keys
/// and variants (serde's message lists the valid ones).
pub fn from_yaml_error(file: &Path, err: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::MessageFormatter;
    let inner = err.without_snippet();
    let message = serde_saphyr::UserMessageFormatter
        .format_message(inner)
        .into_owned();
    let pos = err.location().map(Pos::from_saphyr).unwrap_or(Pos::UNKNOWN);
    let mut diag = Diagnostic::new(file, pos, message.clone());
    if let Some(help) = suggestion_for_unknown(&message) {
        diag = diag.with_help(help);
    }
    diag
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
    fn renders_a_caret_under_the_column() {
        let d = Diagnostic::new("a.yaml", Pos { line: 2, column: 5 }, "bad");
        let out = d.render(Some("x: 1\ny:  oops\n"));
        assert!(out.contains("--> a.yaml:2:5"), "{out}");
        assert!(out.contains("2 | y:  oops\n  |     ^"), "{out}");
    }
}
