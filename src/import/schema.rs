//! OpenAPI / Swagger schema objects to JSON Schema 2020-12 files ([`Translator`]).
//!
//! `$ref`s to named schemas become relative file references (`#/definitions/Foo` -> `Foo.json`,
//! `#/components/schemas/Foo/properties/a` -> `Foo.json#/properties/a`), and the keywords that are
//! not JSON Schema are translated: `nullable`/`x-nullable` -> a union with `null`, `type: file` ->
//! a binary string, `example` -> `examples`, boolean `exclusiveMinimum`/`exclusiveMaximum` -> the
//! numeric form. Annotations JSON Schema ignores (`discriminator`, `xml`, `readOnly`, `x-*`) stay.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// The dialect every generated file declares.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Keywords whose value is a map of name -> schema.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is one schema.
const SCHEMA_ONE: [&str; 11] = [
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "items",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

/// Translates schemas of one spec, knowing the file name of every named schema.
#[derive(Debug)]
pub struct Translator {
    prefix: &'static str,
    /// Named schema -> file name under `schemas/<api>/`.
    files: BTreeMap<String, String>,
}

/// A translated schema and the references that could not be rewritten.
#[derive(Debug, Default)]
pub struct Translated {
    pub value: Value,
    /// Problems, e.g. "unresolvable `$ref` `#/definitions/Missing`".
    pub broken: BTreeSet<String>,
    /// Named schemas this one refers to.
    pub uses: BTreeSet<String>,
}

impl Translator {
    /// `names` are the spec's named schemas; `prefix` is how refs to them start.
    pub fn new<'a>(prefix: &'static str, names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut files = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for name in names {
            let file = unique(&mut taken, &file_stem(name));
            files.insert(name.to_string(), format!("{file}.json"));
        }
        Translator { prefix, files }
    }

    /// The file a named schema is written to.
    pub fn file_of(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// Whether `file` is already the name of a named schema's file.
    pub fn is_taken(&self, file: &str) -> bool {
        self.files.values().any(|f| f.eq_ignore_ascii_case(file))
    }

    /// Translates a whole file's schema (adds `$schema`).
    pub fn file(&self, schema: &Value) -> Translated {
        let mut t = Translated::default();
        let mut value = self.node(schema, &mut t);
        if let Value::Object(map) = &mut value {
            if !map.contains_key("$schema") {
                let mut with = Map::new();
                with.insert("$schema".into(), json!(DIALECT));
                with.extend(std::mem::take(map));
                *map = with;
            }
        }
        t.value = value;
        t
    }

    fn node(&self, schema: &Value, t: &mut Translated) -> Value {
        let Some(map) = schema.as_object() else {
            return schema.clone();
        };
        let mut out = Map::new();
        let mut nullable = false;
        for (key, v) in map {
            match key.as_str() {
                "$ref" => {
                    out.insert(key.clone(), json!(self.reference(v, t)));
                }
                "nullable" | "x-nullable" => nullable |= v == &Value::Bool(true),
                "example" => {
                    if !map.contains_key("examples") {
                        out.insert("examples".into(), json!([v]));
                    }
                }
                "examples" => {
                    if v.is_array() {
                        out.insert(key.clone(), v.clone());
                    }
                }
                "required" if !v.is_array() => {}
                "exclusiveMinimum" | "exclusiveMaximum" if v.is_boolean() => {
                    exclusive_bound(map, key, v, &mut out);
                }
                "minimum" | "maximum" if bound_is_exclusive(map, key) => {}
                "type" if v == "file" => {
                    out.insert("type".into(), json!("string"));
                    out.insert("format".into(), json!("binary"));
                }
                "discriminator" => {
                    out.insert(key.clone(), self.discriminator(v));
                }
                k if SCHEMA_MAPS.contains(&k) => {
                    out.insert(key.clone(), self.map_of(v, t));
                }
                "items" if v.is_array() => {
                    out.insert("prefixItems".into(), self.list_of(v, t));
                }
                k if SCHEMA_ONE.contains(&k) => {
                    out.insert(key.clone(), self.node(v, t));
                }
                k if SCHEMA_LISTS.contains(&k) => {
                    out.insert(key.clone(), self.list_of(v, t));
                }
                _ => {
                    out.insert(key.clone(), v.clone());
                }
            }
        }
        if nullable {
            make_nullable(&mut out);
        }
        Value::Object(out)
    }

    fn map_of(&self, v: &Value, t: &mut Translated) -> Value {
        match v.as_object() {
            Some(m) => Value::Object(
                m.iter()
                    .map(|(k, s)| (k.clone(), self.node(s, t)))
                    .collect(),
            ),
            None => v.clone(),
        }
    }

    fn list_of(&self, v: &Value, t: &mut Translated) -> Value {
        match v.as_array() {
            Some(items) => Value::Array(items.iter().map(|s| self.node(s, t)).collect()),
            None => v.clone(),
        }
    }

    /// Rewrites one `$ref`, recording a problem when it names nothing this import writes.
    fn reference(&self, v: &Value, t: &mut Translated) -> String {
        let Some(r) = v.as_str() else {
            t.broken.insert("a `$ref` that is not a string".into());
            return String::new();
        };
        match self.rewrite(r) {
            Ok((name, target)) => {
                t.uses.insert(name);
                target
            }
            Err(why) => {
                t.broken.insert(why);
                r.to_string()
            }
        }
    }

    /// `#/components/schemas/Foo/a` -> (`Foo`, `Foo.json#/a`).
    fn rewrite(&self, r: &str) -> Result<(String, String), String> {
        let rest = r.strip_prefix(self.prefix).ok_or_else(|| {
            if r.starts_with('#') {
                format!("unsupported `$ref` `{r}` (only named schemas can be referenced)")
            } else {
                format!("unsupported external `$ref` `{r}`")
            }
        })?;
        let (raw_name, tail) = rest
            .split_once('/')
            .map_or((rest, None), |(n, t)| (n, Some(t)));
        let name = percent_encoding::percent_decode_str(raw_name)
            .decode_utf8_lossy()
            .replace("~1", "/")
            .replace("~0", "~");
        let file = self
            .files
            .get(&name)
            .ok_or_else(|| format!("unresolvable `$ref` `{r}`"))?;
        Ok(match tail {
            Some(tail) => (name, format!("{file}#/{tail}")),
            None => (name, file.clone()),
        })
    }

    /// `discriminator.mapping` values are refs too; rewrite them for readers (annotation only).
    fn discriminator(&self, v: &Value) -> Value {
        let mut d = v.clone();
        if let Some(mapping) = d.get_mut("mapping").and_then(Value::as_object_mut) {
            for target in mapping.values_mut() {
                if let Some(Ok((_, file))) = target.as_str().map(|r| self.rewrite(r)) {
                    *target = json!(file);
                }
            }
        }
        d
    }
}

/// Whether `minimum`/`maximum` is turned into the numeric `exclusive*` form by its sibling.
fn bound_is_exclusive(map: &Map<String, Value>, key: &str) -> bool {
    let flag = if key == "minimum" {
        "exclusiveMinimum"
    } else {
        "exclusiveMaximum"
    };
    map.get(flag) == Some(&Value::Bool(true))
}

/// Draft 4's `exclusiveMinimum: true` + `minimum: 3` is 2020-12's `exclusiveMinimum: 3`.
fn exclusive_bound(
    map: &Map<String, Value>,
    key: &str,
    flag: &Value,
    out: &mut Map<String, Value>,
) {
    let bound = if key == "exclusiveMinimum" {
        "minimum"
    } else {
        "maximum"
    };
    if let (Value::Bool(true), Some(n)) = (flag, map.get(bound)) {
        out.insert(key.to_string(), n.clone());
    }
}

/// Adds `null` to what a schema accepts without moving its other keywords.
fn make_nullable(out: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = out.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            out.insert("type".into(), json!([t, "null"]));
            return;
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            return;
        }
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = out.get_mut(key) {
            list.push(json!({"type": "null"}));
            return;
        }
    }
    for key in ["$ref", "allOf"] {
        if let Some(v) = out.remove(key) {
            let mut inner = Map::new();
            inner.insert(key.to_string(), v);
            out.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            return;
        }
    }
}

