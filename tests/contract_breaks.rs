//! Contract-break detection: a small Kimai-like API (a customer endpoint whose schema has required
//! fields, an enum, nullable and non-nullable fields, a pattern, a `$ref`'d nested object and
//! `additionalProperties: false` where the vendor forbids extras) played back by conform's own
//! playback server from recordings written into a temporary project.
//!
//! Every case of the endpoint file gets its own recorded response (the runner names the case to the
//! playback server): one faithful, one per kind of break, and additive changes the schema allows.
//! One run; each outcome is then checked in report.json: every break is detected by a check whose
//! subject and message name the field, and the additive changes pass.

mod common;

use common::Project;
use serde_json::{json, Value};

const CUSTOMER_SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "name", "number", "visible", "billable", "currency", "color", "teams", "meta"],
  "properties": {
    "id": { "type": "integer" },
    "name": { "type": "string", "minLength": 1 },
    "number": { "type": ["string", "null"] },
    "comment": { "type": ["string", "null"] },
    "visible": { "type": "boolean" },
    "billable": { "type": "boolean" },
    "currency": { "type": "string", "enum": ["EUR", "USD", "GBP", "CHF"] },
    "color": { "type": ["string", "null"], "pattern": "^#[0-9a-fA-F]{6}$" },
    "teams": { "type": "array", "items": { "$ref": "Team.json" } },
    "meta": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["name", "value"],
        "additionalProperties": false,
        "properties": { "name": { "type": "string" }, "value": { "type": ["string", "null"] } }
      }
    }
  }
}"##;

const TEAM_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["id", "name"],
  "additionalProperties": false,
  "properties": { "id": { "type": "integer" }, "name": { "type": "string" } }
}"#;

fn customer() -> Value {
    json!({
        "id": 1,
        "name": "Acme",
        "number": "C-0001",
        "visible": true,
        "billable": true,
        "currency": "EUR",
        "color": "#1a2b3c",
        "teams": [{ "id": 7, "name": "Ops" }],
        "meta": [{ "name": "region", "value": "north" }]
    })
}

/// A recorded response: status, content type and a JSON or a text body.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Result<Value, &'static str>,
}

fn json_answer(body: Value) -> Answer {
    Answer {
        status: 200,
        content_type: "application/json",
        body: Ok(body),
    }
}

fn with(change: impl FnOnce(&mut Value)) -> Answer {
    let mut body = customer();
    change(&mut body);
    json_answer(body)
}

