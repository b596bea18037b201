//! Reporters: they read run events (outcomes in plan order), nothing else. A format is one file
//! here plus one entry in [`Format`] and [`build`].

pub mod collect;
pub mod curl;
pub mod doc;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
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
    /// `report.md`: the totals and every failure, for any CI that shows Markdown.
    Markdown,
    /// `report.html`: one self-contained page, failures first, every case filterable.
    Html,
    /// GitHub Actions: up to 10 annotations on stdout, and the job summary appended to
    /// `$GITHUB_STEP_SUMMARY` when it is set (no file in the report folder).
    Github,
}

impl Format {
    /// The formats written when `--report` is not given.
    pub const DEFAULT: &'static [Format] = &[Format::Json, Format::Junit];

    /// The file written in the report folder, if any.
    pub fn file_name(self) -> Option<&'static str> {
        match self {
            Format::Junit => Some("junit.xml"),
            Format::Json => Some("report.json"),
            Format::Markdown => Some("report.md"),
            Format::Html => Some("report.html"),
            Format::Github => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Junit => "JUnit report",
            Format::Json => "JSON report",
            Format::Markdown => "Markdown report",
            Format::Html => "HTML report",
            Format::Github => "GitHub report",
        }
    }
}

/// Where the terminal report goes and how it looks.
pub struct TerminalConfig {
    /// stdout in the CLI, a buffer or a sink in tests.
    pub out: Box<dyn Write + Send>,
    /// Draw a progress bar (a TTY outside CI).
    pub interactive: bool,
    /// `-v`: every case's request and response, line by line (scrubbed); `-vv`: with bodies.
    pub verbose: u8,
}

/// Which reports a run writes, and where.
pub struct ReportConfig {
    pub dir: PathBuf,
    pub formats: Vec<Format>,
    pub terminal: TerminalConfig,
    /// `$GITHUB_STEP_SUMMARY` as the process (not `.env`) set it: where `--report github`
    /// appends the job summary.
    pub step_summary: Option<PathBuf>,
    /// Case file links and the commit, for the HTML report.
    pub page: html::Page,
}

impl ReportConfig {
    /// The file reports' paths, in format order.
    pub fn files(&self) -> Vec<PathBuf> {
        self.formats
            .iter()
            .filter_map(|f| f.file_name().map(|name| self.dir.join(name)))
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
        reporter: Box::new(
            terminal::TerminalReporter::new(config.terminal.out, config.terminal.interactive)
                .verbose(config.terminal.verbose),
        ),
    }];
    let mut formats = config.formats.clone();
    formats.sort();
    formats.dedup();
    for format in formats {
        let path = config.dir.join(format.file_name().unwrap_or_default());
        let reporter: Box<dyn Reporter + Send> = match format {
            Format::Junit => Box::new(junit::JunitReporter::new(path)),
            Format::Json => Box::new(json::JsonReporter::new(path)?),
            Format::Markdown => Box::new(collect::DocReporter::new(Box::new(move |doc| {
                let text = markdown::render(doc, markdown::UNLIMITED);
                crate::fsutil::write_atomic(&path, text.as_bytes())
            }))),
            Format::Html => {
                let page = config.page.clone();
                Box::new(collect::DocReporter::new(Box::new(move |doc| {
                    crate::fsutil::write_atomic(&path, html::render(doc, &page).as_bytes())
                })))
            }
            Format::Github => Box::new(github::reporter(
                Box::new(std::io::stdout()),
                config.step_summary.clone(),
            )),
        };
        list.push(Built {
            what: format.describe(),
            reporter,
        });
    }
    Ok(list)
}

/// Feeds a finished document to reporters as the events of its run (`report merge`), so that
/// a merged run's files are written by the same reporters as a live run's.
pub fn replay(doc: &doc::ReportDoc, reporters: &mut [Built]) -> Result<(), String> {
    use crate::run::event::{CaseFinished, Event};
    let mut send = |event: &Event| -> Result<(), String> {
        for r in reporters.iter_mut() {
            r.reporter
                .event(event)
                .map_err(|e| format!("cannot write the {}: {e}", r.what))?;
        }
        Ok(())
    };
    send(&Event::RunStarted(Box::new(doc.run.clone())))?;
    for (seq, o) in doc.outcomes.iter().enumerate() {
        send(&Event::CaseFinished(CaseFinished {
            seq,
            outcome: Box::new(o.clone()),
            exchange: None,
        }))?;
    }
    send(&Event::RunFinished(doc.summary))
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
