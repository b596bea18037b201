//! Reporters: they read run events (outcomes in plan order), nothing else. A format is one file
//! here plus one entry in [`Format`] and [`build`].

pub mod doc;
pub mod json;
pub mod junit;
pub mod terminal;

use std::io::Write;
use std::path::PathBuf;

pub use crate::run::event::Observer as Reporter;
use crate::run::CaseOutcome;

/// A file report format (`--report`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// `report.json`: the report document (`docs/report-format.md`).
    Json,
    /// `junit.xml`: a testsuite per case file.
    Junit,
}

impl Format {
    /// The formats written when `--report` is not given.
    pub const DEFAULT: &'static [Format] = &[Format::Json, Format::Junit];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Junit => "junit.xml",
            Format::Json => "report.json",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Junit => "JUnit report",
            Format::Json => "JSON report",
        }
    }
}

/// Where the terminal report goes and how it looks.
pub struct TerminalConfig {
    /// stdout in the CLI, a buffer or a sink in tests.
    pub out: Box<dyn Write + Send>,
    /// Draw a progress bar (a TTY outside CI).
    pub interactive: bool,
}

/// Which reports a run writes, and where.
pub struct ReportConfig {
    pub dir: PathBuf,
    pub formats: Vec<Format>,
    pub terminal: TerminalConfig,
}

impl ReportConfig {
    /// The file reports' paths, in format order.
    pub fn files(&self) -> Vec<PathBuf> {
        self.formats
            .iter()
            .map(|f| self.dir.join(f.file_name()))
            .collect()
    }
}

/// One reporter and what it is, for error messages.
pub struct Built {
    pub what: &'static str,
    pub reporter: Box<dyn Reporter + Send>,
}

/// The reporters of a configuration: the terminal first, then each file format.
pub fn build(config: ReportConfig) -> std::io::Result<Vec<Built>> {
    let mut list = vec![Built {
        what: "terminal report",
        reporter: Box::new(terminal::TerminalReporter::new(
            config.terminal.out,
            config.terminal.interactive,
        )),
    }];
    let mut formats = config.formats.clone();
    formats.sort();
    formats.dedup();
    for format in formats {
        let path = config.dir.join(format.file_name());
        let reporter: Box<dyn Reporter + Send> = match format {
            Format::Junit => Box::new(junit::JunitReporter::new(path)),
            Format::Json => Box::new(json::JsonReporter::new(path)?),
        };
        list.push(Built {
            what: format.describe(),
            reporter,
        });
    }
    Ok(list)
}

/// Text describing a failed outcome: the error or the failed checks, then the request.
pub fn failure_text(o: &CaseOutcome) -> String {
    let mut out = String::new();
    if let Some(e) = &o.error {
        out.push_str(&format!("error: {e}\n"));
    }
    for c in o.failed_checks() {
        out.push_str(&format!("[{}] {}\n", c.kind.as_str(), c.message));
        if let Some(diff) = &c.diff {
            out.push_str(diff);
            if !diff.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    if !o.not_evaluated.is_empty() {
        out.push_str(&format!(
            "not evaluated (the status differs): {}\n",
            o.not_evaluated.join(", ")
        ));
    }
    for r in &o.retries {
        out.push_str(&format!("retry: {r}\n"));
    }
    if let Some(r) = &o.request {
        out.push_str(&format!("request: {} {}\n", r.method, r.url));
        for (name, value) in &r.headers {
            out.push_str(&format!("  {name}: {value}\n"));
        }
        if let Some(body) = &r.body {
            push_excerpt(&mut out, body);
        }
    }
    if let Some(r) = &o.response {
        out.push_str(&format!("response: {} ({} ms)\n", r.status, r.elapsed_ms));
        if let Some(body) = &r.body {
            push_excerpt(&mut out, body);
        }
    }
    out
}

/// The first 20 lines of a body, indented.
fn push_excerpt(out: &mut String, body: &str) {
    const LINES: usize = 20;
    for line in body.lines().take(LINES) {
        out.push_str(&format!("  | {line}\n"));
    }
    let total = body.lines().count();
    if total > LINES {
        out.push_str(&format!(
            "  | ... ({} more lines in report.json)\n",
            total - LINES
        ));
    }
}
