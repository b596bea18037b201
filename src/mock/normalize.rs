//! The one normalisation of a response: what `record` writes, what drift compares. A live
//! response becomes a [`RecordedResponse`] the same way for both, so that a recording compared
//! with a fresh read differs only where the vendor changed something.

use serde_json::Value;

use super::recording::RecordedResponse;
use crate::http::HttpResponse;
use crate::redact::Redactor;

/// Response headers that change on every call or only describe the transfer: never recorded,
/// never compared.
pub const VOLATILE_HEADERS: &[&str] = &[
    "date",
    "server",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "age",
    "expires",
    "via",
    "alt-svc",
    "report-to",
    "nel",
    "x-request-id",
    "request-id",
    "x-runtime",
    "cf-ray",
    "x-amzn-requestid",
    "x-amz-cf-id",
    "x-correlation-id",
    "etag",
    "last-modified",
];

/// How a body is kept in a recording.
pub enum StoredBody<'b> {
    Empty,
    /// Scrubbed JSON.
    Json(Value),
    /// Scrubbed UTF-8 text.
    Text(String),
    /// Bytes that are not UTF-8 (images, PDFs, multipart with files): kept as a digest in requests
    /// and as base64 in responses, never through a lossy text conversion that would stop matching.
    Binary(&'b [u8]),
}

pub fn stored_body<'b>(body: &'b [u8], redactor: &Redactor) -> StoredBody<'b> {
    if body.is_empty() {
        return StoredBody::Empty;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return StoredBody::Json(redactor.json(&v));
    }
    match std::str::from_utf8(body) {
        Ok(text) => StoredBody::Text(redactor.text(text)),
        Err(_) => StoredBody::Binary(body),
    }
}

/// A response as a recording keeps it: volatile headers dropped, values scrubbed, the body as
/// JSON, text or base64.
pub fn response(live: &HttpResponse, redactor: &Redactor) -> RecordedResponse {
    let mut response = RecordedResponse {
        status: live.status,
        headers: live
            .headers
            .iter()
            .filter(|(n, _)| !VOLATILE_HEADERS.contains(&n.as_str()))
            .map(|(n, v)| (n.clone(), redactor.header(n, v)))
            .collect(),
        json: None,
        text: None,
        base64: None,
    };
    match stored_body(&live.body, redactor) {
        StoredBody::Empty => {}
        StoredBody::Json(v) => response.json = Some(v),
        StoredBody::Text(t) => response.text = Some(t),
        StoredBody::Binary(b) => {
            use base64::Engine;
            response.base64 = Some(base64::engine::general_purpose::STANDARD.encode(b));
        }
    }
    response
}

/// The media type of a recorded or normalised response, without parameters, lowercase.
pub fn media_type(response: &RecordedResponse) -> Option<String> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}
