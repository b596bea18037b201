//! The one finding model: a code, a grade, where (part and JSON Pointer, array items as `*`), the
//! recorded and live values (scrubbed), the case, the schema's verdict, and a fingerprint.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::CaseId;

/// What changed. The names are the `code` of a finding in drift.json and docs/drift.md.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    StatusChanged,
    ContentTypeChanged,
    HeaderRemoved,
    HeaderAdded,
    HeaderChanged,
    FieldRemoved,
    FieldAdded,
    TypeChanged,
    NullabilityChanged,
    EnumValueAdded,
    FormatChanged,
    ArrayBecameEmpty,
    ValueChanged,
}

impl Code {
    pub fn name(self) -> &'static str {
        match self {
            Code::StatusChanged => "status-changed",
            Code::ContentTypeChanged => "content-type-changed",
            Code::HeaderRemoved => "header-removed",
            Code::HeaderAdded => "header-added",
            Code::HeaderChanged => "header-changed",
            Code::FieldRemoved => "field-removed",
            Code::FieldAdded => "field-added",
            Code::TypeChanged => "type-changed",
            Code::NullabilityChanged => "nullability-changed",
            Code::EnumValueAdded => "enum-value-added",
            Code::FormatChanged => "format-changed",
            Code::ArrayBecameEmpty => "array-became-empty",
            Code::ValueChanged => "value-changed",
        }
    }

    /// Only a value moved (the shape is the same): the codes noise and ignore rules may silence.
    pub fn is_value_only(self) -> bool {
        matches!(self, Code::ValueChanged | Code::HeaderChanged)
    }
}

/// How much a finding matters, most first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// A client written against the recording may break.
    Breaking,
    /// Something new that the contract allows.
    Additive,
    /// Same shape, different data.
    Value,
    /// Moves on every read (learned from two live reads, or a moving format).
    Noise,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Breaking, Grade::Additive, Grade::Value, Grade::Noise];

    pub fn name(self) -> &'static str {
        match self {
            Grade::Breaking => "breaking",
            Grade::Additive => "additive",
            Grade::Value => "value",
            Grade::Noise => "noise",
        }
    }
}

/// Which part of the response a finding is in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Status,
    Headers,
    Body,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Status => "status",
            Part::Headers => "headers",
            Part::Body => "body",
        }
    }
}

/// What the case's schema says about the live body at the finding's pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaVerdict {
    /// The live body is valid there.
    Accepts,
    /// The live body breaks the schema there.
    Rejects,
    /// The case has no schema (or the finding is not in the body).
    NoSchema,
}

/// A difference the comparison found, before grading.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub code: Code,
    pub part: Part,
    /// JSON Pointer with array items as `*` (body); `/name` of a header; empty for status.
    pub pointer: String,
    pub recorded: Option<Value>,
    pub live: Option<Value>,
}

/// One graded, located finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub code: Code,
    pub grade: Grade,
    pub part: Part,
    /// JSON Pointer into the body with array items generalised (`/items/*/name`), `/name` of a
    /// header, empty for the status.
    pub pointer: String,
    /// The recorded value (scrubbed); absent when the recording has none there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Value>,
    /// The live value (scrubbed); absent when the live response has none there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    /// `api/file::case`.
    pub case: CaseId,
    /// Case file and 1-based line of the case: `cases/kimai/get_customer.yaml:5`.
    pub location: String,
    pub schema: SchemaVerdict,
    /// Why the grade (the rule that decided it).
    pub why: String,
    /// Stable across runs and rewording: a hash of code, case, part and pointer.
    pub fingerprint: String,
}

/// The fingerprint of a finding: the first 16 hex digits of SHA-256 over code, case, part and
/// pointer (never the message, so rewording keeps it).
pub fn fingerprint(code: Code, case: &CaseId, part: Part, pointer: &str) -> String {
    let text = format!("{}\n{case}\n{}\n{pointer}", code.name(), part.name());
    crate::mock::recording::sha256_hex(text.as_bytes())[..16].to_string()
}

/// A short description of a value for terminal and Markdown output.
pub fn show(v: Option<&Value>) -> String {
    const MAX: usize = 60;
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let text = crate::json::compact(v);
            if text.chars().count() > MAX {
                let cut: String = text.chars().take(MAX).collect();
                format!("{cut}...")
            } else {
                text
            }
        }
    }
}
