//! Client-library-style calls: each method of a vendor's SDK as the request it sends, and a check
//! that the answer is a 2xx that deserializes into the SDK's model.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Mock;

pub enum Body {
    Json(&'static str),
    /// A plain-text body (a tag, a search text), sent as the SDK does: `text/plain`.
    Text(&'static str),
    /// `multipart/form-data` with one file part (field name, file name), the client's own boundary.
    Multipart(&'static str, &'static str),
}

pub struct Call {
    pub sdk: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub query: &'static [(&'static str, &'static str)],
    pub body: Option<Body>,
    pub model: &'static str,
    pub check: fn(&[u8]) -> Result<(), String>,
}

/// The body deserializes into `T`.
pub fn typed<T: DeserializeOwned>(body: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<T>(body)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The vendor documents no response model: any JSON, or an empty body.
pub fn any_json(body: &[u8]) -> Result<(), String> {
    if body.is_empty() {
        return Ok(());
    }
    serde_json::from_slice::<Value>(body)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Sends every call with `headers`; the failures, one line each.
pub fn failures(mock: &Mock, calls: &[Call], headers: &[(&str, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    for call in calls {
        let mut r = mock.request(call.method, call.path).query(call.query);
        for (n, v) in headers {
            r = r.header(*n, *v);
        }
        r = match &call.body {
            Some(Body::Json(j)) => r
                .header("content-type", "application/json")
                .body(j.to_string()),
            Some(Body::Text(t)) => r.header("content-type", "text/plain").body(t.to_string()),
            Some(Body::Multipart(field, file)) => {
                let boundary = "sdk-client-boundary-0042";
                let body = format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\nSDK bytes\r\n--{boundary}--\r\n"
                );
                let content_type = format!("multipart/form-data; boundary={boundary}");
                r.header("content-type", content_type).body(body)
            }
            None => r,
        };
        let reply = mock.send(r);
        let outcome = if !(200..300).contains(&reply.status) {
            Err(format!(
                "status {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ))
        } else {
            (call.check)(&reply.body)
                .map_err(|e| format!("{} does not deserialize: {e}", call.model))
        };
        if let Err(e) = outcome {
            out.push(format!("{} ({} {}): {e}", call.sdk, call.method, call.path));
        }
    }
    out
}
