//! One case file per operation ([`Skeleton`]): a success case built from the spec's examples,
//! defaults or schema-derived placeholders, and the documented error statuses as commented-out
//! cases to enable by hand.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::sample::{self, Sampled};
use super::schema::Translator;
use super::spec::{BodyKind, Operation, Param, Response, Spec};

/// Everything the import learned about one operation.
#[derive(Debug)]
pub struct Skeleton {
    /// `GET /api/customers/{id}`.
    pub endpoint: String,
    /// The case file's text.
    pub yaml: String,
    /// Response schemas defined inline, to write as their own files: (file name, translated schema).
    pub inline: Vec<(String, Value)>,
    /// Named schemas the case files refer to.
    pub uses: BTreeSet<String>,
    /// What could not be generated, and why.
    pub problems: Vec<String>,
}

/// What the skeleton builder needs beyond the operation.
pub struct Context<'a> {
    pub spec: &'a Spec,
    pub translator: &'a Translator,
    /// Named schemas that will not be written (broken refs), with the reason.
    pub broken: &'a std::collections::BTreeMap<String, String>,
}

/// Headers conform sets itself (or the environment's auth does).
const MANAGED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// Builds the case file of `op`; `stem` names its file and its inline schema files.
pub fn build(cx: &Context<'_>, op: &Operation<'_>, stem: &str) -> Skeleton {
    let mut sk = Skeleton {
        endpoint: format!("{} {}", op.method, op.path),
        yaml: String::new(),
        inline: Vec::new(),
        uses: BTreeSet::new(),
        problems: Vec::new(),
    };
    let (params, mut problems) = cx.spec.parameters(op);
    sk.problems.append(&mut problems);
    let mut placeholders = Vec::new();
    let request = request(cx, op, &params, &mut sk, &mut placeholders);
    let (responses, mut problems) = cx.spec.responses(op);
    sk.problems.append(&mut problems);
    let success = success_response(&responses);
    let mut cases = Vec::new();
    let success_case = case(cx, &request, success, stem, &mut sk);
    cases.push(success_case);
    let errors: Vec<Value> = responses
        .iter()
        .filter(|r| is_error(&r.status))
        .map(|r| case(cx, &request, Some(r), stem, &mut sk))
        .collect();
    sk.yaml = render(op, cx.spec, &sk, &cases, &errors, &placeholders);
    sk
}

fn request(
    cx: &Context<'_>,
    op: &Operation<'_>,
    params: &[Param],
    sk: &mut Skeleton,
    placeholders: &mut Vec<String>,
) -> Map<String, Value> {
    let mut path_params = Map::new();
    let mut query = Map::new();
    let mut headers = Map::new();
    for name in path_names(&op.path) {
        let p = params
            .iter()
            .find(|p| p.location == "path" && p.name == name);
        let mut s = param_value(cx.spec, p);
        if s.placeholder && s.value == "example" {
            // Ids are the common case for path parameters.
            s.value = json!("1");
        }
        if s.placeholder {
            placeholders.push(format!("path `{name}`"));
        }
        path_params.insert(name, scalar(&s.value, ","));
    }
    for p in params.iter().filter(|p| p.required) {
        let target = match p.location.as_str() {
            "query" => &mut query,
            "header" if MANAGED_HEADERS.contains(&p.name.to_ascii_lowercase().as_str()) => continue,
            "header" => &mut headers,
            "cookie" => {
                sk.problems.push(format!(
                    "cookie parameter `{}` not generated (unsupported)",
                    p.name
                ));
                continue;
            }
            _ => continue,
        };
        let s = param_value(cx.spec, Some(p));
        if s.value.is_object() {
            sk.problems.push(format!(
                "object-valued {} parameter `{}` not generated (unsupported)",
                p.location, p.name
            ));
            continue;
        }
        if s.placeholder {
            placeholders.push(format!("{} `{}`", p.location, p.name));
        }
        let value = match (&s.value, p.location.as_str()) {
            (Value::Array(items), "query") => {
                Value::Array(items.iter().map(|i| scalar(i, ",")).collect())
            }
            (v, _) => scalar(v, ","),
        };
        target.insert(p.name.clone(), value);
    }
    let mut out = Map::new();
    for (key, map) in [
        ("path_params", path_params),
        ("query", query),
        ("headers", headers),
    ] {
        if !map.is_empty() {
            out.insert(key.into(), Value::Object(map));
        }
    }
    body(cx, op, params, sk, placeholders, &mut out);
    out
}

