//! api.yaml `setup:`: fixtures are discovered when the environment does not pin them, and what
//! setup created is cleaned up after the API's cases; a pinned fixture is never removed. The real
//! binary against a local server.

mod common;

use common::Project;
use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::json;

const API: &str = r#"name: demo
variables: { item_id: 0, scratch_id: 0 }
setup:
  - name: find an item
    endpoint: GET /items
    expect: { status: 200 }
    capture: { item_id: "$[0].id" }
  - name: create a scratch item
    endpoint: POST /items
    request: { json: { name: scratch } }
    expect: { status: 201 }
    capture: { scratch_id: $.id }
  - name: remove the scratch item
    endpoint: DELETE /items/{id}
    cleanup: true
    request: { path_params: { id: "{{ scratch_id }}" } }
    expect: { status: 204 }
"#;

const CASES: &str = r#"endpoint: GET /items/{id}
cases:
  - name: reads the item
    request: { path_params: { id: "{{ item_id }}" } }
    expect: { status: 200, assert: { $.id: { equals: "{{ item_id }}" } } }
"#;

struct Vendor<'a> {
    list: Mock<'a>,
    create: Mock<'a>,
    delete: Mock<'a>,
    read_found: Mock<'a>,
    read_pinned: Mock<'a>,
}

fn vendor(server: &MockServer) -> Vendor<'_> {
    let json = |then: httpmock::Then, status: u16, body: serde_json::Value| {
        then.status(status)
            .header("content-type", "application/json")
            .json_body(body);
    };
    Vendor {
        list: server.mock(|w, t| {
            w.method(GET).path("/items");
            json(t, 200, json!([{ "id": 7 }, { "id": 8 }]));
        }),
        create: server.mock(|w, t| {
            w.method(POST).path("/items");
            json(t, 201, json!({ "id": 42 }));
        }),
        delete: server.mock(|w, t| {
            w.method(DELETE).path("/items/42");
            t.status(204);
        }),
        read_found: server.mock(|w, t| {
            w.method(GET).path("/items/7");
            json(t, 200, json!({ "id": 7 }));
        }),
        read_pinned: server.mock(|w, t| {
            w.method(GET).path("/items/3");
            json(t, 200, json!({ "id": 3 }));
        }),
    }
}

fn project() -> Project {
    let p = Project::with_api(API);
    p.write("cases/demo/items.yaml", CASES);
    p
}

#[test]
fn an_unpinned_fixture_is_discovered_and_what_setup_created_is_removed() {
    let server = MockServer::start();
    let v = vendor(&server);
    let out = project().conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 0, "{}", out.all());
    v.list.assert_calls(1);
    v.read_found.assert_calls(1);
    v.read_pinned.assert_calls(0);
    v.create.assert_calls(1);
    v.delete.assert_calls(1);
    assert!(
        out.stdout().contains("PASS demo/setup::find an item"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout()
            .contains("PASS demo/setup::remove the scratch item"),
        "{}",
        out.all()
    );
}

#[test]
fn a_pinned_fixture_is_not_discovered() {
    let server = MockServer::start();
    let v = vendor(&server);
    let out = project().conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--var",
        "item_id=3",
    ]);
    assert_eq!(out.code(), 0, "{}", out.all());
    v.list.assert_calls(0);
    v.read_pinned.assert_calls(1);
    v.read_found.assert_calls(0);
    assert!(
        out.stdout()
            .contains("not needed: `item_id` is set by the environment or --var"),
        "{}",
        out.all()
    );
    // The scratch item was still created by this run, so it is still removed.
    v.create.assert_calls(1);
    v.delete.assert_calls(1);
}

#[test]
fn a_pinned_fixture_is_never_cleaned_up() {
    let server = MockServer::start();
    let v = vendor(&server);
    let args = [
        "run",
        "--base-url",
        &server.base_url(),
        "--var",
        "scratch_id=42",
    ];
    let out = project().conform(&args);
    assert_eq!(out.code(), 0, "{}", out.all());
    v.create.assert_calls(0);
    v.delete.assert_calls(0);
    assert!(
        out.stdout()
            .contains("nothing to clean up: this run did not capture `scratch_id`"),
        "{}",
        out.all()
    );
}

#[test]
fn a_failed_discovery_is_reported_and_skips_the_later_steps() {
    let server = MockServer::start();
    server.mock(|w, t| {
        w.method(GET).path("/items");
        t.status(500);
    });
    let create = server.mock(|w, t| {
        w.method(POST).path("/items");
        t.status(201);
    });
    let out = project().conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 1, "{}", out.all());
    assert!(
        out.stdout().contains("FAIL demo/setup::find an item"),
        "{}",
        out.all()
    );
    assert!(
        out.stdout()
            .contains("step `find an item` failed earlier in this setup"),
        "{}",
        out.all()
    );
    create.assert_calls(0);
}
