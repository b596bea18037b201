//! Secret scrubbing: what must never reach a report, recording, snapshot or log.
//!
//! A [`Redactor`] knows sensitive header, query and body-field names (built-in plus per API) and the
//! values of the environment variables a run used; it replaces them with stable placeholders such as
//! `<scrubbed:authorization>` so that files stay diff-friendly and playback still matches.
//! [`secret_values`] lists an API's secrets and [`redactor_for`] builds its redactor: the run's
//! client, the recorder and snapshots all scrub with that one.
//!
//! A secret is scrubbed in every form listed in [`forms`] (URL-encoded, base64, escaped...), in
//! text, JSON values and JSON object keys. Values the `sensitive:` rules mark in a request or a
//! response (a cookie, an issued token, a signature) become secrets too: [`Redactor::learn`].

mod forms;
mod learn;

use std::collections::HashMap;

use serde_json::Value;

use crate::case::{Api, Sensitive};

pub use crate::case::MIN_SECRET_LEN;
pub use forms::forms;

/// Headers that carry credentials for the vendors conform targets (compared lowercase).
pub const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "x-auth-user",
    "x-auth-token",
    "cookie",
    "set-cookie",
];

/// Query parameters that carry credentials or signatures. Not `key`: PerfectGym's benefit keys
/// are plain data, and learning them as secrets made a run's reports depend on which files ran
/// before (an API whose credential is `?key=` lists it under `sensitive.query`).
pub const SENSITIVE_QUERY: &[&str] = &[
    "apikey",
    "api_key",
    "signature",
    "token",
    "access_token",
    "sessiontoken",
    "password",
];

/// JSON body fields that carry credentials (compared case-insensitively, at any depth).
pub const SENSITIVE_BODY: &[&str] = &[
    "password",
    "accesstoken",
    "access_token",
    "token",
    "apikey",
    "api_key",
    "secret",
    "signature",
    "plainpassword",
];

/// The placeholder written instead of a secret.
pub fn placeholder(name: &str) -> String {
    format!("<scrubbed:{}>", name.to_ascii_lowercase())
}

/// The placeholder written instead of a secret known by value: its name as declared
/// (`<scrubbed:KIMAI_API_TOKEN>`).
pub fn value_placeholder(name: &str) -> String {
    format!("<scrubbed:{name}>")
}

/// True for a value written by [`placeholder`].
pub fn is_placeholder(value: &str) -> bool {
    value.starts_with("<scrubbed:") && value.ends_with('>')
}

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    headers: Vec<String>,
    query: Vec<String>,
    body: Vec<String>,
    /// The secrets known by value, as given.
    secrets: Vec<String>,
    /// (form, placeholder) of every form of every secret, longest first.
    values: Vec<(String, String)>,
}

impl Redactor {
    pub fn new(extra: &Sensitive) -> Redactor {
        let with = |builtin: &[&str], more: &[String]| {
            let mut v: Vec<String> = builtin.iter().map(|s| s.to_string()).collect();
            v.extend(more.iter().cloned());
            v
        };
        Redactor {
            headers: with(SENSITIVE_HEADERS, &extra.headers),
            query: with(SENSITIVE_QUERY, &extra.query),
            body: with(SENSITIVE_BODY, &extra.body),
            secrets: Vec::new(),
            values: Vec::new(),
        }
    }

    /// How many secrets it knows by value (a run's redactor only grows).
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    pub fn has_secret_value(&self, value: &str) -> bool {
        self.secrets.iter().any(|v| v == value)
    }

    /// Treats `value` as a secret wherever it appears, in every form (values shorter than
    /// [`MIN_SECRET_LEN`] would scrub ordinary text, so they are only scrubbed by name; secrets
    /// from the environment that short are refused at load).
    pub fn add_secret_value(&mut self, name: &str, value: &str) {
        if value.chars().count() < MIN_SECRET_LEN || self.has_secret_value(value) {
            return;
        }
        self.secrets.push(value.to_string());
        let shown = value_placeholder(name);
        self.values
            .extend(forms(value).into_iter().map(|f| (f, shown.clone())));
        self.values
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    }

    /// Every sensitive header name, built-in and the API's (lowercase).
    pub fn sensitive_headers(&self) -> &[String] {
        &self.headers
    }

