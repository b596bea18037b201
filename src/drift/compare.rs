//! Structural comparison of a recorded response with a live one (both normalised by
//! `crate::normalize`, through `mock::normalize::response`): status, content type, the headers the recording keeps, and the body field
//! by field. Array items are compared position by position under one generalised pointer
//! (`/items/*/name`), so a list of fifty customers gives one finding per field, not fifty.

use serde_json::{Map, Value};

use super::finding::{Code, Difference, Part};
use crate::mock::recording::RecordedResponse;
use crate::normalize::{is_volatile_header, media_type};

/// Every difference, in a stable order (status, headers, body in document order), each
/// (code, part, pointer) once.
pub fn compare(recorded: &RecordedResponse, live: &RecordedResponse) -> Vec<Difference> {
    let mut out = Out::default();
    if recorded.status != live.status {
        out.push(
            Code::StatusChanged,
            Part::Status,
            String::new(),
            Some(Value::from(recorded.status)),
            Some(Value::from(live.status)),
        );
    }
    let (rec_type, live_type) = (media_type(&recorded.headers), media_type(&live.headers));
    if rec_type != live_type {
        out.push(
            Code::ContentTypeChanged,
            Part::Headers,
            "/content-type".into(),
            rec_type.map(Value::from),
            live_type.map(Value::from),
        );
    }
    headers(recorded, live, &mut out);
    body(recorded, live, &mut out);
    out.0
}

#[derive(Default)]
struct Out(Vec<Difference>);

impl Out {
    fn push(
        &mut self,
        code: Code,
        part: Part,
        pointer: String,
        recorded: Option<Value>,
        live: Option<Value>,
    ) {
        let seen = self
            .0
            .iter()
            .any(|d| d.code == code && d.part == part && d.pointer == pointer);
        if !seen {
            self.0.push(Difference {
                code,
                part,
                pointer,
                recorded,
                live,
            });
        }
    }
}

fn compared_header(name: &str) -> bool {
    !name.eq_ignore_ascii_case("content-type") && !is_volatile_header(name)
}

fn headers(recorded: &RecordedResponse, live: &RecordedResponse, out: &mut Out) {
    let find = |r: &RecordedResponse, name: &str| {
        r.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    for (name, value) in recorded.headers.iter().filter(|(n, _)| compared_header(n)) {
        let pointer = format!("/{}", escape(&name.to_ascii_lowercase()));
        match find(live, name) {
            None => out.push(
                Code::HeaderRemoved,
                Part::Headers,
                pointer,
                Some(Value::from(value.clone())),
                None,
            ),
            Some(v) if &v != value => out.push(
                Code::HeaderChanged,
                Part::Headers,
                pointer,
                Some(Value::from(value.clone())),
                Some(Value::from(v)),
            ),
            Some(_) => {}
        }
    }
    for (name, value) in live.headers.iter().filter(|(n, _)| compared_header(n)) {
        if find(recorded, name).is_none() {
            let pointer = format!("/{}", escape(&name.to_ascii_lowercase()));
            out.push(
                Code::HeaderAdded,
                Part::Headers,
                pointer,
                None,
                Some(Value::from(value.clone())),
            );
        }
    }
}

/// The body as a JSON value: JSON as is, text as a string, binary as its base64 text.
fn body_value(r: &RecordedResponse) -> Option<Value> {
    match (&r.json, &r.text, &r.base64) {
        (Some(v), _, _) => Some(v.clone()),
        (None, Some(t), _) => Some(Value::from(t.clone())),
        (None, None, Some(b)) => Some(Value::from(b.clone())),
        (None, None, None) => None,
    }
}

fn body(recorded: &RecordedResponse, live: &RecordedResponse, out: &mut Out) {
    let both_json = recorded.json.is_some() && live.json.is_some();
    match (body_value(recorded), body_value(live)) {
        (None, None) => {}
        (Some(r), Some(l)) if both_json => walk(&r, &l, String::new(), out),
        (r, l) if r != l => {
            let code = match (&r, &l) {
                (Some(_), None) => Code::FieldRemoved,
                (None, Some(_)) => Code::FieldAdded,
                _ if recorded.json.is_some() != live.json.is_some() => Code::TypeChanged,
                _ => Code::ValueChanged,
            };
            out.push(code, Part::Body, String::new(), r, l);
        }
        _ => {}
    }
}

/// The kind of a JSON value, integers and decimals being one kind (`1` and `1.0` are equal).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Number(_) => "number",
        other => crate::json::json_type_name(other),
    }
}

