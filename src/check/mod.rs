//! Checks: does a response satisfy a case's `expect`? [`evaluate`] is the one entry point; each
//! check kind has its own file (`headers`, `schema`, `assert`, `snapshot`). A failed check is data
//! ([`CheckResult`]), never an error.

pub mod assert;
mod evaluate;
pub mod headers;
mod order;
pub mod schema;
pub mod snapshot;

use serde::{Deserialize, Serialize};

/// Re-exported: checks take the body as parsed once by the runner.
pub use crate::json::ParsedBody;
pub use evaluate::{evaluate, Context, Evaluation};

/// What a check looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Status,
    Header,
    ContentType,
    Body,
    Schema,
    Assert,
    Duration,
    Capture,
    Snapshot,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Status => "status",
            CheckKind::Header => "header",
            CheckKind::ContentType => "content-type",
            CheckKind::Body => "body",
            CheckKind::Schema => "schema",
            CheckKind::Assert => "assert",
            CheckKind::Duration => "duration",
            CheckKind::Capture => "capture",
            CheckKind::Snapshot => "snapshot",
        }
    }
}

/// The result of one check. Failed checks say what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckResult {
    pub kind: CheckKind,
    pub passed: bool,
    /// What was checked: a header name, a JSONPath, an instance path.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// A unified diff of expected and actual, when that reads better than both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// A snapshot's differences, graded: all `additive`/`order` when the check passed with them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<snapshot::Change>,
    /// The snapshot file this check wrote (`.snap.new` for review, or `.snap`), relative to the
    /// project: the terminal lists them. Not in report.json (its message says it).
    #[serde(skip)]
    #[schemars(skip)]
    pub written: Option<String>,
}

impl CheckResult {
    pub fn pass(kind: CheckKind, subject: impl Into<String>, message: impl Into<String>) -> Self {
        CheckResult {
            kind,
            passed: true,
            subject: subject.into(),
            message: message.into(),
            expected: None,
            actual: None,
            diff: None,
            changes: Vec::new(),
            written: None,
        }
    }

    pub fn fail(kind: CheckKind, subject: impl Into<String>, message: impl Into<String>) -> Self {
        CheckResult {
            passed: false,
            ..Self::pass(kind, subject, message)
        }
    }

    pub fn with_diff(mut self, diff: String) -> Self {
        self.diff = Some(diff);
        self
    }

    pub fn with_changes(mut self, changes: Vec<snapshot::Change>) -> Self {
        self.changes = changes;
        self
    }

    /// A passed check that found graded (harmless) changes.
    pub fn with_written(mut self, path: impl Into<String>) -> Self {
        self.written = Some(path.into());
        self
    }

    pub fn is_graded(&self) -> bool {
        self.passed && !self.changes.is_empty()
    }

    pub fn with_values(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }
}
