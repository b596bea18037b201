//! `--var NAME=VALUE`: values given on the command line, which win over an environment's
//! `variables:` and the API's own. A name must be declared by a selected API (`variables:` in
//! api.yaml), and the value takes the declared default's JSON type, so that `--var known_id=7`
//! still equals the number `7` in a response while `--var site_id=-99` stays a string where the
//! default is one.

use serde_json::Value;

use super::model::Suite;
use super::template::JsonTemplate;
use crate::diag::did_you_mean;

/// One `--var NAME=VALUE`, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarOverride {
    pub name: String,
    pub value: String,
}

impl std::str::FromStr for VarOverride {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => Ok(VarOverride {
                name: name.trim().to_string(),
                value: value.to_string(),
            }),
            _ => Err(format!("expected NAME=VALUE, got `{s}`")),
        }
    }
}

/// Sets each override on every API that declares it; an override no API declares, or a value
/// that does not fit the declared type, is an error (nothing is sent).
pub fn apply(suite: &mut Suite, vars: &[VarOverride]) -> Result<(), String> {
    for var in vars {
        let mut declared = false;
        for api in &mut suite.apis {
            let Some(default) = (api.variables.iter())
                .find(|(n, _)| *n == var.name)
                .map(|(_, t)| t)
            else {
                continue;
            };
            declared = true;
            let value = typed(default, &var.value).ok_or_else(|| {
                format!(
                    "--var {}={}: `{}` is a {} in cases/{}/api.yaml, and `{}` is not one",
                    var.name,
                    var.value,
                    var.name,
                    kind(default),
                    api.name,
                    var.value
                )
            })?;
            api.overrides.retain(|(n, _)| *n != var.name);
            api.overrides.push((var.name.clone(), value));
        }
        if !declared {
            let names: Vec<&str> = (suite.apis.iter())
                .flat_map(|a| a.variables.iter().map(|(n, _)| n.as_str()))
                .collect();
            let hint = match did_you_mean(&var.name, names.iter().copied()) {
                Some(m) => format!("; did you mean `{m}`?"),
                None => "; declare it under `variables:` in api.yaml".to_string(),
            };
            return Err(format!(
                "--var {}: no selected API declares a variable `{}`{hint}",
                var.name, var.name
            ));
        }
    }
    Ok(())
}

/// The value as the default's type: a number or boolean default wants one; anything else
/// (a string, a template, null) takes the text as it is.
fn typed(default: &JsonTemplate, text: &str) -> Option<Value> {
    match default {
        JsonTemplate::Literal(Value::Number(_)) => serde_json::from_str::<Value>(text.trim())
            .ok()
            .filter(Value::is_number),
        JsonTemplate::Literal(Value::Bool(_)) => match text.trim() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => Some(Value::String(text.to_string())),
    }
}

fn kind(default: &JsonTemplate) -> &'static str {
    match default {
        JsonTemplate::Literal(Value::Number(_)) => "number",
        JsonTemplate::Literal(Value::Bool(_)) => "boolean",
        _ => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_take_the_declared_type() {
        let n = JsonTemplate::Literal(json!(1));
        assert_eq!(typed(&n, "7"), Some(json!(7)));
        assert_eq!(typed(&n, "x"), None);
        let s = JsonTemplate::Literal(json!("100000001"));
        assert_eq!(typed(&s, "-99"), Some(json!("-99")));
        let b = JsonTemplate::Literal(json!(false));
        assert_eq!(typed(&b, "true"), Some(json!(true)));
        assert_eq!(
            "a=b=c".parse(),
            Ok(VarOverride {
                name: "a".into(),
                value: "b=c".into()
            })
        );
        assert!("=x".parse::<VarOverride>().is_err());
    }
}
