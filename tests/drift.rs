//! `conform drift` against local servers that replay a recording with planted changes: one test
//! per finding code, learned noise, ignore rules (applied and refused), `record --from-drift`
//! rewriting exactly the accepted recordings, and the suite's own recordings served by
//! `conform mock` giving no finding at all.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::browser::{browser, headless};
use common::Project;
use rstest::rstest;
use serde_json::{json, Value};

/// What a test server answers: status, headers, body; `n` counts calls from 1.
type Answer = dyn Fn(&str, usize) -> (u16, Vec<(String, String)>, String) + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with `answer(path, n)` and closes
/// the connection. Lives as long as the test process.
fn server(answer: Box<Answer>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let calls = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text.split(' ').nth(1).unwrap_or("/").to_string();
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            let (status, headers, body) = answer(&path, n);
            let mut out = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            let _ = stream.write_all(out.as_bytes());
        }
    });
    base
}

fn recorded_body() -> Value {
    json!({
        "id": 1,
        "name": "Acme",
        "note": null,
        "kind": "person",
        "email": "billing@acme.example",
        "tags": ["a", "b"],
        "items": [{"name": "x", "lastModified": 5}, {"name": "y", "lastModified": 6}]
    })
}

fn recording(case: &str, path: &str, body: &Value) -> String {
    format!(
        "interactions:\n  - case: {case}\n    provenance: {{ kind: documented, source: test }}\n    request: {{ method: GET, path: {path} }}\n    response:\n      status: 200\n      headers: {{ content-type: application/json, x-vendor: v1 }}\n      json: {}\n",
        serde_json::to_string(body).unwrap()
    )
}

/// Project `demo` with one case `fetches an item` (GET /items/1, schema Item.json) recorded
/// with [`recorded_body`]; `api_extra` is appended to api.yaml.
fn project(api_extra: &str) -> Project {
    let p = Project::with_api(&format!("name: demo\n{api_extra}"));
    p.write(
        "schemas/demo/Item.json",
        r#"{"type":"object","required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"type":"string"},
            "note":{"type":["string","null"]},"kind":{"enum":["person","company"]},"email":{"type":"string"},
            "tags":{"type":"array","items":{"type":"string"}}}}"#,
    );
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: fetches an item\n    request: { path_params: { id: 1 } }\n    expect: { status: 200, schema: Item.json }\n",
    );
    p.write(
        "cases/demo/recordings/get_item.yaml",
        &recording("fetches an item", "/items/1", &recorded_body()),
    );
    p
}

fn json_answer(status: u16, headers: &[(&str, &str)], body: Value) -> Box<Answer> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = body.to_string();
    Box::new(move |_, _| (status, headers.clone(), body.clone()))
}

