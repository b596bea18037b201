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
