//! JSON helpers shared by checks, the playback matcher, snapshots and the run's client, a leaf:
//! value equality where `1 == 1.0` ([`json_equal`]), one-line and pretty rendering, key sorting,
//! type names, and a response body parsed once ([`ParsedBody`]).

use serde_json::Value;

/// JSON equality where numbers compare by value (`1` == `1.0`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// One-line JSON, cut at 120 characters.
pub fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!("{}...", crate::diag::truncate_str(&s, 117))
    } else {
        s
    }
}

/// Indented JSON, for expected/actual values shown side by side.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The same value with object keys sorted at every depth (stable snapshots and files).
pub fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// A JSON value's type name as used in messages and `type:` predicates.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The response body parsed as JSON, once, for every check that needs it.
pub enum ParsedBody {
    Json(Value),
    /// Why the body is not JSON (with its first bytes).
    NotJson(String),
}

impl ParsedBody {
    pub fn parse(body: &[u8]) -> ParsedBody {
        if body.is_empty() {
            return ParsedBody::NotJson("the body is empty".into());
        }
        match std::str::from_utf8(body) {
            Err(e) => ParsedBody::NotJson(format!(
                "the body is not valid UTF-8 (invalid byte at offset {}); first bytes: {}",
                e.valid_up_to(),
                first_bytes(body)
            )),
            Ok(text) => match serde_json::from_str(text) {
                Ok(v) => ParsedBody::Json(v),
                Err(e) => ParsedBody::NotJson(format!(
                    "the body is not JSON ({e}); first bytes: {}",
                    first_bytes(body)
                )),
            },
        }
    }

    pub fn json(&self) -> Option<&Value> {
        match self {
            ParsedBody::Json(v) => Some(v),
            ParsedBody::NotJson(_) => None,
        }
    }
}

/// Up to 64 bytes, escaped so that binary shows as `\xNN`.
pub fn first_bytes(body: &[u8]) -> String {
    let head = &body[..body.len().min(64)];
    let mut out = String::from("\"");
    out.push_str(&head.escape_ascii().to_string());
    out.push('"');
    if body.len() > 64 {
        out.push_str(&format!(" ... ({} bytes)", body.len()));
    }
    out
}
