//! Placeholder values for parameters and bodies ([`sample`]): the spec's own example or default
//! when it has one, otherwise a value derived from the schema (required properties only).
//!
//! A value that contains `{{` is never used: conform would read it as an interpolation.

use serde_json::{json, Map, Value};

use super::spec::Spec;

/// How deep samples follow nested objects and `$ref`s (guards against recursive schemas).
const MAX_DEPTH: usize = 8;

/// A value for `schema`, preferring a documented `example`.
pub fn value(spec: &Spec, documented: Option<&Value>, schema: Option<&Value>) -> Sampled {
    if let Some(v) = documented.filter(|v| usable(v)) {
        return Sampled {
            value: v.clone(),
            placeholder: false,
        };
    }
    match schema {
        Some(s) => sample(spec, s, 0),
        None => Sampled {
            value: json!({}),
            placeholder: true,
        },
    }
}

/// A sample and whether any part of it was made up rather than documented.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampled {
    pub value: Value,
    pub placeholder: bool,
}

/// A value valid (as far as cheaply possible) for `schema`.
pub fn sample(spec: &Spec, schema: &Value, depth: usize) -> Sampled {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) if depth < MAX_DEPTH => match spec.pointer(r) {
            Ok(s) => return sample(spec, s, depth + 1),
            Err(_) => return made_up(json!({})),
        },
        _ => schema,
    };
    if let Some(v) = documented(schema) {
        return Sampled {
            value: v,
            placeholder: false,
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|l| l.get(0)) {
            return sample(spec, first, depth + 1);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return all_of(spec, parts, depth);
    }
    let ty = schema_type(schema);
    made_up(match ty.as_deref() {
        Some("object") => return object(spec, schema, depth),
        Some("array") => match schema.get("items") {
            Some(items) if depth < MAX_DEPTH => return array(spec, items, depth),
            _ => json!([]),
        },
        Some("integer") => bounded(schema, 1.0, true),
        Some("number") => bounded(schema, 1.0, false),
        Some("boolean") => json!(true),
        Some("null") => Value::Null,
        Some("file") => json!("example"),
        _ => string(schema),
    })
}

fn made_up(value: Value) -> Sampled {
    Sampled {
        value,
        placeholder: true,
    }
}

/// `example`, `examples[0]`, a non-null `default`, `const` or the first `enum` value.
fn documented(schema: &Value) -> Option<Value> {
    [
        schema.get("example"),
        schema.get("examples").and_then(|e| e.get(0)),
        schema.get("default").filter(|d| !d.is_null()),
        schema.get("const"),
        schema.get("enum").and_then(|e| e.get(0)),
    ]
    .into_iter()
    .flatten()
    .find(|v| usable(v))
    .cloned()
}

/// The schema's type, inferred from `properties`/`items` when not written.
fn schema_type(schema: &Value) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_string),
        _ if schema.get("properties").is_some() => Some("object".into()),
        _ if schema.get("items").is_some() => Some("array".into()),
        _ => None,
    }
}

fn object(spec: &Spec, schema: &Value, depth: usize) -> Sampled {
    let mut out = Map::new();
    let mut placeholder = false;
    let required = schema.get("required").and_then(Value::as_array);
    if let (Some(props), Some(required)) = (schema.get("properties"), required) {
        for name in required.iter().filter_map(Value::as_str) {
            let Some(prop) = props.get(name) else {
                continue;
            };
            let s = if depth < MAX_DEPTH {
                sample(spec, prop, depth + 1)
            } else {
                made_up(Value::Null)
            };
            placeholder |= s.placeholder;
            out.insert(name.to_string(), s.value);
        }
    }
    Sampled {
        value: Value::Object(out),
        placeholder,
    }
}

fn array(spec: &Spec, items: &Value, depth: usize) -> Sampled {
    let item = sample(spec, items, depth + 1);
    Sampled {
        value: json!([item.value]),
        placeholder: item.placeholder,
    }
}

fn all_of(spec: &Spec, parts: &[Value], depth: usize) -> Sampled {
    let mut merged = Map::new();
    let mut placeholder = false;
    for part in parts {
        let s = sample(spec, part, depth + 1);
        placeholder |= s.placeholder;
        match s.value {
            Value::Object(m) => merged.extend(m),
            other if parts.len() == 1 => {
                return Sampled {
                    value: other,
                    placeholder,
                }
            }
            _ => {}
        }
    }
    Sampled {
        value: Value::Object(merged),
        placeholder,
    }
}

/// `minimum` (or `fallback` clamped to `maximum`) as an integer or number.
fn bounded(schema: &Value, fallback: f64, integer: bool) -> Value {
    let min = schema.get("minimum").and_then(Value::as_f64);
    let max = schema.get("maximum").and_then(Value::as_f64);
    let mut v = min.unwrap_or(fallback);
    if let Some(max) = max {
        v = v.min(max);
    }
    if integer {
        json!(v.ceil() as i64)
    } else {
        json!(v)
    }
}

/// A string in the schema's `format`, or a digit string when the pattern wants digits.
fn string(schema: &Value) -> Value {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let pattern = schema.get("pattern").and_then(Value::as_str).unwrap_or("");
    let text = match format {
        "date" => "2024-01-01",
        "date-time" => "2024-01-01T00:00:00Z",
        "time" => "00:00:00",
        "email" => "user@example.com",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        "uri" | "url" => "https://example.com",
        "int32" | "int64" => "1",
        _ if pattern.contains("\\d") || pattern.starts_with("^[0-9]") => "1",
        _ => "example",
    };
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    json!(text
        .chars()
        .take(usize::try_from(max).unwrap_or(usize::MAX))
        .collect::<String>())
}

/// Whether a value can go into a case file as is (no `{{`, which would be an interpolation).
fn usable(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.contains("{{"),
        Value::Array(items) => items.iter().all(usable),
        Value::Object(m) => m.values().all(usable),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(components: Value) -> Spec {
        Spec::from_value(
            json!({"openapi": "3.0.0", "paths": {}, "components": {"schemas": components}}),
            "s".into(),
        )
        .unwrap()
    }

    #[test]
    fn prefers_documented_values_then_derives() {
        let s = spec(json!({
            "Item": {"type": "object", "required": ["id", "name", "tags", "when"],
                     "properties": {"id": {"type": "integer", "minimum": 5}, "name": {"type": "string", "example": "Acme"},
                                    "tags": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
                                    "when": {"type": "string", "format": "date"}, "opt": {"type": "string"}}}
        }));
        let got = sample(&s, &json!({"$ref": "#/components/schemas/Item"}), 0);
        assert_eq!(
            got.value,
            json!({"id": 5, "name": "Acme", "tags": ["a"], "when": "2024-01-01"})
        );
        assert!(got.placeholder);
        let doc = value(&s, Some(&json!({"x": 1})), None);
        assert_eq!(
            doc,
            Sampled {
                value: json!({"x": 1}),
                placeholder: false
            }
        );
        let templated = value(
            &s,
            Some(&json!("{{ x }}")),
            Some(&json!({"type": "string"})),
        );
        assert_eq!(templated.value, json!("example"));
    }

    #[test]
    fn recursive_schemas_stop() {
        let s = spec(json!({
            "Node": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
        }));
        let got = sample(&s, &json!({"$ref": "#/components/schemas/Node"}), 0);
        assert!(got.value.is_object());
    }
}
