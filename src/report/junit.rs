//! JUnit XML (`junit.xml`): a testsuite per case file, a testcase per case, written with quick-junit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{failure_text, Reporter};
use crate::run::event::Event;
use crate::run::{CaseOutcome, OutcomeStatus, Summary};

pub struct JunitReporter {
    path: PathBuf,
    /// Suites by file, in file order of first appearance sorted by name for stable output.
    suites: BTreeMap<String, TestSuite>,
}

impl JunitReporter {
    pub fn new(path: PathBuf) -> Self {
        JunitReporter {
            path,
            suites: BTreeMap::new(),
        }
    }
}

impl Reporter for JunitReporter {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::CaseFinished(f) => self.outcome(&f.outcome),
            Event::RunFinished(summary) => self.finish(summary),
            Event::RunStarted(_) | Event::CaseStarted { .. } => Ok(()),
        }
    }
}

impl JunitReporter {
    fn outcome(&mut self, o: &CaseOutcome) -> std::io::Result<()> {
        let status = match o.status {
            OutcomeStatus::Passed => TestCaseStatus::success(),
            OutcomeStatus::Skipped | OutcomeStatus::Interrupted => {
                let mut s = TestCaseStatus::skipped();
                if let Some(reason) = &o.skip_reason {
                    s.set_message(reason.as_str());
                }
                s
            }
            OutcomeStatus::Failed | OutcomeStatus::Error => {
                let kind = if o.status == OutcomeStatus::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut s = TestCaseStatus::non_success(kind);
                let first = o
                    .error
                    .clone()
                    .or_else(|| o.failed_checks().next().map(|c| c.message.clone()))
                    .unwrap_or_default();
                s.set_message(first);
                if let Some(class) = o.class {
                    s.set_type(class.as_str());
                }
                s.set_description(failure_text(o));
                s
            }
        };
        let mut case = TestCase::new(o.case(), status);
        case.set_classname(o.id.file_id());
        case.set_time(Duration::from_secs_f64(o.duration_ms / 1000.0));
        self.suites
            .entry(o.file.clone())
            .or_insert_with(|| TestSuite::new(o.file.as_str()))
            .add_test_case(case);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        let mut report = Report::new("conform");
        report.set_time(Duration::from_secs_f64(summary.duration_ms / 1000.0));
        report.add_test_suites(std::mem::take(&mut self.suites).into_values());
        crate::fsutil::write_atomic_with(&self.path, |out| {
            report.serialize(out).map_err(std::io::Error::other)
        })
    }
}
