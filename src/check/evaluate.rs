//! The one entry point of `check`: [`evaluate`] a response against a case — status, content type,
//! headers, time budget, body, schema, assertions, captures and snapshot, in that order — and get
//! every [`CheckResult`] and the captured values back ([`Evaluation`]).

use serde_json::Value;

use super::snapshot::{self, Place};
use super::{CheckKind, CheckResult, ParsedBody};
use crate::case::template::Vars;
use crate::case::{Case, Expect};
use crate::http::HttpResponse;
use crate::redact::Redactor;
use crate::schema::SchemaSet;

/// What a response is evaluated with, beyond the case itself.
pub struct Context<'a> {
    pub schemas: &'a SchemaSet,
    /// Scrubs secrets from snapshots.
    pub redactor: &'a Redactor,
    pub snapshots: snapshot::Mode,
    /// Where the case's snapshot belongs.
    pub place: Place<'a>,
}

/// The outcome of evaluating one response: the checks, and the values captured for later cases.
pub struct Evaluation {
    pub checks: Vec<CheckResult>,
    pub captured: Vec<(String, Value)>,
    /// Checks that were not run because the status was not the expected one: they describe the
    /// expected response's body, so against another status they would only pile up failures.
    pub not_evaluated: Vec<String>,
}

/// Evaluates `response` against `case`; `vars` are the variables its templates see.
pub fn evaluate(
    case: &Case,
    response: &HttpResponse,
    ctx: &Context<'_>,
    vars: &Vars,
) -> Evaluation {
    let status = super::headers::status(&case.expect.status, response.status);
    if !status.passed {
        return Evaluation {
            checks: status_differs(&case.expect, status, response, vars),
            captured: Vec::new(),
            not_evaluated: body_checks(case),
        };
    }
    let body = needs_json(&case.expect, !case.captures.is_empty())
        .then(|| ParsedBody::parse(&response.body));
    let mut checks = vec![status];
    checks.extend(check_response(
        &case.expect,
        response,
        body.as_ref(),
        ctx.schemas,
        vars,
    ));
    let json = body.as_ref().and_then(ParsedBody::json);
    let (capture_checks, captured) = super::assert::captures(&case.captures, json, response);
    checks.extend(capture_checks);
    if let Some(spec) = &case.expect.snapshot {
        // Added keys are harmless only where the schema check ran and passed.
        let schema_accepts = case.expect.schema.is_some()
            && checks
                .iter()
                .filter(|c| c.kind == CheckKind::Schema)
                .all(|c| c.passed);
        let ordered = json
            .map(|j| snapshot::ordered_arrays(case, j, vars))
            .unwrap_or_default();
        let leniency = snapshot::Leniency {
            schema_accepts,
            ordered: &ordered,
        };
        checks.push(snapshot::check(
            spec,
            &ctx.place,
            response,
            body.as_ref(),
            ctx.redactor,
            ctx.snapshots,
            (!spec.strict).then_some(&leniency),
        ));
    }
    Evaluation {
        checks,
        captured,
        not_evaluated: Vec::new(),
    }
}

/// The checks when the status is not the expected one: the status (with what the server said
/// about it) and the header checks, which do not depend on the body.
fn status_differs(
    expect: &Expect,
    mut status: CheckResult,
    response: &HttpResponse,
    vars: &Vars,
) -> Vec<CheckResult> {
    if let Some(said) = server_message(&response.body) {
        status.message = format!("{}; the server said: {said}", status.message);
    }
    let mut checks = vec![status];
    checks.extend(
        expect
            .headers
            .iter()
            .map(|h| super::headers::header(h, response, vars)),
    );
    checks
}

/// The body checks a case would run, named for the one "not evaluated" line.
fn body_checks(case: &Case) -> Vec<String> {
    let expect = &case.expect;
    let mut names = Vec::new();
    if expect.content_type.is_some() || expect.schema.is_some() {
        names.push("content type".to_string());
    }
    if expect.schema.is_some() {
        names.push("schema".to_string());
    }
    match expect.assertions.len() {
        0 => {}
        1 => names.push("1 assertion".to_string()),
        n => names.push(format!("{n} assertions")),
    }
    match case.captures.len() {
        0 => {}
        1 => names.push("1 capture".to_string()),
        n => names.push(format!("{n} captures")),
    }
    if expect.snapshot.is_some() {
        names.push("snapshot".to_string());
    }
    names
}

/// The server's own explanation of an unexpected status: the usual message fields of a JSON
/// error body, or the start of a text body; at most 200 characters.
fn server_message(body: &[u8]) -> Option<String> {
    const MAX: usize = 200;
    const FIELDS: [&str; 7] = [
        "message",
        "Message",
        "error_description",
        "detail",
        "title",
        "error",
        "Error",
    ];
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() {
        return None;
    }
    let said = match serde_json::from_str::<Value>(text) {
        Ok(json) => find_message(&json, &FIELDS)?,
        Err(_) => text.lines().next().unwrap_or("").to_string(),
    };
    let said = said.trim();
    if said.is_empty() {
        return None;
    }
    Some(match said.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &said[..cut]),
        None => said.to_string(),
    })
}

/// The first message field, also one level down (`{"Error": {"Message": ...}}`).
fn find_message(json: &Value, fields: &[&str]) -> Option<String> {
    let object = json.as_object()?;
    for field in fields {
        match object.get(*field) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(nested @ Value::Object(_)) => {
                if let Some(found) = find_message(nested, fields) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}

/// Does the case need the body as JSON?
fn needs_json(expect: &Expect, has_captures: bool) -> bool {
    expect.schema.is_some()
        || !expect.assertions.is_empty()
        || has_captures
        || expect.snapshot.is_some()
}

/// Every check of `expect` but the status, captures and the snapshot.
fn check_response(
    expect: &Expect,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    schemas: &SchemaSet,
    vars: &Vars,
) -> Vec<CheckResult> {
    let mut results = Vec::new();
    match (&expect.content_type, expect.schema) {
        (Some(ct), _) => results.push(super::headers::content_type(ct, response)),
        // A schema says the body is JSON: a `text/html` answer must not pass by luck.
        (None, Some(_)) => results.push(super::headers::json_content_type(response)),
        (None, None) => {}
    }
    for h in &expect.headers {
        results.push(super::headers::header(h, response, vars));
    }
    if let Some(budget) = expect.max_duration {
        results.push(super::headers::duration(budget, response.elapsed));
    }
    let json = match body {
        Some(ParsedBody::Json(v)) => Some(v),
        Some(ParsedBody::NotJson(why)) => {
            results.push(CheckResult::fail(
                CheckKind::Body,
                "",
                format!("expected a JSON body: {why}"),
            ));
            None
        }
        None => None,
    };
    if let Some(json) = json {
        if let Some(id) = expect.schema {
            results.extend(super::schema::check(schemas, id, json));
        }
        for a in &expect.assertions {
            results.extend(super::assert::assertion(a, json, vars));
        }
    }
    results
}
