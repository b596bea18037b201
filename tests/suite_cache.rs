//! The suite cache (`target/conform/cache/`): a warm load gives the same suite as a cold one, any
//! change to an input file is loaded and checked from scratch, a corrupt cache is ignored, stray
//! warnings still show, and a suite whose loading read environment values is never stored.

mod common;

use std::path::PathBuf;

use common::{all_files, without_times, Project};
use httpmock::prelude::*;
use serde_json::json;

const CASES: &str = r#"endpoint: GET /items/{id}
cases:
  - name: reads an item
    request:
      path_params: { id: "{{ known_id }}" }
      headers: { X-Trace: "t-{{ known_id }}" }
    expect:
      status: 200
      content_type: application/json
      schema: Item.json
      headers: { x-request-id: { matches: "^abc-\\d+$" } }
      assert:
        $.id: { equals: 1 }
        $.name: { matches: "^Ac", type: string }
        $.tags: { length: 2, contains: "a", each: { type: string } }
    capture: { item_name: $.name }
  - name: reads it again by name
    request:
      path_params: { id: 1 }
      query: { name: "{{ item_name }}" }
    expect:
      status: [200, 201]
      assert:
        $[?@ == {{ item_name }}]: { equals: Acme }
"#;

fn project() -> Project {
    let p = Project::demo();
    p.write("cases/demo/items.yaml", CASES);
    p
}

fn cache_files(p: &Project) -> Vec<PathBuf> {
    let dir = p.path("target/conform/cache");
    if !dir.exists() {
        return Vec::new();
    }
    all_files(&dir)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "bin"))
        .collect()
}

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/items/1");
        then.status(200)
            .header("content-type", "application/json")
            .header("x-request-id", "abc-123")
            .json_body(json!({"id": 1, "name": "Acme", "tags": ["a", "b"]}));
    });
    server
}

#[test]
fn a_warm_run_reports_exactly_what_a_cold_run_does() {
    let p = project();
    let server = vendor();
    let run = |p: &Project| {
        let r = p.conform(&["run", "--base-url", &server.base_url()]);
        assert_eq!(r.code(), 0, "{}", r.all());
        without_times(&p.read("target/conform/report.json"))
    };
    let cold = run(&p);
    assert_eq!(cache_files(&p).len(), 1, "the first run stores the suite");
    let stored = std::fs::read(&cache_files(&p)[0]).unwrap();
    let warm = run(&p);
    assert_eq!(cold, warm);
    assert_eq!(
        std::fs::read(&cache_files(&p)[0]).unwrap(),
        stored,
        "a hit does not rewrite the cache"
    );
    let list = |p: &Project| p.conform(&["list"]).stdout();
    assert_eq!(list(&p), list(&p));
}

#[test]
fn an_error_introduced_after_caching_is_reported() {
    let p = project();
    assert_eq!(p.conform(&["validate"]).code(), 0);
    assert_eq!(cache_files(&p).len(), 1);

    // A case file changed: an undefined variable.
    p.write(
        "cases/demo/items.yaml",
        &CASES.replace("t-{{ known_id }}", "t-{{ unknwn_id }}"),
    );
    let r = p.conform(&["validate"]);
    assert_eq!(r.code(), 2, "{}", r.all());
    assert!(r.stderr().contains("unknwn_id"), "{}", r.all());
    p.write("cases/demo/items.yaml", CASES);
    assert_eq!(p.conform(&["validate"]).code(), 0);

    // A schema changed: no longer JSON.
    p.write("schemas/demo/Item.json", "{ not json");
    let r = p.conform(&["validate"]);
    assert_eq!(r.code(), 2, "{}", r.all());
    assert!(r.stderr().contains("is not valid JSON"), "{}", r.all());
    p.write("schemas/demo/Item.json", r#"{"type":"object"}"#);
    assert_eq!(p.conform(&["validate"]).code(), 0);

    // api.yaml changed: the variable the cases use is gone.
    p.write("cases/demo/api.yaml", "name: demo\n");
    let r = p.conform(&["validate"]);
    assert_eq!(r.code(), 2, "{}", r.all());
    assert!(r.stderr().contains("known_id"), "{}", r.all());
    p.write(
        "cases/demo/api.yaml",
        "name: demo\nvariables: { known_id: 1 }\n",
    );
    assert_eq!(p.conform(&["validate"]).code(), 0);

    // A new case file with a problem.
    p.write(
        "cases/demo/more.yaml",
        "endpoint: GET /x\ncases:\n  - name: a\n    expect: { status: 999 }\n",
    );
    let r = p.conform(&["validate"]);
    assert_eq!(r.code(), 2, "{}", r.all());
    assert!(r.stderr().contains("cases/demo/more.yaml"), "{}", r.all());
}

#[test]
fn a_corrupt_cache_is_ignored_and_rebuilt() {
    let p = project();
    let listed = p.conform(&["list"]).stdout();
    let [cache] = cache_files(&p).try_into().unwrap();
    let good = std::fs::read(&cache).unwrap();
    for bad in [
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&cache, &bad).unwrap();
        let r = p.conform(&["list"]);
        assert_eq!(r.code(), 0, "{}", r.all());
        assert_eq!(r.stdout(), listed);
        assert_eq!(std::fs::read(&cache).unwrap(), good, "rewritten");
    }
}

