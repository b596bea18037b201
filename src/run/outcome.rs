//! Outcomes: what happened to each case, as data for the reporters. Secrets are already scrubbed.

use serde::Serialize;

use crate::check::CheckResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeStatus {
    Passed,
    Failed,
    Skipped,
    /// The run was stopped (Ctrl-C) before the case finished; nothing is known about it.
    Interrupted,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    pub api: String,
    /// Relative path of the case file, e.g. `cases/kimai/get_customer.yaml`.
    pub file: String,
    /// `METHOD /path` as documented.
    pub endpoint: String,
    pub case: String,
    /// 1-based line of the case in its file.
    pub line: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub status: OutcomeStatus,
    /// Wall time of the case in milliseconds (request and checks).
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Why the case could not complete (transport error, unrendered variable).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Every check that ran, passed or not.
    pub checks: Vec<CheckResult>,
    /// Attempts beyond the first (retries), each with its reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
}

impl CaseOutcome {
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// `kimai/get_customer::fetches a known customer`.
    pub fn id(&self) -> String {
        let stem = std::path::Path::new(&self.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{}/{}::{}", self.api, stem, self.case)
    }
}

/// The request as sent, scrubbed.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    /// Only on failure: headers and body help reproduce it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response as received, scrubbed; headers and body are kept only when the case failed.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRecord {
    pub status: u16,
    pub elapsed_ms: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Cases not finished when the run was stopped (Ctrl-C); 0 for a complete run.
    pub interrupted: usize,
    pub duration_ms: f64,
}

impl Summary {
    pub fn add(&mut self, o: &CaseOutcome) {
        self.total += 1;
        match o.status {
            OutcomeStatus::Passed => self.passed += 1,
            OutcomeStatus::Failed => self.failed += 1,
            OutcomeStatus::Skipped => self.skipped += 1,
            OutcomeStatus::Interrupted => self.interrupted += 1,
        }
    }
}
