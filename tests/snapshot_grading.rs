//! Snapshot grading, end to end: a snapshot is taken from a baseline body, then compared with a
//! body that adds a field, reverses an array, removes a field or changes a type, served by a local
//! "vendor" on 127.0.0.1. Harmless changes pass with a note; breaks fail as before.

mod common;

use common::Project;
use httpmock::prelude::*;
use rstest::rstest;
use serde_json::{json, Value};

/// Where a run against the `sandbox` environment keeps its snapshots.
const SNAP: &str = "snapshots/demo/@sandbox/base.snap";

fn baseline() -> Value {
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 1}, {"id": 2}]})
}

/// The vendor: `/base` serves the baseline, `/changed` serves `changed`.
fn vendor(changed: Value) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/base");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(baseline());
    });
    server.mock(|when, then| {
        when.method(GET).path("/changed");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(changed);
    });
    server
}

/// A project whose `sandbox` environment is `server`, with a snapshot `base` of the baseline.
fn project_with_snapshot(server: &MockServer) -> Project {
    let p = Project::demo();
    p.write(
        "cases/demo/api.yaml",
        &format!(
            "name: demo\nheaders: {{ Accept: application/json }}\nvariables: {{ known_id: 2 }}\nenvironments:\n  sandbox:\n    base_url: {}\n",
            server.base_url()
        ),
    );
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /base\ncases:\n  - name: base\n    expect: { snapshot: { name: base } }\n",
    );
    let out = p.conform(&["run", "--env", "sandbox", "--update-snapshots"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert!(p.path(SNAP).exists(), "{}", out.all());
    p
}

/// The one snapshot check of the one case of `out/report.json`, and the summary.
fn snapshot_check(p: &Project) -> (Value, Value) {
    let report: Value = serde_json::from_str(&p.read("out/report.json")).unwrap();
    let checks = report["outcomes"][0]["checks"].as_array().unwrap().clone();
    let snap = checks
        .into_iter()
        .find(|c| c["kind"] == "snapshot")
        .expect("a snapshot check");
    (snap, report["summary"].clone())
}

fn changes(check: &Value) -> Vec<String> {
    check["changes"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        c["kind"].as_str().unwrap(),
                        c["path"].as_str().unwrap()
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[rstest]
#[case::added_field_allowed_by_the_schema(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 1}, {"id": 2}], "extra": true}),
    "schema: Item.json",
    0,
    "graded changes only against snapshots/demo/@sandbox/base.snap (additive $['body']['extra'])",
    &["additive $['body']['extra']"],
)]
#[case::reversed_array_nothing_asserts(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 2}, {"id": 1}]}),
    "schema: Item.json",
    0,
    "graded changes only against snapshots/demo/@sandbox/base.snap (order $['body']['items'])",
    &["order $['body']['items']"],
)]
#[case::reversed_array_picked_by_index(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 2}, {"id": 1}]}),
    "assert: { \"$.items[0].id\": { type: integer } }",
    1,
    "response differs from snapshots/demo/@sandbox/base.snap",
    &["value_changed $['body']['items'][0]['id']", "value_changed $['body']['items'][1]['id']"],
)]
#[case::reversed_array_picked_by_id(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 2}, {"id": 1}]}),
    "assert: { \"$.items[?@.id == {{ known_id }}]\": { exists: true } }",
    0,
    "graded changes only against snapshots/demo/@sandbox/base.snap (order $['body']['items'])",
    &["order $['body']['items']"],
)]
#[case::added_field_without_a_schema(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 1}, {"id": 2}], "extra": true}),
    "status: 200",
    1,
    "response differs from snapshots/demo/@sandbox/base.snap",
    &["added $['body']['extra']"],
)]
#[case::removed_field(
    json!({"id": 1, "name": "Acme", "items": [{"id": 1}, {"id": 2}]}),
    "schema: Item.json",
    1,
    "response differs from snapshots/demo/@sandbox/base.snap",
    &["removed $['body']['tags']"],
)]
#[case::type_change(
    json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": "1"}, {"id": 2}]}),
    "schema: Item.json",
    1,
    "response differs from snapshots/demo/@sandbox/base.snap",
    &["type_changed $['body']['items'][0]['id']"],
)]
fn snapshot_differences_are_graded(
    #[case] changed: Value,
    #[case] expect: &str,
    #[case] code: i32,
    #[case] message: &str,
    #[case] want: &[&str],
) {
    let server = vendor(changed);
    let p = project_with_snapshot(&server);
    p.write(
        "cases/demo/get.yaml",
        &format!("endpoint: GET /changed\ncases:\n  - name: changed\n    expect: {{ {expect}, snapshot: {{ name: base }} }}\n"),
    );
    let out = p.conform(&["run", "--env", "sandbox", "--report-dir", "out"]);
    assert_eq!(out.code(), code, "{}", out.all());
    let (check, summary) = snapshot_check(&p);
    assert_eq!(check["message"], message, "{check}");
    assert_eq!(changes(&check), want, "{check}");
    assert!(check["diff"].as_str().unwrap().contains("+++ response"));
    assert_eq!(summary["graded"], if code == 0 { 1 } else { 0 });
    if code == 1 {
        assert!(out.stdout().contains(message), "{}", out.all());
    }
}

#[test]
fn strict_snapshots_fail_on_a_harmless_change() {
    let server = vendor(
        json!({"id": 1, "name": "Acme", "tags": ["a", "b"], "items": [{"id": 2}, {"id": 1}]}),
    );
    let p = project_with_snapshot(&server);
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /changed\ncases:\n  - name: changed\n    expect: { schema: Item.json, snapshot: { name: base, strict: true } }\n",
    );
    let out = p.conform(&["run", "--env", "sandbox", "--report-dir", "out"]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let (check, summary) = snapshot_check(&p);
    assert_eq!(
        check["message"],
        "response differs from snapshots/demo/@sandbox/base.snap"
    );
    assert_eq!(changes(&check), Vec::<String>::new());
    assert_eq!(summary["graded"], 0);
}