#[test]
fn stray_file_warnings_still_show_on_a_warm_run() {
    let p = project();
    p.write("cases/notes.yaml", "endpoint: GET /x\n");
    for _ in 0..2 {
        let r = p.conform(&["validate"]);
        assert_eq!(r.code(), 0, "{}", r.all());
        assert!(r.stderr().contains("cases/notes.yaml"), "{}", r.all());
    }
    assert_eq!(p.conform(&["validate", "--strict"]).code(), 2);
}

#[test]
fn a_suite_whose_loading_reads_secrets_is_not_stored() {
    const SECRET: &str = "s3cr3t-t0ken-value";
    const HOST: &str = "tenant-4711";
    let p = Project::with_api(
        "name: demo\nenv: [TOKEN, TENANT]\nenvironments:\n  prod:\n    base_url: \"https://{{ env.TENANT }}.example.com\"\n    auth: { bearer: \"{{ env.TOKEN }}\" }\n",
    );
    p.write(
        "cases/demo/items.yaml",
        "endpoint: GET /items\ncases:\n  - name: lists\n    expect: { status: 200 }\n",
    );
    let env = [("TOKEN", SECRET), ("TENANT", HOST)];
    let r = p.conform_env(&["validate", "--env", "prod"], &env);
    assert_eq!(r.code(), 0, "{}", r.all());
    assert!(cache_files(&p).is_empty(), "{:?}", cache_files(&p));
    // Without an environment nothing is read from it: that suite may be stored, without secrets.
    assert_eq!(p.conform_env(&["validate"], &env).code(), 0);
    assert_eq!(cache_files(&p).len(), 1);
    common::assert_no_secret_written(&p, &[], &[SECRET, HOST]);
    // A variable unset since is still an error: the cache is keyed by the environment chosen.
    let r = p.conform_env(&["validate", "--env", "prod"], &[("TENANT", HOST)]);
    assert_eq!(r.code(), 2, "{}", r.all());
    assert!(r.stderr().contains("TOKEN"), "{}", r.all());
}

#[test]
fn a_warm_suite_keeps_the_apis_format_policy() {
    // The schemas are recompiled when a cached suite is decoded: with the API's `formats:`, or a
    // warm run would refuse the local date-times a cold run accepts.
    let p = Project::with_api(
        "name: demo\nheaders: { Accept: application/json }\n\
         formats: { date-time: [date-time, local-date-time] }\n",
    );
    p.write(
        "schemas/demo/Stamp.json",
        r#"{"type":"object","required":["at"],"properties":{"at":{"type":"string","format":"date-time"}}}"#,
    );
    p.write(
        "cases/demo/stamp.yaml",
        "endpoint: GET /stamp\ncases:\n  - name: reads a local time\n    expect: { status: 200, schema: Stamp.json }\n",
    );
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/stamp");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"at": "2024-04-01T09:00:00"}));
    });
    for run in ["cold", "warm"] {
        let r = p.conform(&["run", "--base-url", &server.base_url()]);
        assert_eq!(r.code(), 0, "{run} run: {}", r.all());
        assert_eq!(cache_files(&p).len(), 1, "{run} run: one cached suite");
    }
    // And the policy is what makes it pass: without it the same value fails.
    p.write(
        "cases/demo/api.yaml",
        "name: demo\nheaders: { Accept: application/json }\n",
    );
    let r = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(r.code(), 1, "{}", r.all());
}
