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
}

/// Evaluates `response` against `case`; `vars` are the variables its templates see.
pub fn evaluate(
    case: &Case,
    response: &HttpResponse,
    ctx: &Context<'_>,
    vars: &Vars,
) -> Evaluation {
    let body = needs_json(&case.expect, !case.captures.is_empty())
        .then(|| ParsedBody::parse(&response.body));
    let mut checks = check_response(&case.expect, response, body.as_ref(), ctx.schemas, vars);
    let json = body.as_ref().and_then(ParsedBody::json);
    let (capture_checks, captured) = super::assert::captures(&case.captures, json, response);
    checks.extend(capture_checks);
    if let Some(spec) = &case.expect.snapshot {
        checks.push(snapshot::check(
            spec,
            &ctx.place,
            response,
            body.as_ref(),
            ctx.redactor,
            ctx.snapshots,
        ));
    }
    Evaluation { checks, captured }
}

/// Does the case need the body as JSON?
fn needs_json(expect: &Expect, has_captures: bool) -> bool {
    expect.schema.is_some()
        || !expect.assertions.is_empty()
        || has_captures
        || expect.snapshot.is_some()
}

/// Every check of `expect` but captures and the snapshot.
fn check_response(
    expect: &Expect,
    response: &HttpResponse,
    body: Option<&ParsedBody>,
    schemas: &SchemaSet,
    vars: &Vars,
) -> Vec<CheckResult> {
    let mut results = vec![super::headers::status(&expect.status, response.status)];
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
