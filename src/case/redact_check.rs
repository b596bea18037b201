//! Snapshot redaction paths against the case's schema: a path that names a property the schema
//! does not document (a misspelling, a renamed field) redacts nothing, silently, so the snapshot
//! keeps the volatile value it was meant to hide. Found at load, a warning (an error under
//! `validate --strict`).
//!
//! A property a schema does not list counts as not there unless the schema allows unlisted ones
//! on purpose (`additionalProperties: true` or a schema): JSON Schema allows them by default,
//! but a case's schema lists what the API documents, and a path off that list is a typo far
//! more often than an undocumented field.
//!
//! The walk follows the selector's steps through `properties`, `patternProperties`,
//! `additionalProperties`, `items`/`prefixItems`, `$ref` (local pointers and files under
//! `schemas/`) and `allOf`/`anyOf`/`oneOf` (a step matches when any branch allows it). A schema
//! that says nothing about a place (no `properties`, no `type`) allows anything there: no warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::selector::{Selector, Step};

/// Why a redaction path cannot match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    /// The key the schema does not document there, or `[]` where it is not an array.
    pub step: String,
    /// The closest documented property, when one is close.
    pub nearest: Option<String>,
    /// The properties documented there (sorted), for the help line.
    pub known: Vec<String>,
}

/// Most schema nodes a walk visits (a `.**` over a big schema, `$ref` cycles).
const MAX_NODES: usize = 2_000;
/// Deepest chain of `$ref`s and combinators followed from one node.
const MAX_REF_DEPTH: usize = 16;

/// Where `selector` stops matching `schema_file` (absolute, under `schemas_root`); `None` when it
/// can match or the schema does not say.
pub fn check(schema_file: &Path, schemas_root: &Path, selector: &Selector) -> Option<Miss> {
    let mut walker = Walker {
        root: schemas_root.canonicalize().ok()?,
        docs: HashMap::new(),
        visited: 0,
    };
    let file = schema_file.canonicalize().ok()?;
    let doc = walker.doc(&file)?;
    let mut frontier = walker.alternatives(&file, &doc, 0);
    for step in &selector.steps {
        let mut next = Vec::new();
        let mut known = Vec::new();
        for (file, node) in &frontier {
            match walker.step(file, node, step) {
                Some(children) => next.extend(children),
                None => return None, // the schema does not say: anything may be there
            }
            known.extend(property_names(node));
        }
        if next.is_empty() {
            known.sort();
            known.dedup();
            let step = match step {
                Step::Key(k) => k.clone(),
                _ => "[]".to_string(),
            };
            let nearest = crate::diag::did_you_mean(&step, known.iter().map(String::as_str))
                .map(str::to_string);
            return Some(Miss {
                step,
                nearest,
                known,
            });
        }
        if walker.visited > MAX_NODES {
            return None;
        }
        frontier = next;
    }
    None
}

type Node = (PathBuf, Value);

struct Walker {
    root: PathBuf,
    docs: HashMap<PathBuf, Option<Value>>,
    visited: usize,
}

impl Walker {
    fn doc(&mut self, file: &Path) -> Option<Value> {
        if !file.starts_with(&self.root) {
            return None;
        }
        self.docs
            .entry(file.to_path_buf())
            .or_insert_with(|| {
                let text = std::fs::read(file).ok()?;
                serde_json::from_slice(&text).ok()
            })
            .clone()
    }

    /// `node` with its `$ref` and combinators expanded: the schemas a value there must (or may)
    /// satisfy. A node that only combines others is not itself an alternative.
    fn alternatives(&mut self, file: &Path, node: &Value, depth: usize) -> Vec<Node> {
        self.visited += 1;
        if depth > MAX_REF_DEPTH || self.visited > MAX_NODES {
            return vec![(file.to_path_buf(), Value::Bool(true))];
        }
        let Some(map) = node.as_object() else {
            return vec![(file.to_path_buf(), node.clone())];
        };
        let mut out = Vec::new();
        let mut combined = false;
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            combined = true;
            match self.resolve(file, reference) {
                Some((target_file, target)) => {
                    out.extend(self.alternatives(&target_file, &target, depth + 1))
                }
                None => out.push((file.to_path_buf(), Value::Bool(true))),
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in map.get(key).and_then(Value::as_array).into_iter().flatten() {
                combined = true;
                out.extend(self.alternatives(file, sub, depth + 1));
            }
        }
        let says_something = ["properties", "patternProperties", "additionalProperties"]
            .iter()
            .chain(&["items", "prefixItems", "type"])
            .any(|k| map.contains_key(*k));
        if !combined || says_something {
            out.push((file.to_path_buf(), node.clone()));
        }
        out
    }

