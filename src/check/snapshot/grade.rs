//! Snapshot grading: the stored snapshot and the new response compared as JSON trees, so that a
//! harmless change is told from a break.
//!
//! An added object key is `additive` when the case's schema accepts the new body; an array whose
//! items are the same but in another order is `order` when nothing the case asserts or captures
//! depends on its order (an index such as `$.items[0]`, or `equals` on the array). Everything
//! else (a removed key, another type, another value, an added or removed array item) is a break.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::json_equal;

/// One element of a location in the snapshot document (`{status, body}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A location, outermost first.
pub type Location = Vec<Step>;

/// What kind of difference was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A key the snapshot lacks, allowed by the case's schema (graded: passes).
    Additive,
    /// The same array items in another order, which nothing asserts (graded: passes).
    Order,
    /// A key the snapshot lacks, not allowed (the case has no schema or it rejects the body).
    Added,
    Removed,
    TypeChanged,
    ValueChanged,
}

impl ChangeKind {
    /// Graded changes pass the check.
    pub fn is_graded(self) -> bool {
        matches!(self, ChangeKind::Additive | ChangeKind::Order)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Additive => "additive",
            ChangeKind::Order => "order",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::TypeChanged => "type_changed",
            ChangeKind::ValueChanged => "value_changed",
        }
    }
}

/// One difference between the snapshot and the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    pub kind: ChangeKind,
    /// A normalized JSONPath into the snapshot document, e.g. `$['body']['items'][0]['extra']`.
    pub path: String,
}

/// What grading may treat as harmless.
pub struct Leniency<'a> {
    /// The case has a schema and the new body passed it: added keys are allowed.
    pub schema_accepts: bool,
    /// Arrays (locations in the snapshot document) whose order the case depends on.
    pub ordered: &'a [Location],
}

/// Every difference between `old` and `new`, outermost first; empty when they are equal.
pub fn grade(old: &Value, new: &Value, leniency: &Leniency<'_>) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut at = Vec::new();
    walk(old, new, leniency, &mut at, &mut changes);
    changes
}

fn walk(old: &Value, new: &Value, len: &Leniency<'_>, at: &mut Location, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                at.push(Step::Key(k.clone()));
                match b.get(k) {
                    Some(vb) => walk(va, vb, len, at, out),
                    None => out.push(change(ChangeKind::Removed, at)),
                }
                at.pop();
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                at.push(Step::Key(k.clone()));
                let kind = if len.schema_accepts {
                    ChangeKind::Additive
                } else {
                    ChangeKind::Added
                };
                out.push(change(kind, at));
                at.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if !len.ordered.iter().any(|o| o == at) {
                if let Some(inner) = permutation(a, b, len, at) {
                    out.extend(inner);
                    return;
                }
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                at.push(Step::Index(i));
                walk(va, vb, len, at, out);
                at.pop();
            }
            for i in b.len()..a.len() {
                at.push(Step::Index(i));
                out.push(change(ChangeKind::Removed, at));
                at.pop();
            }
            for i in a.len()..b.len() {
                at.push(Step::Index(i));
                out.push(change(ChangeKind::ValueChanged, at));
                at.pop();
            }
        }
        _ if std::mem::discriminant(old) != std::mem::discriminant(new) => {
            // Integer and float are one JSON type here: 1 and 1.0 differ by value, if at all.
            out.push(change(ChangeKind::TypeChanged, at))
        }
        _ if !json_equal(old, new) => out.push(change(ChangeKind::ValueChanged, at)),
        _ => {}
    }
}

