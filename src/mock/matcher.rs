//! Matching an incoming request against recorded interactions, and explaining a miss.
//!
//! A recorded request matches when method and path are equal, the query and a recorded JSON body
//! satisfy the interaction's rules (`rules`: exact by default, compared by value), the recorded
//! headers are satisfied as a server reads them (`header_difference`) and, for clients that do
//! not pin a case, the request carries credentials exactly when the recording's case did.
//! Scrubbed placeholders (`<scrubbed:...>`) match any value, so playback works after scrubbing.

use serde_json::Value;

use super::load::Loaded;
use super::negotiate::{accepts, essence};
use crate::json::compact;
use crate::normalize::Body;
use crate::redact::is_placeholder;

/// An incoming request, decoded once.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The scenario the client plays (header or path prefix), if it names one.
    pub scenario: Option<String>,
}

impl Incoming {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn describe(&self) -> String {
        let mut s = format!("{} {}", self.method, self.path);
        if !self.query.is_empty() {
            let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push('?');
            s.push_str(&q.join("&"));
        }
        s
    }
}

/// What a request is matched against: a recorded interaction and its rules.
pub struct Against<'a> {
    pub entry: &'a Loaded,
    /// Lowercase names of the API's credential headers.
    pub credentials: &'a [String],
    /// Whether the request is matched as a client's (credential presence must agree, `Accept` is
    /// negotiated against the answer); false for a run pinning its case: playback runs have no
    /// credentials and check content types themselves.
    pub check_credentials: bool,
}

/// How a recorded request differs from an incoming one; empty when they match.
pub fn differences(a: &Against<'_>, inc: &Incoming) -> Vec<String> {
    let rec = &a.entry.interaction.request;
    let rules = &a.entry.rules;
    let mut out = Vec::new();
    if !rec.method.eq_ignore_ascii_case(&inc.method) {
        out.push(format!(
            "method: recorded {}, got {}",
            rec.method, inc.method
        ));
    }
    if !super::rules::text_equal(&rec.path, &inc.path) {
        out.push(format!("path: recorded {}, got {}", rec.path, inc.path));
    }
    if !rules.query_matches(&rec.query, &inc.query) {
        let fmt = |q: &[(String, String)]| {
            let v: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join("&")
            }
        };
        out.push(format!(
            "query: recorded {}, got {}",
            fmt(&rec.query),
            fmt(&inc.query)
        ));
    }
    if a.check_credentials {
        let sends = a.credentials.iter().any(|c| inc.header(c).is_some());
        if sends != a.entry.authed {
            out.push(if a.entry.authed {
                "credentials: recorded with credentials, the request sends none".to_string()
            } else {
                "credentials: recorded without credentials, the request sends some".to_string()
            });
        }
    }
    if let Some(d) = accept_difference(a, inc.header("accept")) {
        out.push(d);
    }
    for (name, want) in &rec.headers {
        let name = name.to_ascii_lowercase();
        if name == "accept" {
            continue;
        }
        let got = inc.header(&name);
        if let Some(d) = header_difference(a, &name, want, got) {
            out.push(d);
        }
    }
    if let Some(want) = &rec.json {
        // The incoming body is read as record read the recorded one.
        match crate::normalize::parse(&inc.body) {
            Body::Json(got) if rules.body_matches(want, &got) => {}
            Body::Json(got) => out.push(format!(
                "json body: recorded {}, got {}",
                short(want),
                short(&got)
            )),
            _ => out.push(format!(
                "json body: recorded {}, got a non-JSON body of {} bytes",
                short(want),
                inc.body.len()
            )),
        }
    } else if let Some(want) = &rec.text {
        if want.as_bytes() != inc.body.as_slice() {
            out.push("text body differs".into());
        }
    } else if let Some(want) = &rec.sha256 {
        let got = crate::mock::recording::sha256_hex(&inc.body);
        if !want.eq_ignore_ascii_case(&got) {
            out.push(format!(
                "binary body: recorded sha256 {want}, got {got} ({} bytes)",
                inc.body.len()
            ));
        }
    }
    out
}

