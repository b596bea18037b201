//! The only module that speaks HTTP: conform's own request/response types and a reqwest transport.
//!
//! Everything above this module (runner, checks, reports, recordings) works on [`HttpRequest`] and
//! [`HttpResponse`], so checks are testable without a network and the client can change alone.

mod redirect;

use std::sync::{Arc, Once, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;

/// A request as conform sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// Absolute URL including the query string.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Overrides the transport's request timeout.
    pub timeout: Option<Duration>,
    /// Headers that carry credentials (the API's auth and `sensitive:` rules name them): dropped
    /// when a redirect leads to another origin, as `Authorization` and `Cookie` always are.
    pub credential_headers: Vec<String>,
}

impl HttpRequest {
    /// Safe to send twice: the methods HTTP defines as idempotent.
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        )
    }
}

/// A response as conform received it. Header names are lowercase.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub elapsed: Duration,
    /// The redirects followed to get this response, each as a note for the outcome (and which
    /// credential headers were dropped on the way to another origin).
    pub redirects: Vec<String>,
}

impl HttpResponse {
    /// The first value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lowercase (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

#[derive(Debug, Clone)]
pub struct TransportOptions {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    /// Largest response body accepted (after decompression).
    pub max_body: usize,
    pub insecure: bool,
    pub max_redirects: usize,
    /// The proxy for every request: `--proxy` or the process environment's `*_PROXY` variables,
    /// never a project's `.env` (which an untrusted pull request can change). None: direct.
    pub proxy: Option<String>,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            insecure: false,
            max_redirects: 5,
            proxy: None,
        }
    }
}

/// A URL as it may be shown: without the user and password a proxy URL may carry.
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Why no response could be read. The message is meant for people and names the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    pub message: String,
    /// The connection could not be made (nothing reached the server: safe to retry).
    pub connect: bool,
}

/// A pooled HTTP client shared by every case of a run (connections are reused).
///
/// Plain `http://` requests go through a client without TLS roots; the TLS client (which loads
/// the platform's root certificates, a few milliseconds per process) is built only when an
/// `https://` URL or an `https://` proxy is first used.
#[derive(Clone)]
pub struct Transport {
    plain: reqwest::Client,
    tls: Arc<OnceLock<Result<reqwest::Client, String>>>,
    options: TransportOptions,
}

static CRYPTO: Once = Once::new();

