//! The predicates that assert behaviour rather than fixture data (`sorted`, `gt`/`ge`/`lt`/`le`,
//! `one_of`, `each`, a JSONPath filter with an interpolated id, `equals` with interpolation):
//! each passing and failing with its exact message, the real binary against a local server.

mod common;

use common::Project;
use httpmock::prelude::*;
use rstest::rstest;
use serde_json::json;

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/people");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({
                "items": [
                    {"id": 3, "name": "Zeta", "address": {"city": "Oslo"}},
                    {"id": 1, "name": "Mid", "address": {"city": "Lima"}},
                    {"id": 2, "name": "Acme", "address": {"city": "Bern"}}
                ],
                "scores": [1, 2, 2, 5],
                "total": 3,
                "updated": "2024-04-01T09:00:00Z",
                "day": "2024-04-01",
                "local": "2024-04-01T00:00:00",
                "status": "active"
            }));
    });
    server
}

#[rstest]
#[case::sorted_desc("{ $.items: { sorted: { by: name, order: desc } } }", 0, "")]
#[case::sorted_asc_fails(
    "{ $.items: { sorted: { by: name } } }",
    1,
    "$.items: expected an array sorted by name ascending: item [0] \"Zeta\" comes before item [1] \"Mid\""
)]
#[case::sorted_nested_key_fails(
    "{ $.items: { sorted: { by: address.city } } }",
    1,
    "expected an array sorted by address.city ascending: item [0] \"Oslo\" comes before item [1] \"Lima\""
)]
#[case::sorted_selected_nodes("{ \"$.items[*].name\": { sorted: { order: desc } } }", 0, "")]
#[case::sorted_selected_nodes_fails(
    "{ \"$.items[?@.id > 1]\": { sorted: { by: id } } }",
    1,
    "$.items[?@.id > 1]: expected the selected nodes sorted by id ascending: item [0] 3 comes before item [1] 2"
)]
#[case::sorted_one_selected_node("{ \"$.items[?@.id == 2]\": { sorted: { by: name } } }", 0, "")]
#[case::sorted_scalars("{ $.scores: { sorted: {} } }", 0, "")]
#[case::sorted_scalars_fails(
    "{ $.scores: { sorted: { order: desc } } }",
    1,
    "$.scores: expected an array sorted descending: item [0] 1 comes before item [1] 2"
)]
#[case::sorted_missing_key_fails(
    "{ $.items: { sorted: { by: age } } }",
    1,
    "$.items: expected an array sorted by age ascending: item [0] has no `age`"
)]
#[case::sorted_not_an_array_fails(
    "{ $.total: { sorted: {} } }",
    1,
    "$.total: expected an array sorted ascending, got 3"
)]
#[case::gt("{ $.total: { gt: 2 } }", 0, "")]
#[case::gt_fails(
    "{ $.total: { gt: 3 } }",
    1,
    "$.total: expected a value greater than 3, got 3"
)]
#[case::ge("{ $.total: { ge: 3, le: 3.0 } }", 0, "")]
#[case::lt_fails(
    "{ $.total: { lt: 3 } }",
    1,
    "$.total: expected a value less than 3, got 3"
)]
#[case::le_fails(
    "{ $.total: { le: 2.5 } }",
    1,
    "$.total: expected a value less than or equal to 2.5, got 3"
)]
#[case::date_time_gt("{ $.updated: { gt: \"2024-04-01T10:59:59+02:00\" } }", 0, "")]
#[case::date_time_lt_fails(
    "{ $.updated: { lt: \"2024-04-01T10:00:00+02:00\" } }",
    1,
    "$.updated: expected a value less than \"2024-04-01T10:00:00+02:00\", got \"2024-04-01T09:00:00Z\""
)]
#[case::date_ge_variable("{ $.day: { ge: \"{{ since }}\" } }", 0, "")]
#[case::date_gt_fails(
    "{ $.day: { gt: \"{{ since }}\" } }",
    1,
    "$.day: expected a value greater than \"2024-04-01\", got \"2024-04-01\""
)]
#[case::local_date_time_le("{ $.local: { le: \"2024-04-01T00:00:00\" } }", 0, "")]
#[case::date_kinds_differ_fails(
    "{ $.day: { lt: \"2025-01-01T00:00:00Z\" } }",
    1,
    "$.day: cannot compare \"2024-04-01\" (a date) with \"2025-01-01T00:00:00Z\" (a date-time with an offset)"
)]
#[case::compare_not_a_number_fails(
    "{ $.status: { gt: 1 } }",
    1,
    "$.status: expected a number to compare with 1, got \"active\""
)]
#[case::one_of("{ $.status: { one_of: [closed, active] } }", 0, "")]
#[case::one_of_fails(
    "{ $.status: { one_of: [closed, archived] } }",
    1,
    "$.status: expected one of [\"closed\",\"archived\"], got \"active\""
)]
#[case::each(
    "{ $.items: { each: { type: object } }, $.scores: { each: { ge: 1, lt: 6 } } }",
    0,
    ""
)]
#[case::each_fails(
    "{ $.scores: { each: { gt: 1 } } }",
    1,
    "$.scores: item [0]: expected a value greater than 1, got 1"
)]
#[case::each_not_an_array_fails(
    "{ $.status: { each: { type: string } } }",
    1,
    "$.status: expected an array for `each`, got \"active\""
)]
#[case::filter_by_id(
    "{ \"$.items[?@.id == {{ known_id }}].name\": { equals: Mid } }",
    0,
    ""
)]
#[case::filter_by_id_fails(
    "{ \"$.items[?@.id == {{ known_id }}].name\": { equals: Acme } }",
    1,
    "$.items[?@.id == {{ known_id }}].name: expected \"Acme\", got \"Mid\""
)]
#[case::filter_selects_nothing_fails(
    "{ \"$.items[?@.id == {{ missing_id }}]\": { exists: true } }",
    1,
    "$.items[?@.id == {{ missing_id }}]: expected the path to exist, it selects nothing"
)]
#[case::equals_a_variable("{ \"$.items[1].id\": { equals: \"{{ known_id }}\" } }", 0, "")]
#[case::equals_a_variable_fails(
    "{ \"$.items[0].id\": { equals: \"{{ known_id }}\" } }",
    1,
    "$.items[0].id: expected 1, got 3"
)]
fn predicates_pass_and_fail(#[case] assert: &str, #[case] code: i32, #[case] message: &str) {
    let server = vendor();
    let p = Project::with_api(
        "name: demo\nvariables: { known_id: 1, missing_id: 99, since: \"2024-04-01\" }\n",
    );
    p.write(
        "cases/demo/people.yaml",
        &format!("endpoint: GET /people\ncases:\n  - name: the case\n    expect: {{ assert: {assert} }}\n"),
    );
    let out = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(out.code(), code, "{}", out.all());
    assert!(
        out.stdout().contains(message),
        "expected {message:?} in:\n{}",
        out.all()
    );
}
