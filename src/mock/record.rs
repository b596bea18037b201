//! Record mode: turns the exchanges of a live run into recording files, scrubbed before they are
//! written, each file replaced atomically and only when its content changed.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::recording::{
    self, Interaction, Provenance, ProvenanceKind, RecordedRequest, RecordedResponse, RecordingFile,
};
use crate::case::template::UNIQUE_PLACEHOLDER;
use crate::case::{Api, BasePath, Case, CaseId, Suite};
use crate::normalize::{self, Body};
use crate::redact::Redactor;
use crate::run::{Event, Exchange, Observer, OutcomeStatus};

/// A recording file's new content.
pub struct NewRecording {
    /// Where it is written.
    pub path: PathBuf,
    /// The path relative to the project, for messages.
    pub display: PathBuf,
    pub bytes: Vec<u8>,
}

/// Collects exchanges from run events; writes them as recordings at the end. Only cases that
/// passed are recorded: a case that failed keeps its old recording.
#[derive(Default)]
pub struct Recorder {
    exchanges: BTreeMap<CaseId, Exchange>,
    /// The path of each API's live base URL (`/public/v6`), removed from recorded paths:
    /// playback serves the API at its root, where cases' endpoint paths start.
    base_paths: HashMap<String, BasePath>,
}

impl Observer for Recorder {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted(started) => {
                for t in &started.targets {
                    self.base_paths
                        .insert(t.api.clone(), BasePath::of(&t.target));
                }
            }
            Event::CaseFinished(f) => {
                let passed = f.outcome.status == OutcomeStatus::Passed;
                if let Some(ex) = f.exchange.as_ref().filter(|_| passed) {
                    self.exchanges.insert(f.outcome.id.clone(), (**ex).clone());
                }
            }
            Event::CaseStarted { .. } | Event::RunFinished(_) => {}
        }
        Ok(())
    }
}

impl Recorder {
    pub fn len(&self) -> usize {
        self.exchanges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exchanges.is_empty()
    }

    /// Writes every touched recording file; returns the files that changed.
    pub fn write(self, suite: &Suite) -> std::io::Result<Vec<PathBuf>> {
        let mut changed = Vec::new();
        for file in self.prepare(suite)? {
            crate::fsutil::write_atomic(&file.path, &file.bytes)?;
            changed.push(file.display);
        }
        Ok(changed)
    }

    /// The new content of every recording file that changes, to write all at once.
    pub fn prepare(mut self, suite: &Suite) -> std::io::Result<Vec<NewRecording>> {
        // Each API's redactor only grows during a run: the one that knows the most secrets also
        // scrubs a token or cookie first seen after an earlier case's exchange.
        let mut latest: HashMap<String, Arc<Redactor>> = HashMap::new();
        for (id, ex) in &self.exchanges {
            let known = latest
                .entry(id.api.clone())
                .or_insert_with(|| Arc::clone(&ex.redactor));
            if ex.redactor.secret_count() > known.secret_count() {
                *known = Arc::clone(&ex.redactor);
            }
        }
        let mut by_file: BTreeMap<(String, String), BTreeMap<String, Exchange>> = BTreeMap::new();
        for (id, ex) in std::mem::take(&mut self.exchanges) {
            by_file
                .entry((id.api, id.file))
                .or_default()
                .insert(id.case, ex);
        }
        let mut changed = Vec::new();
        for ((api_name, stem), exchanges) in by_file {
            let Some(api) = suite.api(&api_name) else {
                continue;
            };
            let Some(file) = api.files.iter().find(|f| f.stem == stem) else {
                continue;
            };
            let base_path = self.base_paths.get(&api_name).cloned().unwrap_or_default();
            let path = recording::recording_path(&suite.root.join(&api.dir), &file.stem);
            let display = recording::recording_path(&api.dir, &file.stem);
            let old = recording::read(&path, &display)
                .map_err(|d| std::io::Error::other(d.to_string()))?
                .unwrap_or_default();
            let mut interactions = Vec::new();
            for case in &file.cases {
                let previous = old.interactions.iter().find(|i| i.case == case.name);
                match exchanges.get(&case.name) {
                    Some(ex) => interactions.push(interaction(
                        api,
                        case,
                        ex,
                        latest.get(&api_name).unwrap_or(&ex.redactor),
                        previous,
                        &base_path,
                    )),
                    None => interactions.extend(previous.cloned()),
                }
            }
            let new = RecordingFile { interactions };
            if new != old {
                changed.push(NewRecording {
                    path,
                    display,
                    bytes: recording::to_yaml(&new).into_bytes(),
                });
            }
        }
        Ok(changed)
    }
}

