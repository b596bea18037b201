//! The terminal report: a line per case as it finishes (under a progress bar on a terminal, plain
//! when not a TTY or when `CI` is set), then every failure in detail, then the totals.

use std::io::Write;

use console::style;
use indicatif::{ProgressBar, ProgressStyle};

use super::{failure_text, Reporter};
use crate::run::{CaseOutcome, OutcomeStatus, Summary};

pub struct TerminalReporter {
    out: Box<dyn Write + Send>,
    progress: Option<ProgressBar>,
    failures: Vec<CaseOutcome>,
    /// Print one line per passing case too (failures are always listed).
    verbose: bool,
    /// One line per API after the totals.
    coverage: Vec<String>,
}

impl TerminalReporter {
    /// `interactive` turns on the progress bar; pass false for plain, log-friendly output.
    pub fn new(out: Box<dyn Write + Send>, total: usize, interactive: bool) -> Self {
        let progress = interactive.then(|| {
            let pb = ProgressBar::new(total as u64);
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb
        });
        TerminalReporter {
            out,
            progress,
            failures: Vec::new(),
            verbose: true,
            coverage: Vec::new(),
        }
    }

    /// Prints a coverage line per API after the totals.
    pub fn with_coverage(mut self, coverage: &[crate::coverage::ApiCoverage]) -> Self {
        self.coverage = coverage
            .iter()
            .map(|c| format!("coverage {}", c.headline()))
            .collect();
        self
    }

    fn line(&mut self, text: &str) -> std::io::Result<()> {
        match &self.progress {
            Some(pb) => {
                pb.println(text);
                Ok(())
            }
            None => writeln!(self.out, "{text}"),
        }
    }
}

/// Whether to draw a progress bar: stdout is a terminal and `CI` is not set.
pub fn interactive() -> bool {
    console::Term::stdout().is_term() && std::env::var_os("CI").is_none()
}

impl Reporter for TerminalReporter {
    fn outcome(&mut self, o: &CaseOutcome) -> std::io::Result<()> {
        let tag = match o.status {
            OutcomeStatus::Passed => style("PASS").green().bold(),
            OutcomeStatus::Failed => style("FAIL").red().bold(),
            OutcomeStatus::Skipped => style("SKIP").yellow().bold(),
            // Listed in the totals only: after Ctrl-C there may be thousands.
            OutcomeStatus::Interrupted => {
                if let Some(pb) = &self.progress {
                    pb.inc(1);
                }
                return Ok(());
            }
        };
        let detail = match (&o.status, &o.skip_reason) {
            (OutcomeStatus::Skipped, Some(reason)) => format!("({reason})"),
            _ => format!("({:.0} ms)", o.duration_ms),
        };
        if self.verbose || o.status == OutcomeStatus::Failed {
            self.line(&format!("{tag} {} {}", o.id(), style(detail).dim()))?;
        }
        if let Some(pb) = &self.progress {
            pb.inc(1);
        }
        if o.status == OutcomeStatus::Failed {
            self.failures.push(o.clone());
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        if let Some(pb) = self.progress.take() {
            pb.finish_and_clear();
        }
        if !self.failures.is_empty() {
            writeln!(self.out, "\n{}", style("failures:").red().bold())?;
            for o in std::mem::take(&mut self.failures) {
                writeln!(
                    self.out,
                    "\n--- {} ({}:{})",
                    style(o.id()).bold(),
                    o.file,
                    o.line
                )?;
                for line in failure_text(&o).lines() {
                    let styled = if line.starts_with('+') && !line.starts_with("+++") {
                        style(line).green().to_string()
                    } else if line.starts_with('-') && !line.starts_with("---") {
                        style(line).red().to_string()
                    } else {
                        line.to_string()
                    };
                    writeln!(self.out, "    {styled}")?;
                }
            }
        }
        let verdict = if summary.interrupted > 0 {
            style("INTERRUPTED").red().bold()
        } else if summary.failed > 0 {
            style("FAILED").red().bold()
        } else {
            style("ok").green().bold()
        };
        let interrupted = if summary.interrupted > 0 {
            format!(", {} interrupted", summary.interrupted)
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "\n{verdict}: {} passed, {} failed, {} skipped{interrupted} ({} cases in {:.2}s)",
            summary.passed,
            summary.failed,
            summary.skipped,
            summary.total,
            summary.duration_ms / 1000.0
        )?;
        for line in &self.coverage {
            writeln!(self.out, "{line}")?;
        }
        self.out.flush()
    }
}
