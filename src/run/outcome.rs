//! Outcomes: what happened to each case, as data for the reporters. Secrets are already scrubbed.

use serde::{Deserialize, Serialize};

use crate::case::CaseId;
use crate::check::CheckResult;
use crate::exit::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNCHECKED};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeStatus {
    Passed,
    /// A contract check failed.
    Failed,
    /// The case could not be checked: connection refused, DNS, TLS, timeout, an internal error.
    Error,
    Skipped,
    /// The run was stopped (Ctrl-C) before the case finished; nothing is known about it.
    Interrupted,
}

/// The result of one case.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaseOutcome {
    /// `api/file::case`, as `--filter` accepts it.
    pub id: CaseId,
    /// Relative path of the case file, e.g. `cases/kimai/get_customer.yaml`.
    pub file: String,
    /// `METHOD /path` as documented.
    pub endpoint: String,
    /// 1-based line of the case in its file.
    pub line: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub status: OutcomeStatus,
    /// Wall time of the case in milliseconds (request and checks).
    pub duration_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Why the case could not complete (transport error, unrendered variable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseRecord>,
    /// Every check that ran, passed or not.
    pub checks: Vec<CheckResult>,
    /// Attempts beyond the first (retries), each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
}

impl CaseOutcome {
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// The case name.
    pub fn case(&self) -> &str {
        &self.id.case
    }
}

/// The request as sent, scrubbed.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    /// Only on failure: headers and body help reproduce it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response as received, scrubbed; headers and body are kept only when the case failed.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResponseRecord {
    pub status: u16,
    pub elapsed_ms: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Cases that could not be checked (exit code 3 when nothing failed).
    #[serde(default)]
    pub errors: usize,
    pub skipped: usize,
    /// Cases not finished when the run was stopped (Ctrl-C); 0 for a complete run.
    pub interrupted: usize,
    /// Passed cases whose snapshot differed by graded changes only (`additive`, `order`).
    #[serde(default)]
    pub graded: usize,
    pub duration_ms: f64,
}

impl Summary {
    pub fn add(&mut self, o: &CaseOutcome) {
        self.total += 1;
        match o.status {
            OutcomeStatus::Passed => self.passed += 1,
            OutcomeStatus::Failed => self.failed += 1,
            OutcomeStatus::Error => self.errors += 1,
            OutcomeStatus::Skipped => self.skipped += 1,
            OutcomeStatus::Interrupted => self.interrupted += 1,
        }
        if o.status == OutcomeStatus::Passed && o.checks.iter().any(CheckResult::is_graded) {
            self.graded += 1;
        }
    }

    /// The run's exit code: interrupted, then failed, then could not check, then all passed.
    pub fn exit_code(&self) -> i32 {
        if self.interrupted > 0 {
            EXIT_INTERRUPTED
        } else if self.failed > 0 {
            EXIT_FAILED
        } else if self.errors > 0 {
            EXIT_UNCHECKED
        } else {
            EXIT_OK
        }
    }
}