fn body(
    cx: &Context<'_>,
    op: &Operation<'_>,
    params: &[Param],
    sk: &mut Skeleton,
    placeholders: &mut Vec<String>,
    out: &mut Map<String, Value>,
) {
    let body = match cx.spec.request_body(op, params) {
        Ok(Some(b)) => b,
        Ok(None) => return,
        Err(e) => {
            sk.problems.push(format!("request body not generated: {e}"));
            return;
        }
    };
    let s = sample::value(cx.spec, body.example.as_ref(), body.schema.as_ref());
    if s.placeholder {
        placeholders.push("body".into());
    }
    match body.kind {
        BodyKind::Json => {
            out.insert("json".into(), s.value);
        }
        BodyKind::Form => {
            let form: Map<String, Value> = s
                .value
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), scalar(v, ","))).collect())
                .unwrap_or_default();
            out.insert("form".into(), Value::Object(form));
        }
        BodyKind::Other(media) => sk.problems.push(format!(
            "request body of type `{media}` not generated (unsupported)"
        )),
    }
}

fn param_value(spec: &Spec, p: Option<&Param>) -> Sampled {
    match p {
        Some(p) => sample::value(spec, p.example.as_ref(), Some(&p.schema)),
        None => Sampled {
            value: json!("1"),
            placeholder: true,
        },
    }
}

/// A parameter value as a YAML scalar (lists joined with `sep`).
fn scalar(v: &Value, sep: &str) -> Value {
    match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => v.clone(),
        Value::Null => json!(""),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| text_of(&scalar(i, sep))).collect();
            json!(parts.join(sep))
        }
        Value::Object(_) => json!(v.to_string()),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `{name}`s of a path template, in order.
pub fn path_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// The response the success case expects: the lowest 2xx, else `2XX`, else none (any 2xx).
fn success_response(responses: &[Response]) -> Option<&Response> {
    responses
        .iter()
        .filter(|r| r.status.starts_with('2') && r.status.parse::<u16>().is_ok())
        .min_by_key(|r| r.status.clone())
        .or_else(|| {
            responses
                .iter()
                .find(|r| r.status.eq_ignore_ascii_case("2XX"))
        })
}

fn is_error(status: &str) -> bool {
    matches!(status.chars().next(), Some('3' | '4' | '5'))
}

/// One case: the shared request, the response's status and schema.
fn case(
    cx: &Context<'_>,
    request: &Map<String, Value>,
    response: Option<&Response>,
    stem: &str,
    sk: &mut Skeleton,
) -> Value {
    let mut expect = Map::new();
    let name = match response {
        Some(r) => {
            expect.insert("status".into(), status_value(&r.status));
            if let Some(file) = response_schema(cx, r, stem, sk) {
                expect.insert("schema".into(), json!(file));
            }
            format!("responds {}", r.status.to_ascii_lowercase())
        }
        None => "succeeds".into(),
    };
    let mut case = Map::new();
    case.insert("name".into(), json!(name));
    if !request.is_empty() {
        case.insert("request".into(), Value::Object(request.clone()));
    }
    if !expect.is_empty() {
        case.insert("expect".into(), Value::Object(expect));
    }
    Value::Object(case)
}

fn status_value(status: &str) -> Value {
    match status.parse::<u16>() {
        Ok(code) => json!(code),
        Err(_) => json!(status.to_ascii_lowercase()),
    }
}

