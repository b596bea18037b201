//! The playback server: a [`Playback`] over HTTP on 127.0.0.1.
//!
//! Used in-process by `conform run` (strict: no fallbacks) and standalone by `conform mock`.
//! Beyond the recorded answers it serves HEAD (a GET without its body), OPTIONS (the methods
//! recorded for the path; CORS preflights with `cors`), the journal at [`JOURNAL_PATH`], and marks
//! each answer with [`MATCH_HEADER`].

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming as HyperBody;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::diff::request_diff;
use super::journal::Entry;
use super::matcher::Incoming;
use super::playback::{miss_message, Answer, How, Playback};
use super::scrub::scrub_entry;
use super::unique::{sent_unique, substitute};
use crate::run::wire::{
    encode_case_id, CASE_HEADER, JOURNAL_PATH, MATCH_HEADER, SCENARIO_HEADER, SCENARIO_PREFIX,
    UNMATCHED_DIFF, UNMATCHED_HEADER, UNMATCHED_MESSAGE,
};

/// Largest request body the playback server reads.
const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;

/// How the server answers beyond exact matches.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// No fallbacks: a request that matches nothing exactly gets the explained 404.
    pub strict: bool,
    /// Answer CORS preflights and mark every answer readable by any origin.
    pub cors: bool,
}

/// Called with the journal entry of every request served (the standalone mock logs them).
pub type Observer = Arc<dyn Fn(&Entry) + Send + Sync>;

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

/// Serves `playback` strictly (as `conform run` needs) on `addr` (port 0: an ephemeral port).
pub async fn serve(
    playback: Arc<Playback>,
    addr: SocketAddr,
    observer: Option<Observer>,
) -> std::io::Result<PlaybackServer> {
    let options = ServeOptions {
        strict: true,
        cors: false,
    };
    serve_with(playback, addr, observer, options).await
}

/// Binds `addr` and serves `playback` with `options` until stopped.
pub async fn serve_with(
    playback: Arc<Playback>,
    addr: SocketAddr,
    observer: Option<Observer>,
    options: ServeOptions,
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
                    async move {
                        let response = handle(&playback, req, observer.as_ref(), options).await;
                        Ok::<_, Infallible>(response)
                    }
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
    options: ServeOptions,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let origin = parts
        .headers
        .get("origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .filter(|_| options.cors);
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(e) => {
            let message = json!({ "error": format!("cannot read the request body: {e}") });
            return json_response(413, &message, true);
        }
    };
    let incoming = incoming(playback, &parts, body);
    let mut response = if parts.method == Method::GET && parts.uri.path() == JOURNAL_PATH {
        journal_response(playback)
    } else if parts.method == Method::OPTIONS {
        options_response(playback, &incoming, &parts.headers, origin.is_some())
    } else {
        let mut r = recorded_response(playback, &incoming, options, observer);
        if parts.method == Method::HEAD {
            *r.body_mut() = Full::new(Bytes::new());
        }
        r
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        if let Ok(v) = origin.parse() {
            headers.insert("access-control-allow-origin", v);
        }
        headers.insert("vary", hyper::header::HeaderValue::from_static("Origin"));
        headers.insert(
            "access-control-expose-headers",
            hyper::header::HeaderValue::from_static("x-conform-match, x-conform-unmatched"),
        );
    }
    response
}

/// The request as matched: scenario prefix and base path removed, HEAD as GET.
fn incoming(playback: &Playback, parts: &hyper::http::request::Parts, body: Vec<u8>) -> Incoming {
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_string(), value)
        })
        .collect();
    let mut path = parts.uri.path().to_string();
    let mut scenario = headers
        .iter()
        .find(|(n, _)| n == SCENARIO_HEADER)
        .map(|(_, v)| v.clone());
    if let Some(rest) = path.strip_prefix(SCENARIO_PREFIX) {
        let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
        scenario = Some(
            percent_encoding::percent_decode_str(name)
                .decode_utf8_lossy()
                .into_owned(),
        );
        path = format!("/{tail}");
    }
    let method = match parts.method {
        Method::HEAD => "GET".to_string(),
        ref m => m.as_str().to_string(),
    };
    Incoming {
        method,
        path: playback.relative(&path).to_string(),
        query: parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers,
        body,
        scenario,
    }
}

