//! Match rules: how strictly a request's query and JSON body must equal a recording's.
//!
//! Exact by default. A recording (`match:` on an interaction) or an API (`cases/<api>/recordings/
//! _api.yaml`) may opt into `subset` (every recorded part must be in the request; the request may
//! send more) and `ignore` (query names or dotted body paths never compared). Query values and
//! JSON strings compare as text unless the API's style says how its server parses them
//! (`booleans: any-case | loose`, `numbers: by-value`); scrubbed placeholders match any.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::template::UNIQUE_PLACEHOLDER;
use crate::json::json_equal;
use crate::redact::is_placeholder;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Equal as a whole (query: as a multiset of pairs; body: as JSON).
    #[default]
    Exact,
    /// Every recorded pair or field is in the request, which may send more.
    Subset,
}

/// How the server reads `true`/`false` in a query value or a JSON string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Booleans {
    /// As text: `true` is not `True`.
    #[default]
    Exact,
    /// `true` = `True` = `TRUE` (ASP.NET, Python clients' `str(True)`).
    AnyCase,
    /// Any case, and `1` = `true`, `0` = `false` (PHP, many form parsers).
    Loose,
}

/// How the server reads a number in a query value or a JSON string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Numbers {
    /// As text: `10` is not `10.0`.
    #[default]
    Exact,
    /// Numerically: `10` = `10.0` = `1e1`.
    ByValue,
}

/// `match: { query: subset|exact, body: subset|exact, ignore: [names or dotted paths],
/// booleans: exact|any-case|loose, numbers: exact|by-value }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Mode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Mode>,
    /// Query parameter names and body paths (`Client.BirthDate`) left out of the comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booleans: Option<Booleans>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbers: Option<Numbers>,
}

impl MatchRules {
    /// These rules over `defaults` (an API's): a recording's own setting wins; ignores add up.
    pub fn over(&self, defaults: &MatchRules) -> MatchRules {
        let mut ignore = defaults.ignore.clone();
        ignore.extend(self.ignore.iter().cloned());
        MatchRules {
            query: self.query.or(defaults.query),
            body: self.body.or(defaults.body),
            ignore,
            booleans: self.booleans.or(defaults.booleans),
            numbers: self.numbers.or(defaults.numbers),
        }
    }

    fn ignores(&self, path: &str) -> bool {
        self.ignore.iter().any(|i| i == path)
    }

    /// Whether the request's query pairs satisfy the recorded ones.
    pub fn query_matches(&self, rec: &[(String, String)], inc: &[(String, String)]) -> bool {
        let keep = |q: &[(String, String)]| -> Vec<(String, String)> {
            q.iter()
                .filter(|(k, _)| !self.ignores(k))
                .cloned()
                .collect()
        };
        let (rec, inc) = (keep(rec), keep(inc));
        if self.query.unwrap_or_default() == Mode::Exact && rec.len() != inc.len() {
            return false;
        }
        let mut rest: Vec<&(String, String)> = inc.iter().collect();
        for (k, v) in &rec {
            let Some(i) = rest
                .iter()
                .position(|(ik, iv)| ik == k && self.scalar_equal(v, iv))
            else {
                return false;
            };
            rest.swap_remove(i);
        }
        true
    }

    /// Whether the request's JSON body satisfies the recorded one.
    pub fn body_matches(&self, rec: &Value, inc: &Value) -> bool {
        self.value_matches(rec, inc, "")
    }

