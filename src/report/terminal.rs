//! The terminal report: a line per case as it finishes (under a progress bar on a terminal, plain
//! when not a TTY or when `CI` is set), then every failure in detail, then the totals.
//!
//! A terminal that cannot be written to (a closed pipe: `conform run | head -1`) switches this
//! report off; the file reports are still written and the exit code stays the run's.

use std::io::Write;

use console::style;
use indicatif::{ProgressBar, ProgressStyle};

use super::{failure_text, Reporter};
use crate::run::event::{Event, RunStarted, TargetInfo};
use crate::run::{CaseOutcome, OutcomeStatus, Summary};

pub struct TerminalReporter {
    /// `None` once a write failed.
    out: Option<Box<dyn Write + Send>>,
    interactive: bool,
    progress: Option<ProgressBar>,
    failures: Vec<CaseOutcome>,
    /// Failed cases per API, for the class counts after the totals.
    failed_by_api: std::collections::BTreeMap<String, Summary>,
    /// One line per API after the totals.
    coverage: Vec<String>,
    /// For the curl commands of failures.
    targets: Vec<TargetInfo>,
    /// `-v` / `-vv`: each case's exchange under its line.
    verbose: u8,
    /// Snapshot files the run wrote, for the lines after the totals.
    snapshots: SnapshotsWritten,
}

impl TerminalReporter {
    /// `interactive` turns on the progress bar; pass false for plain, log-friendly output.
    pub fn new(out: Box<dyn Write + Send>, interactive: bool) -> Self {
        TerminalReporter {
            out: Some(out),
            interactive,
            progress: None,
            failures: Vec::new(),
            failed_by_api: Default::default(),
            coverage: Vec::new(),
            targets: Vec::new(),
            verbose: 0,
            snapshots: SnapshotsWritten::default(),
        }
    }

    /// Prints every case's request and response (headers; with 2, bodies too).
    pub fn verbose(mut self, level: u8) -> Self {
        self.verbose = level;
        self
    }

    fn started(&mut self, started: &RunStarted) {
        self.targets = started.targets.clone();
        self.coverage = started
            .coverage
            .iter()
            .map(|c| format!("coverage {}", c.headline))
            .collect();
        self.progress = self.interactive.then(|| {
            let pb = ProgressBar::new(started.planned as u64);
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb
        });
    }

    /// Writes `text`; the first failure turns the terminal report off for good.
    fn write(&mut self, text: &str) {
        if let Some(out) = self.out.as_mut() {
            if out.write_all(text.as_bytes()).is_err() {
                self.out = None;
                if let Some(pb) = self.progress.take() {
                    pb.finish_and_clear();
                }
            }
        }
    }

    fn line(&mut self, text: &str) {
        match &self.progress {
            Some(pb) => pb.println(text),
            None => self.write(&format!("{text}\n")),
        }
    }

    fn outcome(&mut self, o: &CaseOutcome) {
        let tag = match o.status {
            OutcomeStatus::Passed => style("PASS").green().bold(),
            OutcomeStatus::Failed => style("FAIL").red().bold(),
            OutcomeStatus::Error => style("ERROR").magenta().bold(),
            OutcomeStatus::Skipped => style("SKIP").yellow().bold(),
            // Listed in the totals only: after Ctrl-C there may be thousands.
            OutcomeStatus::Interrupted => {
                if let Some(pb) = &self.progress {
                    pb.inc(1);
                }
                return;
            }
        };
        let detail = match (&o.status, &o.skip_reason) {
            (OutcomeStatus::Skipped, Some(reason)) => format!("({reason})"),
            _ => format!("({:.0} ms)", o.duration_ms),
        };
        self.line(&format!("{tag} {} {}", o.id, style(detail).dim()));
        // A pass with graded snapshot changes says what changed (failures show it in detail).
        if o.status == OutcomeStatus::Passed {
            for c in o.checks.iter().filter(|c| c.is_graded()) {
                self.line(&format!(
                    "    {}",
                    style(format!("note: {}", c.message)).dim()
                ));
            }
        }
        self.snapshots.add(o);
        if self.verbose > 0 {
            let exchange = exchange_lines(o);
            if !exchange.is_empty() {
                self.line(exchange.trim_end_matches('\n'));
            }
        }
        if let Some(pb) = &self.progress {
            pb.inc(1);
        }
        if matches!(o.status, OutcomeStatus::Failed | OutcomeStatus::Error) {
            self.failures.push(o.clone());
        }
        if o.status == OutcomeStatus::Failed {
            self.failed_by_api
                .entry(o.id.api.clone())
                .or_default()
                .add(o);
        }
    }

    fn finish(&mut self, summary: &Summary) {
        if let Some(pb) = self.progress.take() {
            pb.finish_and_clear();
        }
        let mut text = String::new();
        if !self.failures.is_empty() {
            text.push_str(&format!("\n{}\n", style("failures:").red().bold()));
            for o in std::mem::take(&mut self.failures) {
                text.push_str(&failure_block(&o, &self.targets));
            }
        }
        text.push_str(&self.snapshots.lines());
        text.push_str(&format!("\n{}\n", totals_line(summary)));
        if self.failed_by_api.len() > 1 {
            for (api, failed) in &self.failed_by_api {
                text.push_str(&format!(
                    "  {api}: {} failed{}\n",
                    failed.failed,
                    class_counts(failed)
                ));
            }
        }
        for line in &self.coverage {
            text.push_str(&format!("{line}\n"));
        }
        self.write(&text);
        if let Some(out) = self.out.as_mut() {
            let _ = out.flush();
        }
    }
}

