//! One run from plan to reports: starts the runner, feeds its events to the reporters, returns the
//! totals. The CLI and the project's own tests both drive runs through here.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::case::Suite;
use crate::error::Error;
use crate::plan::Plan;
use crate::report::json::JsonReporter;
use crate::report::junit::JunitReporter;
use crate::report::terminal::TerminalReporter;
use crate::report::{ReportFiles, Reporter};
use crate::run::{self, Event, RunConfig, Summary};

/// Where reports go.
pub struct ReportOptions {
    pub dir: PathBuf,
    /// The terminal report's destination (stdout in the CLI, a buffer in tests).
    pub terminal: Box<dyn Write + Send>,
    pub interactive: bool,
}

/// Runs `plan` and writes every report. `observe` sees each event before the reporters (record
/// mode uses it to collect exchanges).
pub async fn execute(
    suite: Arc<Suite>,
    plan: &Plan,
    config: RunConfig,
    reports: ReportOptions,
    mut observe: impl FnMut(&Event),
) -> Result<Summary, Error> {
    let files = ReportFiles {
        dir: reports.dir.clone(),
    };
    let io = |what: &str, e: std::io::Error| Error::Io(format!("cannot write the {what}: {e}"));
    let coverage = crate::coverage::for_run(&suite, &plan.apis());
    let mut reporters: Vec<(&str, Box<dyn Reporter>)> = vec![
        (
            "terminal report",
            Box::new(
                TerminalReporter::new(reports.terminal, plan.case_count(), reports.interactive)
                    .with_coverage(&coverage),
            ),
        ),
        ("JUnit report", Box::new(JunitReporter::new(files.junit()))),
        (
            "JSON report",
            Box::new(
                JsonReporter::new(files.json())
                    .map_err(|e| io("JSON report", e))?
                    .with_coverage(coverage),
            ),
        ),
    ];
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runner = {
        let suite = Arc::clone(&suite);
        let plan = plan.clone();
        let config = Arc::new(config);
        tokio::spawn(async move { run::run(suite, &plan, config, tx).await })
    };
    let mut summary = Summary::default();
    while let Some(event) = rx.recv().await {
        observe(&event);
        let Event::CaseFinished { outcome, .. } = &event;
        summary.add(outcome);
        for (what, r) in reporters.iter_mut() {
            r.outcome(outcome).map_err(|e| io(what, e))?;
        }
    }
    match runner.await {
        Ok(Ok(())) => {}
        Ok(Err(msg)) => return Err(Error::Usage(msg)),
        Err(e) => {
            return Err(Error::Io(format!(
                "internal error: the runner stopped: {e}"
            )))
        }
    }
    summary.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    for (what, r) in reporters.iter_mut() {
        r.finish(&summary).map_err(|e| io(what, e))?;
    }
    Ok(summary)
}
