//! `conform mock` started as a process on 127.0.0.1 (a free port), a blocking client for it, and
//! the project's recordings loaded through conform's own loader (to replay them as a client).
#![allow(dead_code)]

pub mod sdk;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use conform::mock::load::Loaded;
use conform::mock::playback::Playback;
use serde_json::Value;

/// The project root: the suite the tests serve is the repository's own.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every interaction of `api`, as the mock loads them.
pub fn recordings(api: &str) -> Vec<Loaded> {
    let suite = conform::case::load_suite(
        root(),
        &conform::case::LoadOptions {
            apis: vec![api.to_string()],
            ..Default::default()
        },
    )
    .expect("the project's suite loads");
    let api = suite.api(api).expect("the API exists");
    Playback::load(root(), api)
        .expect("recordings load")
        .entries
}

/// A running `conform mock`; killed when dropped.
pub struct Mock {
    pub base: String,
    child: Child,
    pub log: Arc<Mutex<Vec<String>>>,
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
}

/// An answer, read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// `exact`, `fallback`, ... and the case id of the `x-conform-match` header.
    pub fn matched(&self) -> Option<(String, String)> {
        let v = self.header("x-conform-match")?;
        let (how, rest) = v.split_once("; ")?;
        let (_, id) = rest.split_once('=')?;
        let id = percent_encoding::percent_decode_str(id)
            .decode_utf8_lossy()
            .into_owned();
        Some((how.to_string(), id))
    }
}

impl Mock {
    pub fn start(api: &str, flags: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .arg("-C")
            .arg(root())
            .args(["mock", "--api", api, "--port", "0"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("conform mock starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let banner = lines.next().expect("a banner").expect("readable");
        let base = banner
            .split(" on ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap_or_else(|| panic!("no address in {banner:?}"))
            .to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        // Drain the log so the mock never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        Mock {
            base,
            child,
            log,
            rt: tokio::runtime::Runtime::new().unwrap(),
            client: reqwest::Client::builder().no_proxy().build().unwrap(),
        }
    }

    /// A request to `path` (with its query string, if any) on the mock.
    pub fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.client.request(method, format!("{}{path}", self.base))
    }

    pub fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        self.rt.block_on(read(request))
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send(self.request("GET", path))
    }

    /// Runs `f` with the mock's client inside its runtime (for concurrent clients).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// Sends and reads a whole answer.
pub async fn read(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the mock answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = response.bytes().await.expect("a body").to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Credentials as each vendor's client library sends them (values are arbitrary: the mock checks
/// presence, as the recordings were made with real ones).
pub fn credentials(api: &str) -> Vec<(&'static str, &'static str)> {
    match api {
        "kimai" => vec![
            ("X-AUTH-USER", "susan_super"),
            ("X-AUTH-TOKEN", "api_kitten"),
        ],
        "mindbody" => vec![
            ("Api-Key", "test-api-key"),
            ("SiteId", "-99"),
            ("Authorization", "staff-token"),
        ],
        "perfectgym" => vec![("X-API-KEY", "test-api-key")],
        "timetap" => vec![("Authorization", "Bearer st-test-session")],
        "trackops" => vec![("Authorization", "Basic dXNlci90b2tlbjpzZWNyZXQ=")],
        other => panic!("no credentials for {other}"),
    }
}

/// The recorded request of `e`, as a client sends it: its path (after `prefix`), query, recorded
/// headers and body; with the API's credentials when `authed`.
pub fn replay(
    mock: &Mock,
    api: &str,
    e: &Loaded,
    prefix: &str,
    authed: bool,
) -> reqwest::RequestBuilder {
    let rec = &e.interaction.request;
    let mut r = mock
        .request(&rec.method, &format!("{prefix}{}", rec.path))
        .query(&rec.query);
    let creds = credentials(api);
    for (name, value) in &rec.headers {
        let credential = creds.iter().any(|(c, _)| c.eq_ignore_ascii_case(name));
        if !credential || authed {
            r = r.header(name.as_str(), value.as_str());
        }
    }
    if authed {
        for (name, value) in creds {
            if !rec.headers.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                r = r.header(name, value);
            }
        }
    }
    if let Some(json) = &rec.json {
        r = r.json(json);
    } else if let Some(text) = &rec.text {
        r = r.body(text.clone());
    }
    r
}
