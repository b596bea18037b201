//! What the mock shows of a request (its log and the journal) never carries the request's
//! secrets: a client may send real credentials (`conform run --env` or `conform drift` pointed
//! at the mock in CI, whose log is public). The API's `sensitive:` names mark them, as in a run.

use super::journal::Entry;
use super::matcher::Incoming;
use crate::http::HttpRequest;
use crate::redact::Redactor;

/// Replaces, in what `entry` says, every secret value `req` sent (sensitive headers, query
/// parameters and body fields, by the API's rules in `base`).
pub fn scrub_entry(entry: &mut Entry, base: &Redactor, req: &Incoming) {
    let mut url = url::Url::parse("http://mock/").expect("a valid URL");
    if !req.query.is_empty() {
        url.query_pairs_mut().extend_pairs(&req.query);
    }
    let request = HttpRequest {
        method: req.method.clone(),
        url: url.to_string(),
        headers: req.headers.clone(),
        body: Some(req.body.clone()),
        timeout: None,
        credential_headers: Vec::new(),
    };
    let mut redactor = base.clone();
    if !redactor.learn(&request, None) {
        return;
    }
    entry.request = redactor.text(&entry.request);
    entry.why = redactor.text(&entry.why);
    for miss in &mut entry.near_misses {
        for d in &mut miss.differences {
            *d = redactor.text(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Sensitive;

    #[test]
    fn sensitive_query_headers_and_body_fields_are_scrubbed() {
        let sensitive = Sensitive {
            query: vec!["apiKey".into()],
            body: vec!["Password".into()],
            ..Sensitive::default()
        };
        let base = Redactor::new(&sensitive);
        let req = Incoming {
            method: "POST".into(),
            path: "/token".into(),
            query: vec![
                ("apiKey".into(), "key-SECRET-1".into()),
                ("n".into(), "10".into()),
            ],
            headers: vec![("authorization".into(), "Bearer tok-SECRET-2".into())],
            body: br#"{"Password": "pw-SECRET-3", "User": "ann"}"#.to_vec(),
            scenario: None,
        };
        let mut entry = Entry {
            seq: 1,
            request: req.describe(),
            scenario: None,
            status: 404,
            matched: "miss",
            case: None,
            why: "got tok-SECRET-2 and pw-SECRET-3".into(),
            near_misses: vec![super::super::journal::NearMiss {
                case: "a::b".into(),
                differences: vec!["query: recorded (none), got apiKey=key-SECRET-1&n=10".into()],
            }],
        };
        scrub_entry(&mut entry, &base, &req);
        let shown = serde_json::to_string(&entry).unwrap();
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("n=10"), "{shown}");
        assert!(shown.contains("POST /token?apiKey="), "{shown}");
    }
}
