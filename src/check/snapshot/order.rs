//! Which arrays of a response a case depends on the order of: those an assertion or a capture
//! indexes into (`$.items[0].name`, `$[-1]`, `$[0:2]`), and those an `equals` compares whole
//! (array equality is positional). Grading never calls a reordering of these harmless.

use serde_json::Value;
use serde_json_path::{JsonPath, NormalizedPath, PathElement};

use super::grade::{Location, Step};
use crate::case::template::Vars;
use crate::case::{AssertionPath, Capture, CaptureFrom, Case, Predicate};

/// Locations in the snapshot document (`{status, body}`) of the arrays whose order `case`
/// depends on, found in `body` (the response as received).
pub fn ordered_arrays(case: &Case, body: &Value, vars: &Vars) -> Vec<Location> {
    let mut out = Vec::new();
    for a in &case.expect.assertions {
        match &a.path {
            AssertionPath::Template(t) => {
                if let Ok(text) = t.render_json_literals(vars) {
                    indexed_arrays(&text, body, &mut out);
                }
            }
            AssertionPath::Fixed(_) => indexed_arrays(&a.path_text, body, &mut out),
        }
        let path = crate::check::assert::query_path(a, vars);
        if let (Ok(path), true) = (path, a.predicates.iter().any(depends_on_order)) {
            for node in path.query_located(body).iter() {
                let at = location(node.location());
                nested_arrays(node.node(), at, &mut out);
            }
        }
    }
    for c in &case.captures {
        if let Capture {
            source: CaptureFrom::Json { text, .. },
            ..
        } = c
        {
            indexed_arrays(text, body, &mut out);
        }
    }
    out
}

/// Whether a predicate's verdict changes when an array's items change places.
fn depends_on_order(p: &Predicate) -> bool {
    // Exhaustive on purpose: a new predicate (such as an ordering one) must decide here.
    match p {
        // Array equality is positional; `sorted` asserts the order itself.
        Predicate::Equals(_) | Predicate::Sorted(_) => true,
        // Each item is checked on its own: the order does not matter unless a nested one says so.
        Predicate::Each(inner) => inner.iter().any(depends_on_order),
        Predicate::Exists(_)
        | Predicate::Type(_)
        | Predicate::Matches(_)
        | Predicate::Length(_)
        | Predicate::Contains(_)
        | Predicate::Compare(..)
        | Predicate::OneOf(_) => false,
    }
}

/// The arrays the index selectors of `path_text` apply to.
fn indexed_arrays(path_text: &str, body: &Value, out: &mut Vec<Location>) {
    for prefix in index_selector_prefixes(path_text) {
        let Ok(path) = JsonPath::parse(prefix) else {
            continue;
        };
        for node in path.query_located(body).iter() {
            if node.node().is_array() {
                out.push(location(node.location()));
            }
        }
    }
}

/// `value` itself and every array inside it, located from `at`.
fn nested_arrays(value: &Value, at: Location, out: &mut Vec<Location>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut inner = at.clone();
                inner.push(Step::Index(i));
                nested_arrays(item, inner, out);
            }
            out.push(at);
        }
        Value::Object(map) => {
            for (k, v) in map {
                let mut inner = at.clone();
                inner.push(Step::Key(k.clone()));
                nested_arrays(v, inner, out);
            }
        }
        _ => {}
    }
}

/// A location in the body, as a location in the snapshot document.
fn location(path: &NormalizedPath<'_>) -> Location {
    std::iter::once(Step::Key("body".into()))
        .chain(path.iter().map(|e| match e {
            PathElement::Name(n) => Step::Key(n.to_string()),
            PathElement::Index(i) => Step::Index(*i),
        }))
        .collect()
}

/// For each top-level bracket selector of `text` that selects by index or slice (`[0]`, `[-1]`,
/// `[1:3]`, `[0,2]`), the path before it. Filters, names and wildcards are not positional.
fn index_selector_prefixes(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if let Some(q) = quote {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if ch == q => quote = None,
                _ => {}
            }
            continue;
        }
        match ch {
            '\'' | '"' => quote = Some(ch),
            '[' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 && is_positional(&text[start + 1..i]) {
                    out.push(&text[..start]);
                }
            }
            _ => {}
        }
    }
    out
}

/// `0`, `-1`, `1:3`, `::2`, `0, 2`: a selector list of indexes and slices only.
fn is_positional(selectors: &str) -> bool {
    selectors.split(',').all(|s| {
        let s = s.trim();
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ':' || c == ' ')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_selectors_are_found_at_the_top_level_only() {
        assert_eq!(index_selector_prefixes("$[0].name"), ["$"]);
        assert_eq!(
            index_selector_prefixes("$.items[-1].tags[0:2]"),
            ["$.items", "$.items[-1].tags"]
        );
        assert!(index_selector_prefixes("$[?@.id == 3].name").is_empty());
        assert!(index_selector_prefixes("$['a[0]'].b").is_empty());
        assert!(index_selector_prefixes("$.items[*].id").is_empty());
        assert!(index_selector_prefixes("$[?@.tags[0] == 'x']").is_empty());
    }
}