/// `--- id [class] (file:line)` and the indented failure text, diff lines coloured, then the
/// curl command that reproduces the request.
fn failure_block(o: &CaseOutcome, targets: &[TargetInfo]) -> String {
    let class = o
        .class
        .map(|c| format!(" [{}]", c.as_str()))
        .unwrap_or_default();
    let mut text = format!(
        "\n--- {}{class} ({}:{})\n",
        style(&o.id).bold(),
        o.file,
        o.line
    );
    let reproduce = super::curl::block(o, targets);
    for line in failure_text(o).lines().chain(reproduce.lines()) {
        text.push_str(&format!("    {}\n", diff_line(line)));
    }
    text
}

/// A line of a unified diff, added lines green and removed lines red (headers left plain).
pub fn diff_line(line: &str) -> String {
    if line.starts_with('+') && !line.starts_with("+++") {
        style(line).green().to_string()
    } else if line.starts_with('-') && !line.starts_with("---") {
        style(line).red().to_string()
    } else {
        line.to_string()
    }
}

/// `-v`: `> ` request lines and `< ` response lines, as curl -v shows them; bodies when the
/// outcome holds them (`-vv`, or a failure).
fn exchange_lines(o: &CaseOutcome) -> String {
    let mut text = String::new();
    let body = |text: &mut String, prefix: &str, body: &Option<String>| {
        for line in body.iter().flat_map(|b| b.lines()) {
            text.push_str(&format!("  {prefix} {line}\n"));
        }
    };
    if let Some(r) = &o.request {
        text.push_str(&format!("  > {} {}\n", r.method, r.url));
        for (name, value) in &r.headers {
            text.push_str(&format!("  > {name}: {value}\n"));
        }
        body(&mut text, ">", &r.body);
    }
    if let Some(r) = &o.response {
        text.push_str(&format!("  < {} ({} ms)\n", r.status, r.elapsed_ms));
        for (name, value) in &r.headers {
            text.push_str(&format!("  < {name}: {value}\n"));
        }
        body(&mut text, "<", &r.body);
    }
    text
}

/// The snapshot files a run wrote: pending ones to review, or those written in place.
#[derive(Default)]
struct SnapshotsWritten {
    pending: Vec<String>,
    written: Vec<String>,
}

impl SnapshotsWritten {
    fn add(&mut self, o: &CaseOutcome) {
        for path in o.checks.iter().filter_map(|c| c.written.as_ref()) {
            match path.ends_with(".new") {
                true => self.pending.push(path.clone()),
                false => self.written.push(path.clone()),
            }
        }
    }

    /// `snapshots to review (2):` and the files, then how to review them; `snapshots written
    /// (3):` for `--accept` and `record`. Empty when nothing was written.
    fn lines(&self) -> String {
        let mut text = String::new();
        if !self.pending.is_empty() {
            text.push_str(&format!(
                "\n{} ({}):\n",
                style("snapshots to review").yellow().bold(),
                self.pending.len()
            ));
            for path in &self.pending {
                text.push_str(&format!("  {path}\n"));
            }
            text.push_str("  review them with `conform review` (accept, reject or skip each), or rerun with --accept\n");
        }
        if !self.written.is_empty() {
            text.push_str(&format!(
                "\n{} ({}):\n",
                style("snapshots written").bold(),
                self.written.len()
            ));
            for path in &self.written {
                text.push_str(&format!("  {path}\n"));
            }
        }
        text
    }
}

/// `ok: 3 passed, 0 failed, 0 skipped (3 cases in 0.01s)`, with errors and interruptions when any.
fn totals_line(summary: &Summary) -> String {
    let verdict = if summary.interrupted > 0 {
        style("INTERRUPTED").red().bold()
    } else if summary.failed > 0 {
        style("FAILED").red().bold()
    } else if summary.errors > 0 {
        style("NOT CHECKED").magenta().bold()
    } else {
        style("ok").green().bold()
    };
    let mut extra = String::new();
    if summary.errors > 0 {
        extra.push_str(&format!(", {} could not be checked", summary.errors));
    }
    if summary.interrupted > 0 {
        extra.push_str(&format!(", {} interrupted", summary.interrupted));
    }
    format!(
        "{verdict}: {} passed, {} failed{}, {} skipped{extra} ({} cases in {:.2}s)",
        summary.passed,
        summary.failed,
        class_counts(summary),
        summary.skipped,
        summary.total,
        summary.duration_ms / 1000.0
    )
}

/// ` (refused 2, contract 1)`: the failed cases by class, the classes that have some; empty when
/// nothing failed.
fn class_counts(summary: &Summary) -> String {
    let classes = [
        ("refused", summary.refused),
        ("contract", summary.contract),
        ("data", summary.data),
    ];
    let counted: Vec<String> = classes
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(class, n)| format!("{class} {n}"))
        .collect();
    if counted.is_empty() {
        String::new()
    } else {
        format!(" ({})", counted.join(", "))
    }
}

impl Reporter for TerminalReporter {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted(s) => self.started(s),
            Event::CaseStarted { .. } => {}
            Event::CaseFinished(f) => self.outcome(&f.outcome),
            Event::RunFinished(summary) => self.finish(summary),
        }
        Ok(())
    }
}
