//! Credentials the spec's `security` asks for, and which headers a request sends.

use serde_json::Value;

use super::operation::Matched;
use super::values;
use super::{CaseFindings, Context};
use crate::case::Case;
use crate::import::spec::Version;

/// The case's own value wins over the API's header of the same name (as when sending).
pub fn header_values(ctx: &Context<'_>, case: &Case, lower: &str) -> Vec<Result<String, String>> {
    let own = (case.request.headers.iter()).find(|(n, _)| n.eq_ignore_ascii_case(lower));
    let api = (ctx.api_headers.iter()).find(|(n, _)| n.eq_ignore_ascii_case(lower));
    own.or(api)
        .map(|(_, t)| values::text(t, ctx.vars))
        .into_iter()
        .collect()
}

/// The spec's `security` (the operation's, else the document's): one alternative must be sent.
pub fn check_security(
    ctx: &Context<'_>,
    matched: &Matched<'_>,
    case: &Case,
    found: &mut CaseFindings,
) {
    let doc = &ctx.spec.doc;
    let Some(alternatives) = (matched.op.node.get("security"))
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array)
    else {
        return;
    };
    let schemes = match ctx.spec.version {
        Version::Swagger2 => doc.get("securityDefinitions"),
        _ => doc.pointer("/components/securitySchemes"),
    };
    let sends_header = |name: &str| {
        let lower = name.to_ascii_lowercase();
        (case.use_auth && ctx.credentials.headers.contains(&lower))
            || !header_values(ctx, case, &lower).is_empty()
    };
    let sends_query = |name: &str| {
        (case.use_auth && ctx.credentials.query.contains(name))
            || case.request.query.iter().any(|(n, _)| n == name)
    };
    let mut wanted = Vec::new();
    for alternative in alternatives.iter().filter_map(Value::as_object) {
        let parts: Vec<(bool, String)> = (alternative.keys())
            .map(|scheme| {
                let s = schemes.and_then(|m| m.get(scheme)).unwrap_or(&Value::Null);
                let name = s.get("name").and_then(Value::as_str).unwrap_or("");
                match (s.get("type").and_then(Value::as_str), s.get("in")) {
                    (Some("apiKey"), Some(v)) if v == "header" => {
                        (sends_header(name), format!("header `{name}`"))
                    }
                    (Some("apiKey"), Some(v)) if v == "query" => {
                        (sends_query(name), format!("query parameter `{name}`"))
                    }
                    (Some("apiKey"), _) => (true, String::new()),
                    _ => (
                        sends_header("authorization"),
                        "header `Authorization`".into(),
                    ),
                }
            })
            .collect();
        if parts.iter().all(|(ok, _)| *ok) {
            return;
        }
        let names: Vec<String> = parts.into_iter().map(|(_, what)| what).collect();
        wanted.push(names.join(" and "));
    }
    if !wanted.is_empty() {
        found.mismatch(
            None,
            format!(
                "no credentials the spec's `security` accepts: expected {}",
                wanted.join(", or ")
            ),
        );
    }
}