    /// `#/pointer`, `Other.json` or `Other.json#/pointer`, relative to `file`.
    fn resolve(&mut self, file: &Path, reference: &str) -> Option<Node> {
        let (path, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let target = match path {
            "" => file.to_path_buf(),
            p => file.parent()?.join(p).canonicalize().ok()?,
        };
        let doc = self.doc(&target)?;
        let value = doc.pointer(pointer)?.clone();
        Some((target, value))
    }

    /// The schemas below `node` that `step` leads to; `None` when the node does not say.
    fn step(&mut self, file: &Path, node: &Value, step: &Step) -> Option<Vec<Node>> {
        let map = match node {
            Value::Object(map) => map,
            Value::Bool(false) => return Some(Vec::new()),
            _ => return None,
        };
        let types = declared_types(node);
        let allows = |t: &str| types.as_ref().is_none_or(|ts| ts.iter().any(|x| x == t));
        let mut children: Vec<Value> = Vec::new();
        match step {
            Step::Key(k) => {
                if !allows("object") {
                    return Some(Vec::new());
                }
                if let Some(child) = map.get("properties").and_then(|p| p.get(k)) {
                    children.push(child.clone());
                }
                for (pattern, child) in map
                    .get("patternProperties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if regex::Regex::new(pattern).is_ok_and(|r| r.is_match(k)) {
                        children.push(child.clone());
                    }
                }
                let documents = ["properties", "patternProperties"]
                    .iter()
                    .any(|key| map.contains_key(*key));
                match map.get("additionalProperties") {
                    Some(Value::Bool(false)) => {}
                    // Unlisted properties allowed on purpose: the schema does not say.
                    Some(Value::Bool(true)) if children.is_empty() => return None,
                    Some(extra @ Value::Object(_)) => children.push(extra.clone()),
                    _ if children.is_empty() && !documents => return None,
                    _ => {}
                }
            }
            Step::AnyKey => {
                if !allows("object") {
                    return Some(Vec::new());
                }
                for key in ["properties", "patternProperties"] {
                    let values = map
                        .get(key)
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten();
                    children.extend(values.map(|(_, v)| v.clone()));
                }
                match map.get("additionalProperties") {
                    Some(extra @ Value::Object(_)) => children.push(extra.clone()),
                    Some(Value::Bool(false)) => {}
                    _ if children.is_empty() => return None,
                    _ => {}
                }
            }
            Step::Index(_) | Step::AnyIndex => {
                if !allows("array") {
                    return Some(Vec::new());
                }
                match map.get("items") {
                    Some(items @ (Value::Object(_) | Value::Bool(_))) => {
                        children.push(items.clone())
                    }
                    _ if !map.contains_key("prefixItems") => return None,
                    _ => {}
                }
                let prefix = map.get("prefixItems").and_then(Value::as_array);
                children.extend(prefix.into_iter().flatten().cloned());
            }
            Step::Deep => return Some(self.descendants(file, node)),
        }
        let mut out = Vec::new();
        for child in children {
            out.extend(self.alternatives(file, &child, 0));
        }
        Some(out)
    }

    /// `node` and every schema below it, for `.**`.
    fn descendants(&mut self, file: &Path, node: &Value) -> Vec<Node> {
        let mut out = Vec::new();
        let mut todo = vec![(file.to_path_buf(), node.clone())];
        while let Some((file, node)) = todo.pop() {
            if out.len() > MAX_NODES {
                break;
            }
            for step in [Step::AnyKey, Step::AnyIndex] {
                if let Some(children) = self.step(&file, &node, &step) {
                    todo.extend(children);
                }
            }
            out.push((file, node));
        }
        out
    }
}

fn declared_types(node: &Value) -> Option<Vec<String>> {
    match node.get("type")? {
        Value::String(t) => Some(vec![t.clone()]),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

fn property_names(node: &Value) -> Vec<String> {
    let props = node.get("properties").and_then(Value::as_object);
    props
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miss(schema: &str, other: &str, selector: &str) -> Option<Miss> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("S.json"), schema).unwrap();
        std::fs::write(dir.path().join("Other.json"), other).unwrap();
        let sel = Selector::parse(selector).unwrap();
        check(&dir.path().join("S.json"), dir.path(), &sel)
    }

    const ITEMS: &str = r##"{"type":"object","properties":{"items":{"type":"array","items":{"$ref":"Other.json#/$defs/Item"}},"total":{"type":"integer"}}}"##;
    const OTHER: &str = r##"{"$defs":{"Item":{"allOf":[{"properties":{"id":{"type":"integer"}}},{"properties":{"createdDate":{"type":"string"}}}]}}}"##;

    #[test]
    fn documented_paths_match_through_refs_and_combinators() {
        for sel in [
            ".total",
            ".items[].createdDate",
            ".items[0].id",
            ".**.createdDate",
            ".*",
        ] {
            assert_eq!(miss(ITEMS, OTHER, sel), None, "{sel}");
        }
    }

    #[test]
    fn a_misspelt_or_impossible_path_is_found_with_the_nearest_property() {
        let m = miss(ITEMS, OTHER, ".items[].createdDat").unwrap();
        assert_eq!(m.step, "createdDat");
        assert_eq!(m.nearest.as_deref(), Some("createdDate"));
        assert_eq!(m.known, ["createdDate", "id"]);
        let m = miss(ITEMS, OTHER, ".**.modifiedDate").unwrap();
        assert_eq!(m.step, "modifiedDate");
        // `total` is an integer: nothing below it.
        assert_eq!(miss(ITEMS, OTHER, ".total.x").unwrap().step, "x");
        assert_eq!(miss(ITEMS, OTHER, ".total[]").unwrap().step, "[]");
    }

    #[test]
    fn a_schema_that_does_not_say_allows_anything() {
        let open = r#"{"type":"object","properties":{"meta":{}}}"#;
        assert_eq!(miss(open, "{}", ".meta.anything"), None);
        assert_eq!(miss("{}", "{}", ".x[].y"), None);
        let extra = r#"{"properties":{"a":{}},"additionalProperties":{"type":"object","properties":{"v":{}}}}"#;
        assert_eq!(miss(extra, "{}", ".other.v"), None);
        assert_eq!(miss(extra, "{}", ".other.w").unwrap().step, "w");
        let allowed = r#"{"properties":{"a":{}},"additionalProperties":true}"#;
        assert_eq!(miss(allowed, "{}", ".createdDateTime"), None);
        // A $ref that cannot be resolved is not held against the path.
        assert_eq!(miss(r#"{"$ref":"Missing.json"}"#, "{}", ".x"), None);
    }
}