impl Transport {
    pub fn new(options: TransportOptions) -> Result<Transport, String> {
        CRYPTO.call_once(|| {
            // A second install (e.g. by a test harness) is harmless; the first provider wins.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        // No root certificates: this client never sees an https URL (see `client_for`).
        let no_roots = rustls::ClientConfig::builder()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let plain = builder(&options)?
            .tls_backend_preconfigured(no_roots)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Transport {
            plain,
            tls: Arc::new(OnceLock::new()),
            options,
        })
    }

    /// Builds the TLS client now, so that a run whose targets are https reports a client that
    /// cannot be built before anything is sent.
    pub fn prepare_tls(&self) -> Result<(), String> {
        self.tls_client().map(|_| ())
    }

    fn tls_client(&self) -> Result<&reqwest::Client, String> {
        self.tls
            .get_or_init(|| {
                builder(&self.options)?
                    .tls_danger_accept_invalid_certs(self.options.insecure)
                    .build()
                    .map_err(|e| format!("cannot build the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(String::clone)
    }

    /// The client for a URL: the TLS one for https (or behind an https proxy).
    fn client_for(&self, url: &str) -> Result<&reqwest::Client, TransportError> {
        let tls_proxy = self.options.proxy.as_deref().is_some_and(is_https);
        if !is_https(url) && !tls_proxy {
            return Ok(&self.plain);
        }
        self.tls_client().map_err(|message| TransportError {
            message,
            connect: false,
        })
    }

    /// Sends `req`, following up to `max_redirects` redirects (see [`redirect::next`]).
    pub async fn send(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut current = std::borrow::Cow::Borrowed(req);
        let mut notes = Vec::new();
        loop {
            let mut response = self.send_once(&current).await?;
            let Some(next) = redirect::next(&current, &response) else {
                response.redirects = notes;
                return Ok(response);
            };
            if notes.len() >= self.options.max_redirects {
                return Err(TransportError {
                    message: format!(
                        "too many redirects (limit {}): last to {}",
                        self.options.max_redirects, next.request.url
                    ),
                    connect: false,
                });
            }
            notes.push(next.note);
            current = std::borrow::Cow::Owned(next.request);
        }
    }

    async fn send_once(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let method =
            reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| TransportError {
                message: format!("invalid method `{}`: {e}", req.method),
                connect: false,
            })?;
        let mut builder = self.client_for(&req.url)?.request(method, &req.url);
        if let Some(t) = req.timeout {
            builder = builder.timeout(t);
        }
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let timeout = req.timeout.unwrap_or(self.options.timeout);
        let mut response = builder
            .send()
            .await
            .map_err(|e| self.describe(&e, timeout))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if let Some(len) = response.content_length() {
            if len as usize > self.options.max_body {
                return Err(self.too_large(Some(len)));
            }
        }
        // A body that arrives in one chunk (the common case) is kept as is, without a copy.
        let mut first: Option<Bytes> = None;
        let mut joined = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.describe(&e, timeout))?
        {
            let so_far = first.as_ref().map_or(0, Bytes::len) + joined.len();
            if so_far + chunk.len() > self.options.max_body {
                return Err(self.too_large(None));
            }
            match first.take() {
                None if joined.is_empty() => first = Some(chunk),
                Some(earlier) => {
                    joined.reserve(earlier.len() + chunk.len());
                    joined.extend_from_slice(&earlier);
                    joined.extend_from_slice(&chunk);
                }
                None => joined.extend_from_slice(&chunk),
            }
        }
        // The connection goes back to the pool from tasks of its own (hyper's connection task,
        // then the pool's): give them their turn, so that this file's next request finds it
        // idle instead of opening another connection.
        drop(response);
        for _ in 0..2 {
            tokio::task::yield_now().await;
        }
        Ok(HttpResponse {
            status,
            headers,
            body: first.unwrap_or_else(|| Bytes::from(joined)),
            elapsed: started.elapsed(),
            redirects: Vec::new(),
        })
    }

    fn too_large(&self, declared: Option<u64>) -> TransportError {
        let limit = self.options.max_body;
        TransportError {
            connect: false,
            message: match declared {
                Some(len) => {
                    format!("response body of {len} bytes exceeds --max-body ({limit} bytes)")
                }
                None => {
                    format!("response body exceeds --max-body ({limit} bytes) after decompression")
                }
            },
        }
    }

    /// `timeout` is the request's own limit (the case's, the API's or `--timeout`).
    fn describe(&self, e: &reqwest::Error, timeout: Duration) -> TransportError {
        if let Some(why) = certificate_problem(e) {
            // Not a connection problem to retry: the server will present the same certificate.
            return TransportError {
                message: format!(
                    "TLS certificate not trusted ({why}): {}; pass --insecure to accept \
                     self-signed or otherwise invalid certificates (test sandboxes only)",
                    error_chain(e)
                ),
                connect: false,
            };
        }
        let kind = if e.is_timeout() {
            let phase = if e.is_body() || e.is_decode() {
                " reading the response body"
            } else {
                ""
            };
            format!(
                "timed out after {}{phase}",
                humantime::format_duration(timeout)
            )
        } else if e.is_connect() {
            "connection failed".to_string()
        } else if e.is_redirect() {
            format!("too many redirects (limit {})", self.options.max_redirects)
        } else if e.is_body() || e.is_decode() {
            "failed reading the response body".to_string()
        } else {
            "request failed".to_string()
        };
        TransportError {
            message: format!("{kind}: {}", error_chain(e)),
            connect: e.is_connect(),
        }
    }
}

/// What both clients share: limits, proxy, redirects left to `send`, the user agent.
fn builder(options: &TransportOptions) -> Result<reqwest::ClientBuilder, String> {
    // reqwest would read `*_PROXY` from the process environment on its own; the proxy is
    // chosen once, by the CLI, so that `.env` can never redirect credentials to a proxy.
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(url) = &options.proxy {
        let proxy = reqwest::Proxy::all(url.as_str())
            .map_err(|e| format!("--proxy `{url}` is not a proxy URL: {e}"))?;
        builder = builder.proxy(proxy);
    }
    Ok(builder
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        // Redirects are followed by `send` itself, which knows the request's credential
        // headers (reqwest only drops the standard ones on a cross-origin hop).
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .user_agent(concat!("conform/", env!("CARGO_PKG_VERSION"))))
}

/// Whether a URL's scheme is https (schemes compare case-insensitively).
fn is_https(url: &str) -> bool {
    url.get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("https:"))
}

/// Why the server's certificate was refused, when that is why the request failed.
fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(rustls::Error::InvalidCertificate(why)) = e.downcast_ref::<rustls::Error>() {
        return Some(format!("{why:?}"));
    }
    // io::Error hides the error it wraps from `source()` (and TLS errors come wrapped twice).
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        if let Some(why) = certificate_problem(inner) {
            return Some(why);
        }
    }
    certificate_problem(e.source()?)
}

/// `outer: cause: root cause`, skipping repeats.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::is_https;

    #[test]
    fn only_https_urls_need_the_tls_client() {
        assert!(is_https("https://example.com/a"));
        assert!(is_https("HTTPS://example.com"));
        assert!(!is_https("http://127.0.0.1:8080/https:"));
        assert!(!is_https("http:"));
        assert!(!is_https(""));
    }
}
