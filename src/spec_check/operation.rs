//! Finding a case's operation in the spec: method and path template, each side under its own
//! base path (Swagger `basePath` or OpenAPI `servers[0].url`; the API's `base_url`).

use serde_json::Value;

use crate::import::spec::{Operation, Spec, Version};

/// The value a spec path parameter takes in a case's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathValue {
    /// Written in the case's endpoint path or the base URL (`v6` for `v{version}`).
    Literal(String),
    /// The case's `index`-th path parameter (a template in `request.path_params`).
    CaseParam(usize),
}

/// An operation and the value of each of its path parameters.
pub struct Matched<'s> {
    pub op: Operation<'s>,
    pub path_values: Vec<(String, PathValue)>,
}

/// The path part of the spec's base: `basePath`, or the path of `servers[0].url`.
pub fn spec_base(spec: &Spec) -> String {
    let base = match spec.version {
        Version::Swagger2 => spec.doc.get("basePath").and_then(Value::as_str),
        _ => spec.doc.pointer("/servers/0/url").and_then(Value::as_str),
    }
    .unwrap_or("");
    let path = if base.starts_with('/') {
        base.to_string()
    } else {
        url::Url::parse(base)
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    };
    path.trim_end_matches('/').to_string()
}

/// The operation of `method` on the case path `base_url` + `endpoint_path`, if the spec has it.
pub fn find<'s>(
    spec: &'s Spec,
    spec_base: &str,
    base_url: &str,
    method: &str,
    endpoint_path: &str,
) -> Option<Matched<'s>> {
    let base = url::Url::parse(base_url)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    let case_path = format!("{base}{endpoint_path}");
    let case_segments = segments(&case_path);
    spec.operations()
        .into_iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .find_map(|op| {
            let full = format!("{spec_base}{}", op.path);
            let path_values = match_segments(&segments(&full), &case_segments)?;
            Some(Matched { op, path_values })
        })
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// Matches spec segments (`v{version}`, `{id}`, `clients`) against case segments (`v6`, `{id}`).
fn match_segments(spec: &[&str], case: &[&str]) -> Option<Vec<(String, PathValue)>> {
    if spec.len() != case.len() {
        return None;
    }
    let mut values = Vec::new();
    let mut case_params = 0;
    for (s, c) in spec.iter().zip(case) {
        let case_param = c.starts_with('{') && c.ends_with('}');
        match template_parts(s) {
            None if case_param => return None,
            None if s != c => return None,
            None => {}
            Some((prefix, name, suffix)) if case_param => {
                if !prefix.is_empty() || !suffix.is_empty() {
                    return None;
                }
                values.push((name.to_string(), PathValue::CaseParam(case_params)));
            }
            Some((prefix, name, suffix)) => {
                let inner = c.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if inner.is_empty() {
                    return None;
                }
                values.push((name.to_string(), PathValue::Literal(inner.to_string())));
            }
        }
        if case_param {
            case_params += 1;
        }
    }
    Some(values)
}

/// `v{version}` -> (`v`, `version`, ``); `None` for a literal segment.
fn template_parts(segment: &str) -> Option<(&str, &str, &str)> {
    let open = segment.find('{')?;
    let close = open + segment[open..].find('}')?;
    Some((
        &segment[..open],
        &segment[open + 1..close],
        &segment[close + 1..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(doc: Value) -> Spec {
        Spec::from_value(doc, "s.json".into()).unwrap()
    }

    #[test]
    fn matches_under_both_base_paths_with_partial_segments() {
        let s = spec(json!({"swagger": "2.0", "paths": {
            "/public/v{version}/client/clients": {"get": {}},
            "/public/v{version}/client/{id}": {"get": {}}}}));
        let m = find(&s, "", "https://h/public/v6", "GET", "/client/clients").unwrap();
        assert_eq!(
            m.path_values,
            [("version".to_string(), PathValue::Literal("6".into()))]
        );
        let m = find(&s, "", "https://h/public/v6", "GET", "/client/{clientId}").unwrap();
        assert_eq!(m.path_values[1], ("id".into(), PathValue::CaseParam(0)));
        assert!(find(&s, "", "https://h/public/v6", "POST", "/client/clients").is_none());
        assert!(find(&s, "", "https://h", "GET", "/client/clients").is_none());
    }

    #[test]
    fn spec_base_paths() {
        let s = spec(
            json!({"openapi": "3.0.0", "servers": [{"url": "https://x.io/api/"}], "paths": {"/customers": {"get": {}}}}),
        );
        assert_eq!(spec_base(&s), "/api");
        assert!(find(
            &s,
            "/api",
            "https://demo.kimai.org",
            "GET",
            "/api/customers"
        )
        .is_some());
        let s = spec(json!({"swagger": "2.0", "basePath": "/v1", "paths": {}}));
        assert_eq!(spec_base(&s), "/v1");
    }
}
