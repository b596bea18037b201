//! A body as every stage reads it: empty, JSON (tried first), UTF-8 text, or bytes that are not
//! UTF-8 (images, PDFs, multipart with files), never through a lossy text conversion that would
//! stop matching.

use serde_json::Value;

use crate::redact::Redactor;

pub enum Body<'b> {
    Empty,
    Json(Value),
    Text(String),
    /// Kept as a digest in recorded requests and as base64 in recorded responses.
    Binary(&'b [u8]),
}

/// The body as sent (nothing scrubbed): how playback reads an incoming request.
pub fn parse(body: &[u8]) -> Body<'_> {
    if body.is_empty() {
        return Body::Empty;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Body::Json(v);
    }
    match std::str::from_utf8(body) {
        Ok(text) => Body::Text(text.to_string()),
        Err(_) => Body::Binary(body),
    }
}

/// The body as stored or compared: JSON and text scrubbed by `redactor`.
pub fn stored<'b>(body: &'b [u8], redactor: &Redactor) -> Body<'b> {
    match parse(body) {
        Body::Json(v) => Body::Json(redactor.json(&v)),
        Body::Text(t) => Body::Text(redactor.text(&t)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_tried_first_then_text_then_bytes() {
        assert!(matches!(parse(b""), Body::Empty));
        assert!(matches!(parse(b"12"), Body::Json(v) if v == 12));
        assert!(matches!(parse(b"not json"), Body::Text(t) if t == "not json"));
        assert!(matches!(parse(&[0xff, 0xfe]), Body::Binary(_)));
    }
}
