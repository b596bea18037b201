//! `--var NAME=VALUE`: over api.yaml's `variables:` and over the selected environment's, with the
//! declared type kept; undeclared names and ill-typed values refused before anything is sent
//! (their messages are golden files: tests/errors/usage_var_*).

mod common;

use common::Project;
use httpmock::prelude::*;
use serde_json::json;

#[test]
fn precedence_is_var_then_environment_then_api_yaml() {
    let server = MockServer::start();
    let items: Vec<_> = (1..=3)
        .map(|id| {
            server.mock(|when, then| {
                when.method(GET).path(format!("/items/{id}"));
                then.status(200).json_body(json!({ "id": id }));
            })
        })
        .collect();
    let p = Project::with_api(&format!(
        "name: demo\nvariables: {{ known_id: 1 }}\nenvironments:\n  sandbox:\n    base_url: {}\n    variables: {{ known_id: 3 }}\n",
        server.base_url()
    ));
    // `equals` fails unless the variable is still a number: the declared type is kept.
    p.write(
        "cases/demo/item.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: the known item\n    request: { path_params: { id: \"{{ known_id }}\" } }\n    expect: { assert: { $.id: { equals: \"{{ known_id }}\" } } }\n",
    );
    let base = server.base_url();
    let runs: [(&[&str], [usize; 3]); 4] = [
        (&["run", "--base-url", &base], [1, 0, 0]),
        (&["run", "--env", "sandbox"], [1, 0, 1]),
        (
            &["run", "--env", "sandbox", "--var", "known_id=2"],
            [1, 1, 1],
        ),
        (
            &["run", "--base-url", &base, "--var", "known_id=2"],
            [1, 2, 1],
        ),
    ];
    for (args, calls) in runs {
        let out = p.conform(args);
        assert_eq!(out.code(), 0, "{args:?}: {}", out.all());
        let seen: Vec<usize> = items.iter().map(|m| m.calls()).collect();
        assert_eq!(seen, calls, "{args:?}");
    }
}

#[test]
fn a_string_variable_takes_the_text_as_given() {
    let server = MockServer::start();
    let m = server.mock(|when, then| {
        when.method(GET).path("/sites/-99");
        then.status(200).json_body(json!({ "siteId": "-99" }));
    });
    let p = Project::with_api("name: demo\nvariables: { site_id: \"100\" }\n");
    p.write(
        "cases/demo/site.yaml",
        "endpoint: GET /sites/{id}\ncases:\n  - name: the site\n    request: { path_params: { id: \"{{ site_id }}\" } }\n    expect: { assert: { $.siteId: { equals: \"{{ site_id }}\" } } }\n",
    );
    let out = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--var",
        "site_id=-99",
    ]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(m.calls(), 1);
}

#[test]
fn validate_checks_the_overrides_too() {
    let p = Project::demo();
    p.write(
        "cases/demo/list.yaml",
        "endpoint: GET /items\ncases:\n  - name: list\n",
    );
    assert_eq!(p.conform(&["validate", "--var", "known_id=5"]).code(), 0);
    let out = p.conform(&["validate", "--var", "known_id=five"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr()
            .contains("`known_id` is a number in cases/demo/api.yaml"),
        "{}",
        out.all()
    );
}