fn walk(rec: &Value, live: &Value, pointer: String, out: &mut Out) {
    match (rec, live) {
        (Value::Object(r), Value::Object(l)) => objects(r, l, &pointer, out),
        (Value::Array(r), Value::Array(l)) => {
            if !r.is_empty() && l.is_empty() {
                let (rv, lv) = (Some(rec.clone()), Some(live.clone()));
                out.push(Code::ArrayBecameEmpty, Part::Body, pointer.clone(), rv, lv);
            } else if r.len() != l.len() {
                let (rv, lv) = (Some(Value::from(r.len())), Some(Value::from(l.len())));
                out.push(Code::ValueChanged, Part::Body, pointer.clone(), rv, lv);
            }
            for (ri, li) in r.iter().zip(l) {
                walk(ri, li, format!("{pointer}/*"), out);
            }
        }
        (Value::Null, Value::Null) => {}
        (Value::Null, _) | (_, Value::Null) => out.push(
            Code::NullabilityChanged,
            Part::Body,
            pointer,
            Some(rec.clone()),
            Some(live.clone()),
        ),
        _ if kind(rec) != kind(live) => out.push(
            Code::TypeChanged,
            Part::Body,
            pointer,
            Some(rec.clone()),
            Some(live.clone()),
        ),
        (Value::String(r), Value::String(l)) if r != l => {
            let code = match format_of(r) {
                Some(f) if format_of(l) != Some(f) => Code::FormatChanged,
                _ => Code::ValueChanged,
            };
            out.push(
                code,
                Part::Body,
                pointer,
                Some(rec.clone()),
                Some(live.clone()),
            );
        }
        _ if !crate::json::json_equal(rec, live) => out.push(
            Code::ValueChanged,
            Part::Body,
            pointer,
            Some(rec.clone()),
            Some(live.clone()),
        ),
        _ => {}
    }
}

fn objects(r: &Map<String, Value>, l: &Map<String, Value>, pointer: &str, out: &mut Out) {
    for (key, rv) in r {
        let at = format!("{pointer}/{}", escape(key));
        match l.get(key) {
            None => out.push(Code::FieldRemoved, Part::Body, at, Some(rv.clone()), None),
            Some(lv) => walk(rv, lv, at, out),
        }
    }
    for (key, lv) in l {
        if !r.contains_key(key) {
            let at = format!("{pointer}/{}", escape(key));
            out.push(Code::FieldAdded, Part::Body, at, None, Some(lv.clone()));
        }
    }
}

/// The format a string value has, when it has one of those that drift knows.
pub fn format_of(s: &str) -> Option<&'static str> {
    use std::sync::LazyLock;
    static FORMATS: LazyLock<Vec<(&'static str, regex::Regex)>> = LazyLock::new(|| {
        [
            (
                "date-time",
                r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
            ),
            ("date", r"^\d{4}-\d{2}-\d{2}$"),
            (
                "uuid",
                r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            ),
            ("uri", r"^https?://\S+$"),
            ("email", r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        ]
        .into_iter()
        .filter_map(|(name, re)| regex::Regex::new(re).ok().map(|r| (name, r)))
        .collect()
    });
    FORMATS
        .iter()
        .find(|(_, re)| re.is_match(s))
        .map(|(name, _)| *name)
}

/// One JSON Pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A concrete JSON Pointer into `body` (`/items/3/name`, as a schema validator reports it) with
/// each array index written as `*`, the way findings name places.
pub fn generalise(body: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut at = Some(body);
    for segment in pointer.split('/').skip(1) {
        let raw = segment.replace("~1", "/").replace("~0", "~");
        match at {
            Some(Value::Array(items)) => {
                out.push_str("/*");
                at = raw.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            Some(Value::Object(map)) => {
                out.push('/');
                out.push_str(segment);
                at = map.get(&raw);
            }
            _ => {
                out.push('/');
                out.push_str(segment);
                at = None;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(json: Value) -> RecordedResponse {
        RecordedResponse {
            status: 200,
            headers: [("content-type".to_string(), "application/json".to_string())].into(),
            json: Some(json),
            text: None,
            base64: None,
        }
    }

    #[test]
    fn array_items_share_one_pointer_and_each_difference_is_named_once() {
        let rec = response(json!({"items": [{"name": "a", "id": 1}, {"name": "b", "id": 2}]}));
        let live = response(json!({"items": [{"name": 1, "id": 1}, {"name": 2}]}));
        let got: Vec<(Code, String)> = compare(&rec, &live)
            .into_iter()
            .map(|d| (d.code, d.pointer))
            .collect();
        assert_eq!(
            got,
            vec![
                (Code::TypeChanged, "/items/*/name".to_string()),
                (Code::FieldRemoved, "/items/*/id".to_string()),
            ]
        );
    }

    #[test]
    fn generalise_replaces_array_indexes_only() {
        let body = json!({"items": [{"0": {"a": 1}}]});
        assert_eq!(generalise(&body, "/items/0/0/a"), "/items/*/0/a");
        assert_eq!(generalise(&body, ""), "");
    }
}