fn drift(p: &Project, base: &str) -> (common::Run, Value) {
    let run = p.conform(&["drift", "--base-url", base]);
    let doc = std::fs::read_to_string(p.path("target/conform/drift.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (run, doc)
}

fn findings(doc: &Value) -> Vec<(String, String, String)> {
    doc["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap().to_string(),
                f["grade"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn with(change: impl Fn(&mut serde_json::Map<String, Value>)) -> Value {
    let mut body = recorded_body();
    change(body.as_object_mut().unwrap());
    body
}

const JSON: (&str, &str) = ("content-type", "application/json");
const VENDOR: (&str, &str) = ("x-vendor", "v1");

#[rstest]
#[case::status_changed(json_answer(404, &[JSON, VENDOR], recorded_body()), "status-changed", "", "breaking")]
#[case::content_type_changed(json_answer(200, &[("content-type", "application/vnd.acme+json"), VENDOR], recorded_body()), "content-type-changed", "/content-type", "breaking")]
#[case::header_removed(json_answer(200, &[JSON], recorded_body()), "header-removed", "/x-vendor", "breaking")]
#[case::header_added(json_answer(200, &[JSON, VENDOR, ("x-new", "1")], recorded_body()), "header-added", "/x-new", "additive")]
#[case::header_changed(json_answer(200, &[JSON, ("x-vendor", "v2")], recorded_body()), "header-changed", "/x-vendor", "value")]
#[case::field_removed(json_answer(200, &[JSON, VENDOR], with(|b| { b.remove("name"); })), "field-removed", "/name", "breaking")]
#[case::field_added(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("region".into(), json!("eu")); })), "field-added", "/region", "additive")]
#[case::type_changed(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("id".into(), json!("1")); })), "type-changed", "/id", "breaking")]
#[case::nullability_changed(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("note".into(), json!("vip")); })), "nullability-changed", "/note", "value")]
#[case::enum_value_added(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("kind".into(), json!("robot")); })), "enum-value-added", "/kind", "breaking")]
#[case::format_changed(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("email".into(), json!("billing at acme")); })), "format-changed", "/email", "breaking")]
#[case::array_became_empty(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("tags".into(), json!([])); })), "array-became-empty", "/tags", "value")]
#[case::value_changed(json_answer(200, &[JSON, VENDOR], with(|b| { b.insert("items".into(), json!([{"name": "x", "lastModified": 5}, {"name": "z", "lastModified": 6}])); })), "value-changed", "/items/*/name", "value")]
fn each_planted_change_gives_its_one_finding(
    #[case] answer: Box<Answer>,
    #[case] code: &str,
    #[case] pointer: &str,
    #[case] grade: &str,
) {
    let p = project("");
    let base = server(answer);
    let (run, doc) = drift(&p, &base);
    assert_eq!(
        findings(&doc),
        vec![(code.to_string(), pointer.to_string(), grade.to_string())],
        "{}",
        run.all()
    );
    let expected_exit = if grade == "breaking" { 1 } else { 0 };
    assert_eq!(run.code(), expected_exit, "{}", run.all());
    let f = &doc["cases"][0]["findings"][0];
    assert_eq!(f["case"], "demo/get_item::fetches an item");
    assert_eq!(f["location"], "cases/demo/get_item.yaml:3");
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    assert!(
        run.stdout().contains(&format!("{grade} (1)")),
        "{}",
        run.all()
    );
    let md = p.read("target/conform/drift.md");
    assert!(
        md.contains(&format!("### {grade} (1)")) && md.contains(code),
        "{md}"
    );
}

#[test]
fn fingerprints_are_stable_across_runs() {
    let p = project("");
    let base = server(json_answer(
        200,
        &[JSON, VENDOR],
        with(|b| {
            b.remove("name");
        }),
    ));
    let (_, first) = drift(&p, &base);
    let (_, second) = drift(&p, &base);
    let fp = |d: &Value| d["cases"][0]["findings"][0]["fingerprint"].clone();
    assert!(fp(&first).is_string());
    assert_eq!(fp(&first), fp(&second));
}

#[test]
fn values_that_move_on_every_call_are_noise_not_findings() {
    let p = project("");
    let mut recorded = recorded_body();
    recorded["updatedAt"] = json!("2026-01-01T00:00:00Z");
    recorded["requestId"] = json!("0b9e3f5c-8e0a-4d8e-9c39-2f1b1b7f0c11");
    recorded["served"] = json!(0);
    p.write(
        "cases/demo/recordings/get_item.yaml",
        &recording("fetches an item", "/items/1", &recorded),
    );
    let base = server(Box::new(move |_, n| {
        let mut body = recorded_body();
        body["updatedAt"] = json!(format!("2026-02-{:02}T10:00:00Z", n));
        body["requestId"] = json!(format!("7d3c1e7a-1111-4c1e-8f00-{n:012}"));
        body["served"] = json!(n);
        (
            200,
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-vendor".into(), "v1".into()),
            ],
            body.to_string(),
        )
    }));
    let (run, doc) = drift(&p, &base);
    assert_eq!(run.code(), 0, "{}", run.all());
    let mut got = findings(&doc);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("value-changed".into(), "/requestId".into(), "noise".into()),
            ("value-changed".into(), "/served".into(), "noise".into()),
            ("value-changed".into(), "/updatedAt".into(), "noise".into()),
        ]
    );
    assert_eq!(doc["cases"][0]["sent_twice"], true);
    let served = doc["cases"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pointer"] == "/served")
        .unwrap()
        .clone();
    assert_eq!(served["why"], "the value differed between two live reads");
    assert_eq!(doc["summary"]["breaking"], 0);
    assert_eq!(doc["summary"]["value"], 0);
}

#[test]
fn an_ignore_rule_silences_a_value_but_is_refused_for_a_type_change() {
    let p = project("drift: { ignore: [/items/*/lastModified, /id] }\n");
    let base = server(json_answer(
        200,
        &[JSON, VENDOR],
        with(|b| {
            b.insert("id".into(), json!("one"));
            b.insert(
                "items".into(),
                json!([{"name": "x", "lastModified": 9}, {"name": "y", "lastModified": 10}]),
            );
        }),
    ));
    let (run, doc) = drift(&p, &base);
    assert_eq!(
        findings(&doc),
        vec![("type-changed".into(), "/id".into(), "breaking".into())],
        "{}",
        run.all()
    );
    assert_eq!(run.code(), 1);
    assert_eq!(doc["summary"]["ignored"], 1);
    assert_eq!(doc["refused"][0]["rule"], "/id");
    assert!(
        run.stderr()
            .contains("ignore rule `/id` of demo would also hide a type-changed at /id: refused"),
        "{}",
        run.all()
    );
}

#[test]
fn an_unreachable_target_exits_3() {
    let p = project("");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (run, doc) = drift(&p, &format!("http://127.0.0.1:{port}"));
    assert_eq!(run.code(), 3, "{}", run.all());
    assert_eq!(doc["summary"]["errors"], 1);
}

#[test]
fn record_from_drift_rewrites_exactly_the_accepted_recordings() {
    let p = project("");
    p.write(
        "cases/demo/get_other.yaml",
        "endpoint: GET /others/{id}\ncases:\n  - name: fetches another\n    request: { path_params: { id: 2 } }\n    expect: { status: 200, schema: Item.json }\n",
    );
    p.write(
        "cases/demo/recordings/get_other.yaml",
        &recording("fetches another", "/others/2", &recorded_body()),
    );
    let base = server(Box::new(|path, _| {
        let mut body = recorded_body();
        if path.starts_with("/items") {
            body["region"] = json!("eu");
        } else {
            body.as_object_mut().unwrap().remove("name");
        }
        (
            200,
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-vendor".into(), "v1".into()),
            ],
            body.to_string(),
        )
    }));
    let (run, doc) = drift(&p, &base);
    assert_eq!(run.code(), 1, "{}", run.all());
    let other_before = p.read("cases/demo/recordings/get_other.yaml");

    let accept = p.conform(&[
        "record",
        "--from-drift",
        "target/conform/drift.json",
        "--grade",
        "additive",
    ]);
    assert_eq!(accept.code(), 0, "{}", accept.all());
    assert!(
        accept
            .stdout()
            .contains("wrote cases/demo/recordings/get_item.yaml"),
        "{}",
        accept.all()
    );
    assert!(
        accept
            .stdout()
            .contains("kept demo/get_other::fetches another"),
        "{}",
        accept.all()
    );
    assert_eq!(p.read("cases/demo/recordings/get_other.yaml"), other_before);
    let item = p.read("cases/demo/recordings/get_item.yaml");
    assert!(item.contains("region: eu"), "{item}");
    assert!(item.contains("kind: recorded"), "{item}");
    assert!(
        item.contains(&format!("host: {}", base.trim_start_matches("http://"))),
        "{item}"
    );
    assert!(item.contains("conform_version:"), "{item}");

    let refused = p.conform(&[
        "record",
        "--from-drift",
        "target/conform/drift.json",
        "--grade",
        "breaking",
    ]);
    assert_eq!(refused.code(), 2, "{}", refused.all());
    assert_eq!(p.read("cases/demo/recordings/get_other.yaml"), other_before);

    let breaking = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().clone())
        .find(|f| f["grade"] == "breaking")
        .unwrap();
    let fp = breaking["fingerprint"].as_str().unwrap();
    let named = p.conform(&[
        "record",
        "--from-drift",
        "target/conform/drift.json",
        "--accept",
        fp,
    ]);
    assert_eq!(named.code(), 0, "{}", named.all());
    assert!(!p
        .read("cases/demo/recordings/get_other.yaml")
        .contains("name: Acme"));

    let (after, doc) = drift(&p, &base);
    assert_eq!(after.code(), 0, "{}", after.all());
    assert_eq!(findings(&doc), vec![]);
}

/// `conform mock --api NAME` on a free port for the repository's own suite; its base URL.
struct Mock {
    child: std::process::Child,
    base: String,
}

impl Mock {
    fn start(api: &str) -> Mock {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["-C", root, "mock", "--api", api, "--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let banner = lines.next().unwrap().unwrap();
        let base = banner
            .split(" on ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        std::thread::spawn(move || for _ in lines {});
        Mock { child, base }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every case of an API of the repository's own suite against conform's playback of its own
/// recordings, observed and analysed as `conform drift` does (the playback server picks each
/// case's interaction by `x-conform-case`, so flows whose requests repeat with another answer
/// are served as recorded).
fn drift_on_playback(api: &str) -> conform::drift::DriftDoc {
    use conform::check::snapshot;
    use conform::drift::analyse::{analyse, load_recordings};
    use conform::drift::observer::DriftObserver;
    use conform::http::{Transport, TransportOptions};
    use conform::plan::Selection;
    use conform::report::{ReportConfig, TerminalConfig};
    use conform::session::{Session, SessionConfig, Signals, TargetChoice};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = SessionConfig {
        selection: Selection {
            apis: vec![api.to_string()],
            ..Selection::default()
        },
        target: TargetChoice::Playback,
        env: None,
        vars: Vec::new(),
        jobs: 4,
        transport: TransportOptions::default(),
        snapshots: snapshot::Mode::Ci,
        keep_exchanges: true,
        shard: None,
        grace: std::time::Duration::from_secs(10),
        staging: None,
        reports: ReportConfig {
            dir: tempfile::tempdir().unwrap().keep(),
            formats: vec![],
            terminal: TerminalConfig {
                out: Box::new(std::io::sink()),
                interactive: false,
                verbose: 0,
            },
            step_summary: None,
            page: Default::default(),
        },
    };
    let session = Session::prepare(root, config).unwrap_or_else(|e| panic!("{e}"));
    let suite = Arc::clone(session.suite());
    let apis: Vec<usize> = session.plan().apis().into_iter().collect();
    let recordings = load_recordings(&suite, &apis).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut observer = DriftObserver::default();
        session
            .run(Signals::never(), &mut [&mut observer])
            .await
            .unwrap();
        let transport = Transport::new(TransportOptions::default()).unwrap();
        analyse(&suite, &recordings, observer, Some(&transport)).await
    })
}

#[rstest]
fn the_suites_own_recordings_give_no_finding(
    #[values("kimai", "mindbody", "perfectgym", "timetap", "trackops")] api: &str,
) {
    let doc = drift_on_playback(api);
    let found: Vec<String> = doc
        .findings()
        .filter(|f| f.grade != conform::drift::Grade::Noise)
        .map(|f| format!("{} {} {}", f.case, f.code.name(), f.pointer))
        .collect();
    assert_eq!(found, Vec::<String>::new());
    // The only noise: fields the API marks sensitive, scrubbed on the live side.
    for f in doc.findings() {
        assert!(
            f.why.contains("scrubbed"),
            "{} {} {}: {}",
            f.case,
            f.code.name(),
            f.pointer,
            f.why
        );
    }
    assert_eq!(doc.summary.errors, 0);
    assert!(doc.summary.compared > 0);
    assert_eq!(
        doc.summary.compared + doc.summary.skipped + doc.summary.no_recording,
        doc.cases.len()
    );
}

/// `conform drift --base-url` at `conform mock`: a real client of the standalone mock, with the
/// sandbox environment's auth (fake credentials: the mock matches credentials by presence).
/// Drift names a scenario per flow file and one for the other files (the mock's log shows them),
/// so flows play as recorded scripts. The token requests of Mindbody and TimeTap are answered
/// from their `recordings/_auth.yaml`.
#[rstest]
fn drift_at_conform_mock_finds_nothing(
    #[values("kimai", "mindbody", "perfectgym", "timetap", "trackops")] api: &str,
) {
    let mock = Mock::start(api);
    let reports = tempfile::tempdir().unwrap();
    let fake = [
        ("KIMAI_USER", "fake-kimai-user"),
        ("KIMAI_API_TOKEN", "fake-kimai-token"),
        ("PERFECTGYM_API_KEY", "fake-perfectgym-key"),
        ("PERFECTGYM_TENANT", "sandboxtenant"),
        ("TRACKOPS_USERNAME", "fake-trackops-user"),
        ("TRACKOPS_API_TOKEN", "fake-trackops-token"),
        ("TRACKOPS_SUBDOMAIN", "sandbox"),
        ("MINDBODY_API_KEY", "fake-mindbody-key"),
        ("MINDBODY_USERNAME", "fake-staff-user"),
        ("MINDBODY_PASSWORD", "fake-staff-password"),
        ("MINDBODY_SITE_ID", "-99"),
        ("MINDBODY_CLIENT_ID", "100000001"),
        ("TIMETAP_API_KEY", "fake-timetap-key"),
        ("TIMETAP_PRIVATE_KEY", "fake-timetap-private"),
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "drift",
            "--api",
            api,
            "--env",
            "sandbox",
            "--base-url",
            &mock.base,
            // One file at a time: files sharing the API's scenario must not interleave their
            // steps (docs/recordings.md); flows get a scenario each.
            "-j",
            "1",
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .env("CI", "true")
        .envs(fake)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = std::fs::read_to_string(reports.path().join("drift.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| panic!("no drift.json ({e}):\n{text}"));
    let not_noise: Vec<String> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .filter(|f| f["grade"] != "noise")
        .map(|f| format!("{} {} {}", f["case"], f["code"], f["pointer"]))
        .collect();
    assert_eq!(not_noise, Vec::<String>::new(), "{text}");
    assert_eq!(doc["summary"]["errors"], 0, "{text}");
    assert_eq!(doc["summary"]["breaking"], 0, "{text}");
    assert!(doc["summary"]["compared"].as_u64().unwrap() > 0, "{text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
    // Every request named a scenario of this run: the API's, and one per flow file (the token
    // request of an auth is the API's, answered from `_auth.yaml` in any scenario).
    let journal = journal(&mock.base);
    let scenarios: std::collections::BTreeSet<&str> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            !r["case"]
                .as_str()
                .unwrap_or_default()
                .starts_with("_auth::")
        })
        .map(|r| r["scenario"].as_str().unwrap_or_default())
        .collect();
    assert!(
        scenarios.iter().all(|s| s.starts_with("drift-")),
        "{scenarios:?}"
    );
    assert!(scenarios.len() >= 2, "no flow scenario: {scenarios:?}");
}

/// `GET /__conform/journal` of a mock.
fn journal(base: &str) -> Value {
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /__conform/journal HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("journal is not JSON ({e}): {text}"))
}

#[test]
fn a_value_that_echoes_a_value_the_request_generated_is_noise() {
    let p = project("");
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: fetches an item\n    request: { path_params: { id: \"{{ timestamp() }}\" } }\n    expect: { status: 200 }\n",
    );
    p.write(
        "cases/demo/recordings/get_item.yaml",
        &recording(
            "fetches an item",
            "/items/1700000000",
            &json!({"id": "1700000000", "name": "Acme"}),
        ),
    );
    let base = server(Box::new(|path, _| {
        let id = path.rsplit('/').next().unwrap_or_default().to_string();
        (
            200,
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-vendor".into(), "v1".into()),
            ],
            json!({"id": id, "name": "Acme"}).to_string(),
        )
    }));
    let (run, doc) = drift(&p, &base);
    assert_eq!(run.code(), 0, "{}", run.all());
    assert_eq!(
        findings(&doc),
        vec![("value-changed".into(), "/id".into(), "noise".into())]
    );
    let why = doc["cases"][0]["findings"][0]["why"].as_str().unwrap();
    assert!(why.contains("echoes what the request sent"), "{why}");
}

#[test]
fn no_secret_reaches_drift_json_drift_md_or_the_terminal() {
    const SECRET: &str = "supersecret-key-8731";
    let p = project("env: [DEMO_KEY]\nheaders: { X-API-KEY: \"{{ env.DEMO_KEY }}\" }\n");
    let base = server(Box::new(|_, _| {
        let mut body = recorded_body();
        // A vendor that echoes the credential, in a field drift sees as added and one it sees
        // as changed.
        body["echoedKey"] = json!(SECRET);
        body["name"] = json!(format!("Acme {SECRET}"));
        (
            200,
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-vendor".into(), SECRET.into()),
            ],
            body.to_string(),
        )
    }));
    let run = p.conform_env(&["drift", "--base-url", &base], &[("DEMO_KEY", SECRET)]);
    assert!(
        p.read("target/conform/drift.json").contains("echoedKey"),
        "{}",
        run.all()
    );
    common::assert_no_secret_written(&p, &[&run], &[SECRET]);
}

/// A breaking, an additive and a noise finding, one of them carrying hostile HTML.
fn html_drift_run(extra: &[&str]) -> (Project, common::Run) {
    let p = project("");
    let base = server(Box::new(|_, n| {
        let mut body = recorded_body();
        body.as_object_mut().unwrap().remove("name");
        body["region"] = json!("<script>alert(1)</script>");
        body["items"][0]["lastModified"] = json!(n);
        (
            200,
            vec![
                ("content-type".into(), "application/json".into()),
                ("x-vendor".into(), "v1".into()),
            ],
            body.to_string(),
        )
    }));
    let mut args = vec!["drift", "--base-url", &base];
    args.extend_from_slice(extra);
    let run = p.conform(&args);
    (p, run)
}

#[test]
fn report_html_has_a_drift_section_grouped_by_grade_and_escaped() {
    let (p, run) = html_drift_run(&["--report", "html", "--report", "json"]);
    assert_eq!(run.code(), 1, "{}", run.all());
    assert!(
        run.stdout()
            .contains("drift.json, report.html and drift.md"),
        "{}",
        run.all()
    );
    let html = p.read("target/conform/report.html");
    assert!(p.path("target/conform/report.json").is_file());
    let pos = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no `{needle}` in\n{html}"))
    };
    // Between the summary and the failures; breaking first, noise last and collapsed.
    assert!(pos("</header>") < pos("<section id=\"drift\">"));
    assert!(pos("<section id=\"drift\">") < pos("<section id=\"failures\">"));
    assert!(pos("id=\"drift-breaking\" open") < pos("id=\"drift-additive\" open"));
    assert!(pos("id=\"drift-additive\"") < pos("id=\"drift-noise\">"));
    let section = &html[pos("<section id=\"drift\">")..pos("<section id=\"failures\">")];
    assert!(section.contains("<h2>Drift (3 findings)</h2>"), "{section}");
    let row_of = |code: &str| {
        section
            .lines()
            .find(|l| l.contains(&format!("<td class=\"code\">{code}</td>")))
            .unwrap_or_else(|| panic!("no {code} row in\n{section}"))
            .to_string()
    };
    let removed = row_of("field-removed");
    assert!(removed.contains("data-grade=\"breaking\""), "{removed}");
    assert!(removed.contains("body /name"), "{removed}");
    assert!(
        removed.contains("<pre class=\"recorded\">&quot;Acme&quot;</pre>")
            || removed.contains("<pre class=\"recorded\">\"Acme\"</pre>"),
        "{removed}"
    );
    assert!(
        removed.contains("<pre class=\"live\">(absent)</pre>"),
        "{removed}"
    );
    // The case failed its schema: the finding links to its failure and to its file line.
    assert!(
        removed.contains("<a href=\"#case-demo-get-item--fetches-an-item\">"),
        "{removed}"
    );
    assert!(html.contains("id=\"case-demo-get-item--fetches-an-item\""));
    assert!(
        removed.contains(
            "<a href=\"../../cases/demo/get_item.yaml#L3\">cases/demo/get_item.yaml:3</a>"
        ),
        "{removed}"
    );
    let added = row_of("field-added");
    assert!(added.contains("data-grade=\"additive\""), "{added}");
    assert!(
        added.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{added}"
    );
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "unescaped live value"
    );
    let noise = row_of("value-changed");
    assert!(noise.contains("body /items/*/lastModified"), "{noise}");
    assert!(noise.contains("data-grade=\"noise\""), "{noise}");
    // The fingerprints are drift.json's.
    let doc: Value = serde_json::from_str(&p.read("target/conform/drift.json")).unwrap();
    for f in doc["cases"][0]["findings"].as_array().unwrap() {
        let fp = f["fingerprint"].as_str().unwrap();
        assert!(
            section.contains(&format!("data-fingerprint=\"{fp}\"")),
            "{fp}"
        );
    }
    if let Some(browser) = browser() {
        let dom = headless(
            &browser,
            &["--dump-dom"],
            &p.path("target/conform/report.html"),
        );
        assert!(dom.contains("<section id=\"drift\">"), "{dom}");
        assert!(
            dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the hostile value is not text in the DOM:\n{dom}"
        );
        // The report's own script ran on the page with the drift section.
        assert!(dom.contains("1 of 1 cases shown"), "{dom}");
    }
}

#[test]
fn without_report_html_drift_writes_no_html_report() {
    let (p, run) = html_drift_run(&[]);
    assert_eq!(run.code(), 1, "{}", run.all());
    assert!(p.path("target/conform/drift.json").is_file());
    assert!(!p.path("target/conform/report.html").exists());
}
