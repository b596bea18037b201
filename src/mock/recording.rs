//! The recording format: `cases/<api>/recordings/<case-file>.yaml`, one interaction per case.
//!
//! Owned by conform (not httpmock's format) because recordings must be scrubbed before they touch
//! disk, carry provenance, match JSON bodies semantically and keep a stable, diff-friendly layout.
//! See docs/recordings.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rules::MatchRules;
use crate::diag::{self, Diagnostic, Pos};

mod locate;

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
    /// How strictly a request must equal this one's (over the API's `_api.yaml` defaults).
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub rules: Option<MatchRules>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    match read_text(path, display)? {
        None => Ok(None),
        Some(text) => parse(&text, display).map(Some),
    }
}

/// Reads and checks a recording file against the cases of its case file (`case_names`, from
/// `case_file`): every problem of every interaction, each located in the recording.
pub fn load(
    path: &Path,
    display: &Path,
    case_file: &Path,
    case_names: &[&str],
) -> Result<Option<RecordingFile>, Vec<Diagnostic>> {
    let text = match read_text(path, display) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(None),
        Err(d) => return Err(vec![d]),
    };
    let file = parse(&text, display).map_err(|d| vec![d])?;
    let problems: Vec<(usize, Problem)> = file
        .interactions
        .iter()
        .enumerate()
        .flat_map(|(i, it)| {
            problems(it, case_file, case_names)
                .into_iter()
                .map(move |p| (i, p))
        })
        .collect();
    if problems.is_empty() {
        return Ok(Some(file));
    }
    let located = locate::Where::parse(&text);
    Err(problems
        .into_iter()
        .map(|(i, p)| {
            let (pos, len) = located.pos(i, &p.at);
            let mut d = Diagnostic::new(
                display,
                pos,
                format!("interaction {}: {}", i + 1, p.message),
            )
            .with_len(len);
            if let Some(h) = p.help {
                d = d.with_help(h);
            }
            d.with_source(Arc::clone(&text))
        })
        .collect())
}

fn read_text(path: &Path, display: &Path) -> Result<Option<Arc<str>>, Diagnostic> {
    // The recordings folder is checked at load; a file in it may not point elsewhere.
    if let Some(dir) = path.parent() {
        if crate::fsutil::resolve_inside(dir, path).is_err() {
            return Err(Diagnostic::new(
                display,
                Pos::UNKNOWN,
                "recording is a symlink out of its folder: conform reads only files inside the project",
            ));
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => Ok(Some(Arc::from(t))),
            Err(e) => {
                let pos = diag::utf8_error_pos(e.as_bytes(), e.utf8_error().valid_up_to());
                let text = Arc::from(String::from_utf8_lossy(e.as_bytes()).as_ref());
                let message = "recording is not valid UTF-8: expected UTF-8 text";
                Err(Diagnostic::new(display, pos, message)
                    .with_len(1)
                    .with_source(text))
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Diagnostic::new(
            display,
            Pos::UNKNOWN,
            format!("cannot read recording: {e}"),
        )),
    }
}

fn parse(text: &Arc<str>, display: &Path) -> Result<RecordingFile, Diagnostic> {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<RecordingFile>(text, options)
        .map_err(|e| diag::from_yaml_error(display, &e, text).with_source(Arc::clone(text)))
}

/// One thing wrong with an interaction, and the part of it to point at.
struct Problem {
    at: locate::Part,
    message: String,
    help: Option<String>,
}

fn problems(it: &Interaction, case_file: &Path, case_names: &[&str]) -> Vec<Problem> {
    use locate::Part;
    let problem = |at: Part, message: String| Problem {
        at,
        message,
        help: None,
    };
    let mut out = Vec::new();
    if !case_names.contains(&it.case.as_str()) {
        let help = match diag::did_you_mean(&it.case, case_names.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!(
                "cases of {}: {}",
                case_file.display(),
                case_names.join(", ")
            ),
        };
        out.push(Problem {
            help: Some(help),
            ..problem(
                Part::Case,
                if case_file.ends_with("api.yaml") {
                    // `_auth.yaml`: its cases are the environments' token endpoints.
                    format!(
                        "case `{}` is not the token request endpoint of an environment in {}",
                        it.case,
                        case_file.display()
                    )
                } else {
                    format!("case `{}` is not in {}", it.case, case_file.display())
                },
            )
        });
    }
    if let Some(p) = it.provenance.problem() {
        out.push(problem(Part::Provenance, p));
    }
    if let Some(p) = it.response.body_problem() {
        out.push(problem(Part::ResponseBody, p));
    }
    if !(100..=599).contains(&it.response.status) {
        let message = format!(
            "response status {} is out of range: expected 100 to 599",
            it.response.status
        );
        out.push(problem(Part::Status, message));
    }
    for (side, headers) in [
        ("request", &it.request.headers),
        ("response", &it.response.headers),
    ] {
        for (name, value) in headers {
            if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                let message = format!(
                    "invalid {side} header name `{name}`: expected letters, digits and !#$%&'*+-.^_`|~"
                );
                out.push(problem(Part::HeaderName(side, name.clone()), message));
            } else if hyper::header::HeaderValue::from_str(value).is_err() {
                let message = format!(
                    "invalid value of {side} header `{name}`: expected text without control characters (CR, LF)"
                );
                out.push(problem(Part::HeaderValue(side, name.clone()), message));
            }
        }
    }
    out
}

/// Serialises deterministically: same content, same bytes.
pub fn to_yaml(file: &RecordingFile) -> String {
    let body = serde_saphyr::to_string(file).unwrap_or_default();
    format!(
        "# conform recording: one interaction per case, in case order (docs/recordings.md)\n{body}"
    )
}
