//! A live response as a recording keeps it, built from the one normalisation
//! ([`crate::normalize`]): what `record` writes and what drift compares, so that a recording
//! compared with a fresh read differs only where the vendor changed something.

use super::recording::RecordedResponse;
use crate::http::HttpResponse;
use crate::normalize::{self, Body};
use crate::redact::Redactor;

/// Volatile headers dropped, values scrubbed, the body as JSON, text or base64.
pub fn response(live: &HttpResponse, redactor: &Redactor) -> RecordedResponse {
    let mut response = RecordedResponse {
        status: live.status,
        headers: normalize::kept_headers(&live.headers, redactor),
        json: None,
        text: None,
        base64: None,
    };
    match normalize::stored(&live.body, redactor) {
        Body::Empty => {}
        Body::Json(v) => response.json = Some(v),
        Body::Text(t) => response.text = Some(t),
        Body::Binary(b) => {
            use base64::Engine;
            response.base64 = Some(base64::engine::general_purpose::STANDARD.encode(b));
        }
    }
    response
}