    fn value_matches(&self, rec: &Value, inc: &Value, at: &str) -> bool {
        let subset = self.body.unwrap_or_default() == Mode::Subset;
        match (rec, inc) {
            (Value::String(s), _) if is_placeholder(s) => true,
            (Value::Object(a), Value::Object(b)) => {
                let child = |k: &str| {
                    if at.is_empty() {
                        k.to_string()
                    } else {
                        format!("{at}.{k}")
                    }
                };
                let wanted = a.iter().filter(|(k, _)| !self.ignores(&child(k)));
                let sent = b.keys().filter(|k| !self.ignores(&child(k))).count();
                let mut n = 0;
                for (k, v) in wanted {
                    n += 1;
                    match b.get(k) {
                        Some(w) if self.value_matches(v, w, &child(k)) => {}
                        _ => return false,
                    }
                }
                subset || n == sent
            }
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.value_matches(x, y, at))
            }
            (Value::String(a), Value::String(b)) => self.scalar_equal(a, b),
            _ => json_equal(rec, inc),
        }
    }

    /// Query values (or JSON strings) equal as the server reads them: same text, or the same
    /// boolean or number under the API's style; a scrubbed placeholder matches anything.
    pub fn scalar_equal(&self, rec: &str, inc: &str) -> bool {
        if text_equal(rec, inc) || is_placeholder(rec) {
            return true;
        }
        let booleans = self.booleans.unwrap_or_default();
        let boolean = |s: &str| match (s.to_ascii_lowercase().as_str(), booleans) {
            (_, Booleans::Exact) => None,
            ("true", _) => Some(true),
            ("false", _) => Some(false),
            ("1", Booleans::Loose) => Some(true),
            ("0", Booleans::Loose) => Some(false),
            _ => None,
        };
        if let (Some(a), Some(b)) = (boolean(rec), boolean(inc)) {
            return a == b;
        }
        let number = |s: &str| s.parse::<f64>().ok().filter(|n| n.is_finite());
        match (self.numbers.unwrap_or_default(), number(rec), number(inc)) {
            (Numbers::ByValue, Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

/// Recorded text equal to the sent text, where the recording's `{{ unique }}` placeholder
/// stands for the value of any live run (16 lowercase hex digits), as `conform record` wrote it.
pub fn text_equal(rec: &str, inc: &str) -> bool {
    if rec == inc || !rec.contains(UNIQUE_PLACEHOLDER) {
        return rec == inc;
    }
    let mut rest = inc;
    for (n, part) in rec.split(UNIQUE_PLACEHOLDER).enumerate() {
        if n > 0 {
            let Some(token) = rest.get(..UNIQUE_PLACEHOLDER.len()) else {
                return false;
            };
            let live = token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !live && token != UNIQUE_PLACEHOLDER {
                return false;
            }
            rest = &rest[UNIQUE_PLACEHOLDER.len()..];
        }
        let Some(after) = rest.strip_prefix(part) else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn values_compare_as_the_api_style_says() {
        let exact = MatchRules::default();
        assert!(!exact.scalar_equal("false", "False"));
        assert!(!exact.scalar_equal("10", "10.0"));
        assert!(exact.scalar_equal("<scrubbed:apiKey>", "anything"));
        let style = |booleans, numbers| MatchRules {
            booleans: Some(booleans),
            numbers: Some(numbers),
            ..MatchRules::default()
        };
        let any_case = style(Booleans::AnyCase, Numbers::Exact);
        assert!(any_case.scalar_equal("false", "False"));
        assert!(!any_case.scalar_equal("true", "1"));
        assert!(!any_case.scalar_equal("10", "10.0"));
        let loose = style(Booleans::Loose, Numbers::ByValue);
        assert!(loose.scalar_equal("true", "1"));
        assert!(loose.scalar_equal("False", "0"));
        assert!(!loose.scalar_equal("true", "0"));
        assert!(loose.scalar_equal("10", "10.0"));
        assert!(loose.scalar_equal("10", "1e1"));
        assert!(!loose.scalar_equal("10", "11"));
        assert!(!loose.scalar_equal("NaN", "NaN "));
        let body = json!({"Test": "true", "Count": "10"});
        assert!(loose.body_matches(&body, &json!({"Test": "True", "Count": "10.0"})));
        assert!(!exact.body_matches(&body, &json!({"Test": "True", "Count": "10"})));
        // An interaction's own style wins over the API's.
        let own = MatchRules {
            booleans: Some(Booleans::Exact),
            ..MatchRules::default()
        };
        assert_eq!(own.over(&loose).booleans, Some(Booleans::Exact));
        assert_eq!(own.over(&loose).numbers, Some(Numbers::ByValue));
    }

    #[test]
    fn the_unique_placeholder_stands_for_any_live_runs_value() {
        let rec = "conform+uniq000000000000@example.com";
        assert!(text_equal(rec, "conform+018f3a2b4c5d9e7f@example.com"));
        assert!(text_equal(rec, rec));
        assert!(!text_equal(rec, "conform+018f3a2b4c5d9e7@example.com"));
        assert!(!text_equal(rec, "conform+018F3A2B4C5D9E7F@example.com"));
        assert!(!text_equal(rec, "other+018f3a2b4c5d9e7f@example.com"));
        assert!(text_equal(
            "/c/uniq000000000000/x/uniq000000000000",
            "/c/0123456789abcdef/x/fedcba9876543210"
        ));
        assert!(MatchRules::default().body_matches(
            &json!({"Email": rec}),
            &json!({"Email": "conform+018f3a2b4c5d9e7f@example.com"})
        ));
    }

    #[test]
    fn exact_query_needs_every_pair_and_no_more() {
        let exact = MatchRules::default();
        let rec = pairs(&[("a", "1"), ("b", "true")]);
        assert!(exact.query_matches(&rec, &pairs(&[("b", "true"), ("a", "1")])));
        assert!(!exact.query_matches(&rec, &pairs(&[("a", "1"), ("b", "true"), ("c", "x")])));
        let subset = MatchRules {
            query: Some(Mode::Subset),
            ..MatchRules::default()
        };
        assert!(subset.query_matches(&rec, &pairs(&[("a", "1"), ("b", "true"), ("c", "x")])));
        assert!(!subset.query_matches(&rec, &pairs(&[("a", "1")])));
        let ignoring = MatchRules {
            ignore: vec!["limit".into()],
            ..MatchRules::default()
        };
        assert!(ignoring.query_matches(&rec, &pairs(&[("a", "1"), ("b", "true"), ("limit", "10")])));
    }

    #[test]
    fn bodies_exact_subset_and_ignored_paths() {
        let rec = json!({"Client": {"FirstName": "Ann", "BirthDate": "2000-01-01"}});
        let more = json!({"Client": {"FirstName": "Ann", "BirthDate": "2000-01-01", "Test": true}});
        assert!(!MatchRules::default().body_matches(&rec, &more));
        let subset = MatchRules {
            body: Some(Mode::Subset),
            ..MatchRules::default()
        };
        assert!(subset.body_matches(&rec, &more));
        let other_date =
            json!({"Client": {"FirstName": "Ann", "BirthDate": "1999-12-31T00:00:00+01:00"}});
        assert!(!MatchRules::default().body_matches(&rec, &other_date));
        let ignoring = MatchRules {
            ignore: vec!["Client.BirthDate".into()],
            ..MatchRules::default()
        };
        assert!(ignoring.body_matches(&rec, &other_date));
        let rules = ignoring.over(&subset);
        assert_eq!(rules.body, Some(Mode::Subset));
        assert!(rules.body_matches(&rec, &json!({"Client": {"FirstName": "Ann"}, "x": 1})));
    }
}
