//! `METHOD /path` parsing, and splitting a path into literal and `{param}` segments.

use super::super::model::Endpoint;

/// `GET /api/customers/{id}` -> method and path, checked.
pub fn parse_endpoint(text: &str) -> Result<Endpoint, String> {
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    let (method, path) = text.trim().split_once(' ').ok_or_else(|| {
        format!(
            "invalid endpoint `{text}`: expected `METHOD /path`, e.g. `GET /api/customers/{{id}}`"
        )
    })?;
    let method = method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "unknown HTTP method `{method}`: expected one of {}",
            METHODS.join(", ")
        ));
    }
    let path = path.trim();
    if !path.starts_with('/') {
        return Err(format!(
            "invalid endpoint path `{path}`: expected it to start with `/`"
        ));
    }
    if path.contains('?') {
        return Err(format!(
            "endpoint path `{path}` has a query string: put parameters under `request.query`"
        ));
    }
    for segment in split_path(path) {
        match segment {
            PathSegment::Param(p) if p.is_empty() || p.contains(['{', '}', '/']) => {
                return Err(format!("invalid path parameter `{{{p}}}` in `{path}`"));
            }
            PathSegment::Param(_) => {}
            PathSegment::Lit(lit) => check_path_chars(path, lit)?,
        }
    }
    Ok(Endpoint {
        method,
        path: path.to_string(),
    })
}

/// A literal part of a path holds only what a URL path may hold as is (RFC 3986 `pchar` and `/`):
/// anything else would be percent-encoded on the wire, so the request would not go where the
/// file says. The error suggests the encoded path.
fn check_path_chars(path: &str, lit: &str) -> Result<(), String> {
    let bytes = lit.as_bytes();
    let bad = lit.char_indices().find(|&(i, c)| match c {
        '%' => !(bytes.len() > i + 2 && bytes[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit)),
        c => !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(c)),
    });
    let Some((_, c)) = bad else {
        return Ok(());
    };
    let shown = match c {
        ' ' => "a space".to_string(),
        c if c.is_control() => format!("the control character {}", c.escape_unicode()),
        c => format!("`{c}`"),
    };
    Err(format!(
        "endpoint path `{path}` has {shown}, which a URL path cannot hold: write it \
         percent-encoded: `{}`",
        encode_path(path)
    ))
}

/// `path` with every character a URL path cannot hold percent-encoded (`{param}`s kept).
fn encode_path(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=')
        .remove(b':')
        .remove(b'@')
        .remove(b'/')
        .remove(b'{')
        .remove(b'}');
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        out.extend(percent_encoding::utf8_percent_encode(&rest[..i], KEEP));
        let hex = rest.as_bytes().get(i + 1..i + 3);
        let escape = hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        out.push_str(if escape { "%" } else { "%25" });
        rest = &rest[i + 1..];
    }
    out.extend(percent_encoding::utf8_percent_encode(rest, KEEP));
    out
}

pub(super) enum PathSegment<'a> {
    Lit(&'a str),
    Param(&'a str),
}

pub(super) fn split_path(path: &str) -> impl Iterator<Item = PathSegment<'_>> {
    let mut rest = path;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let name = &inner[..end];
            rest = inner.get(end + 1..).unwrap_or("");
            return Some(PathSegment::Param(name));
        }
        let end = rest.find('{').unwrap_or(rest.len());
        let lit = &rest[..end];
        rest = &rest[end..];
        Some(PathSegment::Lit(lit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_reject() {
        let e = parse_endpoint("get /api/customers/{id}").unwrap();
        assert_eq!(
            (e.method.as_str(), e.path.as_str()),
            ("GET", "/api/customers/{id}")
        );
        assert!(parse_endpoint("FETCH /x")
            .unwrap_err()
            .contains("unknown HTTP method"));
        assert!(parse_endpoint("GET x")
            .unwrap_err()
            .contains("start with `/`"));
        assert!(parse_endpoint("GET").unwrap_err().contains("METHOD /path"));
    }

    #[test]
    fn characters_a_path_cannot_hold_are_refused_with_the_encoded_path() {
        let err = parse_endpoint("GET /api/my items/{id}").unwrap_err();
        assert!(err.contains("has a space"), "{err}");
        assert!(err.contains("`/api/my%20items/{id}`"), "{err}");
        let err = parse_endpoint("GET /caf\u{e9}/100%/a%2Fb").unwrap_err();
        assert!(err.contains("`/caf%C3%A9/100%25/a%2Fb`"), "{err}");
        assert!(parse_endpoint("GET /a%20b/c:d@e;f=g/{id}").is_ok());
        assert!(parse_endpoint("GET /a|b").unwrap_err().contains("`|`"));
    }
}
