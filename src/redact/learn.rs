//! Values the `sensitive:` rules mark become secrets known by value: a vendor that echoes a cookie,
//! a token or a signature somewhere else (a `Location` link, an error message) is scrubbed there
//! too.

use serde_json::Value;

use super::Redactor;
use crate::http::{HttpRequest, HttpResponse};

/// Auth schemes written before a credential in a header value (`Bearer xyz`).
const SCHEMES: &[&str] = &["bearer ", "basic ", "token ", "digest "];

impl Redactor {
    /// The secret values of an exchange: sensitive headers, query parameters and body fields of
    /// the request and the response.
    pub fn secrets_in(
        &self,
        request: &HttpRequest,
        response: Option<&HttpResponse>,
    ) -> Vec<(String, String)> {
        let mut found = Vec::new();
        let headers = request
            .headers
            .iter()
            .chain(response.into_iter().flat_map(|r| r.headers.iter()));
        for (name, value) in headers {
            if self.is_sensitive_header(name) {
                header_secrets(&name.to_ascii_lowercase(), value, &mut found);
            }
        }
        if let Ok(url) = url::Url::parse(&request.url) {
            for (k, v) in url.query_pairs() {
                if self.is_sensitive_query(&k) {
                    found.push((k.to_ascii_lowercase(), v.into_owned()));
                }
            }
        }
        let bodies = request
            .body
            .as_deref()
            .into_iter()
            .chain(response.map(|r| r.body.as_ref()));
        for body in bodies {
            self.body_secrets(body, &mut found);
        }
        found
    }

    /// Adds every secret of an exchange; true when one was new.
    pub fn learn(&mut self, request: &HttpRequest, response: Option<&HttpResponse>) -> bool {
        let before = self.secrets.len();
        for (name, value) in self.secrets_in(request, response) {
            if !super::is_placeholder(&value) {
                self.add_secret_value(&name, &value);
            }
        }
        self.secrets.len() > before
    }

    fn body_secrets(&self, body: &[u8], found: &mut Vec<(String, String)>) {
        if let Ok(json) = serde_json::from_slice::<Value>(body) {
            self.json_secrets(&json, found);
        } else if let Ok(text) = std::str::from_utf8(body) {
            // A form body: `password=...&user=...`.
            if text.contains('=') && !text.contains(char::is_whitespace) {
                for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
                    if self.is_sensitive_field(&k) {
                        found.push((k.to_ascii_lowercase(), v.into_owned()));
                    }
                }
            }
        }
    }

    fn json_secrets(&self, value: &Value, found: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if self.is_sensitive_field(k) => {
                            found.push((k.to_ascii_lowercase(), s.clone()))
                        }
                        Value::Number(n) if self.is_sensitive_field(k) => {
                            found.push((k.to_ascii_lowercase(), n.to_string()))
                        }
                        other => self.json_secrets(other, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.json_secrets(v, found)),
            _ => {}
        }
    }
}

/// The whole value, the credential after an auth scheme, and each cookie's value.
fn header_secrets(name: &str, value: &str, found: &mut Vec<(String, String)>) {
    let value = value.trim();
    found.push((name.to_string(), value.to_string()));
    let lower = value.to_ascii_lowercase();
    if let Some(scheme) = SCHEMES.iter().find(|s| lower.starts_with(*s)) {
        found.push((name.to_string(), value[scheme.len()..].trim().to_string()));
    }
    if name == "cookie" || name == "set-cookie" {
        let pairs = if name == "cookie" {
            value.split(';').collect::<Vec<_>>()
        } else {
            value.split(';').take(1).collect()
        };
        for pair in pairs {
            if let Some((_, v)) = pair.split_once('=') {
                found.push((name.to_string(), v.trim().trim_matches('"').to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_cookies_tokens_and_signatures() {
        let mut r = Redactor::new(&Default::default());
        let request = HttpRequest {
            method: "POST".into(),
            url: "http://h/x?signature=0a1b2c3d4e5f&q=1".into(),
            headers: vec![("Authorization".into(), "Bearer tok-123456".into())],
            body: Some(b"user=me&password=pa55word".to_vec()),
            timeout: None,
            credential_headers: Vec::new(),
        };
        let response = HttpResponse {
            status: 200,
            headers: vec![("set-cookie".into(), "sid=cookie-98765; Path=/".into())],
            body: br#"{"data": {"AccessToken": "issued-4242"}}"#.to_vec().into(),
            elapsed: Default::default(),
            redirects: Vec::new(),
        };
        assert!(r.learn(&request, Some(&response)));
        let out = r.text("0a1b2c3d4e5f tok-123456 pa55word cookie-98765 issued-4242 q=1");
        assert!(
            !out.contains(|c: char| c.is_ascii_digit() && c != '1'),
            "{out}"
        );
        assert!(out.contains("q=1"));
    }
}
