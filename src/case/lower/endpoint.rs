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
        if let PathSegment::Param(p) = segment {
            if p.is_empty() || p.contains(['{', '}', '/']) {
                return Err(format!("invalid path parameter `{{{p}}}` in `{path}`"));
            }
        }
    }
    Ok(Endpoint {
        method,
        path: path.to_string(),
    })
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
}
