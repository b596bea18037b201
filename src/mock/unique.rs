//! A live run's `{{ unique }}` value through the mock: recordings store the placeholder
//! (`uniq000000000000`) where the run sent its own value. A request matches with any run's value
//! (`rules::text_equal`); the value it sent is remembered per scenario and put back in place of
//! the placeholder in every later answer of that scenario, so that a flow that created
//! `conform+<its value>@example.com` reads that back, as from the vendor.

use serde_json::Value;

use super::matcher::Incoming;
use super::recording::RecordedRequest;
use crate::case::template::UNIQUE_PLACEHOLDER;

/// The live value `inc` sent where `rec` (which matched it) holds the placeholder, if any.
pub fn sent_unique(rec: &RecordedRequest, inc: &Incoming) -> Option<String> {
    let mut found = in_text(&rec.path, &inc.path);
    for (k, v) in &rec.query {
        if found.is_some() {
            break;
        }
        found = inc
            .query
            .iter()
            .filter(|(ik, _)| ik == k)
            .find_map(|(_, iv)| in_text(v, iv));
    }
    if found.is_none() {
        if let (Some(want), Ok(got)) = (&rec.json, serde_json::from_slice::<Value>(&inc.body)) {
            found = in_json(want, &got);
        }
    }
    found
}

fn in_text(rec: &str, inc: &str) -> Option<String> {
    let at = rec.find(UNIQUE_PLACEHOLDER)?;
    let value = inc.get(at..at + UNIQUE_PLACEHOLDER.len())?;
    let live = value
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (live && super::rules::text_equal(rec, inc)).then(|| value.to_string())
}

fn in_json(rec: &Value, inc: &Value) -> Option<String> {
    match (rec, inc) {
        (Value::String(a), Value::String(b)) => in_text(a, b),
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .find_map(|(k, v)| b.get(k).and_then(|w| in_json(v, w))),
        (Value::Array(a), Value::Array(b)) => a.iter().zip(b).find_map(|(x, y)| in_json(x, y)),
        _ => None,
    }
}

/// `text` with the placeholder replaced by the scenario's live value.
pub fn substitute(text: &str, unique: &str) -> String {
    text.replace(UNIQUE_PLACEHOLDER, unique)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_value_a_client_sent_for_the_placeholder() {
        let rec = RecordedRequest {
            method: "POST".into(),
            path: "/clients".into(),
            query: vec![],
            headers: Default::default(),
            json: Some(json!({"Client": {"Email": "c+uniq000000000000@example.com"}})),
            text: None,
            sha256: None,
        };
        let inc = Incoming {
            method: "POST".into(),
            path: "/clients".into(),
            query: vec![],
            headers: vec![],
            body: br#"{"Client": {"Email": "c+018f3a2b4c5d9e7f@example.com"}}"#.to_vec(),
            scenario: None,
        };
        assert_eq!(sent_unique(&rec, &inc).as_deref(), Some("018f3a2b4c5d9e7f"));
        let played = Incoming {
            body: br#"{"Client": {"Email": "c+uniq000000000000@example.com"}}"#.to_vec(),
            ..inc
        };
        assert_eq!(sent_unique(&rec, &played), None);
        assert_eq!(
            substitute(r#"{"e":"c+uniq000000000000@x"}"#, "018f3a2b4c5d9e7f"),
            r#"{"e":"c+018f3a2b4c5d9e7f@x"}"#
        );
    }
}
