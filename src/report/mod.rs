//! Reporters: they read outcomes, nothing else. Adding a format is adding a file here.

pub mod json;
pub mod junit;
pub mod terminal;

use std::path::PathBuf;

use crate::run::{CaseOutcome, Summary};

/// Receives outcomes as they arrive, then the totals once.
pub trait Reporter {
    fn outcome(&mut self, outcome: &CaseOutcome) -> std::io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;
}

/// Where the file reports of a run go.
#[derive(Debug, Clone)]
pub struct ReportFiles {
    pub dir: PathBuf,
}

impl ReportFiles {
    pub fn junit(&self) -> PathBuf {
        self.dir.join("junit.xml")
    }

    pub fn json(&self) -> PathBuf {
        self.dir.join("report.json")
    }
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
    if let Some(r) = &o.request {
        out.push_str(&format!("request: {} {}\n", r.method, r.url));
    }
    if let Some(r) = &o.response {
        out.push_str(&format!("response: {} ({} ms)\n", r.status, r.elapsed_ms));
    }
    out
}
