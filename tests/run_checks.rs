//! Each check passing and failing, the reports, the exit codes and server faults, end to end: the
//! real binary against an httpmock "vendor" on 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::Project;
use httpmock::prelude::*;
use rstest::rstest;
use serde_json::json;

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/items/1");
        then.status(200)
            .header("content-type", "application/json; charset=utf-8")
            .header("x-request-id", "abc-123")
            .json_body(json!({"id": 1, "name": "Acme", "tags": ["a", "b"]}));
    });
    server.mock(|when, then| {
        when.method(GET).path("/items/2");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"id": "2", "tags": ["a"]}));
    });
    server
}

/// One case against `GET /items/{id}` with this `expect:` block (YAML flow map).
fn case_with(id: u32, expect: &str) -> String {
    format!("endpoint: GET /items/{{id}}\ncases:\n  - name: the case\n    request: {{ path_params: {{ id: {id} }} }}\n    expect: {expect}\n")
}

#[rstest]
#[case::status_exact("{ status: 200 }", 0, "")]
#[case::status_exact_fails("{ status: 201 }", 1, "expected status 201, got 200")]
#[case::status_list("{ status: [201, 200] }", 0, "")]
#[case::status_class_fails("{ status: 4xx }", 1, "expected status 4xx, got 200")]
#[case::header_equals("{ headers: { X-Request-Id: abc-123 } }", 0, "")]
#[case::header_equals_fails(
    "{ headers: { X-Request-Id: xyz } }",
    1,
    "header x-request-id: expected `xyz`, got `abc-123`"
)]
#[case::header_matches("{ headers: { x-request-id: { matches: \"^abc-\\\\d+$\" } } }", 0, "")]
#[case::header_matches_fails(
    "{ headers: { x-request-id: { matches: \"^z\" } } }",
    1,
    "does not match /^z/"
)]
#[case::header_absent_fails("{ headers: { x-request-id: { absent: true } } }", 1, "to be absent")]
#[case::content_type("{ content_type: application/json }", 0, "")]
#[case::content_type_fails(
    "{ content_type: text/html }",
    1,
    "expected content type text/html, got application/json"
)]
#[case::schema("{ schema: Item.json }", 0, "")]
#[case::equals("{ assert: { $.name: { equals: Acme } } }", 0, "")]
#[case::equals_fails(
    "{ assert: { $.name: { equals: Other } } }",
    1,
    "$.name: expected \"Other\", got \"Acme\""
)]
#[case::exists_fails(
    "{ assert: { $.missing: { exists: true } } }",
    1,
    "expected the path to exist"
)]
#[case::absent("{ assert: { $.missing: { exists: false } } }", 0, "")]
#[case::type_fails(
    "{ assert: { $.id: { type: string } } }",
    1,
    "expected type string, got integer 1"
)]
#[case::matches_fails(
    "{ assert: { $.name: { matches: \"^B\" } } }",
    1,
    "`Acme` does not match /^B/"
)]
#[case::length("{ assert: { $.tags: { length: 2 } } }", 0, "")]
#[case::length_fails("{ assert: { $.tags: { length: 3 } } }", 1, "expected length 3, got 2")]
#[case::contains("{ assert: { $.tags: { contains: b } } }", 0, "")]
#[case::contains_fails("{ assert: { $.tags: { contains: z } } }", 1, "to contain \"z\"")]
fn checks_pass_and_fail(#[case] expect: &str, #[case] code: i32, #[case] message: &str) {
    let server = vendor();
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", &case_with(1, expect));
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), code, "{}", out.all());
    assert!(
        out.stdout().contains(message),
        "expected {message:?} in:\n{}",
        out.all()
    );
}

