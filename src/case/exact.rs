//! Integers beyond 64 bits in a JSON body, kept as written.
//!
//! serde-saphyr hands a typeless integer that does not fit `i64`/`u64` to the visitor as an `f64`
//! (`123456789012345678901234567890` becomes `1.2345678901234568e29`), and a `serde_json::Value`
//! cannot hold more without `arbitrary_precision`, which would change how every number of every
//! response is stored and serialised (YAML recordings would get serde_json's private number map).
//! So [`ExactJson`] keeps the `Value` as serde-saphyr gives it and, beside it, the source text of
//! each such integer, re-read from the file through the scalar's span: the loader makes the file's
//! text available with [`with_source`] while it parses.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

use super::template::{JsonTemplate, RenderError, TemplateError, Vars};

/// One step from a body's root to a value inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Index(usize),
    Field(String),
}

/// A JSON value written in YAML, with the exact text of its integers that do not fit 64 bits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExactJson {
    /// The value as serde-saphyr reads it (those integers as the nearest `f64`).
    pub value: Value,
    /// Where each too-large integer is, and its digits as written (`-` and digits only).
    pub integers: Vec<(Vec<Key>, String)>,
}

thread_local! {
    /// The text being parsed, when it holds a digit run long enough to overflow 64 bits.
    static SOURCE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
    /// How many span-aware levels are open: deeper ones are read as plain values.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Span-aware levels kept exact; below them a body is read as a plain `Value`. Each level costs
/// several deserializer frames, and YAML nesting is bounded only by serde-saphyr's budget.
const MAX_EXACT_DEPTH: usize = 12;

/// The shortest decimal that can overflow `i64`/`u64` has 19 digits.
const MIN_BIG_DIGITS: usize = 19;

/// Runs `parse` with `text` as the source that [`ExactJson`] re-reads integers from. A text
/// without a run of 19 digits cannot hold such an integer: bodies are then read as plain values.
pub fn with_source<R>(text: &Arc<str>, parse: impl FnOnce() -> R) -> R {
    let source = has_long_digit_run(text).then(|| Arc::clone(text));
    let previous = SOURCE.with(|s| s.replace(source));
    let out = parse();
    SOURCE.with(|s| *s.borrow_mut() = previous);
    out
}

fn has_long_digit_run(text: &str) -> bool {
    let mut run = 0;
    for b in text.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= MIN_BIG_DIGITS {
            return true;
        }
    }
    false
}

/// Closes a span-aware level when dropped (also on an error).
struct Level;

impl Level {
    fn enter() -> Option<Level> {
        let exact = SOURCE.with(|s| s.borrow().is_some());
        let depth = DEPTH.with(Cell::get);
        (exact && depth < MAX_EXACT_DEPTH).then(|| {
            DEPTH.with(|d| d.set(depth + 1));
            Level
        })
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// The source text of a scalar at `loc`, when it is a decimal integer literal.
fn integer_text(loc: &serde_saphyr::Location) -> Option<String> {
    let span = loc.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let len = usize::try_from(span.byte_len()?).ok()?;
    SOURCE.with(|s| {
        let source = s.borrow();
        let text = source
            .as_deref()?
            .get(start..start.checked_add(len)?)?
            .trim();
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        let is_integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        is_integer.then(|| text.trim_start_matches('+').to_string())
    })
}

/// A node as read, before its location is known (the `Spanned` around it carries that).
enum Node {
    Value(Value),
    Float(f64),
    Array(Vec<ExactJson>),
    Object(Vec<(String, ExactJson)>),
}

impl<'de> Deserialize<'de> for ExactJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Some(_level) = Level::enter() else {
            return Ok(ExactJson {
                value: Value::deserialize(d)?,
                integers: Vec::new(),
            });
        };
        let node = Spanned::<Node>::deserialize(d)?;
        Ok(match node.value {
            Node::Value(value) => ExactJson {
                value,
                integers: Vec::new(),
            },
            Node::Float(f) => {
                let value = Number::from_f64(f).map_or(Value::Null, Value::Number);
                let integers = integer_text(&node.referenced)
                    .map(|text| vec![(Vec::new(), text)])
                    .unwrap_or_default();
                ExactJson { value, integers }
            }
            Node::Array(items) => {
                let mut integers = Vec::new();
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    integers.extend(under(Key::Index(i), item.integers));
                    values.push(item.value);
                }
                ExactJson {
                    value: Value::Array(values),
                    integers,
                }
            }
            Node::Object(fields) => {
                let mut integers = Vec::new();
                let mut map = Map::with_capacity(fields.len());
                for (k, item) in fields {
                    integers.extend(under(Key::Field(k.clone()), item.integers));
                    map.insert(k, item.value);
                }
                ExactJson {
                    value: Value::Object(map),
                    integers,
                }
            }
        })
    }
}