/// `Accept` is negotiated against the recorded answer's content type (else the recorded
/// `Accept`), whether or not the recording kept the header; for a pinned run, against the
/// recorded `Accept` only.
fn accept_difference(a: &Against<'_>, got: Option<&str>) -> Option<String> {
    let find = |h: &std::collections::BTreeMap<String, String>, name: &str| {
        h.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let recorded = find(&a.entry.interaction.request.headers, "accept");
    // A pinned run checks the answer's content type itself: a recorded wrong type is a contract
    // break to report, not a reason to refuse the request.
    let offered = if a.check_credentials {
        find(&a.entry.interaction.response.headers, "content-type").or(recorded)?
    } else {
        recorded?
    };
    (!accepts(got, &offered)).then(|| {
        format!(
            "header accept: `{}` does not accept {offered}",
            got.unwrap_or("")
        )
    })
}

/// A recorded header matters as the server reads it: credentials by presence, `Content-Type` by
/// media type, others by value.
fn header_difference(a: &Against<'_>, name: &str, want: &str, got: Option<&str>) -> Option<String> {
    let credential = is_placeholder(want) || a.credentials.iter().any(|c| c == name);
    match got {
        // A pinned run has no credentials; scrubbed or not, they were the recording's.
        None if credential && !a.check_credentials => None,
        None => Some(format!("header {name}: recorded `{want}`, missing")),
        Some(_) if credential => None,
        Some(got) if name == "content-type" && essence(got) == essence(want) => None,
        Some(got) if got != want => Some(format!("header {name}: recorded `{want}`, got `{got}`")),
        Some(_) => None,
    }
}

fn short(v: &Value) -> String {
    compact(v)
}

/// A similarity score used to pick the closest recording for a miss (higher is closer).
pub fn closeness(a: &Against<'_>, inc: &Incoming) -> i64 {
    let rec = &a.entry.interaction.request;
    let mut score = 0;
    if rec.method.eq_ignore_ascii_case(&inc.method) {
        score += 100;
    }
    if rec.path == inc.path {
        score += 200;
    } else {
        let common = rec
            .path
            .split('/')
            .zip(inc.path.split('/'))
            .take_while(|(a, b)| a == b)
            .count();
        score += 20 * common as i64;
    }
    score += 10 * rec.query.iter().filter(|p| inc.query.contains(p)).count() as i64;
    score - differences(a, inc).len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Endpoint;
    use crate::mock::recording::{
        Interaction, Provenance, ProvenanceKind, RecordedRequest, RecordedResponse,
    };
    use serde_json::json;

    fn entry(authed: bool) -> Loaded {
        let request = RecordedRequest {
            method: "POST".into(),
            path: "/api/customers".into(),
            query: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            headers: [
                ("x-api-key".to_string(), "<scrubbed:x-api-key>".to_string()),
                ("accept".to_string(), "application/json".to_string()),
            ]
            .into(),
            json: Some(json!({"name": "Acme", "password": "<scrubbed:password>"})),
            text: None,
            sha256: None,
        };
        let response = RecordedResponse {
            status: 201,
            headers: [("content-type".to_string(), "application/json".to_string())].into(),
            json: None,
            text: None,
            base64: None,
        };
        Loaded {
            stem: "create".into(),
            interaction: Interaction {
                case: "creates".into(),
                provenance: Provenance {
                    kind: ProvenanceKind::Documented,
                    source: Some("test".into()),
                    at: None,
                    host: None,
                    conform_version: None,
                },
                request,
                response,
                rules: None,
            },
            template: Endpoint {
                method: "POST".into(),
                path: "/api/customers".into(),
            },
            flow: false,
            authed,
            repeatable: false,
            rules: Default::default(),
        }
    }

    fn inc(body: Value) -> Incoming {
        Incoming {
            method: "POST".into(),
            path: "/api/customers".into(),
            query: vec![("a".into(), "2".into()), ("a".into(), "1".into())],
            headers: vec![
                ("x-api-key".into(), "real".into()),
                ("accept".into(), "*/*".into()),
            ],
            body: serde_json::to_vec(&body).unwrap(),
            scenario: None,
        }
    }

    fn diffs(e: &Loaded, i: &Incoming) -> Vec<String> {
        let credentials = vec!["x-api-key".to_string()];
        differences(
            &Against {
                entry: e,
                credentials: &credentials,
                check_credentials: true,
            },
            i,
        )
    }

    #[test]
    fn placeholders_query_order_and_accept_ranges_match() {
        let d = diffs(
            &entry(true),
            &inc(json!({"password": "pw", "name": "Acme"})),
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn credentials_match_by_presence() {
        let body = json!({"password": "pw", "name": "Acme"});
        let d = diffs(&entry(false), &inc(body.clone()));
        assert!(d.iter().any(|x| x.starts_with("credentials:")), "{d:?}");
        let mut bare = inc(body);
        bare.headers.retain(|(n, _)| n != "x-api-key");
        let d = diffs(&entry(true), &bare);
        assert!(d.iter().any(|x| x.starts_with("credentials:")), "{d:?}");
    }

    #[test]
    fn differences_name_what_differs() {
        let d = diffs(
            &entry(true),
            &inc(json!({"name": "Other", "password": "x"})),
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].starts_with("json body: recorded"), "{d:?}");
        let mut i = inc(json!({}));
        i.path = "/api/customer".into();
        i.headers = vec![("accept".into(), "text/html".into())];
        let d = diffs(&entry(true), &i);
        assert!(d.iter().any(|x| x.starts_with("path:")), "{d:?}");
        assert!(d.iter().any(|x| x.starts_with("header accept:")), "{d:?}");
    }
}
