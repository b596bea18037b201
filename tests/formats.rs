//! JSON Schema `format` is asserted, and an API's `formats:` policy accepts the forms that vendor
//! sends, for that API only: the real binary against a local server.

mod common;

use common::Project;
use httpmock::prelude::*;
use serde_json::json;

const SCHEMA: &str = r#"{"type":"object","required":["at"],"properties":{"at":{"type":"string","format":"date-time"}}}"#;

/// A server answering `GET /event` with `{"at": at}`.
fn vendor(at: &str) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/event");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({ "at": at }));
    });
    server
}

/// Two APIs with the same schema and case: `local` declares the local date-time form, `strict`
/// declares nothing.
fn project() -> Project {
    let p = Project::with_api("name: demo\n");
    std::fs::remove_dir_all(p.path("cases/demo")).unwrap();
    p.write(
        "cases/local/api.yaml",
        "name: local\nformats:\n  date-time: [date-time, local-date-time]\n",
    );
    p.write("cases/strict/api.yaml", "name: strict\n");
    for api in ["local", "strict"] {
        p.write(&format!("schemas/{api}/Event.json"), SCHEMA);
        p.write(
            &format!("cases/{api}/event.yaml"),
            "endpoint: GET /event\ncases:\n  - name: reads the event\n    expect: { status: 200, schema: Event.json }\n",
        );
    }
    p
}

fn run(p: &Project, api: &str, server: &MockServer) -> common::Run {
    p.conform(&["run", "--api", api, "--base-url", &server.base_url()])
}

#[test]
fn a_word_fails_date_time_with_or_without_a_policy() {
    let server = vendor("yesterday");
    let p = project();
    for api in ["local", "strict"] {
        let out = run(&p, api, &server);
        assert_eq!(out.code(), 1, "{api}: {}", out.all());
        assert!(
            out.stdout().contains(r#""yesterday" is not a "date-time""#),
            "{api}: {}",
            out.all()
        );
    }
}

#[test]
fn the_local_form_passes_only_for_the_api_that_declares_it() {
    let server = vendor("2024-04-01T09:00:00");
    let p = project();
    let local = run(&p, "local", &server);
    assert_eq!(local.code(), 0, "{}", local.all());
    let strict = run(&p, "strict", &server);
    assert_eq!(strict.code(), 1, "{}", strict.all());
    assert!(
        strict
            .stdout()
            .contains(r#""2024-04-01T09:00:00" is not a "date-time""#),
        "{}",
        strict.all()
    );
}

#[test]
fn the_standard_form_passes_both_and_an_impossible_date_neither() {
    let server = vendor("2024-04-01T09:00:00+02:00");
    let p = project();
    for api in ["local", "strict"] {
        assert_eq!(run(&p, api, &server).code(), 0, "{api}");
    }
    let server = vendor("2024-02-30T09:00:00");
    for api in ["local", "strict"] {
        assert_eq!(run(&p, api, &server).code(), 1, "{api}");
    }
}