#[test]
fn a_case_with_a_schema_requires_a_json_content_type() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/items/3");
        then.status(200)
            .header("content-type", "text/html")
            .body(r#"{"id": 3, "name": "Acme"}"#);
    });
    server.mock(|when, then| {
        when.method(GET).path("/items/4");
        then.status(200)
            .header("content-type", "application/problem+json")
            .body(r#"{"id": 4, "name": "Acme"}"#);
    });
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(3, "{ schema: Item.json }"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert!(
        out.stdout()
            .contains("expected a JSON content type for a case with a schema, got text/html"),
        "{}",
        out.all()
    );
    // The +json family passes, and an explicit content_type replaces the check.
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(4, "{ schema: Item.json }"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 0, "{}", out.all());
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(3, "{ schema: Item.json, content_type: text/html }"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 0, "{}", out.all());
}

#[test]
fn a_wrong_schema_fails_and_names_the_field() {
    let server = vendor();
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(2, "{ schema: Item.json }"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let text = out.stdout();
    assert!(
        text.contains("at /id: \"2\" is not of type \"integer\" (keyword `type`"),
        "{text}"
    );
    assert!(
        text.contains("at /: \"name\" is a required property (keyword `required`"),
        "{text}"
    );
}

#[test]
fn captures_feed_later_cases_and_a_failed_capture_is_named() {
    let server = vendor();
    server.mock(|when, then| {
        when.method(GET)
            .path("/items/by-name")
            .query_param("name", "Acme");
        then.status(200).json_body(json!({"id": 1, "name": "Acme"}));
    });
    let p = Project::demo();
    p.write(
        "cases/demo/flow.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: first\n    request: { path_params: { id: 1 } }\n    capture: { the_name: $.name, nothing: $.nope }\n  - name: second\n    request: { path_params: { id: by-name }, query: { name: \"{{ the_name }}\" } }\n    expect: { assert: { $.id: { equals: 1 } } }\n  - name: third\n    request: { path_params: { id: \"{{ nothing }}\" } }\n",
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let text = out.stdout();
    assert!(
        text.contains("capture `nothing`: $.nope selects nothing in the response"),
        "{text}"
    );
    assert!(text.contains("PASS demo/flow::second"), "{text}");
    assert!(text.contains("variable `nothing` has no value"), "{text}");
}

#[test]
fn query_arrays_are_written_in_each_style() {
    let server = MockServer::start();
    let repeat = server.mock(|when, then| {
        when.path("/r")
            .query_param("request.clientIds", "1")
            .query_param("request.clientIds", "2");
        then.status(200);
    });
    let brackets = server.mock(|when, then| {
        when.path("/b")
            .query_param("ids[]", "1")
            .query_param("ids[]", "2");
        then.status(200);
    });
    let comma = server.mock(|when, then| {
        when.path("/c").query_param("ids", "1,2");
        then.status(200);
    });
    let p = Project::demo();
    p.write("cases/demo/r.yaml", "endpoint: GET /r\ncases:\n  - name: repeat\n    request: { query: { request.clientIds: [1, 2] } }\n");
    p.write("cases/demo/b.yaml", "endpoint: GET /b\ncases:\n  - name: brackets\n    request: { query: { ids: [1, 2] }, query_style: brackets }\n");
    p.write("cases/demo/c.yaml", "endpoint: GET /c\ncases:\n  - name: comma\n    request: { query: { ids: [1, 2] }, query_style: comma }\n");
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!((repeat.calls(), brackets.calls(), comma.calls()), (1, 1, 1));
}

#[test]
fn bodies_are_sent_as_json_form_and_raw() {
    let server = MockServer::start();
    let json_mock = server.mock(|when, then| {
        when.method(POST)
            .path("/j")
            .header("content-type", "application/json")
            .json_body(json!({"name": "Acme", "id": 1}));
        then.status(200);
    });
    let form_mock = server.mock(|when, then| {
        when.method(POST)
            .path("/f")
            .header("content-type", "application/x-www-form-urlencoded")
            .form_urlencoded_tuple("name", "A B");
        then.status(200);
    });
    let raw_mock = server.mock(|when, then| {
        when.method(PUT)
            .path("/r")
            .header("content-type", "text/plain")
            .body("hello 1");
        then.status(200);
    });
    let p = Project::demo();
    p.write("cases/demo/j.yaml", "endpoint: POST /j\ncases:\n  - name: json\n    request: { json: { name: Acme, id: \"{{ known_id }}\" } }\n");
    p.write(
        "cases/demo/f.yaml",
        "endpoint: POST /f\ncases:\n  - name: form\n    request: { form: { name: A B } }\n",
    );
    p.write("cases/demo/r.yaml", "endpoint: PUT /r\ncases:\n  - name: raw\n    request: { raw: \"hello {{ known_id }}\", content_type: text/plain }\n");
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(
        (json_mock.calls(), form_mock.calls(), raw_mock.calls()),
        (1, 1, 1)
    );
}

#[test]
fn reports_are_written_and_parse_back() {
    let server = vendor();
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: ok one\n    request: { path_params: { id: 1 } }\n  - name: ok two\n    request: { path_params: { id: 1 } }\n    expect: { schema: Item.json }\n  - name: broken\n    request: { path_params: { id: 2 } }\n    expect: { schema: Item.json }\n  - name: later\n    skip: waiting for the vendor\n    request: { path_params: { id: 3 } }\n",
    );
    let out = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--report-dir",
        "out",
    ]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let junit = quick_junit::Report::deserialize_from_str(&p.read("out/junit.xml")).unwrap();
    assert_eq!((junit.tests, junit.failures, junit.errors), (4, 1, 0));
    let suite = &junit.test_suites[0];
    assert_eq!(suite.name.as_str(), "cases/demo/get_item.yaml");
    assert_eq!(suite.test_cases.len(), 4);
    // Unique names (the whole case id), and the case's file and line as attributes.
    let broken_case = suite
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "demo/get_item::broken")
        .unwrap_or_else(|| panic!("{:?}", suite.test_cases));
    assert_eq!(
        broken_case.extra.get("file").map(|v| v.as_str()),
        Some("cases/demo/get_item.yaml")
    );
    assert_eq!(broken_case.extra.get("line").map(|v| v.as_str()), Some("8"));
    let mut names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 4);
    let report: serde_json::Value = serde_json::from_str(&p.read("out/report.json")).unwrap();
    assert_eq!(report["summary"]["passed"], 2);
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["skipped"], 1);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 4);
    let broken = outcomes
        .iter()
        .find(|o| common::case_of(o) == "broken")
        .unwrap();
    assert!(broken["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "schema" && c["subject"] == "/id"));
    assert!(broken["response"]["body"]
        .as_str()
        .unwrap()
        .contains("\"id\": \"2\""));
    let later = outcomes
        .iter()
        .find(|o| common::case_of(o) == "later")
        .unwrap();
    assert_eq!(later["skip_reason"], "waiting for the vendor");
    assert!(
        out.stdout()
            .contains("FAILED: 2 passed, 1 failed (contract 1), 1 skipped"),
        "{}",
        out.stdout()
    );
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::demo();
    p.write(
        "cases/demo/x.yaml",
        "endpoint: GET /x\ncases:\n  - name: a\n",
    );
    assert_eq!(
        p.conform(&["run", "--api", "dmeo", "--base-url", "http://127.0.0.1:9"])
            .code(),
        2
    );
    let out = p.conform(&["run", "--api", "dmeo", "--base-url", "http://127.0.0.1:9"]);
    assert!(
        out.stderr()
            .contains("unknown API `dmeo`: there is no folder cases/dmeo"),
        "{}",
        out.stderr()
    );
    assert!(
        out.stderr().contains("did you mean `demo`?"),
        "{}",
        out.stderr()
    );
    assert_eq!(p.conform(&["run", "--base-url", "ftp://x"]).code(), 2);
    assert_eq!(
        p.conform(&["run", "--timeout", "0", "--base-url", "http://127.0.0.1:9"])
            .code(),
        2
    );
    assert_eq!(p.conform(&["frobnicate"]).code(), 2);
}

/// A server that answers each connection with `reply` (raw bytes) and then closes.
fn raw_server(reply: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(reply);
            let _ = stream.flush();
        }
    });
    format!("http://{addr}")
}

