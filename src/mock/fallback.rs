//! Fallbacks: when nothing matches a request exactly, the closest recorded interaction of the
//! same endpoint template (`GET /api/customers/{id}`), with the request's path parameters put
//! where the recorded body echoes them. Only requests with the recording's credential presence
//! qualify; successful answers are preferred, then the closest request, then recorded order.

use serde_json::Value;

use super::load::Loaded;
use super::matcher::{closeness, differences, Against, Incoming};

/// The index of the fallback for `req` and its substituted response body, if any qualifies.
pub fn closest(
    entries: &[Loaded],
    credentials: &[String],
    req: &Incoming,
) -> Option<(usize, Option<Value>)> {
    let against = |e| Against {
        entry: e,
        credentials,
        check_credentials: true,
    };
    let (index, params) = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            if !e.template.method.eq_ignore_ascii_case(&req.method) {
                return None;
            }
            let params = path_params(&e.template.path, &req.path)?;
            let a = against(e);
            let credentials_agree = !differences(&a, req)
                .iter()
                .any(|d| d.starts_with("credentials:") || d.starts_with("header "));
            credentials_agree.then(|| (i, params, closeness(&a, req)))
        })
        .max_by(|(i, _, x), (j, _, y)| {
            let ok = |k: usize| (200..300).contains(&entries[k].interaction.response.status);
            (ok(*i), x, std::cmp::Reverse(*i)).cmp(&(ok(*j), y, std::cmp::Reverse(*j)))
        })
        .map(|(i, params, _)| (i, params))?;
    let entry = &entries[index];
    let recorded = path_params(&entry.template.path, &entry.interaction.request.path);
    let body = match (&entry.interaction.response.json, recorded) {
        (Some(json), Some(recorded)) => Some(substitute(json, &recorded, &params)),
        _ => None,
    };
    Some((index, body))
}

/// The `{name}` segments of `template` as found in `path`; `None` when the path does not fit.
pub fn path_params(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut out = Vec::new();
    for (t, p) in t.iter().zip(&p) {
        match t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(name) if !p.is_empty() => out.push((name.to_string(), p.to_string())),
            Some(_) => return None,
            None if t == p => {}
            None => return None,
        }
    }
    Some(out)
}

/// The recorded body with each top-level field that echoes a recorded path parameter (named like
/// it, or `id` for the last one) set to the request's value.
fn substitute(body: &Value, recorded: &[(String, String)], sent: &[(String, String)]) -> Value {
    let mut body = body.clone();
    let Value::Object(map) = &mut body else {
        return body;
    };
    let last = recorded.len().saturating_sub(1);
    for (n, ((name, was), (_, now))) in recorded.iter().zip(sent).enumerate() {
        let now = percent_encoding::percent_decode_str(now).decode_utf8_lossy();
        for (key, value) in map.iter_mut() {
            let named = key.eq_ignore_ascii_case(name) || (n == last && key == "id");
            let echoes = match value {
                Value::String(s) => s == was,
                Value::Number(x) => x.to_string() == *was,
                _ => false,
            };
            if named && echoes {
                *value = match (&*value, now.parse::<i64>()) {
                    (Value::Number(_), Ok(i)) => Value::from(i),
                    _ => Value::String(now.to_string()),
                };
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_bind_path_parameters() {
        let p = path_params(
            "/api/customers/{id}/rates/{rateId}",
            "/api/customers/7/rates/9",
        );
        assert_eq!(
            p,
            Some(vec![
                ("id".into(), "7".into()),
                ("rateId".into(), "9".into())
            ])
        );
        assert_eq!(path_params("/api/customers/{id}", "/api/customers"), None);
        assert_eq!(path_params("/api/customers/{id}", "/api/teams/1"), None);
    }

    #[test]
    fn echoed_parameters_are_substituted() {
        let body = json!({"id": 1, "name": "Acme", "customer": 1, "rates": [{"id": 1}]});
        let out = substitute(
            &body,
            &[("id".into(), "1".into())],
            &[("id".into(), "42".into())],
        );
        assert_eq!(
            out,
            json!({"id": 42, "name": "Acme", "customer": 1, "rates": [{"id": 1}]})
        );
    }
}
