//! Record mode and playback: record from a local "vendor", play back with identical outcomes,
//! secrets never written, interrupted records change nothing, misses explained, standalone mock.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{all_files, Project};
use httpmock::prelude::*;
use serde_json::{json, Value};

const SECRET_KEY: &str = "supersecret-key-8731";
const SECRET_PASSWORD: &str = "hunter2-very-private";
const SECRET_TOKEN: &str = "tok-ABCDEF-0987654321";

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET)
            .path("/items/1")
            .header("x-api-key", SECRET_KEY)
            .query_param("apiKey", SECRET_KEY);
        then.status(200)
            .header("content-type", "application/json")
            .header("date", "Tue, 24 Nov 2026 01:00:00 GMT")
            .header("set-cookie", format!("session={SECRET_TOKEN}"))
            .json_body(json!({"id": 1, "name": "Acme", "modifiedDate": "2026-11-24T01:00:00Z"}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/login")
            .json_body(json!({"user": "qa", "password": SECRET_PASSWORD}));
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"AccessToken": SECRET_TOKEN, "user": {"id": 7, "name": "qa"}}));
    });
    server
}

fn project() -> Project {
    let p = Project::with_api(
        "name: demo\nenv: [DEMO_KEY, DEMO_PASSWORD]\nheaders: { Accept: application/json, X-API-KEY: \"{{ env.DEMO_KEY }}\" }\nvariables: { pw: \"{{ env.DEMO_PASSWORD }}\" }\n",
    );
    p.write(
        "schemas/demo/Item.json",
        r#"{"type":"object","required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"type":"string"}}}"#,
    );
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: fetches an item\n    request: { path_params: { id: 1 }, query: { apiKey: \"{{ env.DEMO_KEY }}\" } }\n    expect:\n      status: 200\n      schema: Item.json\n      assert: { $.name: { equals: Acme } }\n      snapshot: { redact: [.modifiedDate] }\n",
    );
    p.write(
        "cases/demo/login.yaml",
        "endpoint: POST /login\ncases:\n  - name: logs in\n    request: { json: { user: qa, password: \"{{ pw }}\" } }\n    expect: { status: 200, assert: { $.user.id: { equals: 7 } }, snapshot: true }\n",
    );
    p
}

fn secrets() -> [(&'static str, &'static str); 2] {
    [("DEMO_KEY", SECRET_KEY), ("DEMO_PASSWORD", SECRET_PASSWORD)]
}

fn outcome_summary(p: &Project) -> Vec<(String, String)> {
    let report: Value = serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    let mut v: Vec<(String, String)> = report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                common::case_of(o).to_string(),
                o["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn record_then_play_back_gives_the_same_outcomes_and_no_secret_reaches_disk() {
    let server = vendor();
    let p = project();
    let recorded = p.conform_env(
        &["record", "--api", "demo", "--base-url", &server.base_url()],
        &secrets(),
    );
    assert_eq!(recorded.code(), 0, "{}", recorded.all());
    assert!(
        recorded
            .stdout()
            .contains("recorded 2 exchanges; 2 recording files changed"),
        "{}",
        recorded.all()
    );
    let live = outcome_summary(&p);
    let snap_after_record = p.read("snapshots/demo/get_item__fetches_an_item.snap");

    let played = p.conform_env(&["run"], &secrets());
    assert_eq!(played.code(), 0, "{}", played.all());
    assert_eq!(outcome_summary(&p), live);
    assert_eq!(
        p.read("snapshots/demo/get_item__fetches_an_item.snap"),
        snap_after_record
    );
    assert!(!p
        .path("snapshots/demo/get_item__fetches_an_item.snap.new")
        .exists());

    let recording = p.read("cases/demo/recordings/get_item.yaml");
    assert!(recording.contains("kind: recorded"), "{recording}");
    assert!(
        recording.contains("conform_version:") && recording.contains("host: 127.0.0.1:"),
        "{recording}"
    );
    assert!(
        recording.contains("x-api-key: <scrubbed:x-api-key>"),
        "{recording}"
    );
    assert!(
        !recording.contains("date:"),
        "volatile headers are not recorded:\n{recording}"
    );
    let login = p.read("cases/demo/recordings/login.yaml");
    assert!(
        login.contains("password: <scrubbed:password>")
            && login.contains("AccessToken: <scrubbed:accesstoken>"),
        "{login}"
    );

    for file in all_files(p.root()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [SECRET_KEY, SECRET_PASSWORD, SECRET_TOKEN] {
            assert!(
                !text.contains(secret),
                "secret {secret} written to {}",
                file.display()
            );
        }
    }
    for out in [&recorded, &played] {
        for secret in [SECRET_KEY, SECRET_PASSWORD, SECRET_TOKEN] {
            assert!(!out.all().contains(secret), "secret {secret} printed");
        }
    }
}

#[test]
fn re_recording_an_unchanged_api_changes_no_file() {
    let server = vendor();
    let p = project();
    let args = ["record", "--api", "demo", "--base-url", &server.base_url()];
    assert_eq!(p.conform_env(&args, &secrets()).code(), 0);
    let before = (
        p.read("cases/demo/recordings/get_item.yaml"),
        p.read("cases/demo/recordings/login.yaml"),
    );
    std::thread::sleep(Duration::from_millis(1100));
    let again = p.conform_env(&args, &secrets());
    assert!(
        again.stdout().contains("0 recording files changed"),
        "{}",
        again.all()
    );
    assert_eq!(
        (
            p.read("cases/demo/recordings/get_item.yaml"),
            p.read("cases/demo/recordings/login.yaml")
        ),
        before
    );
}

#[test]
fn a_failure_in_playback_shows_the_closest_recording() {
    let p = project();
    p.write(
        "cases/demo/recordings/get_item.yaml",
        "interactions:\n  - case: fetches an item\n    provenance: { kind: documented, source: test }\n    request: { method: GET, path: /items/1, query: [[apiKey, other]] }\n    response: { status: 200, json: { id: 1, name: Acme } }\n",
    );
    let out = p.conform_env(&["run", "--filter", "fetches"], &secrets());
    assert_eq!(out.code(), 1, "{}", out.all());
    let text = out.stdout();
    assert!(
        text.contains("the request of case `fetches an item` differs from its recording"),
        "{text}"
    );
    assert!(
        text.contains("query: recorded apiKey=other, got apiKey=<scrubbed:DEMO_KEY>"),
        "{text}"
    );
}

#[test]
fn recordings_are_validated_with_their_location() {
    let p = project();
    p.write("cases/demo/recordings/login.yaml", "interactions:\n  - case: logs in\n    provenance: { kind: documented }\n    request: { method: POST, path: /login }\n    respons: { status: 200 }\n");
    let out = p.conform_env(&["validate"], &secrets());
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr()
            .contains("cases/demo/recordings/login.yaml:5:5")
            && out.stderr().contains("unknown field `respons`"),
        "{}",
        out.stderr()
    );
    p.write("cases/demo/recordings/login.yaml", "interactions:\n  - case: logs on\n    provenance: { kind: documented }\n    request: { method: POST, path: /login }\n    response: { status: 200 }\n");
    let out = p.conform_env(&["validate"], &secrets());
    assert!(
        out.stderr()
            .contains("case `logs on` is not in cases/demo/login.yaml"),
        "{}",
        out.stderr()
    );
    assert!(
        out.stderr()
            .contains("a `documented` interaction must name its `source`"),
        "{}",
        out.stderr()
    );
}

#[test]
fn an_interrupted_record_leaves_recordings_as_they_were() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/items/1");
        then.status(200)
            .json_body(json!({"id": 1, "name": "Changed"}))
            .delay(Duration::from_secs(20));
    });
    let p = project();
    let original = "# hand-written\ninteractions:\n  - case: fetches an item\n    provenance: { kind: documented, source: test }\n    request: { method: GET, path: /items/1 }\n    response: { status: 200, json: { id: 1, name: Acme } }\n";
    p.write("cases/demo/recordings/get_item.yaml", original);
    let child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "-C",
            p.root().to_str().unwrap(),
            "record",
            "--api",
            "demo",
            "--base-url",
            &server.base_url(),
            "--filter",
            "fetches",
        ])
        .envs(secrets())
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no recording or snapshot was changed"));
    assert_eq!(p.read("cases/demo/recordings/get_item.yaml"), original);
    let leftovers: Vec<_> = all_files(&p.path("cases/demo/recordings"));
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn the_standalone_mock_answers_a_real_client() {
    let p = project();
    p.write(
        "cases/demo/recordings/get_item.yaml",
        "interactions:\n  - case: fetches an item\n    provenance: { kind: documented, source: test }\n    request: { method: GET, path: /items/1, query: [[apiKey, \"<scrubbed:apikey>\"]] }\n    response: { status: 200, headers: { content-type: application/json }, json: { id: 1, name: Acme } }\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "-C",
            p.root().to_str().unwrap(),
            "mock",
            "--api",
            "demo",
            "--port",
            "0",
            "--strict",
        ])
        .envs(secrets())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let guard = KillOnDrop(child.id());
    let banner = lines.next().unwrap().unwrap();
    let base = banner
        .split(" on ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (hit, miss) = rt.block_on(async {
        let client = reqwest::Client::new();
        let hit = client
            .get(format!("{base}/items/1?apiKey=anything"))
            .send()
            .await
            .unwrap();
        let hit = (hit.status().as_u16(), hit.json::<Value>().await.unwrap());
        let miss = client.get(format!("{base}/items/2")).send().await.unwrap();
        let miss = (miss.status().as_u16(), miss.json::<Value>().await.unwrap());
        (hit, miss)
    });
    assert_eq!(hit, (200, json!({"id": 1, "name": "Acme"})));
    assert_eq!(miss.0, 404);
    assert_eq!(miss.1["closest"]["case"], "fetches an item");
    assert!(miss.1["closest"]["differences"][0]
        .as_str()
        .unwrap()
        .contains("path: recorded /items/1, got /items/2"));
    assert!(lines
        .next()
        .unwrap()
        .unwrap()
        // The mock's log never shows a sensitive query value the client sent.
        .contains(
            "GET /items/1?apiKey=<scrubbed:apikey> -> 200 (exact get_item.yaml::fetches an item)"
        ));
    assert!(lines
        .next()
        .unwrap()
        .unwrap()
        .contains("GET /items/2 -> 404 (no match)"));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    std::mem::forget(guard);
    assert_eq!(lines.next().unwrap().unwrap(), "stopped");
}

