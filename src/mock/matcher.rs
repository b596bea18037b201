//! Matching an incoming request against recorded interactions, and explaining a miss.
//!
//! A recorded request matches when method and path are equal, the query pairs are equal as a
//! multiset, every recorded header has the same value and a recorded JSON body is equal as JSON.
//! Scrubbed placeholders (`<scrubbed:...>`) match any value, so playback works after scrubbing.

use serde_json::Value;

use super::recording::RecordedRequest;
use crate::json::{compact, json_equal};
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

/// How a recorded request differs from an incoming one; empty when they match.
pub fn differences(rec: &RecordedRequest, inc: &Incoming) -> Vec<String> {
    let mut out = Vec::new();
    if !rec.method.eq_ignore_ascii_case(&inc.method) {
        out.push(format!(
            "method: recorded {}, got {}",
            rec.method, inc.method
        ));
    }
    if rec.path != inc.path {
        out.push(format!("path: recorded {}, got {}", rec.path, inc.path));
    }
    if !query_equal(&rec.query, &inc.query) {
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
    for (name, want) in &rec.headers {
        match inc.header(&name.to_ascii_lowercase()) {
            // Credentials are recorded as placeholders; playback runs without them.
            _ if is_placeholder(want) => {}
            None => out.push(format!("header {name}: recorded `{want}`, missing")),
            Some(got) if got != want => {
                out.push(format!("header {name}: recorded `{want}`, got `{got}`"))
            }
            Some(_) => {}
        }
    }
    if let Some(want) = &rec.json {
        match serde_json::from_slice::<Value>(&inc.body) {
            Ok(got) if body_matches(want, &got) => {}
            Ok(got) => out.push(format!(
                "json body: recorded {}, got {}",
                short(want),
                short(&got)
            )),
            Err(_) => out.push(format!(
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

fn query_equal(rec: &[(String, String)], inc: &[(String, String)]) -> bool {
    if rec.len() != inc.len() {
        return false;
    }
    let mut rest: Vec<&(String, String)> = inc.iter().collect();
    for (k, v) in rec {
        let Some(i) = rest
            .iter()
            .position(|(ik, iv)| ik == k && (iv == v || is_placeholder(v)))
        else {
            return false;
        };
        rest.swap_remove(i);
    }
    true
}

/// JSON equality in which a recorded placeholder string matches anything.
fn body_matches(rec: &Value, got: &Value) -> bool {
    match (rec, got) {
        (Value::String(s), _) if is_placeholder(s) => true,
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| body_matches(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| body_matches(x, y))
        }
        _ => json_equal(rec, got),
    }
}

fn short(v: &Value) -> String {
    compact(v)
}

/// A similarity score used to pick the closest recording for a miss (higher is closer).
pub fn closeness(rec: &RecordedRequest, inc: &Incoming) -> i64 {
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
    score - differences(rec, inc).len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec() -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/api/customers".into(),
            query: vec![("a".into(), "1".into()), ("a".into(), "2".into())],
            headers: [("x-api-key".to_string(), "<scrubbed:x-api-key>".to_string())].into(),
            json: Some(json!({"name": "Acme", "password": "<scrubbed:password>"})),
            text: None,
            sha256: None,
        }
    }

    fn inc(body: Value) -> Incoming {
        Incoming {
            method: "POST".into(),
            path: "/api/customers".into(),
            query: vec![("a".into(), "2".into()), ("a".into(), "1".into())],
            headers: vec![("x-api-key".into(), "real".into())],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    #[test]
    fn placeholders_and_query_order_match() {
        assert!(differences(&rec(), &inc(json!({"password": "pw", "name": "Acme"}))).is_empty());
    }

    #[test]
    fn differences_name_what_differs() {
        let d = differences(&rec(), &inc(json!({"name": "Other", "password": "x"})));
        assert_eq!(d.len(), 1);
        assert!(d[0].starts_with("json body: recorded"), "{d:?}");
        let mut i = inc(json!({}));
        i.headers.clear();
        i.path = "/api/customer".into();
        let d = differences(&rec(), &i);
        assert!(d.iter().any(|x| x.starts_with("path:")), "{d:?}");
        assert!(
            !d.iter().any(|x| x.starts_with("header")),
            "a scrubbed credential may be absent: {d:?}"
        );
    }
}
