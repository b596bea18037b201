//! Located diagnostics: what went wrong in which file, at which line and column, and how to fix it.
//!
//! Every load-time problem becomes a [`Diagnostic`]; rendering (source line, carets under the
//! span, help) lives here, drawn with annotate-snippets, so that every error conform prints about
//! user input looks the same. Styled on a terminal, plain under `CI` or a pipe ([`Style::detect`]).

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

mod yaml;
pub use yaml::from_yaml_error;

/// A 1-based position in a source file. `line == 0` means "no position known".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
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
    /// How many characters from `pos` the carets cover; 0 (the default) covers the YAML token
    /// that starts there (a plain or quoted scalar, a key), or one character.
    pub len: u32,
    /// Text the carets go under, searched from `pos` once the source is known: the misspelt
    /// variable inside a template, the unknown key of a mapping.
    pub focus: Option<Box<str>>,
    pub message: String,
    pub help: Option<String>,
    /// The file's text, to draw the source line; shared by the diagnostics of one file.
    pub source: Option<Arc<str>>,
    /// A warning: reported, but the command goes on (`validate --strict` makes it an error).
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pos,
            len: 0,
            focus: None,
            message: message.into(),
            help: None,
            source: None,
            warning: false,
        }
    }

    /// This problem as a warning (see [`Diagnostic::warning`]).
    pub fn as_warning(mut self) -> Self {
        self.warning = true;
        self
    }

    fn level(&self) -> Level<'static> {
        if self.warning {
            Level::WARNING
        } else {
            Level::ERROR
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Carets under `len` characters from the position.
    pub fn with_len(mut self, len: usize) -> Self {
        self.len = u32::try_from(len).unwrap_or(u32::MAX).max(1);
        self
    }

    /// Carets under the first `text` at or after the position (see [`Diagnostic::focus`]).
    pub fn pointing_at(mut self, text: impl Into<String>) -> Self {
        self.focus = Some(text.into().into_boxed_str());
        self
    }

    /// Attaches the file's text and moves the carets onto [`Diagnostic::focus`] when found.
    pub fn with_source(mut self, source: Arc<str>) -> Self {
        if let (Some(focus), Some(start)) = (&self.focus, byte_offset(&source, self.pos)) {
            // Only nearby: a template spans a few lines at most, and a far match is a wrong one.
            let window = source[start..]
                .char_indices()
                .nth(4096)
                .map_or(source.len(), |(i, _)| start + i);
            // Forward first (a template's variables follow its start); else earlier on the same
            // line (a key before the value the position names).
            let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
            let found = source[start..window]
                .find(&**focus)
                .map(|i| start + i)
                .or_else(|| {
                    source[line_start..start]
                        .rfind(&**focus)
                        .map(|i| line_start + i)
                });
            if let Some(found) = found {
                self.pos = pos_of(&source, found);
                self.len = u32::try_from(focus.chars().count())
                    .unwrap_or(u32::MAX)
                    .max(1);
            }
        }
        self.source = Some(source);
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

    /// Renders the diagnostic like rustc and hurl do: the message, ` --> file:line:col`, the
    /// source line with carets under the span, and the help line.
    pub fn render(&self, style: Style) -> String {
        let path = self.file.display().to_string();
        let message = shorten_quoted(&self.message);
        let title = self.level().primary_title(message.as_str());
        let located = self
            .source
            .as_deref()
            .and_then(|s| line_window(s, self.pos, self.len));
        let Some((text, span)) = &located else {
            return self.render_unlocated(style);
        };
        let mut group = title.element(
            Snippet::source(text.as_str())
                .line_start(self.pos.line as usize)
                .path(path.as_str())
                .annotation(AnnotationKind::Primary.span(span.clone())),
        );
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let report: &[Group<'_>] = &[group];
        let mut out = style.renderer().render(report);
        out.push_str("\n\n");
        out
    }

    /// Without a source line: the same layout, ` --> file[:line:col]` and `= help:` aligned.
    fn render_unlocated(&self, style: Style) -> String {
        let message = shorten_quoted(&self.message);
        let report: &[Group<'_>] = &[Group::with_title(
            self.level().primary_title(message.as_str()),
        )];
        let mut out = style.renderer().render(report);
        out.push_str(&format!("\n --> {}\n", self.location()));
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out.push('\n');
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

/// Colours or not: styled on a terminal, plain in CI, under `NO_COLOR` or when stderr is a pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Styled,
}

impl Style {
    /// The style for stderr in this process.
    pub fn detect() -> Style {
        let ci = std::env::var("CI").is_ok_and(|v| is_true(&v));
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if ci || no_color || !std::io::stderr().is_terminal() {
            Style::Plain
        } else {
            Style::Styled
        }
    }

    fn renderer(self) -> Renderer {
        match self {
            Style::Plain => Renderer::plain(),
            Style::Styled => Renderer::styled(),
        }
    }
}

/// `true`, `1` or `yes` (any case): how `CI` and similar switches are read.
pub fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes"
    )
}

