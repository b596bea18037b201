//! What a snapshot stores of a body: scrubbed, a case's `redact` selectors applied, keys sorted.

use serde_json::Value;

use crate::case::{Selector, Step};
use crate::json::sort_keys;
use crate::redact::Redactor;

/// The placeholder that replaces redacted values.
pub const REDACTED: &str = "[redacted]";

/// Replaces every value `selector` points at with [`REDACTED`].
pub fn apply(selector: &Selector, value: &mut Value) {
    redact(value, &selector.steps);
}

fn redact(value: &mut Value, steps: &[Step]) {
    let Some((first, rest)) = steps.split_first() else {
        *value = Value::String(REDACTED.into());
        return;
    };
    match (first, value) {
        (Step::Deep, v) => {
            redact(v, rest);
            match v {
                Value::Object(map) => map.values_mut().for_each(|c| redact(c, steps)),
                Value::Array(items) => items.iter_mut().for_each(|c| redact(c, steps)),
                _ => {}
            }
        }
        (Step::Key(k), Value::Object(map)) => {
            if let Some(child) = map.get_mut(k) {
                redact(child, rest);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values_mut().for_each(|c| redact(c, rest)),
        (Step::Index(i), Value::Array(items)) => {
            if let Some(child) = items.get_mut(*i) {
                redact(child, rest);
            }
        }
        (Step::AnyIndex, Value::Array(items)) => items.iter_mut().for_each(|c| redact(c, rest)),
        _ => {}
    }
}

/// The body of a snapshot: the parsed JSON scrubbed, `selectors` applied and keys sorted; an
/// empty body as `null`; any other body as scrubbed text.
pub fn snapshot_body(
    json: Option<&Value>,
    raw: &[u8],
    redactor: &Redactor,
    selectors: &[Selector],
) -> Value {
    match json {
        Some(v) => {
            let mut v = redactor.json(v);
            for s in selectors {
                apply(s, &mut v);
            }
            sort_keys(v)
        }
        None if raw.is_empty() => Value::Null,
        None => Value::String(redactor.text(&String::from_utf8_lossy(raw))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_redact_where_they_point() {
        let mut v = json!({"id": 1, "items": [{"createdDate": "a", "n": 1}], "deep": {"x": {"modifiedDate": "b"}}});
        for s in [".id", ".items[].createdDate", ".**.modifiedDate"] {
            apply(&Selector::parse(s).unwrap(), &mut v);
        }
        assert_eq!(
            v,
            json!({"id": "[redacted]", "items": [{"createdDate": "[redacted]", "n": 1}], "deep": {"x": {"modifiedDate": "[redacted]"}}})
        );
    }

    #[test]
    fn an_empty_body_is_null_and_text_stays_text() {
        let r = Redactor::default();
        assert_eq!(snapshot_body(None, b"", &r, &[]), Value::Null);
        assert_eq!(snapshot_body(None, b"ok", &r, &[]), json!("ok"));
        assert_eq!(
            snapshot_body(Some(&json!({"b": 1, "a": 2})), b"", &r, &[]).to_string(),
            r#"{"a":2,"b":1}"#
        );
    }
}
