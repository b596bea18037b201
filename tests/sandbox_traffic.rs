//! Live-run mechanics against local scripted servers (issue 4): token re-acquisition after a 401,
//! each auth block, missing secrets, retries, concurrency and rate limits, flow cleanup, and no
//! secret ever reaching a file or the terminal. Every server listens on 127.0.0.1 only; the
//! assertions count and order the requests the server saw, never the wall-clock time of the test.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use common::{all_files, Project, Run};
use rstest::rstest;
use serde_json::{json, Value};

const API_KEY: &str = "sbx-apikey-5f1e2d3c4b7a";
const USER: &str = "sbx-user-qa-31337";
const PASSWORD: &str = "sbx-password-a9b8c7d6e5";
const TOKEN: &str = "sbx-bearer-0c1d2e3f4a5b";

/// The token handed out by the n-th (1-based) token request.
fn issued(n: usize) -> String {
    format!("tok-{n}-issued-7d3f9a2b1c")
}

/// Every environment variable the auth blocks below use, with its secret value.
fn secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SBX_API_KEY", API_KEY),
        ("SBX_USER", USER),
        ("SBX_PASSWORD", PASSWORD),
        ("SBX_TOKEN", TOKEN),
    ]
}

// ---------------------------------------------------------------------------------------------
// A scripted HTTP/1.1 server
// ---------------------------------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    /// 0-based arrival number.
    n: usize,
    at: Instant,
    method: String,
    /// The request target: path and query string.
    target: String,
    /// Header names lowercase.
    headers: Vec<(String, String)>,
    body: String,
    /// The status the handler answered (0 until it answered).
    status: u16,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn query(&self) -> Vec<(String, String)> {
        match self.target.split_once('?') {
            Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
            None => Vec::new(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A server on 127.0.0.1 that answers each request with `handler` (one thread per connection,
/// `Connection: close`), logs every request and tracks how many are in flight at once.
struct Server {
    base_url: String,
    log: Arc<Mutex<Vec<Seen>>>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Server {
    fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (log2, max2) = (Arc::clone(&log), Arc::clone(&max_in_flight));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, handler) = (Arc::clone(&log2), Arc::clone(&handler));
                let (in_flight, max) = (Arc::clone(&in_flight), Arc::clone(&max2));
                std::thread::spawn(move || serve(stream, &log, &*handler, &in_flight, &max));
            }
        });
        Server {
            base_url,
            log,
            max_in_flight,
        }
    }

    fn log(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// `METHOD /path -> status` per request, in arrival order.
    fn lines(&self) -> Vec<String> {
        self.log()
            .iter()
            .map(|s| format!("{} {} -> {}", s.method, s.path(), s.status))
            .collect()
    }
}

fn serve(
    mut stream: TcpStream,
    log: &Mutex<Vec<Seen>>,
    handler: &Handler,
    in_flight: &AtomicUsize,
    max: &AtomicUsize,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some((method, target, headers, body)) = read_request(&mut stream) else {
        return;
    };
    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    max.fetch_max(now, Ordering::SeqCst);
    let seen = {
        let mut log = log.lock().unwrap();
        let seen = Seen {
            n: log.len(),
            at: Instant::now(),
            method,
            target,
            headers,
            body,
            status: 0,
        };
        log.push(seen.clone());
        seen
    };
    let reply = handler(&seen);
    log.lock().unwrap()[seen.n].status = reply.status;
    // Leaves the in-flight count before the client can see the answer (so the server never
    // over-counts what the client has in flight).
    in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut out = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
    for (n, v) in &reply.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        reply.body.len(),
        reply.body
    ));
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

