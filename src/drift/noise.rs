//! Noise is learned, never assumed broadly. A safe request (GET or HEAD, outside a flow) whose
//! response differs from its recording is sent a second time: a pointer whose value differs
//! between the two live reads moves on every read, so a value change there is `noise`. A value
//! change between two values of a moving format (date-time, uuid) or from the recording's own
//! scrubbed placeholder (or to a live value scrubbed as sensitive) is `noise` too. A change of type or presence is never noise.

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
    fn only_get_and_head_outside_flows_are_sent_twice() {
        assert!(is_safe("GET", false));
        assert!(is_safe("HEAD", false));
        assert!(!is_safe("GET", true));
        assert!(!is_safe("POST", false));
    }
}
