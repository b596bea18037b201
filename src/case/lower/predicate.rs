//! Lowering of one `expect.assert` entry: its JSONPath (fixed, or a template such as
//! `$[?@.id == {{ id }}]`) and its predicates, nested `each:` included.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json_path::JsonPath;

use super::super::model::{Assertion, AssertionPath, Comparison, Predicate, SortKey};
use super::super::raw::{self, SortOrder};
use super::super::template::Part;
use super::{ApiLowering, At};

const PREDICATES: &str =
    "equals, exists, type, matches, length, contains, gt, ge, lt, le, one_of, sorted, each";

impl ApiLowering<'_, '_> {
    pub(super) fn assertion(
        &mut self,
        at: &At<'_>,
        path_text: &str,
        raw: &raw::RawPredicates,
        known: &BTreeSet<String>,
    ) -> Option<Assertion> {
        let path = self.assertion_path(at, path_text, known)?;
        let mut predicates = self.predicates(at, raw, known, false)?;
        if predicates.is_empty() {
            self.error(
                at.file,
                at.pos,
                format!(
                    "assertion on `{path_text}` has no predicate: expected one of {PREDICATES}"
                ),
            );
            return None;
        }
        // Exact size: a suite holds tens of thousands of these.
        predicates.shrink_to_fit();
        Some(Assertion {
            path_text: path_text.to_string(),
            path,
            predicates,
        })
    }

    /// The predicates of one map; `inside_each` forbids `exists` (an item always exists).
    fn predicates(
        &mut self,
        at: &At<'_>,
        raw: &raw::RawPredicates,
        known: &BTreeSet<String>,
        inside_each: bool,
    ) -> Option<Vec<Predicate>> {
        let mut predicates = Vec::new();
        if let Some(v) = &raw.equals {
            predicates.push(Predicate::Equals(self.json_template(at, v, known, true)?));
        }
        if let Some(e) = raw.exists {
            if inside_each {
                self.error(at.file, at.pos, "`exists` cannot be used inside `each`: every item exists; assert on a path below the array instead");
                return None;
            }
            predicates.push(Predicate::Exists(e));
        }
        if let Some(t) = raw.type_ {
            predicates.push(Predicate::Type(t));
        }
        if let Some(re) = &raw.matches {
            predicates.push(Predicate::Matches(self.regex(at, re)?));
        }
        if let Some(n) = raw.length {
            predicates.push(Predicate::Length(n));
        }
        if let Some(v) = &raw.contains {
            predicates.push(Predicate::Contains(self.json_template(at, v, known, true)?));
        }
        let bounds = [
            (Comparison::Gt, &raw.gt),
            (Comparison::Ge, &raw.ge),
            (Comparison::Lt, &raw.lt),
            (Comparison::Le, &raw.le),
        ];
        for (op, bound) in bounds {
            if let Some(v) = bound {
                predicates.push(Predicate::Compare(
                    op,
                    self.json_template(at, v, known, true)?,
                ));
            }
        }
        if let Some(values) = &raw.one_of {
            if values.is_empty() {
                self.error(at.file, at.pos, "`one_of` needs at least one value");
                return None;
            }
            let mut ts = Vec::with_capacity(values.len());
            for v in values {
                ts.push(self.json_template(at, v, known, true)?);
            }
            predicates.push(Predicate::OneOf(ts));
        }
        if let Some(s) = &raw.sorted {
            predicates.push(Predicate::Sorted(self.sort_key(at, s)?));
        }
        if let Some(inner) = &raw.each {
            let inner_predicates = self.predicates(at, inner, known, true)?;
            if inner_predicates.is_empty() {
                self.error(
                    at.file,
                    at.pos,
                    format!("`each` has no predicate: expected one of {PREDICATES} (but exists)"),
                );
                return None;
            }
            predicates.push(Predicate::Each(inner_predicates));
        }
        Some(predicates)
    }

    fn sort_key(&mut self, at: &At<'_>, s: &raw::SortedSpec) -> Option<SortKey> {
        let by: Vec<String> = match &s.by {
            None => Vec::new(),
            Some(text) => text.split('.').map(str::to_string).collect(),
        };
        if by.iter().any(String::is_empty) {
            let text = s.by.as_deref().unwrap_or_default();
            self.error_help(
                at.file,
                at.pos,
                format!("invalid `sorted.by` key `{text}`: a key or dotted keys are expected"),
                "e.g. `by: name` or `by: address.city`; leave `by` out for an array of scalars"
                    .into(),
            );
            return None;
        }
        Some(SortKey {
            by,
            descending: s.order == SortOrder::Desc,
            ignore_case: s.ignore_case,
        })
    }

    fn assertion_path(
        &mut self,
        at: &At<'_>,
        path_text: &str,
        known: &BTreeSet<String>,
    ) -> Option<AssertionPath> {
        if path_text.contains("{{") {
            let t = self.template(at, path_text, known, true)?;
            // Checked with every interpolation standing for `0`, so that a bad path is a load
            // error; at run time a value that makes it invalid fails the check.
            let probe: String = (t.parts.iter())
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    Part::Expr(_) => "0",
                })
                .collect();
            self.parsed_path(at, path_text, &probe)?;
            return Some(AssertionPath::Template(t));
        }
        if let Some(p) = self.ctx.json_paths.get(path_text) {
            return Some(AssertionPath::Fixed(Arc::clone(p)));
        }
        let p = Arc::new(self.parsed_path(at, path_text, path_text)?);
        (self.ctx.json_paths).insert(path_text.to_string(), Arc::clone(&p));
        Some(AssertionPath::Fixed(p))
    }

    fn parsed_path(&mut self, at: &At<'_>, path_text: &str, probe: &str) -> Option<JsonPath> {
        // Nesting is limited before parsing: serde_json_path's parser recurses once per level.
        match crate::case::limits::parse_json_path(probe) {
            Ok(p) => Some(p),
            Err(e) => {
                let (message, help) = if probe == path_text {
                    (
                        format!("invalid JSONPath `{path_text}`: {e}"),
                        "paths start with `$`, e.g. `$.id`, `$[0].name`, `$.items[*].id`",
                    )
                } else {
                    (
                        format!(
                            "invalid JSONPath `{path_text}` (each interpolation read as `0`): {e}"
                        ),
                        "an interpolation stands for a value: `$[?@.id == {{ known_id }}].name`",
                    )
                };
                // The path is the assertion's key: the carets go under it, not under its value.
                self.error_on(at, path_text, message, help.into());
                None
            }
        }
    }
}