type Request = (String, String, Vec<(String, String)>, String);

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((
        method,
        target,
        headers,
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

/// A base URL on which nothing listens (connections are refused).
fn refusing_base_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

// ---------------------------------------------------------------------------------------------
// Projects, reports and the secret check
// ---------------------------------------------------------------------------------------------

/// A project whose API `demo` has a `sandbox` environment with this `auth:` block (YAML lines
/// indented for their place under `auth:`) and these `limits:` (a flow map).
fn project(auth: &str, limits: &str) -> Project {
    let mut yaml = String::from(
        "name: demo\nheaders: { Accept: application/json }\n\
         env: [SBX_API_KEY, SBX_USER, SBX_PASSWORD, SBX_TOKEN, SBX_MISSING_KEY, SBX_MISSING_PASSWORD]\n\
         environments:\n  sandbox:\n    base_url: http://127.0.0.1:9\n",
    );
    if !auth.is_empty() {
        yaml.push_str("    auth:\n");
        for line in auth.lines() {
            yaml.push_str(&format!("      {line}\n"));
        }
    }
    if !limits.is_empty() {
        yaml.push_str(&format!("limits: {limits}\n"));
    }
    Project::with_api(&yaml)
}

const FAST_RETRIES: &str = "{ retries: 2, backoff: 10ms }";

const TOKEN_AUTH: &str = "headers: { Api-Key: \"{{ env.SBX_API_KEY }}\" }
token_request:
  endpoint: POST /token
  request: { json: { user: \"{{ env.SBX_USER }}\", password: \"{{ env.SBX_PASSWORD }}\" } }
  token: $.access_token
  prefix: \"Bearer \"";

fn run_sandbox(p: &Project, server: &Server, extra: &[&str]) -> Run {
    let mut args = vec![
        "run",
        "--env",
        "sandbox",
        "--base-url",
        server.base_url.as_str(),
    ];
    args.extend_from_slice(extra);
    p.conform_env(&args, &secrets())
}

fn run_plain(p: &Project, base_url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["run", "--base-url", base_url];
    args.extend_from_slice(extra);
    p.conform_env(&args, &secrets())
}

fn report(p: &Project) -> Value {
    serde_json::from_str(&p.read("target/conform/report.json")).unwrap()
}

fn outcome(report: &Value, case: &str) -> Value {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| common::case_of(o) == case)
        .unwrap_or_else(|| panic!("no outcome for `{case}` in {report:#}"))
        .clone()
}

fn retries_of(outcome: &Value) -> Vec<String> {
    outcome["retries"]
        .as_array()
        .map(|a| a.iter().map(|r| r.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Every secret value the environment supplies, and the tokens the token endpoints hand out.
fn secret_values() -> Vec<String> {
    let mut v: Vec<String> = secrets().iter().map(|(_, s)| s.to_string()).collect();
    v.extend((1..=3).map(issued));
    v
}

/// A report was written, and no secret value is in any file of the project nor in the output.
fn assert_no_secret_written(p: &Project, runs: &[&Run]) {
    let files = all_files(p.root());
    assert!(
        files.iter().any(|f| f.ends_with("report.json")),
        "no report was written: {files:?}"
    );
    common::assert_no_secret_written(p, runs, &secret_values());
}

// ---------------------------------------------------------------------------------------------
// 1. Token request: re-acquired once after a 401, then cached
// ---------------------------------------------------------------------------------------------

/// Hands out `issued(1)`, `issued(2)`, ...; the API accepts only the tokens in `accepted`.
fn token_server(accepted: &'static [usize]) -> Server {
    let tokens = AtomicUsize::new(0);
    Server::start(move |r| {
        if r.path() == "/token" {
            let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(200, json!({ "access_token": issued(n) }).to_string());
        }
        let ok = accepted
            .iter()
            .any(|&n| r.header("authorization") == Some(&format!("Bearer {}", issued(n))));
        if ok {
            Reply::json(200, r#"{"id": 1, "name": "Acme"}"#)
        } else {
            Reply::json(401, r#"{"error": "invalid or expired token"}"#)
        }
    })
}

#[test]
fn a_401_re_acquires_the_token_once_and_later_cases_reuse_it() {
    let server = token_server(&[2]);
    let p = project(TOKEN_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: first\n    request: { path_params: { id: 1 } }\n    expect: { status: 200 }\n  - name: second\n    request: { path_params: { id: 2 } }\n    expect: { status: 200 }\n",
    );
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(
        server.lines(),
        [
            "POST /token -> 200",
            "GET /items/1 -> 401",
            "POST /token -> 200",
            "GET /items/1 -> 200",
            "GET /items/2 -> 200",
        ],
        "{}",
        out.all()
    );
    let log = server.log();
    let bearer = |n: usize| Some(format!("Bearer {}", issued(n)));
    assert_eq!(
        log[1].header("authorization").map(str::to_string),
        bearer(1)
    );
    assert_eq!(
        log[3].header("authorization").map(str::to_string),
        bearer(2)
    );
    assert_eq!(
        log[4].header("authorization").map(str::to_string),
        bearer(2),
        "the second case reuses the cached token"
    );
    for token_request in [&log[0], &log[2]] {
        assert_eq!(token_request.header("api-key"), Some(API_KEY));
        let body: Value = serde_json::from_str(&token_request.body).unwrap();
        assert_eq!(body, json!({ "user": USER, "password": PASSWORD }));
    }
    let report = report(&p);
    let first = outcome(&report, "first");
    assert_eq!(first["status"], "passed");
    assert_eq!(
        retries_of(&first),
        ["401 Unauthorized: token re-acquired and request sent again"]
    );
    assert!(retries_of(&outcome(&report, "second")).is_empty());
    assert_no_secret_written(&p, &[&out]);
}

#[test]
fn a_token_refused_twice_is_requested_only_twice_and_fails_the_case() {
    let server = token_server(&[]);
    let p = project(TOKEN_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: refused\n    request: { path_params: { id: 1 } }\n    expect: { status: 200 }\n",
    );
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(
        server.lines(),
        [
            "POST /token -> 200",
            "GET /items/1 -> 401",
            "POST /token -> 200",
            "GET /items/1 -> 401",
        ]
    );
    let text = out.stdout();
    assert!(
        text.contains("FAIL demo/get_item::refused")
            && text.contains("expected status 200, got 401")
            && text.contains("retry: 401 Unauthorized: token re-acquired and request sent again"),
        "{}",
        out.all()
    );
    let refused = outcome(&report(&p), "refused");
    assert_eq!(refused["status"], "failed");
    assert_eq!(refused["response"]["status"], 401);
    assert_no_secret_written(&p, &[&out]);
}

#[test]
fn a_failing_token_request_fails_the_case_with_its_status() {
    let server = Server::start(|r| {
        if r.path() == "/token" {
            Reply::json(403, r#"{"error": "bad credentials"}"#)
        } else {
            Reply::json(200, "{}")
        }
    });
    let p = project(TOKEN_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: no token\n    request: { path_params: { id: 1 } }\n",
    );
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(server.lines(), ["POST /token -> 403"]);
    assert!(
        out.stdout()
            .contains("auth: token request POST /token answered 403"),
        "{}",
        out.all()
    );
    assert_no_secret_written(&p, &[&out]);
}

// ---------------------------------------------------------------------------------------------
// 2. Each generic auth block, and `auth: false`
// ---------------------------------------------------------------------------------------------

fn echo_ok() -> Server {
    Server::start(|_| Reply::json(200, r#"{"id": 1}"#))
}

const WITH_AND_WITHOUT_AUTH: &str = "endpoint: GET /items/{id}\ncases:\n  - name: with auth\n    request: { path_params: { id: 1 } }\n  - name: without auth\n    auth: false\n    request: { path_params: { id: 2 } }\n";

#[rstest]
#[case::static_headers(
    "headers: { Api-Key: \"{{ env.SBX_API_KEY }}\", X-Site: \"-99\" }",
    &[("api-key", API_KEY), ("x-site", "-99")],
    &[]
)]
#[case::static_query(
    "query: { apiKey: \"{{ env.SBX_API_KEY }}\", site: \"-99\" }",
    &[],
    &[("apiKey", API_KEY), ("site", "-99")]
)]
#[case::bearer("bearer: \"{{ env.SBX_TOKEN }}\"", &[("authorization", "Bearer sbx-bearer-0c1d2e3f4a5b")], &[])]
fn each_auth_block_sends_its_credentials_and_auth_false_sends_none(
    #[case] auth: &str,
    #[case] headers: &[(&str, &str)],
    #[case] query: &[(&str, &str)],
) {
    let server = echo_ok();
    let p = project(auth, FAST_RETRIES);
    p.write("cases/demo/get_item.yaml", WITH_AND_WITHOUT_AUTH);
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let log = server.log();
    assert_eq!(
        server.lines(),
        ["GET /items/1 -> 200", "GET /items/2 -> 200"]
    );
    let (with, without) = (&log[0], &log[1]);
    for (name, value) in headers {
        assert_eq!(with.header(name), Some(*value), "{with:?}");
        assert_eq!(without.header(name), None, "auth: false sent {name}");
    }
    for (name, value) in query {
        assert!(
            with.query()
                .contains(&(name.to_string(), value.to_string())),
            "{with:?}"
        );
        assert!(
            without.query().iter().all(|(n, _)| n != name),
            "auth: false sent {name}: {without:?}"
        );
    }
    assert_eq!(without.header("authorization"), None);
    assert_eq!(without.target, "/items/2");
    assert_no_secret_written(&p, &[&out]);
}

#[test]
fn basic_auth_sends_base64_of_user_and_password() {
    let server = echo_ok();
    let p = project(
        "basic: { username: \"{{ env.SBX_USER }}/token\", password: \"{{ env.SBX_PASSWORD }}\" }",
        FAST_RETRIES,
    );
    p.write("cases/demo/get_item.yaml", WITH_AND_WITHOUT_AUTH);
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let log = server.log();
    assert_eq!(log.len(), 2, "{}", out.all());
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}/token:{PASSWORD}"))
    );
    assert_eq!(log[0].header("authorization"), Some(expected.as_str()));
    assert_eq!(log[1].header("authorization"), None);
    assert_no_secret_written(&p, &[&out]);
}

#[test]
fn all_auth_parts_apply_together_and_auth_false_drops_them_all() {
    let server = echo_ok();
    let p = project(
        "headers: { Api-Key: \"{{ env.SBX_API_KEY }}\" }\nquery: { apiKey: \"{{ env.SBX_API_KEY }}\" }\nbearer: \"{{ env.SBX_TOKEN }}\"",
        FAST_RETRIES,
    );
    p.write("cases/demo/get_item.yaml", WITH_AND_WITHOUT_AUTH);
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let log = server.log();
    assert_eq!(log[0].header("api-key"), Some(API_KEY));
    assert_eq!(
        log[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        log[0].query(),
        [("apiKey".to_string(), API_KEY.to_string())]
    );
    assert_eq!(log[1].header("api-key"), None);
    assert_eq!(log[1].header("authorization"), None);
    assert_eq!(log[1].target, "/items/2");
    assert_no_secret_written(&p, &[&out]);
}

// ---------------------------------------------------------------------------------------------
// 3. A missing secret: exit 2, names listed, nothing sent
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_secret_lists_every_missing_name_and_sends_nothing() {
    for name in ["SBX_MISSING_KEY", "SBX_MISSING_PASSWORD"] {
        assert!(
            std::env::var_os(name).is_none(),
            "{name} is set in the test environment"
        );
    }
    let server = echo_ok();
    let p = project(
        "headers: { Api-Key: \"{{ env.SBX_MISSING_KEY }}\", X-Token: \"{{ env.SBX_TOKEN }}\" }\ntoken_request:\n  endpoint: POST /token\n  request: { json: { user: \"{{ env.SBX_USER }}\", password: \"{{ env.SBX_MISSING_PASSWORD }}\" } }\n  token: $.access_token",
        FAST_RETRIES,
    );
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: never sent\n    request: { path_params: { id: 1 } }\n",
    );
    let out = run_sandbox(&p, &server, &[]);
    assert_eq!(out.code(), 2, "{}", out.all());
    let err = out.stderr();
    assert!(
        err.contains("missing environment variables")
            && err.contains("SBX_MISSING_KEY")
            && err.contains("SBX_MISSING_PASSWORD"),
        "{}",
        out.all()
    );
    assert!(err.contains("nothing was sent"), "{err}");
    for (name, value) in secrets() {
        assert!(
            !out.all().contains(value),
            "the value of {name} was printed:\n{}",
            out.all()
        );
    }
    assert!(
        server.log().is_empty(),
        "requests were sent: {:?}",
        server.lines()
    );
    // Without --env the environment's credentials are not needed at all.
    let plain = run_plain(&p, &server.base_url, &[]);
    assert_eq!(plain.code(), 0, "{}", plain.all());
    assert_eq!(server.lines(), ["GET /items/1 -> 200"]);
}

// ---------------------------------------------------------------------------------------------
// 4. Retries
// ---------------------------------------------------------------------------------------------

/// Answers the n-th request (0-based) to any path with `script[n]` (the last one repeats).
fn scripted(script: Vec<Reply>) -> Server {
    Server::start(move |r| script[r.n.min(script.len() - 1)].clone())
}

#[test]
fn a_get_answered_503_twice_passes_on_the_third_attempt() {
    let server = scripted(vec![
        Reply::empty(503),
        Reply::empty(503),
        Reply::json(200, r#"{"id": 1}"#),
    ]);
    let p = project("", FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: flaky\n    request: { path_params: { id: 1 } }\n    expect: { status: 200 }\n",
    );
    let out = run_plain(&p, &server.base_url, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(
        server.lines(),
        [
            "GET /items/1 -> 503",
            "GET /items/1 -> 503",
            "GET /items/1 -> 200"
        ]
    );
    let flaky = outcome(&report(&p), "flaky");
    assert_eq!(flaky["status"], "passed");
    let retries = retries_of(&flaky);
    assert_eq!(retries.len(), 2, "{retries:?}");
    assert!(
        retries[0].starts_with("attempt 1 got status 503; retried after")
            && retries[1].starts_with("attempt 2 got status 503; retried after"),
        "{retries:?}"
    );
    assert_no_secret_written(&p, &[&out]);
}

#[test]
fn a_get_still_503_after_the_retries_fails() {
    let server = scripted(vec![Reply::empty(503)]);
    let p = project("", FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: down\n    request: { path_params: { id: 1 } }\n",
    );
    let out = run_plain(&p, &server.base_url, &[]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(server.log().len(), 3, "1 + limits.retries attempts");
    assert_eq!(retries_of(&outcome(&report(&p), "down")).len(), 2);
}

#[test]
fn a_post_answered_503_is_not_retried() {
    let server = scripted(vec![Reply::empty(503), Reply::json(200, "{}")]);
    let p = project("", FAST_RETRIES);
    p.write(
        "cases/demo/create.yaml",
        "endpoint: POST /items\ncases:\n  - name: create\n    request: { json: { name: Acme } }\n    expect: { status: 200 }\n",
    );
    let out = run_plain(&p, &server.base_url, &[]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(server.lines(), ["POST /items -> 503"]);
    let create = outcome(&report(&p), "create");
    assert_eq!(create["status"], "failed");
    assert!(retries_of(&create).is_empty());
    assert!(
        out.stdout().contains("expected status 200, got 503"),
        "{}",
        out.all()
    );
}

#[rstest]
#[case::retry_after_0("0")]
#[case::retry_after_1("1")]
fn a_post_answered_429_is_retried_after_retry_after(#[case] retry_after: &str) {
    let server = scripted(vec![
        Reply::json(429, r#"{"error": "slow down"}"#).header("Retry-After", retry_after),
        Reply::json(200, r#"{"id": 7}"#),
    ]);
    let p = project("", FAST_RETRIES);
    p.write(
        "cases/demo/create.yaml",
        "endpoint: POST /items\ncases:\n  - name: create\n    request: { json: { name: Acme } }\n    expect: { status: 200 }\n",
    );
    let out = run_plain(&p, &server.base_url, &[]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let log = server.log();
    assert_eq!(server.lines(), ["POST /items -> 429", "POST /items -> 200"]);
    assert_eq!(log[0].body, log[1].body, "the same body is sent again");
    let retries = retries_of(&outcome(&report(&p), "create"));
    let wait_ms = retry_after.parse::<u64>().unwrap() * 1000;
    assert_eq!(
        retries,
        [format!(
            "attempt 1 got status 429; retried after {wait_ms} ms"
        )]
    );
    // Server-side: the second request did not come before Retry-After allowed it.
    let gap = log[1].at.duration_since(log[0].at);
    assert!(
        gap >= Duration::from_millis(wait_ms.saturating_sub(50)),
        "{gap:?}"
    );
}

#[test]
fn a_refused_connection_is_retried_then_fails_clearly() {
    let p = project("", FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: unreachable\n    request: { path_params: { id: 1 } }\n",
    );
    let out = run_plain(&p, &refusing_base_url(), &[]);
    assert_eq!(out.code(), 3, "{}", out.all());
    assert!(
        out.stdout().contains("error: connection failed"),
        "{}",
        out.all()
    );
    let unreachable = outcome(&report(&p), "unreachable");
    assert_eq!(unreachable["status"], "error");
    assert!(unreachable["error"]
        .as_str()
        .unwrap()
        .contains("connection failed"));
    let retries = retries_of(&unreachable);
    assert_eq!(retries.len(), 2, "limits.retries is 2: {retries:?}");
    assert!(
        retries
            .iter()
            .all(|r| r.contains("connection failed") && r.contains("retried after")),
        "{retries:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Limits: concurrency cap and token bucket
// ---------------------------------------------------------------------------------------------

fn one_request_files(p: &Project, count: usize) {
    for i in 0..count {
        p.write(
            &format!("cases/demo/slow_{i}.yaml"),
            &format!("endpoint: GET /slow/{i}\ncases:\n  - name: slow {i}\n"),
        );
    }
}

#[test]
fn concurrency_caps_the_requests_in_flight() {
    let server = Server::start(|_| {
        std::thread::sleep(Duration::from_millis(100));
        Reply::json(200, "{}")
    });
    let p = project("", "{ concurrency: 2, retries: 0 }");
    one_request_files(&p, 8);
    let out = run_plain(&p, &server.base_url, &["-j", "8"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(server.log().len(), 8);
    let max = server.max_in_flight.load(Ordering::SeqCst);
    assert!((1..=2).contains(&max), "max in flight {max}");
}

#[test]
fn without_a_concurrency_limit_the_same_files_overlap() {
    // The control for the test above: the server can observe overlap when nothing caps it.
    let server = Server::start(|_| {
        std::thread::sleep(Duration::from_millis(200));
        Reply::json(200, "{}")
    });
    let p = project("", "{ retries: 0 }");
    one_request_files(&p, 8);
    let out = run_plain(&p, &server.base_url, &["-j", "8"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert!(server.max_in_flight.load(Ordering::SeqCst) > 2);
}

#[test]
fn requests_per_second_spaces_the_arrivals() {
    let server = echo_ok();
    let p = project("", "{ requests_per_second: 5, retries: 0 }");
    one_request_files(&p, 10);
    let out = run_plain(&p, &server.base_url, &["-j", "10"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let log = server.log();
    assert_eq!(log.len(), 10);
    let span = log[9].at.duration_since(log[0].at);
    // 5 per second: whatever the burst (at most 5), 10 requests span at least 1 s.
    assert!(
        span >= Duration::from_millis(900),
        "10 requests in {span:?}"
    );
    // No window of 6 consecutive arrivals is shorter than ~1 s either.
    for w in log.windows(6) {
        let d = w[5].at.duration_since(w[0].at);
        assert!(d >= Duration::from_millis(900), "6 requests in {d:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Flow cleanup
// ---------------------------------------------------------------------------------------------

#[test]
fn a_failed_flow_step_skips_the_rest_but_cleanup_runs() {
    let server = Server::start(|r| match r.method.as_str() {
        "POST" => Reply::json(201, r#"{"id": 42, "name": "conform flow"}"#),
        "GET" => Reply::json(500, r#"{"error": "boom"}"#),
        "PUT" => Reply::json(200, r#"{"id": 42}"#),
        "DELETE" => Reply::empty(204),
        _ => Reply::empty(405),
    });
    let p = project(TOKEN_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/lifecycle.yaml",
        "flow: true\ncases:\n  - name: create\n    endpoint: POST /things\n    request: { json: { name: conform flow } }\n    expect: { status: 201 }\n    capture: { thing_id: $.id }\n  - name: read\n    endpoint: GET /things/{id}\n    request: { path_params: { id: \"{{ thing_id }}\" } }\n    expect: { status: 200 }\n  - name: update\n    endpoint: PUT /things/{id}\n    request: { path_params: { id: \"{{ thing_id }}\" }, json: { name: renamed } }\n  - name: delete\n    endpoint: DELETE /things/{id}\n    cleanup: true\n    request: { path_params: { id: \"{{ thing_id }}\" } }\n    expect: { status: [200, 204] }\n",
    );
    let out = run_plain(&p, &server.base_url, &[]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(
        server.lines(),
        [
            "POST /things -> 201",
            "GET /things/42 -> 500",
            "DELETE /things/42 -> 204"
        ]
    );
    let report = report(&p);
    let status = |case: &str| outcome(&report, case)["status"].clone();
    assert_eq!(status("create"), "passed");
    assert_eq!(status("read"), "failed");
    assert_eq!(status("update"), "skipped");
    assert_eq!(status("delete"), "passed");
    assert_eq!(
        outcome(&report, "update")["skip_reason"],
        "step `read` failed earlier in this flow"
    );
    assert_eq!(
        (
            &report["summary"]["passed"],
            &report["summary"]["failed"],
            &report["summary"]["skipped"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Secrets never written (also checked at the end of the tests above)
// ---------------------------------------------------------------------------------------------

/// Answers token requests; every other request is answered with an echo of its target, headers
/// (except those in `hidden`) and body, as some vendors' error pages and debug endpoints do: `/echo`
/// with 500, anything else with 200.
fn echoing_vendor(hidden: &'static [&'static str]) -> Server {
    let tokens = AtomicUsize::new(0);
    Server::start(move |r| {
        if r.path() == "/token" {
            let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(200, json!({ "access_token": issued(n) }).to_string());
        }
        let headers: HashMap<&str, &str> = r
            .headers
            .iter()
            .filter(|(n, _)| !hidden.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let echo = json!({ "id": 1, "target": r.target, "headers": headers, "body": r.body });
        let status = if r.path() == "/echo" { 500 } else { 200 };
        Reply::json(status, echo.to_string())
            .header("X-Echo-Key", r.header("api-key").unwrap_or("none"))
            .header("Set-Cookie", &format!("session={}", issued(1)))
    })
}

const ECHO_AUTH: &str = "headers: { Api-Key: \"{{ env.SBX_API_KEY }}\" }
query: { apiKey: \"{{ env.SBX_API_KEY }}\" }
token_request:
  endpoint: POST /token
  request: { json: { user: \"{{ env.SBX_USER }}\", password: \"{{ env.SBX_PASSWORD }}\" } }
  token: $.access_token
  header: X-Session-Token";

fn record_sandbox(p: &Project, server: &Server) -> Run {
    p.conform_env(
        &[
            "record",
            "--api",
            "demo",
            "--env",
            "sandbox",
            "--base-url",
            &server.base_url,
        ],
        &secrets(),
    )
}

#[test]
fn no_secret_reaches_reports_snapshots_recordings_or_the_terminal() {
    // The echo leaves out the token header: the test below covers an echoed token on its own.
    let server = echoing_vendor(&["authorization", "x-session-token"]);
    let p = project(ECHO_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/echo.yaml",
        "endpoint: POST /echo\ncases:\n  - name: echoes and fails\n    request: { json: { note: \"{{ env.SBX_TOKEN }}\", password: \"{{ env.SBX_PASSWORD }}\" } }\n    expect: { status: 200 }\n",
    );
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: snapshot of an echo\n    request: { path_params: { id: 1 }, headers: { X-Trace: \"{{ env.SBX_TOKEN }}\" } }\n    expect: { status: 200, snapshot: true }\n",
    );
    let failing = run_sandbox(&p, &server, &[]);
    assert_eq!(failing.code(), 1, "{}", failing.all());
    let accepted = run_sandbox(&p, &server, &["--accept", "--filter", "snapshot"]);
    assert_eq!(accepted.code(), 0, "{}", accepted.all());
    // Record exits 1 like run (the echo case fails); the failed case keeps its (absent) recording.
    let recorded = record_sandbox(&p, &server);
    assert_eq!(recorded.code(), 1, "{}", recorded.all());
    // The runs did carry every secret to the server ...
    let log = server.log();
    assert!(log.iter().any(|s| s.body.contains(PASSWORD)));
    assert!(log.iter().any(|s| s.body.contains(TOKEN)));
    assert!(log.iter().any(|s| s.target.contains(API_KEY)));
    assert!(log
        .iter()
        .any(|s| s.header("x-session-token") == Some(issued(1).as_str())));
    // ... and wrote failure details, a snapshot and recordings without any of them.
    let echo = outcome(&report(&p), "echoes and fails");
    assert_eq!(echo["status"], "failed");
    assert!(echo["response"]["body"].is_string() && echo["request"]["headers"].is_array());
    assert!(p
        .path("snapshots/demo/get_item__snapshot_of_an_echo.snap")
        .exists());
    assert!(p.path("cases/demo/recordings/get_item.yaml").exists());
    assert!(!p.path("cases/demo/recordings/echo.yaml").exists());
    assert_no_secret_written(&p, &[&failing, &accepted, &recorded]);
}

#[test]
fn a_token_echoed_by_the_vendor_is_scrubbed_from_recordings() {
    let server = echoing_vendor(&[]);
    let p = project(ECHO_AUTH, FAST_RETRIES);
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: whoami\n    request: { path_params: { id: 1 } }\n",
    );
    // In a run, the report scrubs the echoed token (the client's redactor knows it) ...
    let run = run_sandbox(&p, &server, &[]);
    assert_eq!(run.code(), 0, "{}", run.all());
    // ... but the recording of the same exchange keeps it.
    let recorded = record_sandbox(&p, &server);
    assert_eq!(recorded.code(), 0, "{}", recorded.all());
    let recording = p.read("cases/demo/recordings/get_item.yaml");
    assert!(
        !recording.contains(&issued(2)),
        "the token was recorded:\n{recording}"
    );
    assert_no_secret_written(&p, &[&run, &recorded]);
}