fn interaction(
    api: &Api,
    case: &Case,
    ex: &Exchange,
    redactor: &Redactor,
    previous: Option<&Interaction>,
    base_path: &BasePath,
) -> Interaction {
    let url = url::Url::parse(&ex.request.url).ok();
    let matter: Vec<String> = api
        .headers
        .iter()
        .chain(&case.request.headers)
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    let request = RecordedRequest {
        method: ex.request.method.clone(),
        path: url
            .as_ref()
            .map(|u| base_path.strip(u.path()).to_string())
            .unwrap_or_default(),
        query: url
            .as_ref()
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| {
                        let v = if redactor.is_sensitive_query(&k) {
                            crate::redact::placeholder(&k)
                        } else {
                            redactor.text(&v)
                        };
                        (k.into_owned(), v)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        headers: ex
            .request
            .headers
            .iter()
            .filter(|(n, _)| matter.contains(&n.to_ascii_lowercase()))
            .map(|(n, v)| (n.to_ascii_lowercase(), redactor.header(n, v)))
            .collect(),
        json: None,
        text: None,
        sha256: None,
    };
    let mut request = request;
    match normalize::stored(ex.request.body.as_deref().unwrap_or_default(), redactor) {
        Body::Empty => {}
        Body::Json(v) => request.json = Some(v),
        Body::Text(t) => request.text = Some(t),
        Body::Binary(b) => request.sha256 = Some(crate::mock::recording::sha256_hex(b)),
    }
    let mut response = super::normalize::response(&ex.response, redactor);
    if let Some(unique) = &ex.unique {
        stabilise(&mut request, &mut response, unique);
    }
    // Re-recording an unchanged exchange keeps its provenance, so the file does not change.
    let provenance = match previous {
        Some(p)
            if p.request == request
                && p.response == response
                && p.provenance.kind == ProvenanceKind::Recorded =>
        {
            p.provenance.clone()
        }
        _ => Provenance {
            kind: ProvenanceKind::Recorded,
            source: None,
            at: Some(humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()),
            host: url.as_ref().and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            }),
            conform_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    };
    Interaction {
        case: case.name.clone(),
        provenance,
        request,
        response,
        // Rules a person wrote survive a re-record.
        rules: previous.and_then(|p| p.rules.clone()),
    }
}

/// The run's `{{ unique }}` value replaced by the placeholder that playback sends instead, in
/// every recorded string, so that playback matches and echoed values still equal `{{ unique }}`.
fn stabilise(request: &mut RecordedRequest, response: &mut RecordedResponse, unique: &str) {
    let fix = |s: &mut String| {
        if s.contains(unique) {
            *s = s.replace(unique, UNIQUE_PLACEHOLDER);
        }
    };
    fix(&mut request.path);
    request.query.iter_mut().for_each(|(_, v)| fix(v));
    request.headers.iter_mut().for_each(|(_, v)| fix(v));
    response.headers.iter_mut().for_each(|(_, v)| fix(v));
    for text in [&mut request.text, &mut response.text]
        .into_iter()
        .flatten()
    {
        fix(text);
    }
    for json in [&mut request.json, &mut response.json]
        .into_iter()
        .flatten()
    {
        stabilise_json(json, unique);
    }
}

fn stabilise_json(v: &mut Value, unique: &str) {
    match v {
        Value::String(s) if s.contains(unique) => *s = s.replace(unique, UNIQUE_PLACEHOLDER),
        Value::Array(items) => items.iter_mut().for_each(|i| stabilise_json(i, unique)),
        Value::Object(map) => map.values_mut().for_each(|i| stabilise_json(i, unique)),
        _ => {}
    }
}