/// A file-name-safe stem: ASCII letters, digits, `.`, `_` and `-`; anything else becomes `_`.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_matches('.').to_string();
    if stem.is_empty() {
        "schema".into()
    } else {
        stem
    }
}

/// `stem`, or `stem_2`, `stem_3`... when taken (case-insensitively: some filesystems fold case).
pub fn unique(taken: &mut BTreeSet<String>, stem: &str) -> String {
    let mut candidate = stem.to_string();
    let mut n = 2;
    while !taken.insert(candidate.to_ascii_lowercase()) {
        candidate = format!("{stem}_{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr() -> Translator {
        Translator::new("#/components/schemas/", ["Foo", "Bar Baz"])
    }

    #[test]
    fn rewrites_refs_and_reports_broken_ones() {
        let t = tr().file(&json!({
            "properties": {
                "a": {"$ref": "#/components/schemas/Foo"},
                "b": {"$ref": "#/components/schemas/Foo/properties/x"},
                "c": {"$ref": "#/components/schemas/Bar%20Baz"},
                "d": {"$ref": "#/components/schemas/Missing"},
                "e": {"$ref": "other.yaml#/X"}
            },
            "example": {"$ref": "#/not/a/schema"}
        }));
        let p = &t.value["properties"];
        assert_eq!(t.value["$schema"], DIALECT);
        assert_eq!(p["a"]["$ref"], "Foo.json");
        assert_eq!(p["b"]["$ref"], "Foo.json#/properties/x");
        assert_eq!(p["c"]["$ref"], "Bar_Baz.json");
        assert_eq!(t.value["examples"], json!([{"$ref": "#/not/a/schema"}]));
        let broken: Vec<&String> = t.broken.iter().collect();
        assert_eq!(broken.len(), 2, "{broken:?}");
        assert!(broken[0].contains("Missing"));
        assert!(broken[1].contains("external"));
    }

    #[test]
    fn translates_openapi_keywords() {
        let t = tr().file(&json!({
            "properties": {
                "s": {"type": "string", "nullable": true, "enum": ["a"]},
                "r": {"$ref": "#/components/schemas/Foo", "x-nullable": true},
                "f": {"type": "file"},
                "n": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "required": true},
                "o": {"oneOf": [{"type": "string"}], "nullable": true}
            }
        }));
        let p = &t.value["properties"];
        assert_eq!(
            p["s"],
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            p["r"],
            json!({"anyOf": [{"$ref": "Foo.json"}, {"type": "null"}]})
        );
        assert_eq!(p["f"], json!({"type": "string", "format": "binary"}));
        assert_eq!(p["n"], json!({"type": "number", "exclusiveMinimum": 0}));
        assert_eq!(p["o"]["oneOf"][1], json!({"type": "null"}));
    }

    #[test]
    fn file_names_are_safe_and_unique() {
        let t = Translator::new("#/definitions/", ["a/b", "a_b", "A_B"]);
        assert_eq!(t.file_of("a/b"), Some("a_b.json"));
        assert_eq!(t.file_of("a_b"), Some("a_b_2.json"));
        assert_eq!(t.file_of("A_B"), Some("A_B_3.json"));
    }
}
