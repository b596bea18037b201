//! Response headers: the volatile ones are dropped, the rest scrubbed and kept.

use std::collections::BTreeMap;

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

/// Headers that are never recorded or compared: the volatile ones, and conform's own playback
/// wire headers (`x-conform-match`, ...), which a mock adds and a vendor never sends.
pub fn is_volatile_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    VOLATILE_HEADERS.contains(&name.as_str()) || name.starts_with("x-conform-")
}

/// The headers a response keeps: volatile ones dropped, values scrubbed.
pub fn kept_headers(headers: &[(String, String)], redactor: &Redactor) -> BTreeMap<String, String> {
    headers
        .iter()
        .filter(|(n, _)| !is_volatile_header(n))
        .map(|(n, v)| (n.clone(), redactor.header(n, v)))
        .collect()
}

/// The media type of a header list, without parameters, lowercase.
pub fn media_type(headers: &BTreeMap<String, String>) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| essence(v))
}

/// A media type without parameters, lowercase: `Application/JSON; charset=utf-8` is
/// `application/json`.
pub fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_and_wire_headers_are_dropped_and_the_media_type_has_no_parameters() {
        assert!(is_volatile_header("Date"));
        assert!(is_volatile_header("x-conform-match"));
        assert!(!is_volatile_header("x-vendor"));
        let kept = kept_headers(
            &[
                ("Date".into(), "now".into()),
                (
                    "Content-Type".into(),
                    "Application/JSON; charset=utf-8".into(),
                ),
            ],
            &Redactor::default(),
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(media_type(&kept).as_deref(), Some("application/json"));
    }
}
