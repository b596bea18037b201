//! The values a request would send, as far as they are known before a run.
//!
//! The API's variables, the selected environment's and `--var` values are known; captures of
//! earlier steps are not, and environment variables are never read (they hold secrets, and
//! nothing read here may reach an output). A value that needs either is "unknown": its presence
//! counts, its value is not checked.

use serde_json::{Map, Value};

use crate::case::template::{JsonTemplate, Template, Vars, UNIQUE, UNIQUE_PLACEHOLDER};
use crate::case::Api;

/// The variables known before a run, for `env` (the `--env` of `validate`) when given.
pub fn known_vars(api: &Api, env: Option<&str>) -> Vars {
    let mut vars = Vars::default();
    (vars.values).insert(UNIQUE.into(), Value::String(UNIQUE_PLACEHOLDER.into()));
    let environment = env.and_then(|e| api.environments.get(e));
    let env_vars = environment
        .map(|e| e.variables.as_slice())
        .unwrap_or_default();
    for (name, template) in api.variables.iter().chain(env_vars) {
        match template.render(&vars) {
            Ok(value) => vars.values.insert(name.clone(), value),
            // An environment's variable that needs a secret hides the API's value too.
            Err(_) => vars.values.remove(name),
        };
    }
    for (name, value) in &api.overrides {
        vars.values.insert(name.clone(), value.clone());
    }
    vars
}

/// A text value, or why it is not known before the run.
pub fn text(t: &Template, vars: &Vars) -> Result<String, String> {
    t.render(vars).map_err(|_| unknown_why(t.exprs()))
}

/// A JSON body with unknown values as `null`, and the JSON Pointers of those values with why.
pub fn json(t: &JsonTemplate, vars: &Vars) -> (Value, Vec<(String, String)>) {
    let mut unknown = Vec::new();
    let value = json_at(t, vars, String::new(), &mut unknown);
    (value, unknown)
}

fn json_at(
    t: &JsonTemplate,
    vars: &Vars,
    pointer: String,
    unknown: &mut Vec<(String, String)>,
) -> Value {
    match t {
        JsonTemplate::Literal(v) => v.clone(),
        // Beyond 64 bits: checked as the nearest number (its type is what a spec constrains).
        JsonTemplate::Integer(digits) => serde_json::from_str(digits).unwrap_or(Value::Null),
        JsonTemplate::Str(s) => t.render(vars).unwrap_or_else(|_| {
            unknown.push((pointer, unknown_why(s.exprs())));
            Value::Null
        }),
        JsonTemplate::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| json_at(item, vars, format!("{pointer}/{i}"), unknown))
                .collect(),
        ),
        JsonTemplate::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| {
                    let at = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                    (k.clone(), json_at(v, vars, at, unknown))
                })
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// `{{ client_id }}` (a capture or a variable with no value before the run), `{{ env.X }}`.
fn unknown_why<'a>(exprs: impl Iterator<Item = &'a crate::case::template::Expr>) -> String {
    let names: Vec<String> = exprs.map(|e| format!("`{{{{ {e} }}}}`")).collect();
    if names.is_empty() {
        "a value computed at run time".into()
    } else {
        names.join(", ")
    }
}

/// A query, path or header text as the JSON value the parameter's schema describes: `"5"` is 5
/// for an integer, `"true"` a boolean, `"a,b"` or repeated values an array. What does not parse
/// stays a string, so the schema reports it with its type.
pub fn coerce(texts: &[String], schema: &Value) -> Value {
    if has_type(schema, "array") {
        let items = schema.get("items").unwrap_or(&Value::Null);
        let parts: Vec<&str> = match texts {
            [one] => one.split(',').collect(),
            many => many.iter().map(String::as_str).collect(),
        };
        return Value::Array(parts.into_iter().map(|p| scalar(p, items)).collect());
    }
    scalar(texts.first().map_or("", String::as_str), schema)
}

fn scalar(text: &str, schema: &Value) -> Value {
    if has_type(schema, "integer") {
        if let Ok(n) = text.parse::<i64>() {
            return Value::from(n);
        }
    }
    if has_type(schema, "number") {
        if let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    if has_type(schema, "boolean") && matches!(text, "true" | "false") {
        return Value::Bool(text == "true");
    }
    Value::String(text.to_string())
}

fn has_type(schema: &Value, name: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coerces_by_the_schema_type() {
        let t = |s: &str| vec![s.to_string()];
        assert_eq!(coerce(&t("5"), &json!({"type": "integer"})), json!(5));
        assert_eq!(coerce(&t("x"), &json!({"type": "integer"})), json!("x"));
        assert_eq!(coerce(&t("true"), &json!({"type": "boolean"})), json!(true));
        assert_eq!(coerce(&t("5"), &json!({"type": "string"})), json!("5"));
        let ints = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(coerce(&t("1,2"), &ints), json!([1, 2]));
        assert_eq!(coerce(&["1".into(), "b".into()], &ints), json!([1, "b"]));
    }

    #[test]
    fn unknown_values_are_null_and_located() {
        let body = JsonTemplate::parse(
            &json!({"a": "{{ id }}", "b": ["{{ env.K }}"], "c": "{{ known }}"}),
        )
        .unwrap();
        let mut vars = Vars::default();
        vars.values.insert("known".into(), json!(3));
        let (value, unknown) = json(&body, &vars);
        assert_eq!(value, json!({"a": null, "b": [null], "c": 3}));
        assert_eq!(unknown[0], ("/a".to_string(), "`{{ id }}`".to_string()));
        assert_eq!(unknown[1].0, "/b/0");
    }
}
