//! Outcomes: what happened to each case, as data for the reporters. Secrets are already scrubbed.

use serde::{Deserialize, Serialize};

use crate::case::CaseId;
use crate::check::{CheckKind, CheckResult};
use crate::exit::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_UNCHECKED};
use crate::redact::Redactor;

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

/// Whose fault a failure probably is, so that a live run's failures can be read at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailureClass {
    /// A 4xx where the case expected a 2xx: the server refused the request or its data; the
    /// server's message comes first.
    Refused,
    /// The status class, content type, schema, body or a required header is not as documented.
    Contract,
    /// Only value assertions, captures or snapshots differ: the data, not its shape.
    Data,
}

impl FailureClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::Refused => "refused",
            FailureClass::Contract => "contract",
            FailureClass::Data => "data",
        }
    }

    /// The class of a failed case from its checks; `None` when every check passed.
    pub fn of(checks: &[CheckResult]) -> Option<FailureClass> {
        let mut class = None;
        for check in checks.iter().filter(|c| !c.passed) {
            let this = match check.kind {
                CheckKind::Status if refused(check) => FailureClass::Refused,
                CheckKind::Assert | CheckKind::Capture | CheckKind::Snapshot => FailureClass::Data,
                _ => FailureClass::Contract,
            };
            class = Some(match (class, this) {
                (Some(FailureClass::Refused), _) | (_, FailureClass::Refused) => {
                    FailureClass::Refused
                }
                (Some(FailureClass::Contract), _) | (_, FailureClass::Contract) => {
                    FailureClass::Contract
                }
                _ => FailureClass::Data,
            });
        }
        class
    }
}

/// A failed status check that expected a 2xx and got a 4xx.
fn refused(check: &CheckResult) -> bool {
    let class = |v: &Option<String>| v.as_deref().and_then(|s| s.chars().next());
    class(&check.expected) == Some('2') && class(&check.actual) == Some('4')
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
    /// Whose fault a failure probably is; only on failed cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<FailureClass>,
    /// Checks of the expected response's body that did not run because the status differed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_evaluated: Vec<String>,
    /// Attempts beyond the first (retries), each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
    /// What else happened on the way: redirects followed, credential headers kept from another
    /// origin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl CaseOutcome {
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// The case name.
    pub fn case(&self) -> &str {
        &self.id.case
    }

    /// Scrubs every text a report shows: messages, expected and actual values, diffs, errors,
    /// notes, the request and the response. The last step before an outcome leaves the runner,
    /// so that an expected value built from a secret prints `<scrubbed:NAME>`.
    pub fn scrub(&mut self, r: &Redactor) {
        let text = |s: &mut String| *s = r.text(s);
        let opt = |s: &mut Option<String>| {
            if let Some(s) = s {
                *s = r.text(s);
            }
        };
        opt(&mut self.skip_reason);
        opt(&mut self.error);
        self.retries.iter_mut().for_each(text);
        self.notes.iter_mut().for_each(text);
        for c in &mut self.checks {
            text(&mut c.subject);
            text(&mut c.message);
            opt(&mut c.expected);
            opt(&mut c.actual);
            opt(&mut c.diff);
        }
        if let Some(req) = &mut self.request {
            req.url = r.url(&req.url);
            req.headers = r.headers(&req.headers);
            opt(&mut req.body);
        }
        if let Some(resp) = &mut self.response {
            resp.headers = r.headers(&resp.headers);
            opt(&mut resp.body);
        }
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
    /// Failed cases by class (they add up to `failed`).
    #[serde(default)]
    pub refused: usize,
    #[serde(default)]
    pub contract: usize,
    #[serde(default)]
    pub data: usize,
    pub duration_ms: f64,
}

impl Summary {
    pub fn add(&mut self, o: &CaseOutcome) {
        self.total += 1;
        match o.status {
            OutcomeStatus::Passed => self.passed += 1,
            OutcomeStatus::Failed => {
                self.failed += 1;
                match o.class {
                    Some(FailureClass::Refused) => self.refused += 1,
                    Some(FailureClass::Data) => self.data += 1,
                    // A failure without a class (a playback miss, an unrendered variable) is
                    // conform's or the suite's, counted with the contract.
                    Some(FailureClass::Contract) | None => self.contract += 1,
                }
            }
            OutcomeStatus::Error => self.errors += 1,
            OutcomeStatus::Skipped => self.skipped += 1,
            OutcomeStatus::Interrupted => self.interrupted += 1,
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
