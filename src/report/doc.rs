//! [`ReportDoc`]: `report.json`, the one document every other report can be rendered from, read
//! back by scripts and by `report merge`. Versioned; its JSON Schema is
//! `schemas/conform/report.schema.json` (generated from these types, kept in sync by a test).

use serde::{Deserialize, Serialize};

use crate::run::event::RunStarted;
use crate::run::{CaseOutcome, Summary};

/// The `format` of documents this conform writes. A change that breaks readers bumps it.
pub const FORMAT: &str = "conform-report/2";

/// A whole run: what was asked, every outcome in plan order, the totals.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDoc {
    /// `conform-report/2`.
    pub format: String,
    /// The version of conform that wrote the document.
    pub conform_version: String,
    /// The selection, the targets and the coverage of the run.
    pub run: RunStarted,
    /// One outcome per planned case, in plan order.
    pub outcomes: Vec<CaseOutcome>,
    /// The totals of each API (durations are not split per API and stay 0).
    #[serde(default)]
    pub apis: std::collections::BTreeMap<String, Summary>,
    pub summary: Summary,
}

impl ReportDoc {
    /// Reads a document, refusing other formats.
    pub fn from_json(text: &str) -> Result<ReportDoc, String> {
        let doc: ReportDoc = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if doc.format != FORMAT {
            return Err(format!(
                "format `{}` is not `{FORMAT}` (written by conform {})",
                doc.format, doc.conform_version
            ));
        }
        Ok(doc)
    }
}

/// The JSON Schema of the report document (draft 2020-12), pretty-printed with a final newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ReportDoc);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