/// Renders every diagnostic, sorted by file and position, then one line counting them.
pub fn render_all(diagnostics: &[Diagnostic], style: Style, notes: &[String]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    let mut out: String = sorted.iter().map(|d| d.render(style)).collect();
    for note in notes {
        out.push_str(note);
        out.push('\n');
    }
    let mut files: Vec<&Path> = sorted.iter().map(|d| d.file.as_path()).collect();
    files.dedup();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let summary = format!(
        "{} in {}; nothing was sent",
        plural(sorted.len(), "problem"),
        plural(files.len(), "file")
    );
    let report: &[Group<'_>] = &[Group::with_title(Level::ERROR.primary_title(summary))];
    out.push_str(&style.renderer().render(report));
    out.push('\n');
    out
}

/// Renders warnings, sorted by file and position, without a summary line: the command goes on.
pub fn render_warnings(warnings: &[Diagnostic], style: Style) -> String {
    let mut sorted: Vec<&Diagnostic> = warnings.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    sorted.iter().map(|d| d.render(style)).collect()
}

/// The byte offset of a position (1-based line, 1-based column in characters).
pub(crate) fn byte_offset(source: &str, pos: Pos) -> Option<usize> {
    if pos.line == 0 {
        return None;
    }
    let line_start = if pos.line == 1 {
        0
    } else {
        source.match_indices('\n').nth(pos.line as usize - 2)?.0 + 1
    };
    let line = &source[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let col = line
        .char_indices()
        .nth(pos.column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    Some(line_start + col)
}

/// The position of a byte offset.
fn pos_of(source: &str, offset: usize) -> Pos {
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
        column: u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX),
    }
}

/// The source line of `pos` and the byte range of the span inside it (cut at the line's end).
fn line_window(source: &str, pos: Pos, len: u32) -> Option<(String, std::ops::Range<usize>)> {
    let start = byte_offset(source, pos)?;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let rest = &source[line_start..];
    let line = rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r');
    let from = (start - line_start).min(line.len());
    let chars = if len == 0 {
        token_chars(&line[from..])
    } else {
        len as usize
    };
    let to = line[from..]
        .char_indices()
        .nth(chars.max(1))
        .map_or(line.len(), |(i, _)| from + i);
    Some((line.to_string(), from..to))
}

/// Characters of the YAML token at the start of `rest`: a quoted scalar to its closing quote, a
/// plain scalar or key to the next `,` `]` `}` `: ` ` #` or the line's end; brackets count one.
fn token_chars(rest: &str) -> usize {
    let mut chars = rest.chars();
    match chars.next() {
        None | Some('{' | '[' | '-' | '|' | '>') => 1,
        Some(q @ ('"' | '\'')) => {
            let mut escaped = false;
            for (i, c) in chars.enumerate() {
                match c {
                    '\\' if q == '"' && !escaped => escaped = true,
                    c if c == q && !escaped => return i + 2,
                    _ => escaped = false,
                }
            }
            1
        }
        Some(_) => {
            let end = [", ", ",", "]", "}", ": ", " #"]
                .iter()
                .filter_map(|stop| rest.find(stop))
                .min()
                .unwrap_or(rest.len());
            let token = rest[..end].trim_end();
            let token = token.strip_suffix(':').unwrap_or(token);
            token.chars().count().max(1)
        }
    }
}

/// The line and column of the first invalid byte of a file that is not UTF-8.
pub fn utf8_error_pos(bytes: &[u8], valid_up_to: usize) -> Pos {
    let valid = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
    pos_of(valid, valid.len())
}

/// Cuts every `quoted` part of a message longer than [`MAX_QUOTED`] characters: a 10 MB key or
/// template is named, not echoed whole.
fn shorten_quoted(message: &str) -> String {
    const MAX_QUOTED: usize = 80;
    if message.len() <= MAX_QUOTED {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(1024));
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let chars = part.chars().count();
        if i % 2 == 1 && chars > MAX_QUOTED {
            let keep: String = part.chars().take(MAX_QUOTED / 2).collect();
            out.push_str(&format!("{keep}... ({chars} characters)"));
        } else {
            out.push_str(part);
        }
    }
    out
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
    // A typo has about the length of what was meant; comparing a 10 MB key with every
    // candidate would take seconds for nothing.
    let comparable = |c: &str| found.len() <= 2 * c.len() + 16 && c.len() <= 2 * found.len() + 16;
    candidates
        .into_iter()
        .filter(|c| comparable(c))
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_carets_under_the_span() {
        let source: Arc<str> = Arc::from("x: 1\ny:  oops\n");
        let d = Diagnostic::new("a.yaml", Pos { line: 2, column: 5 }, "bad")
            .with_len(4)
            .with_source(source);
        let out = d.render(Style::Plain);
        assert!(out.contains("--> a.yaml:2:5"), "{out}");
        assert!(out.contains("2 | y:  oops\n  |     ^^^^"), "{out}");
    }

    #[test]
    fn long_quoted_names_are_cut() {
        let long = "k".repeat(5000);
        let out = shorten_quoted(&format!("unknown variant `{long}`, expected `a` or `b`"));
        assert_eq!(
            out,
            format!(
                "unknown variant `{}... (5000 characters)`, expected `a` or `b`",
                "k".repeat(40)
            )
        );
    }

    #[test]
    fn the_default_span_is_the_token() {
        assert_eq!(token_chars("\"a\\\"b\", x: 1"), 6);
        assert_eq!(token_chars("Itme.json }"), 9);
        assert_eq!(token_chars("name: a"), 4);
        assert_eq!(token_chars("{ a: 1 }"), 1);
    }

    #[test]
    fn focus_moves_the_carets_onto_the_name() {
        let source: Arc<str> = Arc::from("q: \"{{ knwon }}\"\n");
        let d = Diagnostic::new("a.yaml", Pos { line: 1, column: 4 }, "undefined")
            .pointing_at("knwon")
            .with_source(source);
        assert_eq!((d.pos, d.len), (Pos { line: 1, column: 8 }, 5));
    }

    #[test]
    fn non_ascii_columns_count_characters() {
        let source = "é: \"ü\"\n";
        let at = byte_offset(source, Pos { line: 1, column: 5 }).unwrap();
        assert_eq!(&source[at..], "ü\"\n");
        assert_eq!(pos_of(source, at), Pos { line: 1, column: 5 });
        assert_eq!(utf8_error_pos(b"a\nb\xff", 3), Pos { line: 2, column: 2 });
    }
}