#[rstest]
#[case::non_json(
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n<html>hi!",
    "expected a JSON body: the body is not JSON",
    1
)]
#[case::invalid_utf8(
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4\r\n\r\n\"\xff\xfe\"",
    "the body is not valid UTF-8 (invalid byte at offset 1); first bytes: \"\\\"\\xff\\xfe\\\"\"",
    1
)]
#[case::server_error(
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n",
    "expected status 2xx, got 500",
    1
)]
#[case::reset_mid_body(
    b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\":",
    "failed reading the response body",
    3
)]
#[case::garbage(b"NOT HTTP AT ALL\r\n\r\n", "request failed", 3)]
/// A body that breaks the contract fails the case (exit 1); a response that cannot be read at all
/// leaves the contract unchecked (exit 3).
fn server_faults_fail_or_leave_unchecked(
    #[case] reply: &'static [u8],
    #[case] message: &str,
    #[case] code: i32,
) {
    let base = raw_server(reply);
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(1, "{ schema: Item.json }"),
    );
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "5"]);
    assert_eq!(out.code(), code, "{}", out.all());
    assert!(
        out.stdout().contains(message),
        "expected {message:?} in:\n{}",
        out.all()
    );
    assert!(
        p.path("target/conform/junit.xml").exists()
            && p.path("target/conform/report.json").exists()
    );
}

