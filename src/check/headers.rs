//! Status, header, content-type and time-budget checks.

use std::time::Duration;

use super::{CheckKind, CheckResult};
use crate::case::template::Vars;
use crate::case::{HeaderExpect, HeaderRule, StatusExpect};
use crate::http::HttpResponse;

pub fn status(expected: &StatusExpect, actual: u16) -> CheckResult {
    if expected.accepts(actual) {
        CheckResult::pass(CheckKind::Status, "", format!("status {actual}"))
    } else {
        CheckResult::fail(
            CheckKind::Status,
            "",
            format!("expected status {expected}, got {actual}"),
        )
        .with_values(expected.to_string(), actual.to_string())
    }
}

pub fn content_type(expected: &str, response: &HttpResponse) -> CheckResult {
    let want = expected
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match response.media_type() {
        Some(got) if got == want => {
            CheckResult::pass(CheckKind::ContentType, "", format!("content type {got}"))
        }
        Some(got) => CheckResult::fail(
            CheckKind::ContentType,
            "",
            format!("expected content type {want}, got {got}"),
        )
        .with_values(want, got),
        None => CheckResult::fail(
            CheckKind::ContentType,
            "",
            format!("expected content type {want}, the response has no Content-Type"),
        )
        .with_values(want, "(none)"),
    }
}

/// The JSON family: `application/json` or any `+json` type (`application/problem+json`).
pub fn json_content_type(response: &HttpResponse) -> CheckResult {
    const WANT: &str = "application/json (or a +json type)";
    match response.media_type() {
        Some(got) if got == "application/json" || got.ends_with("+json") => {
            CheckResult::pass(CheckKind::ContentType, "", format!("content type {got}"))
        }
        Some(got) => CheckResult::fail(
            CheckKind::ContentType,
            "",
            format!("expected a JSON content type for a case with a schema, got {got}"),
        )
        .with_values(WANT, got),
        None => CheckResult::fail(
            CheckKind::ContentType,
            "",
            "expected a JSON content type for a case with a schema, the response has no Content-Type",
        )
        .with_values(WANT, "(none)"),
    }
}

pub fn header(h: &HeaderExpect, response: &HttpResponse, vars: &Vars) -> CheckResult {
    let got = response.header(&h.name);
    let name = h.name.as_str();
    match (&h.rule, got) {
        (HeaderRule::Absent, None) => CheckResult::pass(CheckKind::Header, name, "absent"),
        (HeaderRule::Absent, Some(v)) => CheckResult::fail(
            CheckKind::Header,
            name,
            format!("expected header {name} to be absent, got `{v}`"),
        )
        .with_values("(absent)", v),
        (_, None) => CheckResult::fail(
            CheckKind::Header,
            name,
            format!("expected header {name}, the response has none"),
        )
        .with_values(describe_rule(&h.rule, vars), "(absent)"),
        (HeaderRule::Equals(t), Some(v)) => match t.render(vars) {
            Ok(want) if want == v => CheckResult::pass(CheckKind::Header, name, format!("= {v}")),
            Ok(want) => CheckResult::fail(
                CheckKind::Header,
                name,
                format!("header {name}: expected `{want}`, got `{v}`"),
            )
            .with_values(want, v),
            Err(e) => CheckResult::fail(CheckKind::Header, name, e.to_string()),
        },
        (HeaderRule::Matches(re), Some(v)) => {
            if re.is_match(v) {
                CheckResult::pass(CheckKind::Header, name, format!("matches /{re}/"))
            } else {
                CheckResult::fail(
                    CheckKind::Header,
                    name,
                    format!("header {name}: `{v}` does not match /{re}/"),
                )
                .with_values(format!("/{re}/"), v)
            }
        }
    }
}

fn describe_rule(rule: &HeaderRule, vars: &Vars) -> String {
    match rule {
        HeaderRule::Equals(t) => t.render(vars).unwrap_or_default(),
        HeaderRule::Matches(re) => format!("/{re}/"),
        HeaderRule::Absent => "(absent)".into(),
    }
}

pub fn duration(budget: Duration, elapsed: Duration) -> CheckResult {
    if elapsed <= budget {
        CheckResult::pass(
            CheckKind::Duration,
            "",
            format!("{elapsed:?} within {budget:?}"),
        )
    } else {
        CheckResult::fail(
            CheckKind::Duration,
            "",
            format!("took {elapsed:?}, over the budget of {budget:?}"),
        )
        .with_values(format!("<= {budget:?}"), format!("{elapsed:?}"))
    }
}
