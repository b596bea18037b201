//! JSONPath assertions (`expect.assert`) and captures (`capture`).

use serde_json::Value;
use serde_json_path::JsonPath;

use super::{CheckKind, CheckResult};
use crate::case::raw::JsonType;
use crate::case::template::Vars;

use super::order;
use crate::case::{Assertion, AssertionPath, Capture, CaptureFrom, Comparison, Predicate, SortKey};
use crate::http::HttpResponse;
use crate::json::{compact, json_equal, json_type_name, pretty};

/// Checks every predicate of one assertion; one result per failed predicate, or one pass.
pub fn assertion(a: &Assertion, json: &Value, vars: &Vars) -> Vec<CheckResult> {
    let subject = a.path_text.as_str();
    let fail = |message: String| vec![CheckResult::fail(CheckKind::Assert, subject, message)];
    let path = match query_path(a, vars) {
        Ok(p) => p,
        Err(message) => return fail(format!("{subject}: {message}")),
    };
    let nodes: Vec<&Value> = path.query(json).all();
    let many = selects_many(subject);
    let mut failures = Vec::new();
    for p in &a.predicates {
        let result = match p {
            Predicate::Sorted(key) => sorted_selection(key, &nodes, many),
            _ => predicate(p, &nodes, vars),
        };
        if let Err(message) = result {
            let mut r = CheckResult::fail(
                CheckKind::Assert,
                subject,
                format!("{subject}: {}", message.0),
            );
            if let Some((want, got)) = message.1 {
                r = r.with_values(want, got);
            }
            failures.push(r);
        }
    }
    if failures.is_empty() {
        vec![CheckResult::pass(CheckKind::Assert, subject, "holds")]
    } else {
        failures
    }
}

/// The path to query: the one parsed at load, or, when it interpolates variables, rendered with
/// `vars` (each value as a JSON literal, so types compare strictly) and parsed.
pub fn query_path<'a>(
    a: &'a Assertion,
    vars: &Vars,
) -> Result<std::borrow::Cow<'a, JsonPath>, String> {
    match &a.path {
        AssertionPath::Fixed(p) => Ok(std::borrow::Cow::Borrowed(&**p)),
        AssertionPath::Template(t) => {
            let text = t.render_json_literals(vars).map_err(|e| e.to_string())?;
            // The rendered text is not quoted: a variable may hold a secret.
            crate::case::limits::parse_json_path(&text)
                .map(std::borrow::Cow::Owned)
                .map_err(|e| format!("not a JSONPath once its variables are filled in: {e}"))
        }
    }
}

/// A failure message with optional (expected, actual) texts for a diff.
struct Failure(String, Option<(String, String)>);

fn predicate(p: &Predicate, nodes: &[&Value], vars: &Vars) -> Result<(), Failure> {
    if let Predicate::Exists(want) = p {
        return match (*want, nodes.is_empty()) {
            (true, true) => Err(Failure(
                "expected the path to exist, it selects nothing".into(),
                None,
            )),
            (false, false) => Err(Failure(
                format!(
                    "expected the path to be absent, it selects {}",
                    compact(nodes[0])
                ),
                None,
            )),
            _ => Ok(()),
        };
    }
    if nodes.is_empty() {
        return Err(Failure("the path selects nothing".into(), None));
    }
    for node in nodes {
        node_predicate(p, node, vars)?;
    }
    Ok(())
}

