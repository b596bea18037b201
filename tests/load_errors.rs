//! Malformed case files: every one is refused with exit code 2, the right `file:line:col`, a message
//! that says what was expected, and nothing sent.

mod common;

use common::Project;
use rstest::rstest;

#[rstest]
#[case::unknown_key_with_suggestion(
    "endpoint: GET /items/{id}\ncases:\n  - name: a\n    tgas: [x]\n    request: { path_params: { id: 1 } }\n",
    "get_item.yaml:4:5", "unknown field `tgas`", Some("did you mean `tags`?"))]
#[case::misspelt_predicate(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      assert:\n        $.id: { equal: 1 }\n",
    "get_item.yaml:6:17", "unknown field `equal`", Some("did you mean `equals`?"))]
#[case::cases_not_a_list(
    "endpoint: GET /items\ncases: { name: a }\n",
    "get_item.yaml:2:8",
    "",
    None
)]
#[case::status_out_of_range(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: 700 }\n",
    "get_item.yaml:4:23",
    "status 700 is out of range: expected 100 to 599",
    None
)]
#[case::status_bad_class(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: \"2xy\" }\n",
    "get_item.yaml:4:23",
    "invalid status `2xy`",
    None
)]
#[case::missing_schema(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { schema: Itme.json }\n",
    "get_item.yaml:4:23",
    "schema file `schemas/demo/Itme.json` does not exist",
    Some("did you mean `Item.json`?")
)]
#[case::unresolvable_ref(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { schema: Broken.json }\n",
    "get_item.yaml:4:23",
    "schema `schemas/demo/Broken.json` does not compile",
    None
)]
#[case::duplicate_case_name(
    "endpoint: GET /items\ncases:\n  - name: a\n  - name: a\n",
    "get_item.yaml:4:11",
    "duplicate case name `a` (first defined at line 3)",
    None
)]
#[case::undefined_variable(
    "endpoint: GET /items\ncases:\n  - name: a\n    request: { query: { id: \"{{ knwon_id }}\" } }\n",
    "get_item.yaml:4:29", "undefined variable `knwon_id`", Some("did you mean `known_id`?"))]
#[case::unset_env_var(
    "endpoint: GET /items\ncases:\n  - name: a\n    request: { headers: { X-Token: \"{{ env.CONFORM_TEST_SURELY_UNSET }}\" } }\n",
    "get_item.yaml:4:36", "environment variable `CONFORM_TEST_SURELY_UNSET` is not set", None)]
#[case::missing_path_param(
    "endpoint: GET /items/{id}\ncases:\n  - name: a\n",
    "get_item.yaml:3:11",
    "missing path parameter `id` for `GET /items/{id}`",
    None
)]
#[case::unknown_path_param(
    "endpoint: GET /items/{id}\ncases:\n  - name: a\n    request: { path_params: { id: 1, di: 2 } }\n",
    "get_item.yaml:4:42", "endpoint `GET /items/{id}` has no path parameter `di`", None)]
#[case::unknown_method(
    "endpoint: FETCH /items\ncases:\n  - name: a\n",
    "get_item.yaml:1:11",
    "unknown HTTP method `FETCH`",
    None
)]
#[case::two_bodies(
    "endpoint: POST /items\ncases:\n  - name: a\n    request:\n      json: { a: 1 }\n      raw: \"x\"\n",
    "get_item.yaml:6:12", "`json` and `raw` both give a body", None)]
#[case::invalid_regex(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      assert:\n        $.name: { matches: \"(\" }\n",
    "get_item.yaml:6:17", "invalid regex `(`", None)]
#[case::invalid_jsonpath(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      assert:\n        \"$..[\": { exists: true }\n",
    "get_item.yaml:6:17", "invalid JSONPath `$..[`", None)]
#[case::invalid_duration(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { max_duration: soon }\n",
    "get_item.yaml:4:29",
    "invalid duration `soon`",
    None
)]
#[case::assertion_without_predicate(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      assert:\n        $.id: {}\n",
    "get_item.yaml:6:15",
    "assertion on `$.id` has no predicate",
    None
)]
#[case::yaml_syntax(
    "endpoint: GET /items\ncases:\n  - name: [a\n",
    "get_item.yaml:",
    "",
    None
)]
#[case::yaml11_boolean_refused(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      assert:\n        $.id: { exists: yes }\n",
    "get_item.yaml:6:25", "", None)]
