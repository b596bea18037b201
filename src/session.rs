//! One run from plan to reports: starts the runner, feeds its events to the reporters, returns the
//! totals. The CLI and the project's own tests both drive runs through here.

use std::collections::HashSet;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::case::Suite;
use crate::error::Error;
use crate::plan::Plan;
use crate::report::json::JsonReporter;
use crate::report::junit::JunitReporter;
use crate::report::terminal::TerminalReporter;
use crate::report::{ReportFiles, Reporter};
use crate::run::{self, CaseOutcome, Event, RunConfig, Summary};

/// Where reports go.
pub struct ReportOptions {
    pub dir: PathBuf,
    /// The terminal report's destination (stdout in the CLI, a buffer in tests).
    pub terminal: Box<dyn Write + Send>,
    pub interactive: bool,
}

/// The reporters of a run and the totals so far.
struct Reporters {
    list: Vec<(&'static str, Box<dyn Reporter>)>,
    summary: Summary,
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::Io(format!("cannot write the {what}: {e}"))
}

impl Reporters {
    fn new(
        reports: ReportOptions,
        cases: usize,
        coverage: Vec<crate::coverage::ApiCoverage>,
    ) -> Result<Reporters, Error> {
        let files = ReportFiles {
            dir: reports.dir.clone(),
        };
        let terminal = TerminalReporter::new(reports.terminal, cases, reports.interactive)
            .with_coverage(&coverage);
        let json = JsonReporter::new(files.json())
            .map_err(|e| io_error("JSON report", e))?
            .with_coverage(coverage);
        Ok(Reporters {
            list: vec![
                ("terminal report", Box::new(terminal)),
                ("JUnit report", Box::new(JunitReporter::new(files.junit()))),
                ("JSON report", Box::new(json)),
            ],
            summary: Summary::default(),
        })
    }

    fn outcome(&mut self, outcome: &CaseOutcome) -> Result<(), Error> {
        self.summary.add(outcome);
        for (what, r) in self.list.iter_mut() {
            r.outcome(outcome).map_err(|e| io_error(what, e))?;
        }
        Ok(())
    }

    fn finish(mut self, duration: Duration) -> Result<Summary, Error> {
        self.summary.duration_ms = duration.as_secs_f64() * 1000.0;
        for (what, r) in self.list.iter_mut() {
            r.finish(&self.summary).map_err(|e| io_error(what, e))?;
        }
        Ok(self.summary)
    }
}

/// Runs `plan` and writes every report. `observe` sees each event before the reporters (record
/// mode uses it to collect exchanges). When `stop` completes (Ctrl-C in the CLI), no further
/// request is sent, the cases not finished are reported as interrupted and the reports are
/// written all the same (`Summary::interrupted` counts them).
pub async fn execute(
    suite: Arc<Suite>,
    plan: &Plan,
    config: RunConfig,
    reports: ReportOptions,
    stop: impl Future<Output = ()>,
    mut observe: impl FnMut(&Event),
) -> Result<Summary, Error> {
    let coverage = crate::coverage::for_run(&suite, &plan.apis());
    let mut reporters = Reporters::new(reports, plan.case_count(), coverage)?;
    // Polled once before the first request, so that a signal handler behind `stop` is in place.
    tokio::pin!(stop);
    let mut stopped = tokio::select! {
        biased;
        () = &mut stop => true,
        () = std::future::ready(()) => false,
    };
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut runner = {
        let suite = Arc::clone(&suite);
        let plan = plan.clone();
        let config = Arc::new(config);
        tokio::spawn(async move { run::run(suite, &plan, config, tx).await })
    };
    let mut finished = HashSet::new();
    let mut deliver = |event: Event, reporters: &mut Reporters| {
        observe(&event);
        let Event::CaseFinished { outcome, at, .. } = &event;
        finished.insert(*at);
        reporters.outcome(outcome)
    };
    while !stopped {
        tokio::select! {
            event = rx.recv() => match event {
                Some(event) => deliver(event, &mut reporters)?,
                None => break,
            },
            () = &mut stop => stopped = true,
        }
    }
    if !stopped {
        match runner.await {
            Ok(Ok(())) => return reporters.finish(started.elapsed()),
            Ok(Err(msg)) => return Err(Error::Usage(msg)),
            Err(e) => {
                return Err(Error::Io(format!(
                    "internal error: the runner stopped: {e}"
                )))
            }
        }
    }
    // Aborting the runner drops its tasks, and with them every request in flight.
    runner.abort();
    let _ = (&mut runner).await;
    while let Ok(event) = rx.try_recv() {
        deliver(event, &mut reporters)?;
    }
    for planned in &plan.files {
        for &ci in &planned.cases {
            let at = (planned.api, planned.file, ci);
            if !finished.contains(&at) {
                reporters.outcome(&run::interrupted(&suite, at))?;
            }
        }
    }
    reporters.finish(started.elapsed())
}