#[test]
fn a_graded_change_leaves_a_pending_snapshot_in_playback() {
    // Playback: the recorded snapshot lives in snapshots/demo/ and review mode writes `.snap.new`.
    let p = Project::demo();
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /items\ncases:\n  - name: list\n    expect: { schema: Item.json, snapshot: { name: base } }\n",
    );
    p.write(
        "cases/demo/recordings/get.yaml",
        &recording(&json!({"id": 1, "name": "Acme", "extra": 1})),
    );
    p.write(
        "snapshots/demo/base.snap",
        "---\nsource: \"cases/demo/get.yaml\"\nexpression: \"list\"\n---\n{\n  \"body\": {\n    \"id\": 1,\n    \"name\": \"Acme\"\n  },\n  \"status\": 200\n}\n",
    );
    let out = p.conform_env(&["run", "--report-dir", "out"], &[("CI", "")]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let (check, summary) = snapshot_check(&p);
    assert_eq!(
        check["message"],
        "graded changes only against snapshots/demo/base.snap (additive $['body']['extra']); wrote snapshots/demo/base.snap.new (review with `conform review`, or rerun with --accept)"
    );
    assert_eq!(summary["graded"], 1);
    // The terminal says so under the case's line, and lists the pending file to review.
    let terminal = out.stdout();
    assert!(
        terminal.contains("PASS demo/get::list")
            && terminal.contains("    note: graded changes only against snapshots/demo/base.snap (additive $['body']['extra'])"),
        "{terminal}"
    );
    assert!(
        terminal.contains("snapshots to review (1):\n  snapshots/demo/base.snap.new\n"),
        "{terminal}"
    );
    assert!(p
        .read("snapshots/demo/base.snap.new")
        .contains("\"extra\": 1"));
}

/// A recording of `GET /items` answering `body`, in the recording file format.
fn recording(body: &Value) -> String {
    format!(
        "interactions:\n  - case: list\n    provenance: {{ kind: documented, source: test }}\n    request: {{ method: GET, path: /items }}\n    response: {{ status: 200, headers: {{ content-type: application/json }}, json: {} }}\n",
        serde_json::to_string(body).unwrap()
    )
}

#[test]
fn a_live_run_without_its_own_snapshot_skips_the_check_and_writes_nothing() {
    let server = vendor(json!({"id": 2}));
    let p = Project::demo();
    p.write(
        "cases/demo/api.yaml",
        &format!(
            "name: demo\nenvironments:\n  sandbox:\n    base_url: {}\n",
            server.base_url()
        ),
    );
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /changed\ncases:\n  - name: changed\n    expect: { snapshot: { name: base } }\n",
    );
    // The playback snapshot exists, and differs: a live run must not compare with it.
    let playback = "---\nsource: \"cases/demo/get.yaml\"\nexpression: \"changed\"\n---\n{\n  \"body\": {\n    \"id\": 1\n  },\n  \"status\": 200\n}\n";
    p.write("snapshots/demo/base.snap", playback);
    // Review mode (CI unset) would write `.snap.new` files in playback.
    let out = p.conform_env(
        &["run", "--env", "sandbox", "--report-dir", "out"],
        &[("CI", "")],
    );
    assert_eq!(out.code(), 0, "{}", out.all());
    let (check, _) = snapshot_check(&p);
    assert_eq!(
        check["message"],
        "not compared: this target has no snapshot snapshots/demo/@sandbox/base.snap (--update-snapshots writes it)"
    );
    let written = common::all_files(&p.path("snapshots"));
    assert_eq!(written, [p.path("snapshots/demo/base.snap")]);
    assert_eq!(p.read("snapshots/demo/base.snap"), playback);
}

#[test]
fn a_live_run_compares_with_its_own_snapshot_without_writing_a_pending_one() {
    let server = vendor(json!({"id": 1, "name": "Acme", "items": [{"id": 1}, {"id": 2}]}));
    let p = project_with_snapshot(&server);
    let before = p.read(SNAP);
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /changed\ncases:\n  - name: changed\n    expect: { snapshot: { name: base } }\n",
    );
    let out = p.conform_env(&["run", "--env", "sandbox"], &[("CI", "")]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert!(
        out.stdout()
            .contains("response differs from snapshots/demo/@sandbox/base.snap\n"),
        "{}",
        out.all()
    );
    assert_eq!(common::all_files(&p.path("snapshots")), [p.path(SNAP)]);
    assert_eq!(p.read(SNAP), before);
    // --update-snapshots rewrites that target's snapshot, and only it.
    let out = p.conform(&["run", "--env", "sandbox", "--update-snapshots"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert!(!p.read(SNAP).contains("\"b\""), "{}", p.read(SNAP));
    assert_ne!(p.read(SNAP), before);
}

#[test]
fn a_base_url_run_keeps_its_snapshots_under_its_host_and_port() {
    let server = vendor(json!({"id": 1}));
    let p = Project::demo();
    p.write(
        "cases/demo/get.yaml",
        "endpoint: GET /base\ncases:\n  - name: base\n    expect: { snapshot: { name: base } }\n",
    );
    let out = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--update-snapshots",
    ]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let dir = format!("snapshots/demo/@127.0.0.1_{}/base.snap", server.port());
    assert_eq!(common::all_files(&p.path("snapshots")), [p.path(&dir)]);
}