    pub fn is_sensitive_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    pub fn is_sensitive_query(&self, name: &str) -> bool {
        self.query.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    pub fn is_sensitive_field(&self, name: &str) -> bool {
        self.body.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// Replaces every known secret value, in every form, inside free text.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, shown) in &self.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), shown);
            }
        }
        out
    }

    pub fn header(&self, name: &str, value: &str) -> String {
        if self.is_sensitive_header(name) {
            placeholder(name)
        } else {
            self.text(value)
        }
    }

    pub fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| (n.clone(), self.header(n, v)))
            .collect()
    }

    /// Scrubs sensitive query parameters and secret values in a URL.
    pub fn url(&self, url: &str) -> String {
        let Ok(mut parsed) = url::Url::parse(url) else {
            return self.text(url);
        };
        if parsed.query().is_some() {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(k, v)| {
                    let v = if self.is_sensitive_query(&k) {
                        placeholder(&k)
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
        self.text(parsed.as_str())
    }

    /// Scrubs sensitive fields (at any depth) and secret values in a JSON value.
    pub fn json(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if self.is_sensitive_field(k) && !v.is_null() {
                            Value::String(placeholder(k))
                        } else {
                            self.json(v)
                        };
                        (self.text(k), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// Scrubs a body for display: JSON is scrubbed structurally, other text by value.
    pub fn body_text(&self, body: &[u8]) -> String {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => serde_json::to_string_pretty(&self.json(&v)).unwrap_or_default(),
            Err(_) => self.text(&String::from_utf8_lossy(body)),
        }
    }
}

/// The secrets of an API's run: `NAME` -> value, for every environment variable it references
/// that is set and not declared `public_env:`.
pub fn secret_values(api: &Api) -> HashMap<String, String> {
    api.env_refs
        .iter()
        .filter(|name| !api.public_env.contains(*name))
        .filter_map(|name| std::env::var(name).ok().map(|v| (name.clone(), v)))
        .collect()
}

/// The redactor for an API: built-in and per-API names, plus the values of the secrets used.
pub fn redactor_for(api: &Api, secrets: &HashMap<String, String>) -> Redactor {
    let mut r = Redactor::new(&api.sensitive);
    for (name, value) in secrets {
        r.add_secret_value(name, value);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrubs_by_name_and_by_value() {
        let mut r = Redactor::new(&Default::default());
        r.add_secret_value("KIMAI_TOKEN", "s3cr3t-value");
        assert_eq!(
            r.header("Authorization", "Bearer x"),
            "<scrubbed:authorization>"
        );
        assert_eq!(
            r.header("X-Trace", "a s3cr3t-value b"),
            "a <scrubbed:KIMAI_TOKEN> b"
        );
        let url = r.url("https://h/x?apiKey=abc&q=1");
        assert!(
            url.contains("apiKey=%3Cscrubbed%3Aapikey%3E") && url.contains("q=1"),
            "{url}"
        );
        assert_eq!(
            r.json(&json!({"user": {"Password": "pw"}, "n": "s3cr3t-value", "s3cr3t-value": 1})),
            json!({"user": {"Password": "<scrubbed:password>"}, "n": "<scrubbed:KIMAI_TOKEN>",
                   "<scrubbed:KIMAI_TOKEN>": 1})
        );
    }

    #[test]
    fn scrubs_every_form_inside_longer_text() {
        let mut r = Redactor::new(&Default::default());
        r.add_secret_value("KEY", "a+b/c d&e");
        let text = "q=a%2Bb%2Fc+d%26e, h=a+b/c d&amp;e, j=\"a+b\\/c d&e\" b64=YStiL2MgZCZl";
        let out = r.text(text);
        assert_eq!(out.matches("<scrubbed:KEY>").count(), 4, "{out}");
        assert!(
            !out.contains("a+b") && !out.contains("amp") && !out.contains("YStiL2MgZCZl"),
            "{out}"
        );
    }

    #[test]
    fn short_values_are_not_scrubbed_by_value() {
        let mut r = Redactor::new(&Default::default());
        r.add_secret_value("SITE", "-99");
        assert_eq!(r.text("site -99"), "site -99");
        assert!(!r.has_secret_value("-99"));
    }
}
