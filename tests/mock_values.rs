//! Query values compared as the API's server reads them (`match: { booleans, numbers }` in
//! recordings/_api.yaml): Mindbody (ASP.NET) reads `True` as `true` but not `1`; an API without
//! a style compares values as text.

mod mock_support;

use conform::mock::load::Loaded;
use mock_support::{credentials, recordings, Mock, Reply};

fn entry(api: &str, case: &str) -> Loaded {
    recordings(api)
        .into_iter()
        .find(|e| e.interaction.case == case)
        .unwrap_or_else(|| panic!("no recording of `{case}` in {api}"))
}

/// The recorded request of `e`, with credentials, with `name`'s value replaced by `value`.
fn send_with(mock: &Mock, api: &str, e: &Loaded, name: &str, value: &str) -> Reply {
    let rec = &e.interaction.request;
    let query: Vec<(String, String)> = rec
        .query
        .iter()
        .map(|(k, v)| {
            let v = if k == name { value } else { v.as_str() };
            (k.clone(), v.to_string())
        })
        .collect();
    assert!(query.iter().any(|(k, _)| k == name), "{name} in {query:?}");
    let mut r = mock.request(&rec.method, &rec.path).query(&query);
    for (n, v) in &rec.headers {
        r = r.header(n.as_str(), v.as_str());
    }
    for (n, v) in credentials(api) {
        r = r.header(n, v);
    }
    mock.send(r.header("x-conform-scenario", format!("{name}={value}")))
}

#[test]
fn mindbody_reads_booleans_in_any_case_but_not_as_digits() {
    let e = entry(
        "mindbody",
        "deletes a contact log of a known client (test mode)",
    );
    let mock = Mock::start("mindbody", &["--strict"]);
    for sent in ["true", "True", "TRUE"] {
        let reply = send_with(&mock, "mindbody", &e, "request.test", sent);
        assert_eq!(reply.status, 200, "request.test={sent}: {:?}", reply.json());
        assert_eq!(reply.matched().unwrap().1, e.id());
    }
    for sent in ["1", "False", "yes"] {
        let reply = send_with(&mock, "mindbody", &e, "request.test", sent);
        assert_eq!(reply.status, 404, "request.test={sent}");
    }
}

#[test]
fn an_api_without_a_style_compares_values_as_text() {
    let e = entry("timetap", "includes deleted clients on request");
    let mock = Mock::start("timetap", &["--strict"]);
    let reply = send_with(&mock, "timetap", &e, "includeDeleted", "true");
    assert_eq!(reply.status, 200, "{:?}", reply.json());
    let reply = send_with(&mock, "timetap", &e, "includeDeleted", "True");
    assert_eq!(reply.status, 404);
    let diff = reply.json()["diff"].as_str().unwrap_or("").to_string();
    assert!(diff.lines().any(|l| l == "+?includeDeleted=True"), "{diff}");
}
