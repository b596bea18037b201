//! The forms a secret takes on the way through a server or a report: raw, URL-encoded (`%20` and
//! `+`), base64 and base64url (whole, or inside a longer encoded string), HTML/XML-escaped and
//! JSON-escaped. The scrubber looks for every one of them.

use base64::Engine;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Shortest base64 fragment scrubbed from inside a longer encoded string: shorter fragments would
/// match unrelated base64 text.
const MIN_FRAGMENT: usize = 8;

/// RFC 3986 unreserved characters stay as they are; everything else is `%XX`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Every form of `secret` to look for, distinct, longest first.
pub fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    out.extend(url_forms(secret));
    out.extend(base64_forms(secret.as_bytes()));
    out.extend(escaped_forms(secret));
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}

fn url_forms(secret: &str) -> Vec<String> {
    let strict = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    let unreserved = utf8_percent_encode(secret, UNRESERVED).to_string();
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let lower = |s: &str| lowercase_hex(s);
    vec![
        lower(&strict),
        lower(&unreserved),
        lower(&form),
        strict,
        unreserved,
        form,
    ]
}

/// `%2F` -> `%2f`: some servers write percent-escapes in lowercase.
fn lowercase_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

/// Whole encodings with and without padding, and the fragments that appear whatever bytes come
/// before the secret in a longer encoded string (one per alignment modulo 3).
fn base64_forms(secret: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        out.push(engine.encode(secret));
    }
    for skip in 0..3.min(secret.len()) {
        let aligned = &secret[skip..];
        let whole = &aligned[..aligned.len() / 3 * 3];
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let fragment = engine.encode(whole);
            if fragment.len() >= MIN_FRAGMENT {
                out.push(fragment);
            }
        }
    }
    out
}

/// HTML/XML escapes (full and partial) and JSON string escapes, with `\/` as PHP writes it.
fn escaped_forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json[1..json.len() - 1].to_string();
    let json_ascii = json_ascii_escape(&json);
    vec![
        quick_xml::escape::escape(secret).into_owned(),
        quick_xml::escape::partial_escape(secret).into_owned(),
        json.replace('/', "\\/"),
        json_ascii.replace('/', "\\/"),
        json_ascii,
        json,
    ]
}

/// A JSON string body with every non-ASCII character as `\uXXXX` (as many serializers write it).
fn json_ascii_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    #[test]
    fn lists_every_encoding() {
        let f = forms("p&ss wörd/\"1");
        for expected in [
            "p&ss wörd/\"1",
            "p%26ss%20w%C3%B6rd%2F%221",
            "p%26ss+w%C3%B6rd%2F%221",
            "p%26ss%20w%c3%b6rd%2f%221",
            "p&amp;ss wörd/&quot;1",
            "p&amp;ss wörd/\"1",
            "p&ss wörd/\\\"1",
            "p&ss w\\u00f6rd\\/\\\"1",
        ] {
            assert!(f.contains(&expected.to_string()), "{expected} not in {f:?}");
        }
        assert!(f.contains(&STANDARD.encode("p&ss wörd/\"1")));
    }

    #[test]
    fn finds_a_secret_inside_a_longer_base64_string() {
        let secret = "trk-token-6060";
        let f = forms(secret);
        for prefix in ["", "u", "us", "user:"] {
            let encoded = STANDARD.encode(format!("{prefix}{secret}:tail"));
            assert!(
                f.iter().any(|form| encoded.contains(form.as_str())),
                "no form of the secret found in {encoded}"
            );
        }
    }
}
