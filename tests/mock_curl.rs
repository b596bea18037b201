//! `conform mock` as curl and browsers use it: `Accept: */*` or none, HEAD, OPTIONS and CORS
//! preflights, the vendor's base path, fallbacks marked and refused under `--strict`, the journal.

mod mock_support;

use mock_support::{credentials, recordings, replay, Mock};
use serde_json::Value;

fn kimai_get(mock: &Mock, path: &str, accept: Option<&str>) -> mock_support::Reply {
    let mut r = mock.request("GET", path);
    for (n, v) in credentials("kimai") {
        r = r.header(n, v);
    }
    if let Some(a) = accept {
        r = r.header("accept", a);
    }
    mock.send(r)
}

#[test]
fn curl_accept_values_reach_the_recording_and_refused_types_do_not() {
    let mock = Mock::start("kimai", &["--strict"]);
    for accept in [
        Some("*/*"),
        None,
        Some("application/*"),
        Some("text/html, application/json;q=0.8"),
    ] {
        let r = kimai_get(&mock, "/api/customers/1", accept);
        assert_eq!(r.status, 200, "Accept {accept:?}: {:?}", r.json());
        let (how, case) = r.matched().expect("marked");
        assert_eq!(
            (how.as_str(), case.as_str()),
            ("exact", "get_customer::fetches a known customer")
        );
        assert_eq!(r.json()["id"], 1);
    }
    let refused = kimai_get(&mock, "/api/customers/1", Some("text/html"));
    assert_eq!(refused.status, 404);
    assert_eq!(refused.header("x-conform-unmatched"), Some("1"));
    let message = refused.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("does not accept"), "{message}");
}

#[test]
fn head_answers_like_get_without_a_body() {
    let mock = Mock::start("kimai", &[]);
    let get = kimai_get(&mock, "/api/customers/1", Some("*/*"));
    let mut head = mock.request("HEAD", "/api/customers/1");
    for (n, v) in credentials("kimai") {
        head = head.header(n, v);
    }
    let head = mock.send(head);
    assert_eq!(head.status, get.status);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-type"), get.header("content-type"));
    assert_eq!(head.matched(), get.matched());
}

#[test]
fn preflights_are_answered_with_cors_only() {
    let preflight = |mock: &Mock| {
        mock.send(
            mock.request("OPTIONS", "/api/customers/1")
                .header("origin", "http://localhost:3000")
                .header("access-control-request-method", "PATCH")
                .header(
                    "access-control-request-headers",
                    "x-auth-user, x-auth-token",
                ),
        )
    };
    let mock = Mock::start("kimai", &["--cors"]);
    let r = preflight(&mock);
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let methods = r.header("access-control-allow-methods").unwrap();
    assert!(
        methods.contains("GET") && methods.contains("PATCH"),
        "{methods}"
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("x-auth-user, x-auth-token")
    );
    let mut get = mock
        .request("GET", "/api/customers/1")
        .header("origin", "http://localhost:3000");
    for (n, v) in credentials("kimai") {
        get = get.header(n, v);
    }
    let get = mock.send(get);
    assert_eq!(get.status, 200);
    assert_eq!(
        get.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    drop(mock);
    let plain = Mock::start("kimai", &[]);
    let r = preflight(&plain);
    assert_eq!(r.status, 204);
    assert!(r.header("access-control-allow-origin").is_none());
    assert!(r.header("allow").unwrap().contains("PATCH"));
}

#[test]
fn every_mindbody_path_is_served_under_the_base_path_too() {
    let mock = Mock::start("mindbody", &["--strict"]);
    let entries = recordings("mindbody");
    assert!(entries.len() > 100, "{}", entries.len());
    for e in entries
        .iter()
        .filter(|e| !e.flow && e.interaction.request.sha256.is_none())
    {
        let short = mock.send(replay(&mock, "mindbody", e, "", e.authed));
        let long = mock.send(replay(&mock, "mindbody", e, "/public/v6", e.authed));
        assert_eq!(short.status, e.interaction.response.status, "{}", e.id());
        assert!(short.matched().is_some(), "{}: {:?}", e.id(), short.json());
        assert_eq!(
            (long.status, long.matched(), long.json()),
            (short.status, short.matched(), short.json()),
            "{}",
            e.id()
        );
    }
}

#[test]
fn fallbacks_are_marked_logged_and_refused_when_strict() {
    let mock = Mock::start("kimai", &[]);
    let r = kimai_get(&mock, "/api/customers/4242", Some("application/json"));
    assert_eq!(r.status, 200, "{:?}", r.json());
    let (how, closest) = r.matched().unwrap();
    assert_eq!(how, "fallback");
    let entry = recordings("kimai")
        .into_iter()
        .find(|e| e.id() == closest)
        .unwrap();
    assert_eq!(entry.template.to_string(), "GET /api/customers/{id}");
    assert_eq!(entry.interaction.response.status, 200);
    assert_eq!(r.json()["id"], 4242, "the echoed id is the requested one");
    let journal = mock.get("/__conform/journal").json();
    let last = journal["requests"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["matched"], "fallback");
    assert_eq!(last["request"], "GET /api/customers/4242");
    assert!(
        !last["near_misses"].as_array().unwrap().is_empty(),
        "{last}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        mock.log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.ends_with(&format!(
                "GET /api/customers/4242 -> 200 (fallback {})",
                closest.replacen("::", ".yaml::", 1)
            ))),
        "{:?}",
        mock.log.lock().unwrap()
    );
    drop(mock);
    let strict = Mock::start("kimai", &["--strict"]);
    let r = kimai_get(&strict, "/api/customers/4242", Some("application/json"));
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-conform-unmatched"), Some("1"));
    assert!(r.header("x-conform-match").is_none());
    let body: Value = r.json();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no recorded interaction"),
        "{body}"
    );
}