fn node_predicate(p: &Predicate, node: &Value, vars: &Vars) -> Result<(), Failure> {
    match p {
        Predicate::Exists(_) => Ok(()),
        Predicate::Equals(t) => {
            let want = t.render(vars).map_err(|e| Failure(e.to_string(), None))?;
            if json_equal(&want, node) {
                Ok(())
            } else {
                Err(Failure(
                    format!("expected {}, got {}", compact(&want), compact(node)),
                    Some((pretty(&want), pretty(node))),
                ))
            }
        }
        Predicate::Type(t) => {
            if type_matches(*t, node) {
                Ok(())
            } else {
                Err(Failure(
                    format!(
                        "expected type {}, got {} {}",
                        type_name(*t),
                        json_type_name(node),
                        compact(node)
                    ),
                    None,
                ))
            }
        }
        Predicate::Matches(re) => match node {
            Value::String(s) if re.is_match(s) => Ok(()),
            Value::String(s) => Err(Failure(format!("`{s}` does not match /{re}/"), None)),
            other => Err(Failure(
                format!("expected a string matching /{re}/, got {}", compact(other)),
                None,
            )),
        },
        Predicate::Length(n) => {
            let len = match node {
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                Value::String(s) => s.chars().count(),
                other => {
                    return Err(Failure(
                        format!("expected something with a length, got {}", compact(other)),
                        None,
                    ))
                }
            };
            if len as u64 == *n {
                Ok(())
            } else {
                Err(Failure(format!("expected length {n}, got {len}"), None))
            }
        }
        Predicate::Contains(t) => {
            let want = t.render(vars).map_err(|e| Failure(e.to_string(), None))?;
            let found = match (node, &want) {
                (Value::Array(items), w) => items.iter().any(|i| json_equal(w, i)),
                (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
                _ => false,
            };
            if found {
                Ok(())
            } else {
                Err(Failure(
                    format!("expected {} to contain {}", compact(node), compact(&want)),
                    None,
                ))
            }
        }
        Predicate::Compare(op, t) => {
            let bound = t.render(vars).map_err(|e| Failure(e.to_string(), None))?;
            let ordering = order::against_bound(node, &bound).map_err(|m| Failure(m, None))?;
            let holds = match op {
                Comparison::Gt => ordering.is_gt(),
                Comparison::Ge => ordering.is_ge(),
                Comparison::Lt => ordering.is_lt(),
                Comparison::Le => ordering.is_le(),
            };
            if holds {
                Ok(())
            } else {
                Err(Failure(
                    format!(
                        "expected a value {} {}, got {}",
                        op.words(),
                        compact(&bound),
                        compact(node)
                    ),
                    None,
                ))
            }
        }
        Predicate::OneOf(ts) => {
            let mut allowed = Vec::with_capacity(ts.len());
            for t in ts {
                allowed.push(t.render(vars).map_err(|e| Failure(e.to_string(), None))?);
            }
            if allowed.iter().any(|w| json_equal(w, node)) {
                Ok(())
            } else {
                Err(Failure(
                    format!(
                        "expected one of {}, got {}",
                        compact(&Value::Array(allowed)),
                        compact(node)
                    ),
                    None,
                ))
            }
        }
        Predicate::Sorted(key) => sorted(key, node),
        Predicate::Each(inner) => {
            let Value::Array(items) = node else {
                return Err(Failure(
                    format!("expected an array for `each`, got {}", compact(node)),
                    None,
                ));
            };
            for (i, item) in items.iter().enumerate() {
                for p in inner {
                    node_predicate(p, item, vars).map_err(|Failure(m, values)| {
                        Failure(format!("item [{i}]: {m}"), values)
                    })?;
                }
            }
            Ok(())
        }
    }
}

/// Wildcards, filters, descendants, slices and unions may select several nodes; other paths
/// select at most one (RFC 9535 singular queries).
fn selects_many(path: &str) -> bool {
    ["*", "?", "..", ":", ","].iter().any(|p| path.contains(p))
}

/// `sorted:` on what a path selects: the items of the one array it selects, or, for a path that
/// may select several nodes (`$[?@.id > 0]`, `$[*].name`), those nodes in document order.
fn sorted_selection(key: &SortKey, nodes: &[&Value], many: bool) -> Result<(), Failure> {
    match nodes {
        [] => Err(Failure("the path selects nothing".into(), None)),
        [one] if one.is_array() || !many => sorted(key, one),
        several => in_order(
            key,
            several,
            &format!("the selected nodes {}", describe(key)),
        ),
    }
}

fn describe(key: &SortKey) -> String {
    let by = key.by.join(".");
    match (by.is_empty(), key.descending) {
        (true, false) => "sorted ascending".to_string(),
        (true, true) => "sorted descending".to_string(),
        (false, false) => format!("sorted by {by} ascending"),
        (false, true) => format!("sorted by {by} descending"),
    }
}

/// `sorted:` on an array: every pair of neighbours in order (equal neighbours are fine).
fn sorted(key: &SortKey, node: &Value) -> Result<(), Failure> {
    let what = describe(key);
    let Value::Array(items) = node else {
        return Err(Failure(
            format!("expected an array {what}, got {}", compact(node)),
            None,
        ));
    };
    let items: Vec<&Value> = items.iter().collect();
    in_order(key, &items, &format!("an array {what}"))
}

fn in_order(key: &SortKey, items: &[&Value], what: &str) -> Result<(), Failure> {
    let by = key.by.join(".");
    let mut keys = Vec::with_capacity(items.len());
    for (i, item) in items.iter().copied().enumerate() {
        let k = key.by.iter().try_fold(item, |v, k| v.get(k.as_str()));
        match k {
            Some(k) => keys.push(k),
            None => {
                return Err(Failure(
                    format!("expected {what}: item [{i}] has no `{by}`"),
                    None,
                ))
            }
        }
    }
    for i in 1..keys.len() {
        let ordering = order::for_sorting(keys[i - 1], keys[i], key.ignore_case)
            .map_err(|m| Failure(format!("expected {what}: {m}"), None))?;
        let wrong = if key.descending {
            ordering.is_lt()
        } else {
            ordering.is_gt()
        };
        if wrong {
            return Err(Failure(
                format!(
                    "expected {what}: item [{}] {} comes before item [{i}] {}",
                    i - 1,
                    compact(keys[i - 1]),
                    compact(keys[i])
                ),
                None,
            ));
        }
    }
    Ok(())
}

fn type_matches(t: JsonType, v: &Value) -> bool {
    match t {
        JsonType::String => v.is_string(),
        JsonType::Number => v.is_number(),
        JsonType::Integer => {
            v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        JsonType::Boolean => v.is_boolean(),
        JsonType::Array => v.is_array(),
        JsonType::Object => v.is_object(),
        JsonType::Null => v.is_null(),
    }
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::String => "string",
        JsonType::Number => "number",
        JsonType::Integer => "integer",
        JsonType::Boolean => "boolean",
        JsonType::Array => "array",
        JsonType::Object => "object",
        JsonType::Null => "null",
    }
}

/// Takes the captured values (name, value); a capture that selects nothing is a failed check.
pub fn captures(
    captures: &[Capture],
    json: Option<&Value>,
    response: &HttpResponse,
) -> (Vec<CheckResult>, Vec<(String, Value)>) {
    let mut results = Vec::new();
    let mut captured = Vec::new();
    for c in captures {
        let value = match &c.source {
            CaptureFrom::Header(h) => response.header(h).map(|v| Value::String(v.to_string())),
            CaptureFrom::Json { path, .. } => json.and_then(|j| path.query(j).first().cloned()),
        };
        let from = match &c.source {
            CaptureFrom::Header(h) => format!("header {h}"),
            CaptureFrom::Json { text, .. } => text.clone(),
        };
        match value {
            Some(v) => captured.push((c.name.clone(), v)),
            None => results.push(CheckResult::fail(
                CheckKind::Capture,
                c.name.as_str(),
                format!(
                    "capture `{}`: {from} selects nothing in the response",
                    c.name
                ),
            )),
        }
    }
    (results, captured)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::template::JsonTemplate;
    use serde_json::json;

    fn check(path: &str, p: Predicate, body: Value) -> Vec<CheckResult> {
        let a = Assertion {
            path_text: path.into(),
            path: AssertionPath::Fixed(std::sync::Arc::new(JsonPath::parse(path).unwrap())),
            predicates: vec![p],
        };
        assertion(&a, &body, &Vars::default())
    }

    #[test]
    fn a_path_filters_on_a_variable_of_the_same_type() {
        let text = "$[?@.id == {{ id }}].name";
        let a = Assertion {
            path_text: text.into(),
            path: AssertionPath::Template(crate::case::template::Template::parse(text).unwrap()),
            predicates: vec![Predicate::Equals(JsonTemplate::Literal(json!("b")))],
        };
        let body =
            json!([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": "x'", "name": "c"}]);
        let mut vars = Vars::default();
        vars.values.insert("id".into(), json!(2));
        assert!(assertion(&a, &body, &vars)[0].passed);
        // A string is not the number 2: the filter selects nothing.
        vars.values.insert("id".into(), json!("2"));
        let r = assertion(&a, &body, &vars);
        assert_eq!(
            r[0].message,
            "$[?@.id == {{ id }}].name: the path selects nothing"
        );
        // Quotes in a value stay inside its literal.
        vars.values.insert("id".into(), json!("x'"));
        assert_eq!(
            assertion(&a, &body, &vars)[0].message,
            "$[?@.id == {{ id }}].name: expected \"b\", got \"c\""
        );
    }

    #[test]
    fn equals_compares_numbers_by_value() {
        assert!(
            check(
                "$.n",
                Predicate::Equals(JsonTemplate::Literal(json!(1.0))),
                json!({"n": 1})
            )[0]
            .passed
        );
        let r = check(
            "$.n",
            Predicate::Equals(JsonTemplate::Literal(json!(2))),
            json!({"n": 1}),
        );
        assert!(!r[0].passed);
        assert_eq!(r[0].message, "$.n: expected 2, got 1");
    }

    #[test]
    fn every_selected_node_must_hold() {
        let body = json!({"items": [{"id": 1}, {"id": "x"}]});
        let r = check("$.items[*].id", Predicate::Type(JsonType::Integer), body);
        assert!(!r[0].passed);
        assert!(
            r[0].message.contains("got string \"x\""),
            "{}",
            r[0].message
        );
    }

    #[test]
    fn exists_absent_length_contains() {
        let body = json!({"a": [1, 2, 3], "s": "hello"});
        assert!(check("$.a", Predicate::Exists(true), body.clone())[0].passed);
        assert!(!check("$.b", Predicate::Exists(true), body.clone())[0].passed);
        assert!(check("$.b", Predicate::Exists(false), body.clone())[0].passed);
        assert!(check("$.a", Predicate::Length(3), body.clone())[0].passed);
        assert!(!check("$.s", Predicate::Length(3), body.clone())[0].passed);
        assert!(
            check(
                "$.a",
                Predicate::Contains(JsonTemplate::Literal(json!(2))),
                body.clone()
            )[0]
            .passed
        );
        assert!(
            check(
                "$.s",
                Predicate::Contains(JsonTemplate::Literal(json!("ell"))),
                body.clone()
            )[0]
            .passed
        );
        assert!(
            !check(
                "$.a",
                Predicate::Contains(JsonTemplate::Literal(json!(9))),
                body
            )[0]
            .passed
        );
    }
}