/// (case name, response, expected failing check: (kind, subject, text in its message)).
type Break = (
    &'static str,
    Answer,
    (&'static str, &'static str, &'static str),
);

fn breaks() -> Vec<Break> {
    vec![
        (
            "required field dropped",
            with(|b| {
                b.as_object_mut().unwrap().shift_remove("name");
            }),
            ("schema", "/", "\"name\" is a required property"),
        ),
        (
            "type changed",
            with(|b| b["id"] = json!("1")),
            ("schema", "/id", "\"1\" is not of type \"integer\""),
        ),
        (
            "null where not nullable",
            with(|b| b["visible"] = Value::Null),
            ("schema", "/visible", "null is not of type \"boolean\""),
        ),
        (
            "invalid enum value",
            with(|b| b["currency"] = json!("EURO")),
            ("schema", "/currency", "\"EURO\" is not one of"),
        ),
        (
            "wrong status",
            Answer {
                status: 500,
                ..json_answer(customer())
            },
            ("status", "", "expected status 200, got 500"),
        ),
        (
            "wrong content type",
            Answer {
                content_type: "text/html; charset=utf-8",
                ..json_answer(customer())
            },
            (
                "content_type",
                "",
                "expected content type application/json, got text/html",
            ),
        ),
        (
            "truncated JSON",
            Answer {
                body: Err(r#"{"id": 1, "name": "Ac"#),
                ..json_answer(Value::Null)
            },
            (
                "body",
                "",
                "the body is not JSON (EOF while parsing a string",
            ),
        ),
        (
            "empty body",
            Answer {
                body: Err(""),
                ..json_answer(Value::Null)
            },
            ("body", "", "the body is empty"),
        ),
        (
            "array where object",
            json_answer(json!([customer()])),
            ("schema", "/", "is not of type \"object\""),
        ),
        (
            "extra field where forbidden",
            with(|b| b["meta"][0]["secret"] = json!("x")),
            (
                "schema",
                "/meta/0",
                "Additional properties are not allowed ('secret' was unexpected)",
            ),
        ),
        (
            "extra field in a referenced object",
            with(|b| b["teams"][0]["lead"] = json!(3)),
            (
                "schema",
                "/teams/0",
                "Additional properties are not allowed ('lead' was unexpected)",
            ),
        ),
        (
            "wrong nested type",
            with(|b| b["teams"][0]["id"] = json!("seven")),
            (
                "schema",
                "/teams/0/id",
                "\"seven\" is not of type \"integer\"",
            ),
        ),
        (
            "pattern violation",
            with(|b| b["color"] = json!("red")),
            (
                "schema",
                "/color",
                "\"red\" does not match \"^#[0-9a-fA-F]{6}$\"",
            ),
        ),
        (
            "empty string under minLength",
            with(|b| b["name"] = json!("")),
            ("schema", "/name", "\"\" is shorter than 1 character"),
        ),
        (
            "array turned into object",
            with(|b| b["meta"] = json!({ "region": "north" })),
            ("schema", "/meta", "is not of type \"array\""),
        ),
        (
            "number where nullable string",
            with(|b| b["number"] = json!(42)),
            (
                "schema",
                "/number",
                "42 is not of types \"null\", \"string\"",
            ),
        ),
    ]
}

/// Changes a client must tolerate when the schema allows them.
fn additive() -> Vec<(&'static str, Answer)> {
    vec![
        ("faithful", json_answer(customer())),
        (
            "new optional field",
            with(|b| {
                b["comment"] = json!("added by the vendor");
                b["created_at"] = json!("2026-01-01T00:00:00Z");
            }),
        ),
        (
            "keys reordered",
            json_answer({
                let mut keys: Vec<(String, Value)> = customer()
                    .as_object()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .collect();
                keys.reverse();
                Value::Object(keys.into_iter().collect())
            }),
        ),
        (
            "nullable fields null",
            with(|b| {
                b["number"] = Value::Null;
                b["color"] = Value::Null;
                b["meta"][0]["value"] = Value::Null;
            }),
        ),
        (
            "charset parameter on the content type",
            Answer {
                content_type: "application/json; charset=utf-8",
                ..json_answer(customer())
            },
        ),
    ]
}

fn interaction(case: &str, answer: &Answer) -> Value {
    let mut response = json!({
        "status": answer.status,
        "headers": { "content-type": answer.content_type },
    });
    match &answer.body {
        Ok(v) => response["json"] = v.clone(),
        Err(text) => response["text"] = json!(text),
    }
    json!({
        "case": case,
        "provenance": { "kind": "documented", "source": "tests/contract_breaks.rs" },
        "request": { "method": "GET", "path": "/api/customers/1" },
        "response": response,
    })
}

#[test]
fn every_contract_break_is_detected_and_additive_changes_are_not() {
    let breaks = breaks();
    let additive = additive();
    assert!(breaks.len() >= 12);
    let names: Vec<&str> = additive
        .iter()
        .map(|(n, _)| *n)
        .chain(breaks.iter().map(|(n, _, _)| *n))
        .collect();

    let p = Project::with_api(
        "name: kimai\nheaders: { Accept: application/json }\nvariables: { known_customer_id: 1 }\n",
    );
    p.write("schemas/kimai/Customer.json", CUSTOMER_SCHEMA);
    p.write("schemas/kimai/Team.json", TEAM_SCHEMA);
    std::fs::rename(p.path("cases/demo"), p.path("cases/kimai")).unwrap();
    let mut cases = String::from("endpoint: GET /api/customers/{id}\ncases:\n");
    for name in &names {
        cases.push_str(&format!(
            "  - name: {name}\n    request: {{ path_params: {{ id: \"{{{{ known_customer_id }}}}\" }} }}\n    expect: {{ status: 200, content_type: application/json, schema: Customer.json }}\n"
        ));
    }
    p.write("cases/kimai/get_customer.yaml", &cases);
    let interactions: Vec<Value> = additive
        .iter()
        .map(|(n, a)| interaction(n, a))
        .chain(breaks.iter().map(|(n, a, _)| interaction(n, a)))
        .collect();
    // JSON is YAML: the recording is written as JSON so that bodies stay byte-exact.
    p.write(
        "cases/kimai/recordings/get_customer.yaml",
        &serde_json::to_string_pretty(&json!({ "interactions": interactions })).unwrap(),
    );

    let out = p.conform(&["run"]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let report: Value = serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    let outcome = |case: &str| -> &Value {
        report["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| common::case_of(o) == case)
            .unwrap_or_else(|| panic!("no outcome for {case}"))
    };
    for (name, _) in &additive {
        let o = outcome(name);
        assert_eq!(o["status"], "passed", "{name}: {o:#}");
    }
    for (name, _, (kind, subject, text)) in &breaks {
        let o = outcome(name);
        assert_eq!(o["status"], "failed", "{name}: {o:#}");
        assert!(
            o.get("error").is_none(),
            "{name}: a break is a failed check, not an error: {o:#}"
        );
        let failed: Vec<&Value> = o["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["passed"] == false)
            .collect();
        assert!(
            failed.iter().any(|c| c["kind"] == *kind
                && c["subject"].as_str().unwrap_or("") == *subject
                && c["message"].as_str().unwrap().contains(text)),
            "{name}: expected a failed {kind} check at {subject:?} saying {text:?}, got {failed:#?}"
        );
        // Schema messages name the path in the text too (`at /teams/0/id`), for the terminal.
        if *kind == "schema" {
            assert!(
                failed.iter().any(|c| c["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("at {subject}:"))),
                "{name}: {failed:#?}"
            );
        }
    }
    assert_eq!(report["summary"]["passed"], additive.len());
    assert_eq!(report["summary"]["failed"], breaks.len());
}
