//! The recording format: `cases/<api>/recordings/<case-file>.yaml`, one interaction per case.
//!
//! Owned by conform (not httpmock's format) because recordings must be scrubbed before they touch
//! disk, carry provenance, match JSON bodies semantically and keep a stable, diff-friendly layout.
//! See docs/recordings.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{self, Diagnostic, Pos};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingFile {
    pub interactions: Vec<Interaction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// The case name in the endpoint file.
    pub case: String,
    pub provenance: Provenance,
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProvenanceKind {
    /// Captured by `conform record` from a live server.
    Recorded,
    /// Constructed from vendor documentation.
    Documented,
}

/// Where an interaction came from. `documented` names its source; `recorded` says when, from which
/// host and by which conform version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub kind: ProvenanceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conform_version: Option<String>,
}

impl Provenance {
    /// What is missing for this kind, if anything.
    pub fn problem(&self) -> Option<String> {
        match self.kind {
            ProvenanceKind::Documented if self.source.is_none() => {
                Some("a `documented` interaction must name its `source`".into())
            }
            ProvenanceKind::Recorded
                if self.at.is_none() || self.host.is_none() || self.conform_version.is_none() =>
            {
                Some("a `recorded` interaction must give `at`, `host` and `conform_version`".into())
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    pub method: String,
    /// Path as sent (percent-encoded), without the query string.
    pub path: String,
    /// Query pairs, decoded, in the order sent.
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// Headers that matter for matching (lowercase names).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Lowercase hex SHA-256 of a body that is not UTF-8 (a file upload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A body that is not UTF-8 (an image), standard base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
}

impl RecordedResponse {
    pub fn body_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        match (&self.json, &self.text, &self.base64) {
            (Some(v), _, _) => serde_json::to_vec(v).unwrap_or_default(),
            (None, Some(t), _) => t.clone().into_bytes(),
            (None, None, Some(b)) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default(),
            (None, None, None) => Vec::new(),
        }
    }

    /// Why the body cannot be served, if it cannot.
    pub fn body_problem(&self) -> Option<String> {
        use base64::Engine;
        let given = [
            self.json.is_some(),
            self.text.is_some(),
            self.base64.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Some("a response gives more than one of `json`, `text`, `base64`".into());
        }
        let b = self.base64.as_ref()?;
        base64::engine::general_purpose::STANDARD
            .decode(b)
            .err()
            .map(|e| format!("response `base64` is not valid base64: {e}"))
    }
}

/// Lowercase hex SHA-256, as stored for binary request bodies.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `cases/<api>/recordings/<stem>.yaml`.
pub fn recording_path(api_dir: &Path, stem: &str) -> PathBuf {
    api_dir.join("recordings").join(format!("{stem}.yaml"))
}

/// Reads a recording file; `Ok(None)` when there is none. Errors are located.
pub fn read(path: &Path, display: &Path) -> Result<Option<RecordingFile>, Diagnostic> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Diagnostic::new(
                display,
                Pos::UNKNOWN,
                format!("cannot read recording: {e}"),
            ))
        }
    };
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<RecordingFile>(&text, options)
        .map(Some)
        .map_err(|e| diag::from_yaml_error(display, &e))
}

/// Serialises deterministically: same content, same bytes.
pub fn to_yaml(file: &RecordingFile) -> String {
    let body = serde_saphyr::to_string(file).unwrap_or_default();
    format!(
        "# conform recording: one interaction per case, in case order (docs/recordings.md)\n{body}"
    )
}
