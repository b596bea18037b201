//! trackops's client calls against `conform mock --api trackops`: every client method of the seed as the
//! client library sends it (paths with path parameters the recordings do not have, query encoding,
//! body shape), each answer deserialized into the documented model (required fields required).
//! calls follow seed 004 and the vendor's PHP client (HTTP basic `user/token`, JSON envelopes `{client: {...}}`).

mod mock_support;

use mock_support::sdk::{any_json, failures, typed, Body, Call};
use mock_support::Mock;
use serde::Deserialize;
#[allow(unused_imports)]
use serde_json::Value;

#[test]
fn every_client_method_gets_a_2xx_that_deserializes() {
    let mock = Mock::start("trackops", &[]);
    let failed = failures(
        &mock,
        CALLS,
        &[
            ("accept", "application/json"),
            ("Authorization", "Basic c2RrL3Rva2VuOnNlY3JldA=="),
        ],
    );
    assert_eq!(CALLS.len(), COUNT);
    assert!(
        failed.is_empty(),
        "{} of {COUNT} methods failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

// The documented models (models.json of the vendor's reference) and the calls.
#[derive(Debug, Deserialize)]
#[allow(non_snake_case, dead_code)]
struct Client {
    id: Option<i64>,
    name: Option<String>,
    account_code: Option<String>,
    website: Option<String>,
    email_invoice: Option<String>,
    notes: Option<String>,
    has_invoice_reminders: Option<bool>,
    show_location_on_invoice: Option<bool>,
}

const CALLS: &[Call] = &[
    Call {
        sdk: "list_clients",
        method: "GET",
        path: "/api/v1/clients",
        query: &[],
        body: None,
        model:
            "array of Client (shape not documented; vendor PHP client iterates a bare JSON array)",
        check: |v| typed::<Vec<Client>>(v),
    },
    Call {
        sdk: "get_client",
        method: "GET",
        path: "/api/v1/clients/4242",
        query: &[],
        body: None,
        model: "Client (shape not documented)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "create_client",
        method: "POST",
        path: "/api/v1/clients",
        query: &[],
        body: Some(Body::Json(
            r#"{"client": {"name": "SDK", "primary_location": {"name": "SDK", "state": "SDK", "country": "DE"}}}"#,
        )),
        model: "Client (shape not documented; success status not documented)",
        check: |v| any_json(v),
    },
    Call {
        sdk: "update_client",
        method: "PUT",
        path: "/api/v1/clients/4242",
        query: &[],
        body: Some(Body::Json(r#"{"client": {}}"#)),
        model: "Client (shape not documented)",
        check: |v| any_json(v),
    },
];
const COUNT: usize = 4;
