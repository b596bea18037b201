//! [`DriftDoc`]: `drift.json`, what a drift run found, read back by `record --from-drift`.
//! Versioned; its JSON Schema is `schemas/conform/drift.schema.json` (generated from these types,
//! kept in sync by tests/drift_doc.rs: `CONFORM_UPDATE_SCHEMAS=1 cargo test --test drift_doc`).

use serde::{Deserialize, Serialize};

use super::finding::{Code, Finding, Grade};
use crate::case::CaseId;
use crate::mock::recording::RecordedResponse;
use crate::run::event::TargetInfo;

/// The `format` of documents this conform writes. A change that breaks readers bumps it.
pub const FORMAT: &str = "conform-drift/1";

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriftDoc {
    /// `conform-drift/1`.
    pub format: String,
    /// The version of conform that wrote the document.
    pub conform_version: String,
    /// When the live responses were read (RFC 3339, seconds).
    pub at: String,
    /// Where each API's requests went (scrubbed).
    pub targets: Vec<TargetInfo>,
    pub summary: DriftSummary,
    /// One entry per planned case, in plan order.
    pub cases: Vec<CaseDrift>,
    /// Ignore rules that were not applied because they would hide a type or presence change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refusal>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriftSummary {
    /// Cases whose live response was compared with their recording.
    pub compared: usize,
    /// Cases with no recorded interaction to compare with.
    pub no_recording: usize,
    /// Cases that could not be checked (unreachable, timeout, TLS).
    pub errors: usize,
    pub skipped: usize,
    pub breaking: usize,
    pub additive: usize,
    pub value: usize,
    pub noise: usize,
    /// Findings silenced by an ignore rule of `api.yaml`.
    pub ignored: usize,
}

impl DriftSummary {
    pub fn count(&self, grade: Grade) -> usize {
        match grade {
            Grade::Breaking => self.breaking,
            Grade::Additive => self.additive,
            Grade::Value => self.value,
            Grade::Noise => self.noise,
        }
    }

    pub fn add(&mut self, grade: Grade) {
        match grade {
            Grade::Breaking => self.breaking += 1,
            Grade::Additive => self.additive += 1,
            Grade::Value => self.value += 1,
            Grade::Noise => self.noise += 1,
        }
    }

    /// Drift's exit code: 1 with a breaking finding, else 3 when a case could not be checked.
    pub fn exit_code(&self) -> i32 {
        if self.breaking > 0 {
            crate::exit::EXIT_FAILED
        } else if self.errors > 0 {
            crate::exit::EXIT_UNCHECKED
        } else {
            crate::exit::EXIT_OK
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CaseStatus {
    Compared,
    NoRecording,
    Error,
    Skipped,
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseDrift {
    pub case: CaseId,
    /// Case file and 1-based line: `cases/kimai/get_customer.yaml:5`.
    pub location: String,
    /// The recording file of the case, relative to the project root.
    pub recording: String,
    pub status: CaseStatus,
    /// Why the case could not be checked (scrubbed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The case's schema and its verdict on the live body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaCheck>,
    /// Whether the request was sent a second time to learn noise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sent_twice: bool,
    /// Graded findings, in comparison order (status, headers, body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Findings silenced by ignore rules.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ignored: usize,
    /// The host (and port) the live response came from, for the provenance of an accepted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The live response as a recording would keep it (scrubbed): what `record --from-drift`
    /// writes. Present when a finding is not noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<RecordedResponse>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaCheck {
    /// The schema file, relative to the project root.
    pub schema: String,
    /// Whether the live body satisfies it.
    pub valid: bool,
    /// Its violations on the live body (scrubbed), at most ten.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
}

/// An ignore rule that was not applied to a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// The rule as written in `api.yaml`.
    pub rule: String,
    pub case: CaseId,
    pub code: Code,
    pub pointer: String,
    pub message: String,
}

impl DriftDoc {
    /// Reads a document, refusing other formats.
    pub fn from_json(text: &str) -> Result<DriftDoc, String> {
        let doc: DriftDoc = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if doc.format != FORMAT {
            return Err(format!(
                "format `{}` is not `{FORMAT}` (written by conform {})",
                doc.format, doc.conform_version
            ));
        }
        Ok(doc)
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.cases.iter().flat_map(|c| &c.findings)
    }
}

/// The JSON Schema of the drift document, pretty-printed with a final newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(DriftDoc);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