#[test]
fn refused_connection_leaves_the_case_unchecked_exit_3() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", &case_with(1, "{ status: 200 }"));
    let out = p.conform(&["run", "--base-url", &format!("http://127.0.0.1:{port}")]);
    assert_eq!(out.code(), 3, "{}", out.all());
    assert!(
        out.stdout().contains("error: connection failed"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout()
            .contains("NOT CHECKED: 0 passed, 0 failed, 0 skipped, 1 could not be checked"),
        "{}",
        out.all()
    );
    let report: serde_json::Value =
        serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["outcomes"][0]["status"], "error");
}

#[test]
fn a_slow_server_times_out_unchecked() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/items/1");
        then.status(200).delay(Duration::from_secs(5));
    });
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", &case_with(1, "{ status: 200 }"));
    let out = p.conform(&["run", "--base-url", &server.base_url(), "--timeout", "0.3"]);
    assert_eq!(out.code(), 3, "{}", out.all());
    assert!(out.stdout().contains("error: timed out"), "{}", out.all());
}

#[test]
fn a_time_budget_fails_a_slow_response() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/items/1");
        then.status(200).delay(Duration::from_millis(400));
    });
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        &case_with(1, "{ max_duration: 50ms }"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert!(
        out.stdout().contains("over the budget of 50ms"),
        "{}",
        out.all()
    );
}

#[test]
fn filters_and_tags_select_cases() {
    let server = vendor();
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: smoke one\n    tags: [smoke]\n    request: { path_params: { id: 1 } }\n  - name: deep two\n    request: { path_params: { id: 1 } }\n",
    );
    let out = p.conform(&["run", "--base-url", &server.base_url(), "--tag", "smoke"]);
    assert!(
        out.stdout().contains("1 passed, 0 failed, 0 skipped"),
        "{}",
        out.all()
    );
    let out = p.conform(&["run", "--base-url", &server.base_url(), "--filter", "DEEP"]);
    assert!(
        out.stdout().contains("PASS demo/get_item::deep two") && out.stdout().contains("1 passed"),
        "{}",
        out.all()
    );
}

#[test]
fn list_shows_endpoints_and_cases() {
    let p = Project::demo();
    p.write("cases/demo/get_item.yaml", &case_with(1, "{ status: 200 }"));
    let out = p.conform(&["list"]);
    assert_eq!(out.code(), 0);
    assert!(
        out.stdout().contains(
            "demo\n  GET     /items/{id}  (cases/demo/get_item.yaml)\n            - the case\n"
        ),
        "{}",
        out.stdout()
    );
}
