//! Noise is learned, never assumed broadly. A safe request (GET or HEAD, outside a flow) whose
//! response differs from its recording is sent a second time: a pointer whose value differs
//! between the two live reads moves on every read, so a value change there is `noise`. A value
//! change between two values of a moving format (date-time, uuid) or from the recording's own
//! scrubbed placeholder (or to a live value scrubbed as sensitive) is `noise` too, and so is a
//! value that echoes what the request sent (a `{{ unique }}` name, an id captured earlier in a
//! flow): recorded from the recorded request, live from the live one. A change of type or presence is never noise.

use std::collections::BTreeSet;

use super::compare::{compare, format_of};
use super::finding::{Difference, Part};
use crate::mock::recording::RecordedResponse;

/// Formats whose values are expected to move between reads.
const MOVING_FORMATS: &[&str] = &["date-time", "date", "uuid"];

/// Whether a case's request may be sent a second time to learn what moves.
pub fn is_safe(method: &str, in_flow: bool) -> bool {
    !in_flow && matches!(method, "GET" | "HEAD")
}

/// The places whose value differs between two live reads of the same request.
pub fn learned(first: &RecordedResponse, second: &RecordedResponse) -> BTreeSet<(Part, String)> {
    compare(first, second)
        .into_iter()
        .filter(|d| d.code.is_value_only())
        .map(|d| (d.part, d.pointer))
        .collect()
}

/// Why a value-only difference is noise without a second read, if it is.
pub fn by_format(d: &Difference) -> Option<String> {
    if !d.code.is_value_only() {
        return None;
    }
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| v.as_str().map(String::from));
    let (rec, live) = (text(&d.recorded)?, text(&d.live)?);
    if crate::redact::is_placeholder(&rec) {
        return Some("the recording holds a scrubbed placeholder here".into());
    }
    if crate::redact::is_placeholder(&live) {
        return Some(
            "the live value is scrubbed (a sensitive field): it cannot be compared".into(),
        );
    }
    match (format_of(&rec), format_of(&live)) {
        (Some(a), Some(b)) if a == b && MOVING_FORMATS.contains(&a) => {
            Some(format!("both values are {a}s, a format that moves"))
        }
        _ => None,
    }
}

/// The values a request carried: path segments, query values and JSON body leaves, as text.
pub fn request_values(
    path: &str,
    query: &[(String, String)],
    json: Option<&serde_json::Value>,
) -> BTreeSet<String> {
    fn leaves(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => m.values().for_each(|v| leaves(v, out)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| leaves(v, out)),
            serde_json::Value::String(s) => {
                out.insert(s.clone());
            }
            serde_json::Value::Number(n) => {
                out.insert(n.to_string());
            }
            _ => {}
        }
    }
    let mut out: BTreeSet<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    out.extend(query.iter().map(|(_, v)| v.clone()));
    if let Some(v) = json {
        leaves(v, &mut out);
    }
    out
}

/// Why a value-only difference is noise because the recording holds the `{{ unique }}`
/// placeholder where the live run has its own per-run value (what `conform record` stores).
pub fn by_unique(d: &Difference) -> Option<String> {
    if !d.code.is_value_only() {
        return None;
    }
    let (Some(serde_json::Value::String(rec)), Some(serde_json::Value::String(live))) =
        (&d.recorded, &d.live)
    else {
        return None;
    };
    (rec.contains(crate::case::template::UNIQUE_PLACEHOLDER)
        && crate::mock::rules::text_equal(rec, live))
    .then(|| "the recording's `{{ unique }}` placeholder stands for this run's value".into())
}

/// Why a value-only difference is noise because it echoes the request, if it does: the recorded
/// value was sent by the recorded request and the live value by the live one.
pub fn by_echo(
    d: &Difference,
    recorded_request: &BTreeSet<String>,
    live_request: &BTreeSet<String>,
) -> Option<String> {
    if !d.code.is_value_only() {
        return None;
    }
    let text = |v: &Option<serde_json::Value>| match v.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (rec, live) = (text(&d.recorded)?, text(&d.live)?);
    (recorded_request.contains(&rec) && live_request.contains(&live))
        .then(|| "the value echoes what the request sent (a unique or captured value)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::finding::Code;
    use serde_json::json;

    fn diff(rec: &str, live: &str) -> Difference {
        Difference {
            code: Code::ValueChanged,
            part: Part::Body,
            pointer: "/x".into(),
            recorded: Some(json!(rec)),
            live: Some(json!(live)),
        }
    }

    #[test]
    fn moving_formats_are_noise_and_other_strings_are_not() {
        assert!(by_format(&diff("2024-01-01T10:00:00Z", "2025-02-02T11:00:00+01:00")).is_some());
        assert!(by_format(&diff(
            "0b9e3f5c-8e0a-4d8e-9c39-2f1b1b7f0c11",
            "7d3c1e7a-1111-4c1e-8f00-aaaaaaaaaaaa"
        ))
        .is_some());
        assert!(by_format(&diff("<scrubbed:token>", "abc")).is_some());
        assert!(by_format(&diff("XXXX0021", "<scrubbed:routingnumber>")).is_some());
        assert!(by_format(&diff("active", "archived")).is_none());
        assert!(by_format(&diff("2024-01-01T10:00:00Z", "2024-01-02")).is_none());
    }

    #[test]
    fn a_value_sent_by_each_request_is_an_echo() {
        let rec = request_values("/customers/41", &[], Some(&json!({"name": "conform-a1"})));
        let live = request_values(
            "/customers/57",
            &[("q".into(), "x".into())],
            Some(&json!({"name": "conform-b2"})),
        );
        let mut d = diff("conform-a1", "conform-b2");
        assert!(by_echo(&d, &rec, &live).is_some());
        d.recorded = Some(json!(41));
        d.live = Some(json!(57));
        assert!(by_echo(&d, &rec, &live).is_some());
        d.live = Some(json!(58));
        assert!(by_echo(&d, &rec, &live).is_none());
    }

    #[test]
    fn the_unique_placeholder_stands_for_any_runs_value() {
        let d = diff(
            "c+uniq000000000000@example.com",
            "c+018f3a2b4c5d9e7f@example.com",
        );
        assert!(by_unique(&d).is_some());
        let other = diff("c+uniq000000000000@example.com", "someone@example.com");
        assert!(by_unique(&other).is_none());
        assert!(by_unique(&diff("a", "b")).is_none());
    }

    #[test]
    fn only_get_and_head_outside_flows_are_sent_twice() {
        assert!(is_safe("GET", false));
        assert!(is_safe("HEAD", false));
        assert!(!is_safe("GET", true));
        assert!(!is_safe("POST", false));
    }
}
