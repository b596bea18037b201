//! Following a redirect without leaking credentials: a hop to another origin (scheme, host or
//! port) drops `Authorization`, `Cookie`, `Proxy-Authorization` and every header the request
//! names as a credential; the note for the outcome says which.

use super::{HttpRequest, HttpResponse};

/// Dropped on every cross-origin hop, whatever the API declares.
const ALWAYS_CREDENTIALS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

/// The request to send after a redirect, and a note saying what happened.
pub struct Next {
    pub request: HttpRequest,
    pub note: String,
}

/// The follow-up request when `response` is a redirect with a usable `Location`.
pub fn next(request: &HttpRequest, response: &HttpResponse) -> Option<Next> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let from = url::Url::parse(&request.url).ok()?;
    let to = from.join(response.header("location")?.trim()).ok()?;
    if !matches!(to.scheme(), "http" | "https") {
        return None;
    }
    let mut next = request.clone();
    // 303, and 301/302 after a POST, become a GET without a body (as browsers and reqwest do).
    let to_get = response.status == 303
        || (matches!(response.status, 301 | 302) && request.method == "POST");
    if to_get {
        next.method = "GET".into();
        next.body = None;
        next.headers.retain(|(n, _)| {
            !n.eq_ignore_ascii_case("content-type") && !n.eq_ignore_ascii_case("content-length")
        });
    }
    let cross_origin = from.origin() != to.origin();
    let mut dropped = Vec::new();
    if cross_origin {
        next.headers.retain(|(name, _)| {
            let credential = ALWAYS_CREDENTIALS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
                || request
                    .credential_headers
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(name));
            if credential {
                dropped.push(name.to_ascii_lowercase());
            }
            !credential
        });
    }
    let note = if dropped.is_empty() {
        format!(
            "redirected ({}) to {}",
            response.status,
            to.origin().ascii_serialization()
        )
    } else {
        format!(
            "redirected ({}) to another origin, {}: credential headers not sent there: {}",
            response.status,
            to.origin().ascii_serialization(),
            dropped.join(", ")
        )
    };
    next.url = to.into();
    Some(Next {
        request: next,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1000/a".into(),
            headers: vec![
                ("X-API-KEY".into(), "k".into()),
                ("Authorization".into(), "Bearer t".into()),
                ("Accept".into(), "application/json".into()),
            ],
            body: None,
            timeout: None,
            credential_headers: vec!["x-api-key".into()],
        }
    }

    fn redirect(location: &str) -> HttpResponse {
        HttpResponse {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: Default::default(),
            elapsed: Default::default(),
            redirects: Vec::new(),
        }
    }

    #[test]
    fn another_port_gets_no_credentials() {
        let next = next(&request(), &redirect("http://127.0.0.1:2000/b")).unwrap();
        let names: Vec<&str> = next
            .request
            .headers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["Accept"]);
        assert!(
            next.note.contains("x-api-key, authorization"),
            "{}",
            next.note
        );
    }

    #[test]
    fn the_same_origin_keeps_them() {
        let next = next(&request(), &redirect("/b")).unwrap();
        assert_eq!(next.request.headers.len(), 3);
        assert_eq!(next.request.url, "http://127.0.0.1:1000/b");
    }
}
