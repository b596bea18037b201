//! One case's request against its operation: parameters (presence, then value against the
//! parameter's schema), credentials the spec's `security` asks for, and the body.

use serde_json::{Map, Value};

use super::operation::{Matched, PathValue};
use super::security::{check_security, header_values};
use super::values;
use super::{CaseFindings, Context};
use crate::case::{Body, Case, PathPart};
use crate::import::spec::{BodyKind, Param, Spec, Version};

/// At most this many schema violations of one value are reported; the rest are counted.
const MAX_VIOLATIONS: usize = 5;

/// Checks `case`'s request against the matched operation.
pub fn check(ctx: &Context<'_>, matched: &Matched<'_>, case: &Case) -> CaseFindings {
    let mut found = CaseFindings::default();
    let (params, problems) = ctx.spec.parameters(&matched.op);
    found.unchecked.extend(problems);
    for p in &params {
        match p.location.as_str() {
            "path" => check_path_param(ctx, matched, case, p, &mut found),
            "query" => {
                let sent: Vec<_> = (case.request.query.iter())
                    .filter(|(n, _)| *n == p.name || *n == format!("{}[]", p.name))
                    .map(|(_, t)| values::text(t, ctx.vars))
                    .collect();
                let by_credentials = case.use_auth && ctx.credentials.query.contains(&p.name);
                check_param(ctx, p, "query", sent, by_credentials, &mut found);
            }
            "header" => {
                let ignored = ["accept", "content-type", "authorization"];
                let lower = p.name.to_ascii_lowercase();
                if ctx.spec.version != Version::Swagger2 && ignored.contains(&lower.as_str()) {
                    continue; // OpenAPI 3: these header parameters "SHALL be ignored"
                }
                let sent = header_values(ctx, case, &lower);
                let by_credentials = case.use_auth && ctx.credentials.headers.contains(&lower);
                check_param(ctx, p, "header", sent, by_credentials, &mut found);
            }
            _ => {}
        }
    }
    check_security(ctx, matched, case, &mut found);
    check_body(ctx, matched, case, &params, &mut found);
    found
}

fn check_path_param(
    ctx: &Context<'_>,
    matched: &Matched<'_>,
    case: &Case,
    p: &Param,
    found: &mut CaseFindings,
) {
    let Some((_, value)) = matched.path_values.iter().find(|(n, _)| *n == p.name) else {
        return;
    };
    let sent = match value {
        PathValue::Literal(text) => Ok(text.clone()),
        PathValue::CaseParam(i) => match case_path_params(case).get(*i) {
            Some(t) => values::text(t, ctx.vars),
            None => return,
        },
    };
    let before = found.mismatches.len();
    check_param(ctx, p, "path", vec![sent], false, found);
    // The carets go under the case's name for the parameter (`{id}` where the spec says `itemId`).
    let focus = match value {
        PathValue::CaseParam(i) => case_param_names(&case.endpoint.path).get(*i).cloned(),
        PathValue::Literal(_) => None,
    };
    for m in &mut found.mismatches[before..] {
        m.focus.clone_from(&focus);
    }
}

/// `/a/{id}/b/{rateId}` -> `id`, `rateId`.
fn case_param_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

fn case_path_params(case: &Case) -> Vec<&crate::case::template::Template> {
    (case.request.path.iter())
        .filter_map(|part| match part {
            PathPart::Param(t) => Some(t),
            PathPart::Lit(_) => None,
        })
        .collect()
}

/// Presence of a required parameter, then its values against its schema.
fn check_param(
    ctx: &Context<'_>,
    p: &Param,
    location: &str,
    sent: Vec<Result<String, String>>,
    by_credentials: bool,
    found: &mut CaseFindings,
) {
    let what = format!("{location} parameter `{}`", p.name);
    if sent.is_empty() {
        if p.required && !by_credentials {
            let expected = describe(ctx.spec, &p.schema);
            found.mismatch(
                None,
                format!("missing {what}: the spec requires it ({expected})"),
            );
        }
        return;
    }
    let mut texts = Vec::new();
    for s in sent {
        match s {
            Ok(t) => texts.push(t),
            Err(why) => {
                found
                    .unchecked
                    .push(format!("{what}: {why} is known only at run time"));
                return;
            }
        }
    }
    let shape = ctx.spec.resolve(&p.schema).unwrap_or(&p.schema);
    let value = values::coerce(&texts, shape);
    let sensitive = match location {
        "header" => ctx.sensitive.is_sensitive_header(&p.name),
        "query" => ctx.sensitive.is_sensitive_query(&p.name),
        _ => false,
    };
    let checks = Checks {
        unknown: &[],
        hide: &|_| sensitive,
    };
    validate(ctx, &p.schema, &value, &checks, found, |at, message| {
        (Some(p.name.clone()), format!("{what}{at}: {message}"))
    });
}

/// `integer`, `string (date-time)`, `one of "a", "b"`: what a parameter's schema accepts.
fn describe(spec: &Spec, schema: &Value) -> String {
    let schema = spec.resolve(schema).unwrap_or(schema);
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        let list: Vec<String> = options.iter().map(Value::to_string).collect();
        return format!("one of {}", list.join(", "));
    }
    let kind = schema.get("type").map_or("any value".into(), |t| match t {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{kind} ({f})"),
        None => kind,
    }
}

/// Validates `value` against a spec schema; violations under an `unknown` pointer are dropped.
/// What a validation leaves out: values not known before the run (JSON Pointers), and values
/// not to be shown (a sensitive header, query parameter or body field: its violation is reported
/// without the value).
struct Checks<'a> {
    unknown: &'a [(String, String)],
    hide: &'a dyn Fn(&str) -> bool,
}

