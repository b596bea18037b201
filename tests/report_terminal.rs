//! The terminal report of a real run against a server on 127.0.0.1: every failure block ends with
//! a curl command whose credentials are `$VARIABLE` references, `-v` prints each exchange's lines
//! and headers (scrubbed), `-vv` their bodies too.

mod common;

use common::Project;
use httpmock::prelude::*;
use serde_json::json;

const SECRET: &str = "tok-very-secret-123";

/// A project whose `live` environment sends a bearer token from `DEMO_TOKEN`, one passing case
/// and one failing case.
fn project(base_url: &str) -> Project {
    let p = Project::with_api(&format!(
        "name: demo\nenv: [DEMO_TOKEN]\nenvironments:\n  live:\n    base_url: {base_url}\n    auth:\n      bearer: \"{{{{ env.DEMO_TOKEN }}}}\"\n"
    ));
    p.write(
        "cases/demo/items.yaml",
        "endpoint: POST /items\ncases:\n  - name: created\n    request: { json: { name: \"it's\" } }\n    expect: { status: 201 }\n  - name: wrong status\n    request: { json: { name: b } }\n    expect: { status: 200 }\n",
    );
    p
}

fn server() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/items");
        then.status(201)
            .header("content-type", "application/json")
            .header("x-request-id", "req-42")
            .json_body(json!({"id": 7}));
    });
    server
}

#[test]
fn a_failure_ends_with_a_curl_command_that_names_the_variable_not_the_secret() {
    let server = server();
    let p = project(&server.base_url());
    let out = p.conform_env(&["run", "--env", "live"], &[("DEMO_TOKEN", SECRET)]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let stdout = out.stdout();
    let block = stdout
        .split("--- demo/items::wrong status")
        .nth(1)
        .unwrap_or_else(|| panic!("no failure block:\n{stdout}"));
    let curl = block
        .split("reproduce:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no curl command:\n{block}"));
    let words = shlex::split(
        &curl
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.trim().trim_end_matches('\\'))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .unwrap_or_else(|| panic!("not shell words:\n{curl}"));
    assert_eq!(&words[..3], ["curl", "-X", "POST"], "{curl}");
    assert_eq!(words[3], format!("{}/items", server.base_url()), "{curl}");
    assert!(
        words
            .iter()
            .any(|w| w == "Authorization: Bearer $DEMO_TOKEN"),
        "{curl}"
    );
    assert!(!stdout.contains(SECRET), "{stdout}");
    common::assert_no_secret_written(&p, &[&out], &[SECRET]);
}

#[test]
fn verbose_prints_every_exchange_and_very_verbose_the_bodies() {
    let server = server();
    let p = project(&server.base_url());
    let env = [("DEMO_TOKEN", SECRET)];
    let quiet = p.conform_env(&["run", "--env", "live", "--filter", "created"], &env);
    assert_eq!(quiet.code(), 0, "{}", quiet.all());
    assert!(
        !quiet.stdout().contains("< x-request-id"),
        "{}",
        quiet.stdout()
    );

    let v = p.conform_env(&["run", "--env", "live", "--filter", "created", "-v"], &env);
    assert_eq!(v.code(), 0, "{}", v.all());
    let text = v.stdout();
    assert!(
        text.contains(&format!("  > POST {}/items\n", server.base_url())),
        "{text}"
    );
    assert!(
        text.contains("  > authorization: <scrubbed:authorization>\n")
            || text.contains("  > Authorization: <scrubbed:authorization>\n"),
        "{text}"
    );
    assert!(text.contains("  < 201 ("), "{text}");
    assert!(text.contains("  < x-request-id: req-42\n"), "{text}");
    assert!(!text.contains("\"id\": 7"), "-v prints no bodies:\n{text}");

    let vv = p.conform_env(
        &["run", "--env", "live", "--filter", "created", "-vv"],
        &env,
    );
    assert_eq!(vv.code(), 0, "{}", vv.all());
    let text = vv.stdout();
    assert!(text.contains("  <   \"id\": 7\n"), "{text}");
    assert!(text.contains("  >   \"name\": \"it's\"\n"), "{text}");
    common::assert_no_secret_written(&p, &[&quiet, &v, &vv], &[SECRET]);
}