#[test]
fn snapshots_new_mismatch_ci_and_accept() {
    // Playback snapshots: recorded once, then removed so that playback finds none.
    let server = vendor();
    let p = project();
    let recorded = p.conform_env(
        &["record", "--api", "demo", "--base-url", &server.base_url()],
        &secrets(),
    );
    assert_eq!(recorded.code(), 0, "{}", recorded.all());
    std::fs::remove_dir_all(p.path("snapshots")).unwrap();
    let run = |extra: &[&str], ci: bool| {
        let mut args = vec!["run", "--filter", "fetches"];
        args.extend_from_slice(extra);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
        cmd.arg("-C").arg(p.root()).args(&args).envs(secrets());
        if ci {
            cmd.env("CI", "true");
        } else {
            cmd.env_remove("CI");
        }
        common::Run(cmd.output().unwrap())
    };
    let snap = "snapshots/demo/get_item__fetches_an_item.snap";
    let ci = run(&[], true);
    assert_eq!(
        ci.code(),
        1,
        "missing snapshot fails under CI: {}",
        ci.all()
    );
    assert!(!p.path(&format!("{snap}.new")).exists());
    let local = run(&[], false);
    assert_eq!(local.code(), 0, "{}", local.all());
    assert!(p
        .read(&format!("{snap}.new"))
        .contains("\"modifiedDate\": \"[redacted]\""));
    assert_eq!(run(&["--accept"], false).code(), 0);
    assert!(p.path(snap).exists() && !p.path(&format!("{snap}.new")).exists());
    let stored = p.read(snap).replace("Acme", "Acme Old");
    p.write(snap, &stored);
    let changed = run(&[], false);
    assert_eq!(changed.code(), 1);
    assert!(
        changed.stdout().contains("-    \"name\": \"Acme Old\"")
            && changed.stdout().contains("+    \"name\": \"Acme\""),
        "{}",
        changed.all()
    );
    assert!(p.path(&format!("{snap}.new")).exists());
    let parsed = insta::Snapshot::from_file(&p.path(&format!("{snap}.new"))).unwrap();
    assert!(parsed
        .contents()
        .as_text()
        .unwrap()
        .to_string()
        .contains("\"Acme\""));
}

/// Kills a child process if the test panics before stopping it.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.to_string()).status();
    }
}
