//! How `gt`/`ge`/`lt`/`le` and `sorted` order JSON values: numbers by value; strings that are
//! RFC 3339 dates (`2024-04-01`), date-times with an offset (`2024-04-01T09:00:00+02:00`, compared
//! as instants) or local date-times (`2024-04-01T09:00:00`) by time, each only with its own kind;
//! for `sorted`, any other strings by Unicode code point (lowercased first with `ignore_case`).

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::json::compact;

#[derive(Debug)]
enum Time {
    Date(NaiveDate),
    Local(NaiveDateTime),
    Instant(DateTime<FixedOffset>),
}

impl Time {
    fn parse(s: &str) -> Option<Time> {
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Some(Time::Instant(t));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
            return Some(Time::Local(t));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(Time::Date)
    }

    fn kind(&self) -> &'static str {
        match self {
            Time::Date(_) => "a date",
            Time::Local(_) => "a local date-time",
            Time::Instant(_) => "a date-time with an offset",
        }
    }

    fn cmp_same_kind(&self, other: &Time) -> Option<Ordering> {
        match (self, other) {
            (Time::Date(a), Time::Date(b)) => Some(a.cmp(b)),
            (Time::Local(a), Time::Local(b)) => Some(a.cmp(b)),
            (Time::Instant(a), Time::Instant(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

fn numbers(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// `node` against a `gt`/`lt` bound: both numbers, or both dates/date-times of one kind.
pub fn against_bound(node: &Value, bound: &Value) -> Result<Ordering, String> {
    if bound.is_number() && node.is_number() {
        return numbers(node, bound).ok_or_else(|| "numbers that cannot be compared".into());
    }
    let bound_time = bound.as_str().and_then(Time::parse);
    if !bound.is_number() && bound_time.is_none() {
        return Err(format!(
            "the bound {} is neither a number nor an RFC 3339 date or date-time",
            compact(bound)
        ));
    }
    let node_time = node.as_str().and_then(Time::parse);
    match (node_time, bound_time) {
        (Some(n), Some(b)) => n.cmp_same_kind(&b).ok_or_else(|| {
            format!(
                "cannot compare {} ({}) with {} ({})",
                compact(node),
                n.kind(),
                compact(bound),
                b.kind()
            )
        }),
        (_, Some(_)) => Err(format!(
            "expected an RFC 3339 date or date-time to compare with {}, got {}",
            compact(bound),
            compact(node)
        )),
        _ => Err(format!(
            "expected a number to compare with {}, got {}",
            compact(bound),
            compact(node)
        )),
    }
}

/// Two items of an array for `sorted`: numbers, times of one kind, else strings.
pub fn for_sorting(a: &Value, b: &Value, ignore_case: bool) -> Result<Ordering, String> {
    if a.is_number() && b.is_number() {
        return numbers(a, b).ok_or_else(|| "numbers that cannot be compared".into());
    }
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            if let (Some(tx), Some(ty)) = (Time::parse(x), Time::parse(y)) {
                if let Some(o) = tx.cmp_same_kind(&ty) {
                    return Ok(o);
                }
            }
            Ok(if ignore_case {
                x.to_lowercase().cmp(&y.to_lowercase())
            } else {
                x.cmp(y)
            })
        }
        _ => Err(format!(
            "cannot order {} and {}: sorting compares numbers with numbers and strings with strings",
            compact(a),
            compact(b)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_times_compare_by_value() {
        assert_eq!(
            against_bound(&json!(10), &json!(9.5)),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            against_bound(
                &json!("2024-04-01T10:00:00+02:00"),
                &json!("2024-04-01T09:00:00Z")
            ),
            Ok(Ordering::Less)
        );
        assert_eq!(
            against_bound(&json!("2024-04-02"), &json!("2024-04-01")),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            against_bound(&json!("2024-04-01T00:00:00"), &json!("2024-04-01T00:00:01")),
            Ok(Ordering::Less)
        );
        assert!(
            against_bound(&json!("2024-04-01"), &json!("2024-04-01T00:00:00Z"))
                .unwrap_err()
                .contains("(a date) with \"2024-04-01T00:00:00Z\" (a date-time with an offset)")
        );
        assert!(against_bound(&json!("soon"), &json!(3)).is_err());
        assert!(against_bound(&json!(3), &json!("abc")).is_err());
    }

    #[test]
    fn sorting_falls_back_to_code_points_for_strings() {
        assert_eq!(
            for_sorting(&json!("B"), &json!("a"), false),
            Ok(Ordering::Less)
        );
        assert_eq!(
            for_sorting(&json!("B"), &json!("a"), true),
            Ok(Ordering::Greater)
        );
        assert_eq!(
            for_sorting(
                &json!("2024-01-01T10:00:00+05:00"),
                &json!("2024-01-01T06:00:00Z"),
                false
            ),
            Ok(Ordering::Less)
        );
        assert!(for_sorting(&json!(1), &json!("1"), false).is_err());
    }
}
