//! Playback: an API's recordings served over HTTP on 127.0.0.1.
//!
//! Used in-process by `conform run` (the default target) and standalone by `conform mock`. Runs
//! name their case in [`CASE_HEADER`], so each case gets its own interaction; other clients are
//! matched on the request alone, repeated identical requests replaying their interactions in order.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as HyperBody;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::matcher::{closeness, differences, Incoming};
use super::recording::{self, Interaction};
use crate::case::Api;
use crate::diag::Diagnostic;
use crate::run::wire::{decode_case_id, CASE_HEADER, UNMATCHED_HEADER, UNMATCHED_MESSAGE};

/// Largest request body the playback server reads.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// One interaction and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub stem: String,
    pub interaction: Interaction,
}

/// An API's recordings, ready to serve.
#[derive(Debug, Default)]
pub struct Playback {
    pub api: String,
    pub entries: Vec<Loaded>,
    /// How often each exact request was served (for in-order replay of repeats).
    served: Mutex<HashMap<Vec<usize>, usize>>,
}

/// What the server decided for one request.
pub enum Answer<'a> {
    Hit(&'a Loaded),
    Miss {
        explanation: String,
        closest: Option<(&'a Loaded, Vec<String>)>,
    },
}

impl Playback {
    /// Loads `cases/<api>/recordings/*.yaml`, checking that every interaction belongs to a case
    /// of the matching case file and carries complete provenance.
    pub fn load(root: &std::path::Path, api: &Api) -> Result<Playback, Vec<Diagnostic>> {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for file in &api.files {
            let path = recording::recording_path(&root.join(&api.dir), &file.stem);
            let display = recording::recording_path(&api.dir, &file.stem);
            let names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
            match recording::load(&path, &display, &file.path, &names) {
                Ok(None) => {}
                Ok(Some(rec)) => {
                    entries.extend(rec.interactions.into_iter().map(|interaction| Loaded {
                        stem: file.stem.clone(),
                        interaction,
                    }))
                }
                Err(mut d) => problems.append(&mut d),
            }
        }
        if problems.is_empty() {
            Ok(Playback {
                api: api.name.clone(),
                entries,
                served: Mutex::default(),
            })
        } else {
            Err(problems)
        }
    }

    pub fn answer(&self, req: &Incoming) -> Answer<'_> {
        if let Some(id) = req.header(CASE_HEADER) {
            return self.answer_for_case(&decode_case_id(id), req);
        }
        let hits: Vec<usize> = (0..self.entries.len())
            .filter(|&i| differences(&self.entries[i].interaction.request, req).is_empty())
            .collect();
        if hits.is_empty() {
            return self.miss(
                req,
                format!(
                    "no recorded interaction of API `{}` matches {}",
                    self.api,
                    req.describe()
                ),
            );
        }
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let n = served.entry(hits.clone()).or_insert(0);
        let pick = hits[(*n).min(hits.len() - 1)];
        *n += 1;
        Answer::Hit(&self.entries[pick])
    }

    fn answer_for_case(&self, id: &str, req: &Incoming) -> Answer<'_> {
        let (stem, case) = id.split_once("::").unwrap_or(("", id));
        let Some(entry) = self
            .entries
            .iter()
            .find(|e| e.stem == stem && e.interaction.case == case)
        else {
            return self.miss(
                req,
                format!(
                    "no recording for case `{case}` in cases/{}/recordings/{stem}.yaml",
                    self.api
                ),
            );
        };
        let diffs = differences(&entry.interaction.request, req);
        if diffs.is_empty() {
            Answer::Hit(entry)
        } else {
            Answer::Miss {
                explanation: format!(
                    "the request of case `{case}` differs from its recording (cases/{}/recordings/{stem}.yaml)",
                    self.api
                ),
                closest: Some((entry, diffs)),
            }
        }
    }

    fn miss(&self, req: &Incoming, explanation: String) -> Answer<'_> {
        let closest = self
            .entries
            .iter()
            .max_by_key(|e| closeness(&e.interaction.request, req))
            .map(|e| (e, differences(&e.interaction.request, req)));
        Answer::Miss {
            explanation,
            closest,
        }
    }
}

/// The text of a miss, for the 404 body and for the runner's failure message.
pub fn miss_message(explanation: &str, closest: &Option<(&Loaded, Vec<String>)>) -> String {
    match closest {
        Some((e, diffs)) => format!(
            "{explanation}; closest recording: `{}` ({} {}) in {}.yaml, which differs in: {}",
            e.interaction.case,
            e.interaction.request.method,
            e.interaction.request.path,
            e.stem,
            diffs.join("; ")
        ),
        None => format!("{explanation}; the API has no recordings"),
    }
}