fn recorded_response(
    playback: &Playback,
    incoming: &Incoming,
    options: ServeOptions,
    observer: Option<&Observer>,
) -> Response<Full<Bytes>> {
    let pinned = incoming.header(CASE_HEADER).is_some();
    let answer = playback.answer(incoming, !options.strict && !pinned);
    let mut entry = Entry {
        seq: 0,
        request: incoming.describe(),
        scenario: incoming.scenario.clone(),
        status: 404,
        matched: "miss",
        case: None,
        why: String::new(),
        near_misses: Vec::new(),
    };
    let response = match answer {
        Answer::Hit {
            entry: hit,
            how,
            body,
            why,
        } => {
            let rec = &hit.interaction.response;
            let id = hit.id();
            let mark = match how {
                How::Fallback => format!("fallback; closest={}", encode_case_id(&id)),
                how => format!("{}; case={}", how.name(), encode_case_id(&id)),
            };
            // A live run's `{{ unique }}` goes back where the recording has the placeholder.
            let unique = if pinned {
                None
            } else {
                let sent = sent_unique(&hit.interaction.request, incoming);
                playback
                    .scenarios
                    .unique(incoming.scenario.as_deref(), sent)
            };
            let live = |text: &str| match &unique {
                Some(u) => substitute(text, u),
                None => text.to_string(),
            };
            let mut builder = Response::builder()
                .status(rec.status)
                .header(MATCH_HEADER, mark);
            for (name, value) in &rec.headers {
                builder = builder.header(name, live(value));
            }
            let mut bytes = match &body {
                Some(v) => serde_json::to_vec(v).unwrap_or_default(),
                None => rec.body_bytes(),
            };
            if unique.is_some() && rec.base64.is_none() {
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    bytes = live(text).into_bytes();
                }
            }
            entry.status = rec.status;
            entry.matched = how.name();
            entry.case = Some(id);
            if how == How::Fallback {
                entry.near_misses = playback.near_misses(incoming, 1);
            }
            entry.why = why;
            builder
                .body(Full::new(Bytes::from(bytes)))
                .unwrap_or_else(|e| {
                    let message =
                        json!({ "error": format!("recorded response is not valid HTTP: {e}") });
                    json_response(500, &message, true)
                })
        }
        Answer::Miss {
            explanation,
            closest,
            expected,
        } => {
            let message = miss_message(&explanation, &closest, expected);
            let diff = closest
                .as_ref()
                .map(|(e, _)| request_diff(&e.id(), &e.interaction.request, incoming))
                .unwrap_or_default();
            let body = json!({
                "error": "no recorded interaction matches this request",
                UNMATCHED_MESSAGE: message,
                "request": incoming.describe(),
                "closest": closest.as_ref().map(|(e, diffs)| json!({
                    "file": format!("{}.yaml", e.stem),
                    "case": e.interaction.case,
                    "request": format!("{} {}", e.interaction.request.method, e.interaction.request.path),
                    "differences": diffs,
                    "is": expected.name(),
                })),
                UNMATCHED_DIFF: diff,
            });
            entry.why = message;
            if !pinned {
                entry.near_misses = playback.near_misses(incoming, 3);
            }
            json_response(404, &body, true)
        }
    };
    if observer.is_some() || !pinned {
        scrub_entry(&mut entry, &playback.redactor, incoming);
    }
    if let Some(obs) = observer {
        obs(&entry);
    }
    if !pinned {
        playback.journal.push(entry);
    }
    response
}

/// OPTIONS: a CORS preflight (with `cors`) or the methods recorded for the path.
fn options_response(
    playback: &Playback,
    incoming: &Incoming,
    headers: &hyper::HeaderMap,
    cors: bool,
) -> Response<Full<Bytes>> {
    let mut methods: Vec<String> = playback
        .entries
        .iter()
        .filter(|e| super::fallback::path_params(&e.template.path, &incoming.path).is_some())
        .map(|e| e.template.method.to_ascii_uppercase())
        .collect();
    methods.sort();
    methods.dedup();
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".into());
    }
    methods.push("OPTIONS".into());
    let allow = methods.join(", ");
    let mut builder = Response::builder().status(204).header("allow", &allow);
    if cors && headers.contains_key("access-control-request-method") {
        let asked = headers
            .get("access-control-request-headers")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        builder = builder
            .header("access-control-allow-methods", &allow)
            .header("access-control-max-age", "600");
        if !asked.is_empty() {
            builder = builder.header("access-control-allow-headers", asked);
        }
    }
    builder.body(Full::new(Bytes::new())).unwrap_or_default()
}

fn journal_response(playback: &Playback) -> Response<Full<Bytes>> {
    let unfinished: Vec<_> = playback
        .scenarios
        .unfinished(&playback.entries)
        .into_iter()
        .map(|(scenario, next)| {
            let e = &playback.entries[next];
            json!({
                "scenario": scenario,
                "flow": format!("{}.yaml", e.stem),
                "next": e.id(),
                "expected": format!("{} {}", e.interaction.request.method, e.interaction.request.path),
            })
        })
        .collect();
    let body = json!({
        "api": playback.api,
        "requests": playback.journal.entries(),
        "unfinished": unfinished,
    });
    json_response(200, &body, false)
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
