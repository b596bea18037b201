//! A miss shown as a diff: the expected exchange's request (the pinned case's, or the next step
//! of the flow under way) against the request sent, as unified text of method and path, query
//! pairs and body. Served in the miss answer's [`UNMATCHED_DIFF`](crate::run::wire::UNMATCHED_DIFF)
//! field, which `conform run` puts in the case's failure.

use serde_json::Value;

use super::matcher::Incoming;
use super::recording::{sha256_hex, RecordedRequest};

/// Unified diff of `expected` (named `label`) against `sent`; empty when the texts are equal
/// (the difference is in headers or credentials, which the miss message lists).
pub fn request_diff(label: &str, expected: &RecordedRequest, sent: &Incoming) -> String {
    let expected_text = render(
        &expected.method,
        &expected.path,
        &expected.query,
        &expected_body(expected),
    );
    let sent_text = render(
        &sent.method,
        &sent.path,
        &sent.query,
        &sent_body(&sent.body),
    );
    if expected_text == sent_text {
        return String::new();
    }
    similar::TextDiff::from_lines(&expected_text, &sent_text)
        .unified_diff()
        .context_radius(3)
        .header(&format!("expected {label}"), "sent")
        .to_string()
}

/// `METHOD path`, one `?name=value` line per query pair (sorted: order does not matter to the
/// match) and the body, pretty JSON with sorted keys.
fn render(method: &str, path: &str, query: &[(String, String)], body: &str) -> String {
    let mut out = format!("{} {path}\n", method.to_ascii_uppercase());
    let mut pairs: Vec<String> = query.iter().map(|(k, v)| format!("?{k}={v}\n")).collect();
    pairs.sort();
    out.extend(pairs);
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
        if !body.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Pretty JSON with object keys sorted: key order never matters to the match.
fn pretty(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&map[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sorted(v)).unwrap_or_default()
}

fn expected_body(rec: &RecordedRequest) -> String {
    match (&rec.json, &rec.text, &rec.sha256) {
        (Some(v), _, _) => pretty(v),
        (None, Some(t), _) => t.clone(),
        (None, None, Some(digest)) => format!("(binary body, sha256 {digest})"),
        (None, None, None) => String::new(),
    }
}

fn sent_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return pretty(&v);
    }
    match std::str::from_utf8(body) {
        Ok(t) => t.to_string(),
        Err(_) => format!("(binary body, sha256 {})", sha256_hex(body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn recorded(json: Value) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/clients".into(),
            query: vec![("b".into(), "2".into()), ("a".into(), "1".into())],
            headers: Default::default(),
            json: Some(json),
            text: None,
            sha256: None,
        }
    }

    fn sent(body: &str, query: &[(&str, &str)]) -> Incoming {
        Incoming {
            method: "POST".into(),
            path: "/clients".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            scenario: None,
        }
    }

    #[test]
    fn shows_the_changed_lines_of_query_and_body() {
        let rec = recorded(json!({"firstName": "Flow", "lastName": "Conform"}));
        let diff = request_diff(
            "flow::create",
            &rec,
            &sent(
                r#"{"lastName": "Conform", "firstName": "Mutated"}"#,
                &[("a", "1"), ("b", "3")],
            ),
        );
        assert!(
            diff.starts_with("--- expected flow::create\n+++ sent\n"),
            "{diff}"
        );
        for line in [
            "-?b=2",
            "+?b=3",
            "-  \"firstName\": \"Flow\",",
            "+  \"firstName\": \"Mutated\",",
        ] {
            assert!(diff.lines().any(|l| l == line), "{line} in\n{diff}");
        }
        assert!(diff.lines().any(|l| l == " ?a=1"), "{diff}");
    }

    #[test]
    fn equal_texts_give_no_diff() {
        let rec = recorded(json!({"x": 1}));
        assert_eq!(
            request_diff("f::c", &rec, &sent(r#"{"x":1}"#, &[("b", "2"), ("a", "1")])),
            ""
        );
    }
}