/// When `b` holds the items of `a` in another order (each item possibly with graded changes of
/// its own), the changes: one `order` for the array, then the items' graded changes. `None` when
/// the lengths differ or some item has no graded-only counterpart.
fn permutation(
    a: &[Value],
    b: &[Value],
    len: &Leniency<'_>,
    at: &mut Location,
) -> Option<Vec<Change>> {
    if a.len() != b.len() {
        return None;
    }
    let mut used = vec![false; a.len()];
    let mut inner = Vec::new();
    let mut moved = false;
    for (j, vb) in b.iter().enumerate() {
        // The same position first, so that an unmoved item is never paired elsewhere.
        let order = std::iter::once(j).chain((0..a.len()).filter(|&i| i != j));
        let mut found = None;
        for i in order.filter(|&i| !used[i]) {
            at.push(Step::Index(j));
            let mut changes = Vec::new();
            walk(&a[i], vb, len, at, &mut changes);
            at.pop();
            if changes.iter().all(|c| c.kind.is_graded()) {
                found = Some((i, changes));
                break;
            }
        }
        let (i, changes) = found?;
        used[i] = true;
        moved |= i != j;
        inner.extend(changes);
    }
    if moved {
        inner.insert(0, change(ChangeKind::Order, at));
    }
    Some(inner)
}

fn change(kind: ChangeKind, at: &[Step]) -> Change {
    Change {
        kind,
        path: location_text(at),
    }
}

/// `$['body']['items'][0]`, as RFC 9535 normalized paths are written.
pub fn location_text(at: &[Step]) -> String {
    let mut s = String::from("$");
    for step in at {
        match step {
            Step::Key(k) => {
                s.push_str("['");
                s.push_str(&k.replace('\\', "\\\\").replace('\'', "\\'"));
                s.push_str("']");
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(old: Value, new: Value, schema_accepts: bool, ordered: &[Location]) -> Vec<String> {
        let len = Leniency {
            schema_accepts,
            ordered,
        };
        grade(&old, &new, &len)
            .into_iter()
            .map(|c| format!("{} {}", c.kind.as_str(), c.path))
            .collect()
    }

    #[test]
    fn added_keys_are_additive_only_when_the_schema_accepts_the_body() {
        let old = json!({"a": 1});
        let new = json!({"a": 1, "b": 2});
        assert_eq!(
            kinds(old.clone(), new.clone(), true, &[]),
            ["additive $['b']"]
        );
        assert_eq!(kinds(old, new, false, &[]), ["added $['b']"]);
    }

    #[test]
    fn a_reversed_array_is_an_order_change_unless_its_order_is_depended_on() {
        let old = json!({"items": [{"id": 1}, {"id": 2}]});
        let new = json!({"items": [{"id": 2}, {"id": 1}]});
        assert_eq!(
            kinds(old.clone(), new.clone(), false, &[]),
            ["order $['items']"]
        );
        let ordered = vec![vec![Step::Key("items".into())]];
        assert_eq!(
            kinds(old, new, false, &ordered),
            [
                "value_changed $['items'][0]['id']",
                "value_changed $['items'][1]['id']"
            ]
        );
    }

    #[test]
    fn reordered_items_with_added_keys_are_both_graded() {
        let old = json!([{"id": 1}, {"id": 2}]);
        let new = json!([{"id": 2, "x": true}, {"id": 1}]);
        assert_eq!(
            kinds(old, new, true, &[]),
            ["order $", "additive $[0]['x']"]
        );
    }

    #[test]
    fn removals_type_and_value_changes_are_breaks() {
        let old = json!({"a": 1, "b": "x", "c": [1, 2], "d": 1});
        let new = json!({"b": 2, "c": [1, 3], "d": 1.0});
        assert_eq!(
            kinds(old, new, true, &[]),
            [
                "removed $['a']",
                "type_changed $['b']",
                "value_changed $['c'][1]"
            ]
        );
    }

    #[test]
    fn duplicates_must_match_one_for_one() {
        let old = json!([1, 1, 2]);
        let new = json!([2, 1, 2]);
        assert_eq!(kinds(old, new, true, &[]), ["value_changed $[0]"]);
    }

    #[test]
    fn keys_are_quoted_as_normalized_paths() {
        let at = vec![Step::Key("it's".into()), Step::Index(3)];
        assert_eq!(location_text(&at), r"$['it\'s'][3]");
    }
}