/// A running playback server; dropping it stops it.
pub struct PlaybackServer {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl PlaybackServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Called for every request served (the standalone mock logs them).
pub type Observer = Arc<dyn Fn(&Incoming, u16, Option<&Loaded>) + Send + Sync>;

/// Binds `addr` (port 0 for an ephemeral port) and serves `playback` until stopped.
pub async fn serve(
    playback: Arc<Playback>,
    addr: SocketAddr,
    observer: Option<Observer>,
) -> std::io::Result<PlaybackServer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut backoff = AcceptBackoff::default();
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        backoff.reset();
                        stream
                    }
                    // EMFILE and the like: accepting again at once fails again (a busy spin)
                    // until a connection closes, so wait, longer each time.
                    Err(_) => {
                        let delay = backoff.failed();
                        tokio::select! {
                            _ = tokio::time::sleep(delay) => continue,
                            _ = stopped.changed() => break,
                        }
                    }
                },
                _ = stopped.changed() => break,
            };
            let _ = stream.set_nodelay(true);
            let playback = Arc::clone(&playback);
            let observer = observer.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let playback = Arc::clone(&playback);
                    let observer = observer.clone();
                    async move { Ok::<_, Infallible>(handle(&playback, req, observer.as_ref()).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(PlaybackServer { addr, stop, task })
}

/// The wait after a failed `accept`: doubling from 1 ms up to 1 s, back to the start on success.
#[derive(Debug, Default)]
struct AcceptBackoff {
    failures: u32,
}

impl AcceptBackoff {
    const FIRST: Duration = Duration::from_millis(1);
    const MAX: Duration = Duration::from_secs(1);

    fn failed(&mut self) -> Duration {
        let delay = Self::FIRST
            .saturating_mul(1 << self.failures.min(16))
            .min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        delay
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

async fn handle(
    playback: &Playback,
    req: Request<HyperBody>,
    observer: Option<&Observer>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(e) => {
            return json_response(
                413,
                &json!({ "error": format!("cannot read the request body: {e}") }),
                true,
            )
        }
    };
    let incoming = Incoming {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    match playback.answer(&incoming) {
        Answer::Hit(entry) => {
            let rec = &entry.interaction.response;
            if let Some(obs) = observer {
                obs(&incoming, rec.status, Some(entry));
            }
            let mut builder = Response::builder().status(rec.status);
            for (name, value) in &rec.headers {
                builder = builder.header(name, value);
            }
            builder
                .body(Full::new(Bytes::from(rec.body_bytes())))
                .unwrap_or_else(|e| {
                    json_response(
                        500,
                        &json!({ "error": format!("recorded response is not valid HTTP: {e}") }),
                        true,
                    )
                })
        }
        Answer::Miss {
            explanation,
            closest,
        } => {
            if let Some(obs) = observer {
                obs(&incoming, 404, None);
            }
            let message = miss_message(&explanation, &closest);
            let body = json!({
                "error": "no recorded interaction matches this request",
                UNMATCHED_MESSAGE: message,
                "request": incoming.describe(),
                "closest": closest.as_ref().map(|(e, diffs)| json!({
                    "file": format!("{}.yaml", e.stem),
                    "case": e.interaction.case,
                    "request": format!("{} {}", e.interaction.request.method, e.interaction.request.path),
                    "differences": diffs,
                })),
            });
            json_response(404, &body, true)
        }
    }
}

fn json_response(status: u16, body: &serde_json::Value, unmatched: bool) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    if unmatched {
        builder = builder.header(UNMATCHED_HEADER, "1");
    }
    builder
        .body(Full::new(Bytes::from(
            serde_json::to_vec_pretty(body).unwrap_or_default(),
        )))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_back_off_up_to_a_second_and_reset_on_success() {
        let mut backoff = AcceptBackoff::default();
        let delays: Vec<Duration> = (0..14).map(|_| backoff.failed()).collect();
        assert_eq!(delays[0], Duration::from_millis(1));
        assert_eq!(delays[3], Duration::from_millis(8));
        assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        assert_eq!(delays[13], Duration::from_secs(1));
        for _ in 0..100 {
            assert_eq!(backoff.failed(), Duration::from_secs(1));
        }
        backoff.reset();
        assert_eq!(backoff.failed(), Duration::from_millis(1));
    }
}