/// The schema file of a response: a named schema's file, or a new file for an inline schema.
fn response_schema(
    cx: &Context<'_>,
    r: &Response,
    stem: &str,
    sk: &mut Skeleton,
) -> Option<String> {
    let schema = r.schema.as_ref()?;
    let prefix = cx.spec.schema_prefix();
    let named = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix(prefix))
        .filter(|name| !name.contains('/') && schema.as_object().is_some_and(|m| m.len() == 1));
    if let Some(name) = named {
        let name = percent_encoding::percent_decode_str(name)
            .decode_utf8_lossy()
            .into_owned();
        if let Some(why) = cx.broken.get(&name) {
            sk.problems
                .push(format!("schema of response {} omitted: {why}", r.status));
            return None;
        }
        if let Some(file) = cx.translator.file_of(&name) {
            sk.uses.insert(name.clone());
            return Some(file.to_string());
        }
    }
    let t = cx.translator.file(schema);
    let mut why: Vec<String> = t.broken.iter().cloned().collect();
    why.extend(t.uses.iter().filter_map(|u| cx.broken.get(u).cloned()));
    if !why.is_empty() {
        sk.problems.push(format!(
            "schema of response {} omitted: {}",
            r.status,
            why.join("; ")
        ));
        return None;
    }
    sk.uses.extend(t.uses.iter().cloned());
    let mut value = t.value;
    if let (Some(example), Some(map)) = (&r.example, value.as_object_mut()) {
        map.entry("examples").or_insert_with(|| json!([example]));
    }
    let mut file = format!("{stem}_{}.json", r.status.to_ascii_lowercase());
    if cx.translator.is_taken(&file) {
        file = format!("{stem}_{}_response.json", r.status.to_ascii_lowercase());
    }
    sk.inline.push((file.clone(), value));
    Some(file)
}

/// The case file text: a header comment, the cases, the error cases commented out.
fn render(
    op: &Operation<'_>,
    spec: &Spec,
    sk: &Skeleton,
    cases: &[Value],
    errors: &[Value],
    placeholders: &[String],
) -> String {
    let mut out = String::new();
    let id = op
        .operation_id
        .as_deref()
        .map(|i| format!(" (operationId {i})"))
        .unwrap_or_default();
    out.push_str(&format!(
        "# Generated by `conform import openapi` from {}: {}{id}.\n",
        spec.file_name, sk.endpoint
    ));
    if let Some(summary) = op.summary.as_deref().and_then(|s| s.lines().next()) {
        out.push_str(&format!("# {summary}\n"));
    }
    if !placeholders.is_empty() {
        out.push_str(&format!(
            "# Placeholder values (not from the spec's examples or defaults): {}.\n",
            placeholders.join(", ")
        ));
    }
    for p in &sk.problems {
        out.push_str(&format!("# Not generated: {p}\n"));
    }
    let doc = json!({"endpoint": sk.endpoint, "cases": cases});
    out.push_str(&to_yaml(&doc));
    if !errors.is_empty() {
        out.push_str("# Documented error responses: uncomment to test them.\n");
        let listed = to_yaml(&json!({ "cases": errors }));
        for line in listed.lines().skip(1) {
            out.push_str(&format!("# {line}\n"));
        }
    }
    out
}

fn to_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).unwrap_or_default()
}

/// A file stem for an operation: its operationId in snake case, else method and path.
pub fn stem(op: &Operation<'_>) -> String {
    let source = match &op.operation_id {
        Some(id) if id.chars().any(|c| c.is_ascii_alphanumeric()) => id.clone(),
        _ => format!("{} {}", op.method, op.path),
    };
    let mut snake = String::new();
    let mut prev_lower = false;
    for c in source.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            snake.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        snake.push(c);
    }
    crate::case::lower::slug(&snake)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_in_order() {
        assert_eq!(path_names("/a/{id}/b/{x_y}"), ["id", "x_y"]);
        assert!(path_names("/a").is_empty());
    }
}