#[case::bad_redaction_selector(
    "endpoint: GET /items\ncases:\n  - name: a\n    expect: { snapshot: { redact: [id] } }\n",
    "get_item.yaml:4:25",
    "invalid redaction selector `id`",
    None
)]
#[case::capture_not_a_path(
    "endpoint: GET /items\ncases:\n  - name: a\n    capture: { x: id }\n",
    "get_item.yaml:4:19",
    "invalid capture `id`",
    None
)]
#[case::variable_used_before_capture(
    "endpoint: GET /items\ncases:\n  - name: a\n    request: { query: { id: \"{{ later }}\" } }\n  - name: b\n    capture: { later: $.id }\n",
    "get_item.yaml:4:29", "undefined variable `later`", None)]
fn malformed_case_files_are_located(
    #[case] yaml: &str,
    #[case] location: &str,
    #[case] message: &str,
    #[case] help: Option<&str>,
) {
    let p = Project::demo();
    p.write("schemas/demo/Broken.json", r#"{"$ref": "Nowhere.json"}"#);
    p.write("cases/demo/get_item.yaml", yaml);
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    let err = out.stderr();
    assert!(
        err.contains(&format!("--> cases/demo/{location}")),
        "expected location {location}:\n{err}"
    );
    assert!(
        err.contains(message),
        "expected message {message:?}:\n{err}"
    );
    if let Some(h) = help {
        assert!(
            err.contains(&format!("help: {h}")),
            "expected help {h:?}:\n{err}"
        );
    }
    assert!(err.contains("nothing was sent"), "{err}");
}

#[test]
fn loading_errors_send_nothing() {
    let server = httpmock::MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200);
    });
    let p = Project::demo();
    p.write(
        "cases/demo/ok.yaml",
        "endpoint: GET /items\ncases:\n  - name: fine\n",
    );
    p.write(
        "cases/demo/bad.yaml",
        "endpoint: GET /items\ncases:\n  - name: a\n    expct: {}\n",
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert_eq!(any.calls(), 0);
}

#[test]
fn every_problem_is_reported_at_once() {
    let p = Project::demo();
    p.write(
        "cases/demo/a.yaml",
        "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: 999 }\n",
    );
    p.write(
        "cases/demo/b.yaml",
        "endpoint: GET /items\ncases:\n  - nmae: b\n",
    );
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr();
    assert!(
        err.contains("cases/demo/a.yaml:4:") && err.contains("cases/demo/b.yaml:3:"),
        "{err}"
    );
    assert!(err.contains("2 problems found"), "{err}");
}

#[test]
fn missing_env_vars_are_listed_by_name_only() {
    let p = Project::with_api(
        "name: demo\nheaders: { X-Token: \"{{ env.CONFORM_TEST_TOKEN_A }}\", X-User: \"{{ env.CONFORM_TEST_USER_B }}\" }\n",
    );
    p.write(
        "cases/demo/x.yaml",
        "endpoint: GET /x\ncases:\n  - name: a\n",
    );
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 2);
    assert!(
        out.stderr().contains("missing environment variables (set them or put them in .env): CONFORM_TEST_TOKEN_A, CONFORM_TEST_USER_B"),
        "{}",
        out.stderr()
    );
}

#[test]
fn api_name_must_match_folder_and_environment_must_exist() {
    let p = Project::with_api(
        "name: other\nenvironments: { sandbox: { base_url: \"https://example.invalid\" } }\n",
    );
    p.write(
        "cases/demo/x.yaml",
        "endpoint: GET /x\ncases:\n  - name: a\n",
    );
    let out = p.conform(&["validate", "--env", "staging"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr();
    assert!(
        err.contains("cases/demo/api.yaml:1:7") && err.contains("does not match its folder `demo`"),
        "{err}"
    );
    assert!(
        err.contains("has no environment `staging`")
            && err.contains("environments of this API: sandbox"),
        "{err}"
    );
}
