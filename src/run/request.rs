//! Rendering a case's request with the current variables into an [`HttpRequest`].

use crate::case::template::{RenderError, Template, Vars};
use crate::case::{Body, Part, PartContent, PathPart, Request};
use crate::http::HttpRequest;

/// Headers and query parameters added by authentication, already rendered.
#[derive(Debug, Default, Clone)]
pub struct Credentials {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

/// Header precedence, lowest first: the API's headers, credentials, the body's content type, then
/// the case's own headers (so that a negative case can send a wrong token on purpose).
pub fn render(
    base_url: &str,
    api_headers: &[(String, Template)],
    req: &Request,
    credentials: &Credentials,
    vars: &Vars,
) -> Result<HttpRequest, RenderError> {
    let mut url = base_url.to_string();
    for part in &req.path {
        match part {
            PathPart::Lit(s) => url.push_str(s),
            PathPart::Param(t) => url.extend(percent_encoding::utf8_percent_encode(
                &t.render(vars)?,
                PATH_SEGMENT,
            )),
        }
    }
    if !req.query.is_empty() || !credentials.query.is_empty() {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &req.query {
            query.append_pair(name, &value.render(vars)?);
        }
        for (name, value) in &credentials.query {
            query.append_pair(name, value);
        }
        url.push('?');
        url.push_str(&query.finish());
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for (name, t) in api_headers {
        set_header(&mut headers, name, t.render(vars)?);
    }
    for (name, value) in &credentials.headers {
        set_header(&mut headers, name, value.clone());
    }
    let body = match &req.body {
        None => None,
        Some(Body::Json(t)) => {
            set_header(&mut headers, "Content-Type", "application/json".into());
            Some(t.to_json_bytes(vars)?)
        }
        Some(Body::Form(fields)) => {
            set_header(
                &mut headers,
                "Content-Type",
                "application/x-www-form-urlencoded".into(),
            );
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                form.append_pair(k, &v.render(vars)?);
            }
            Some(form.finish().into_bytes())
        }
        Some(Body::Raw { text, content_type }) => {
            if let Some(ct) = content_type {
                set_header(&mut headers, "Content-Type", ct.clone());
            }
            Some(text.render(vars)?.into_bytes())
        }
        Some(Body::Multipart(parts)) => {
            set_header(
                &mut headers,
                "Content-Type",
                format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
            );
            Some(multipart(parts, vars)?)
        }
        Some(Body::File { data, content_type }) => {
            if let Some(ct) = content_type {
                set_header(&mut headers, "Content-Type", ct.clone());
            }
            Some(data.to_vec())
        }
    };
    for (name, t) in &req.headers {
        set_header(&mut headers, name, t.render(vars)?);
    }
    Ok(HttpRequest {
        method: req.method.clone(),
        url,
        headers,
        body,
        timeout: None,
        credential_headers: credentials
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect(),
    })
}

/// A fixed boundary keeps multipart bodies byte-identical across runs, so recordings match and
/// re-recording gives no diff. Parts containing this string would break it; none of ours do.
pub const MULTIPART_BOUNDARY: &str = "conform-part-boundary-7f3a9c";

/// Encodes `multipart/form-data` (RFC 7578).
fn multipart(parts: &[Part], vars: &Vars) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{MULTIPART_BOUNDARY}\r\n").as_bytes());
        let name = quoted(&part.name);
        match &part.content {
            PartContent::Text(t) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                out.extend_from_slice(t.render(vars)?.as_bytes());
            }
            PartContent::File {
                data,
                filename,
                content_type,
            } => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
                        quoted(filename)
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(data);
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{MULTIPART_BOUNDARY}--\r\n").as_bytes());
    Ok(out)
}

/// Escapes a quoted-string value in a Content-Disposition header.
fn quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Sets a header, replacing any earlier value (names compare case-insensitively).
pub fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value));
}

/// Characters escaped in a path parameter (everything but unreserved characters).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters escaped in the case header (keeps it visible ASCII).
pub const HEADER_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b'"');
