//! Failures say whose fault they are: `refused` (a 4xx where a 2xx was expected, the server's
//! message first), `contract` (status, content type, schema, headers), `data` (values); and when
//! the status differs, the body checks are reported as not evaluated in one line.

mod common;

use common::Project;
use httpmock::prelude::*;
use serde_json::{json, Value};

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/items/1");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"id": 1, "name": "Acme"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/items/2");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"id": "2", "name": "Acme"}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/items/3");
        then.status(400)
            .header("content-type", "application/json")
            .json_body(
                json!({"Error": {"Message": "Missing SiteId header", "Code": "MissingSiteId"}}),
            );
    });
    server.mock(|when, then| {
        when.method(GET).path("/items/4");
        then.status(500)
            .header("content-type", "text/plain")
            .body("upstream failed\nmore detail");
    });
    server
}

const CASES: &str = r#"endpoint: GET /items/{id}
cases:
  - name: wrong value
    request: { path_params: { id: 1 } }
    expect: { status: 200, schema: Item.json, assert: { $.name: { equals: Other } } }
  - name: wrong shape
    request: { path_params: { id: 2 } }
    expect: { status: 200, schema: Item.json, assert: { $.name: { equals: Acme } } }
  - name: refused
    request: { path_params: { id: 3 } }
    expect:
      status: 200
      content_type: application/json
      schema: Item.json
      assert: { $.id: { equals: 3 }, $.name: { exists: true } }
    capture: { name: $.name }
  - name: server error
    request: { path_params: { id: 4 } }
    expect: { status: 200, schema: Item.json }
"#;

fn run_classes() -> (common::Run, Value) {
    let server = vendor();
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", CASES);
    let out = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--report-dir",
        "out",
    ]);
    let report = serde_json::from_str(&p.read("out/report.json")).unwrap();
    (out, report)
}

fn outcome<'a>(report: &'a Value, case: &str) -> &'a Value {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| common::case_of(o) == case)
        .unwrap_or_else(|| panic!("no outcome {case}"))
}

#[test]
fn each_failure_has_a_class_and_the_summary_counts_them() {
    let (out, report) = run_classes();
    assert_eq!(out.code(), 1, "{}", out.all());
    assert_eq!(outcome(&report, "wrong value")["class"], "data");
    assert_eq!(outcome(&report, "wrong shape")["class"], "contract");
    assert_eq!(outcome(&report, "refused")["class"], "refused");
    // A 5xx where a 2xx was expected is the server breaking the contract, not a refusal.
    assert_eq!(outcome(&report, "server error")["class"], "contract");
    let summary = &report["summary"];
    assert_eq!(
        (
            &summary["failed"],
            &summary["refused"],
            &summary["contract"],
            &summary["data"]
        ),
        (&json!(4), &json!(1), &json!(2), &json!(1))
    );
    assert_eq!(report["apis"]["demo"]["refused"], 1);
    assert!(
        out.stdout()
            .contains("FAILED: 0 passed, 4 failed (refused 1, contract 2, data 1), 0 skipped"),
        "{}",
        out.stdout()
    );
    assert!(
        out.stdout()
            .contains("--- demo/get_item::refused [refused]"),
        "{}",
        out.stdout()
    );
}

#[test]
fn a_wrong_status_collapses_the_body_checks_into_one_line() {
    let (out, report) = run_classes();
    let refused = outcome(&report, "refused");
    let checks = refused["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "only the status check runs: {checks:?}");
    assert_eq!(checks[0]["kind"], "status");
    assert_eq!(
        checks[0]["message"],
        "expected status 200, got 400; the server said: Missing SiteId header"
    );
    assert_eq!(
        refused["not_evaluated"],
        json!(["content type", "schema", "2 assertions", "1 capture"])
    );
    assert!(
        out.stdout().contains(
            "not evaluated (the status differs): content type, schema, 2 assertions, 1 capture"
        ),
        "{}",
        out.stdout()
    );
    // A text body: its first line is the server's message.
    let server_error = outcome(&report, "server error");
    assert_eq!(
        server_error["checks"][0]["message"],
        "expected status 200, got 500; the server said: upstream failed"
    );
    // When the status is right, every check runs as before.
    assert!(outcome(&report, "wrong value")["not_evaluated"].is_null());
    let kinds: Vec<&str> = outcome(&report, "wrong shape")["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["status", "content_type", "schema", "assert"]);
}

#[test]
fn junit_failures_carry_the_class_as_their_type() {
    let server = vendor();
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", CASES);
    p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--report-dir",
        "out",
    ]);
    let junit = quick_junit::Report::deserialize_from_str(&p.read("out/junit.xml")).unwrap();
    let mut types: Vec<String> = junit.test_suites[0]
        .test_cases
        .iter()
        .filter_map(|c| match &c.status {
            quick_junit::TestCaseStatus::NonSuccess { ty, .. } => {
                ty.as_ref().map(|t| t.to_string())
            }
            _ => None,
        })
        .collect();
    types.sort();
    assert_eq!(types, ["contract", "contract", "data", "refused"]);
}