fn under(key: Key, integers: Vec<(Vec<Key>, String)>) -> impl Iterator<Item = (Vec<Key>, String)> {
    integers.into_iter().map(move |(mut path, text)| {
        path.insert(0, key.clone());
        (path, text)
    })
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Value(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Value(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Value(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Value(Value::String(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Value(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Value(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Value(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<ExactJson>()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<ExactJson>()?;
            fields.push((key, value));
        }
        Ok(Node::Object(fields))
    }
}

impl JsonTemplate {
    /// Like [`JsonTemplate::parse`], with the integers of `body` that do not fit 64 bits kept as
    /// [`JsonTemplate::Integer`] (the subtrees above them are no longer one literal).
    pub fn parse_exact(body: &ExactJson) -> Result<JsonTemplate, TemplateError> {
        exact_below(&body.value, &body.integers)
    }

    /// The JSON text sent for this template: what `serde_json::to_vec` writes for
    /// [`JsonTemplate::render`], with each [`JsonTemplate::Integer`]'s digits as written.
    pub fn to_json_bytes(&self, vars: &Vars) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        self.write_json(vars, &mut out)?;
        Ok(out)
    }

    fn write_json(&self, vars: &Vars, out: &mut Vec<u8>) -> Result<(), RenderError> {
        match self {
            JsonTemplate::Integer(digits) => out.extend_from_slice(digits.as_bytes()),
            JsonTemplate::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_json(vars, out)?;
                }
                out.push(b']');
            }
            JsonTemplate::Object(fields) => {
                out.push(b'{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_value(&Value::String(key.clone()), out);
                    out.push(b':');
                    value.write_json(vars, out)?;
                }
                out.push(b'}');
            }
            other => write_value(&other.render(vars)?, out),
        }
        Ok(())
    }
}

fn write_value(v: &Value, out: &mut Vec<u8>) {
    // Writing JSON to a Vec cannot fail.
    let _ = serde_json::to_writer(out, v);
}

/// The template of `value`, whose too-large integers are at `integers` (paths relative to it).
fn exact_below(
    value: &Value,
    integers: &[(Vec<Key>, String)],
) -> Result<JsonTemplate, TemplateError> {
    if integers.is_empty() {
        return JsonTemplate::parse(value);
    }
    if let Some((_, digits)) = integers.iter().find(|(path, _)| path.is_empty()) {
        return Ok(JsonTemplate::Integer(digits.clone()));
    }
    let within = |key: Key| -> Vec<(Vec<Key>, String)> {
        integers
            .iter()
            .filter(|(path, _)| path.first() == Some(&key))
            .map(|(path, digits)| (path[1..].to_vec(), digits.clone()))
            .collect()
    };
    Ok(match value {
        Value::Array(items) => JsonTemplate::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| exact_below(item, &within(Key::Index(i))))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => JsonTemplate::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), exact_below(v, &within(Key::Field(k.clone())))?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => JsonTemplate::parse(other)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> ExactJson {
        let text: Arc<str> = Arc::from(yaml);
        with_source(&text, || serde_saphyr::from_str::<ExactJson>(yaml).unwrap())
    }

    #[test]
    fn integers_beyond_64_bits_keep_their_digits() {
        let body =
            read("{ n: 123456789012345678901234567890, list: [1, -98765432109876543210987] }");
        assert_eq!(
            body.integers,
            vec![
                (
                    vec![Key::Field("n".into())],
                    "123456789012345678901234567890".to_string()
                ),
                (
                    vec![Key::Field("list".into()), Key::Index(1)],
                    "-98765432109876543210987".to_string()
                ),
            ]
        );
        assert_eq!(body.value["list"][0], 1);
    }

    #[test]
    fn ordinary_numbers_and_floats_are_left_to_serde() {
        let body = read("{ a: 1.5, b: 18446744073709551615, c: -9223372036854775808, d: 1e30 }");
        assert!(body.integers.is_empty(), "{:?}", body.integers);
        assert_eq!(body.value["b"], u64::MAX);
        assert_eq!(body.value["a"], 1.5);
    }

    #[test]
    fn deep_bodies_stay_within_the_stack_and_keep_shallow_digits() {
        let depth = 60;
        let yaml = format!(
            "{{ n: 123456789012345678901234567890, deep: {}1{} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let body = read(&yaml);
        assert_eq!(body.integers.len(), 1);
        assert_eq!(DEPTH.with(Cell::get), 0);
        // Hostile: nested far beyond the YAML budget, with a long digit run. An error, no
        // stack overflow (this runs on a test thread's small stack).
        let mut yaml = String::from("n: 123456789012345678901234567890\n");
        for level in 0..300 {
            yaml.push_str(&format!("{}k:\n", "  ".repeat(level)));
        }
        let text: Arc<str> = Arc::from(yaml.as_str());
        let result = with_source(&text, || serde_saphyr::from_str::<ExactJson>(&yaml));
        assert!(result.is_err());
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    #[test]
    fn the_wire_gets_the_digits_and_everything_else_as_serde_json_writes_it() {
        let body = read(
            "{ n: 123456789012345678901234567890, s: \"a\\\"b\", xs: [1.5, -12345678901234567890123, true, null], e: {} }",
        );
        let t = JsonTemplate::parse_exact(&body).unwrap();
        let sent = String::from_utf8(t.to_json_bytes(&Vars::default()).unwrap()).unwrap();
        assert_eq!(
            sent,
            r#"{"n":123456789012345678901234567890,"s":"a\"b","xs":[1.5,-12345678901234567890123,true,null],"e":{}}"#
        );
        // Without such integers the bytes are exactly serde_json's.
        let plain = read("{ a: [1, 2.5, \"x\"], b: { c: null } }");
        let t = JsonTemplate::parse_exact(&plain).unwrap();
        assert_eq!(
            t.to_json_bytes(&Vars::default()).unwrap(),
            serde_json::to_vec(&plain.value).unwrap()
        );
    }
}