fn validate(
    ctx: &Context<'_>,
    schema: &Value,
    value: &Value,
    checks: &Checks<'_>,
    found: &mut CaseFindings,
    describe: impl Fn(&str, String) -> (Option<String>, String),
) {
    let validator = match ctx.schemas.compile(schema) {
        Ok(v) => v,
        Err(why) => {
            let (_, what) = describe("", why);
            found.unchecked.push(what);
            return;
        }
    };
    let mut violations: Vec<(String, String)> = Vec::new();
    // Missing properties of one object are one violation: "missing required properties a, b".
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for e in validator.iter_errors(value) {
        let at = e.instance_path().to_string();
        if (checks.unknown.iter()).any(|(u, _)| at == *u || at.starts_with(&format!("{u}/"))) {
            continue;
        }
        match e.kind() {
            jsonschema::error::ValidationErrorKind::Required { property } => {
                match missing.iter_mut().find(|(p, _)| *p == at) {
                    Some((_, names)) => names.push(property.to_string()),
                    None => {
                        missing.push((at.clone(), vec![property.to_string()]));
                        violations.push((at, String::new()));
                    }
                }
            }
            kind if (checks.hide)(&at) => {
                let keyword = kind.keyword();
                let message =
                    format!("the value (not shown: sensitive) fails the spec's `{keyword}`");
                violations.push((at, message));
            }
            _ => violations.push((at, e.to_string())),
        }
    }
    let extra = violations.len().saturating_sub(MAX_VIOLATIONS);
    for (at, mut message) in violations.into_iter().take(MAX_VIOLATIONS) {
        if message.is_empty() {
            let names = missing
                .iter()
                .find(|(p, _)| *p == at)
                .map(|(_, n)| n.join(", "));
            let names = names.unwrap_or_default();
            let plural = if names.contains(',') {
                "properties"
            } else {
                "property"
            };
            message = format!("missing required {plural} {names}");
        }
        let located = if at.is_empty() {
            String::new()
        } else {
            format!(" at `{at}`")
        };
        let (focus, text) = describe(&located, message);
        let focus = last_key(&at).or(focus);
        found.mismatch(focus.as_deref(), text);
    }
    if extra > 0 {
        found.mismatch(
            None,
            format!("and {extra} more violations of the spec's schema"),
        );
    }
}

/// The last object key of a JSON Pointer (`/Client/BirthDate` -> `BirthDate`), for the carets.
fn last_key(pointer: &str) -> Option<String> {
    let key = pointer.rsplit('/').next()?;
    (!key.is_empty() && key.parse::<usize>().is_err())
        .then(|| key.replace("~1", "/").replace("~0", "~"))
}

fn check_body(
    ctx: &Context<'_>,
    matched: &Matched<'_>,
    case: &Case,
    params: &[Param],
    found: &mut CaseFindings,
) {
    let spec_body = match ctx.spec.request_body(&matched.op, params) {
        Ok(Some(b)) => b,
        Ok(None) => return,
        Err(why) => {
            found.unchecked.push(format!("request body: {why}"));
            return;
        }
    };
    let expected = match &spec_body.kind {
        BodyKind::Json => "a JSON body".to_string(),
        BodyKind::Form => "an application/x-www-form-urlencoded body".to_string(),
        BodyKind::Other(media) => format!("a {media} body"),
    };
    let (value, unknown) = match (&case.request.body, &spec_body.kind) {
        (None, _) if spec_body.required => {
            found.mismatch(
                None,
                format!("no request body: the spec requires {expected}"),
            );
            return;
        }
        (None, _) => return,
        (Some(Body::Json(t)), BodyKind::Json) => values::json(t, ctx.vars),
        (Some(Body::Form(fields)), BodyKind::Form) => {
            form_value(fields, spec_body.schema.as_ref(), ctx)
        }
        (Some(Body::Json(_)), _) => {
            found.mismatch(
                Some("json"),
                format!("the request body is JSON: the spec expects {expected}"),
            );
            return;
        }
        (Some(Body::Form(_)), _) => {
            found.mismatch(
                Some("form"),
                format!("the request body is a form: the spec expects {expected}"),
            );
            return;
        }
        (Some(_), _) => {
            found
                .unchecked
                .push("request body: only JSON and form bodies are checked".into());
            return;
        }
    };
    for (at, why) in &unknown {
        let at = if at.is_empty() { "/" } else { at };
        found
            .unchecked
            .push(format!("body at `{at}`: {why} is known only at run time"));
    }
    let Some(schema) = &spec_body.schema else {
        return;
    };
    let hide = |at: &str| {
        at.split('/')
            .any(|key| ctx.sensitive.is_sensitive_field(key))
    };
    let checks = Checks {
        unknown: &unknown,
        hide: &hide,
    };
    validate(ctx, schema, &value, &checks, found, |at, message| {
        (Some("json".into()), format!("request body{at}: {message}"))
    });
}

/// A form body as an object, each field coerced by the spec's property type.
fn form_value(
    fields: &[(String, crate::case::template::Template)],
    schema: Option<&Value>,
    ctx: &Context<'_>,
) -> (Value, Vec<(String, String)>) {
    let mut object = Map::new();
    let mut unknown = Vec::new();
    for (name, t) in fields {
        let property = schema
            .and_then(|s| s.pointer(&format!("/properties/{name}")))
            .unwrap_or(&Value::Null);
        match values::text(t, ctx.vars) {
            Ok(text) => object.insert(name.clone(), values::coerce(&[text], property)),
            Err(why) => {
                unknown.push((format!("/{name}"), why));
                object.insert(name.clone(), Value::Null)
            }
        };
    }
    (Value::Object(object), unknown)
}
