//! The per-API client of a run: credentials (static, basic, bearer, token request), politeness
//! (concurrency cap, token-bucket rate limit) and bounded retries with jittered backoff.
//!
//! Retries: idempotent requests on connect errors and 502/503/504, any request on 429 (honouring
//! `Retry-After`, capped at [`MAX_RETRY_AFTER`]); a 401 re-acquires a requested token once.

use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Mutex, Semaphore};

use super::request::{self, Credentials};
use crate::case::template::{value_to_text, Vars, UNIQUE};
use crate::case::{Api, Auth, Case, Suite};
use crate::http::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::json::ParsedBody;
use crate::redact::{self, Redactor};

/// The longest `Retry-After` conform waits for; a longer one fails the case instead.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

pub struct ApiClient {
    suite: Arc<Suite>,
    api: usize,
    env: Option<String>,
    pub base_url: String,
    pub vars: Vars,
    /// Shared, copy-on-write: read for every case, written only when a token is acquired.
    pub redactor: RwLock<Arc<Redactor>>,
    transport: Transport,
    token: Mutex<Option<String>>,
    limiter: Option<DefaultDirectRateLimiter>,
    inflight: Option<Semaphore>,
    retries: u32,
    backoff: Duration,
    timeout: Option<Duration>,
}

/// What sending a case's request produced.
pub struct Sent {
    pub request: Option<HttpRequest>,
    pub response: Result<HttpResponse, SendError>,
    /// One line per retry, for the report.
    pub retries: Vec<String>,
}

/// Why a case got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    /// Nothing is known about the contract: the server could not be reached or did not answer
    /// in time (connection refused, DNS, TLS, timeout). Otherwise the request itself was wrong.
    pub unchecked: bool,
}

impl From<String> for SendError {
    fn from(message: String) -> Self {
        SendError {
            message,
            unchecked: false,
        }
    }
}

impl From<TransportError> for SendError {
    fn from(e: TransportError) -> Self {
        SendError {
            message: e.message,
            unchecked: true,
        }
    }
}

pub struct ClientOptions {
    pub base_url: String,
    pub env: Option<String>,
    /// Limits and retries are for live vendors; playback gets neither.
    pub polite: bool,
    /// The value of `{{ unique }}` (the placeholder on playback).
    pub unique: String,
}

/// A fresh `{{ unique }}`: the time in milliseconds (12 hex digits) then 4 random hex digits, so
/// that two runs differ and values sort by when they were made.
pub fn fresh_unique() -> String {
    let ms = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("{:012x}{:04x}", ms & 0xffff_ffff_ffff, fastrand::u16(..))
}

impl ApiClient {
    pub fn new(
        suite: Arc<Suite>,
        api_index: usize,
        transport: Transport,
        options: ClientOptions,
    ) -> Result<ApiClient, String> {
        let api = &suite.apis[api_index];
        let redactor = redact::redactor_for(api, &redact::secret_values(api));
        let mut vars = Vars::default();
        // Before the API's variables: one the API declares as `unique` wins.
        (vars.values).insert(
            UNIQUE.to_string(),
            serde_json::Value::String(options.unique),
        );
        for name in &api.env_refs {
            if let Ok(value) = std::env::var(name) {
                vars.env.insert(name.clone(), value);
            }
        }
        let environment = options.env.as_deref().and_then(|e| api.environments.get(e));
        let overrides = environment
            .map(|e| e.variables.as_slice())
            .unwrap_or_default();
        for (name, template) in api.variables.iter().chain(overrides) {
            let value = template
                .render(&vars)
                .map_err(|e| format!("API `{}` variable `{name}`: {e}", api.name))?;
            vars.values.insert(name.clone(), value);
        }
        for (name, value) in &api.overrides {
            vars.values.insert(name.clone(), value.clone());
        }
        let limits = &api.limits;
        let polite = options.polite;
        Ok(ApiClient {
            base_url: options.base_url.trim_end_matches('/').to_string(),
            limiter: limits
                .requests_per_second
                .and_then(NonZeroU32::new)
                .filter(|_| polite)
                .map(|r| RateLimiter::direct(Quota::per_second(r).allow_burst(NonZeroU32::MIN))),
            inflight: limits.concurrency.filter(|_| polite).map(Semaphore::new),
            retries: if polite { limits.retries } else { 0 },
            backoff: limits.backoff,
            timeout: limits.timeout,
            vars,
            redactor: RwLock::new(Arc::new(redactor)),
            transport,
            token: Mutex::new(None),
            env: options.env,
            api: api_index,
            suite,
        })
    }

    fn api(&self) -> &Api {
        &self.suite.apis[self.api]
    }

    fn auth(&self) -> Option<&Auth> {
        let env = self.env.as_deref()?;
        self.api().environments.get(env)?.auth.as_ref()
    }

    pub fn redactor(&self) -> Arc<Redactor> {
        self.redactor
            .read()
            .map(|r| Arc::clone(&r))
            .unwrap_or_else(|p| Arc::clone(&p.into_inner()))
    }

    /// Renders, authenticates and sends a case's request; a 401 re-acquires a token once.
    pub async fn send_case(
        &self,
        case: &Case,
        vars: &mut Vars,
        case_header: Option<(&str, String)>,
    ) -> Sent {
        // The file's variables themselves, not a copy per case: `now` is set for this request
        // only and cleared again before the checks run.
        vars.now = Some(SystemTime::now());
        let sent = self.send_with(case, vars, case_header).await;
        vars.now = None;
        sent
    }

    async fn send_with(
        &self,
        case: &Case,
        vars: &Vars,
        case_header: Option<(&str, String)>,
    ) -> Sent {
        let mut retries = Vec::new();
        let mut refreshed = false;
        loop {
            let credentials = if case.use_auth {
                match self.credentials(vars, refreshed).await {
                    Ok(c) => c,
                    Err(e) => {
                        return Sent {
                            request: None,
                            response: Err(e),
                            retries,
                        }
                    }
                }
            } else {
                Credentials::default()
            };
            let mut req = match request::render(
                &self.base_url,
                &self.api().headers,
                &case.request,
                &credentials,
                vars,
            ) {
                Ok(r) => r,
                Err(e) => {
                    return Sent {
                        request: None,
                        response: Err(e.to_string().into()),
                        retries,
                    }
                }
            };
            req.timeout = case.timeout.or(self.timeout);
            self.mark_credentials(&mut req);
            // Before sending: a transport error may quote the URL with its signature.
            self.learn(&req, None);
            if let Some((name, value)) = &case_header {
                request::set_header(&mut req.headers, name, value.clone());
            }
            let response = self.send(&req, &mut retries).await.map_err(SendError::from);
            let can_refresh = case.use_auth
                && !refreshed
                && self.auth().is_some_and(|a| a.token_request.is_some());
            if matches!(&response, Ok(r) if r.status == 401) && can_refresh {
                retries.push("401 Unauthorized: token re-acquired and request sent again".into());
                refreshed = true;
                continue;
            }
            return Sent {
                request: Some(req),
                response,
                retries,
            };
        }
    }

    /// The environment's credentials, rendered; the token is requested once and cached.
    async fn credentials(&self, vars: &Vars, refresh: bool) -> Result<Credentials, SendError> {
        let Some(auth) = self.auth() else {
            return Ok(Credentials::default());
        };
        let mut c = Credentials::default();
        let render =
            |t: &crate::case::template::Template| t.render(vars).map_err(|e| format!("auth: {e}"));
        for (name, t) in &auth.headers {
            c.headers.push((name.clone(), render(t)?));
        }
        for (name, t) in &auth.query {
            c.query.push((name.clone(), render(t)?));
        }
        if let Some((user, pass)) = &auth.basic {
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                render(user)?,
                render(pass)?
            ));
            let known = self
                .redactor
                .read()
                .is_ok_and(|r| r.has_secret_value(&encoded));
            if !known {
                if let Ok(mut r) = self.redactor.write() {
                    Arc::make_mut(&mut r).add_secret_value("basic", &encoded);
                }
            }
            c.headers
                .push(("Authorization".into(), format!("Basic {encoded}")));
        }
        if let Some(bearer) = &auth.bearer {
            c.headers.push((
                "Authorization".into(),
                format!("Bearer {}", render(bearer)?),
            ));
        }
        if let Some(tr) = &auth.token_request {
            let mut cached = self.token.lock().await;
            if refresh || cached.is_none() {
                *cached = Some(self.request_token(auth, vars).await?);
            }
            let token = cached.clone().unwrap_or_default();
            c.headers
                .push((tr.header.clone(), format!("{}{token}", tr.prefix)));
        }
        Ok(c)
    }

    async fn request_token(&self, auth: &Auth, vars: &Vars) -> Result<String, SendError> {
        let Some(tr) = &auth.token_request else {
            return Err(String::from("auth: no token request").into());
        };
        // The token request carries the static credentials (e.g. Mindbody's Api-Key and SiteId).
        let mut static_only = Credentials::default();
        for (name, t) in &auth.headers {
            static_only.headers.push((
                name.clone(),
                t.render(vars).map_err(|e| format!("auth: {e}"))?,
            ));
        }
        for (name, t) in &auth.query {
            static_only.query.push((
                name.clone(),
                t.render(vars).map_err(|e| format!("auth: {e}"))?,
            ));
        }
        let mut req = request::render(
            &self.base_url,
            &self.api().headers,
            &tr.request,
            &static_only,
            vars,
        )
        .map_err(|e| format!("auth: token request: {e}"))?;
        req.timeout = self.timeout;
        self.mark_credentials(&mut req);
        self.learn(&req, None);
        let mut retries = Vec::new();
        let what = format!("auth: token request {}", tr.endpoint);
        let response = self.send(&req, &mut retries).await.map_err(|e| SendError {
            message: format!("{what} failed: {}", e.message),
            unchecked: true,
        })?;
        self.learn(&req, Some(&response));
        let redactor = self.redactor();
        if !(200..300).contains(&response.status) {
            return Err(SendError::from(format!(
                "{what} answered {}: {}",
                response.status,
                crate::diag::truncate_str(&redactor.body_text(&response.body), 300)
            )));
        }
        let token = match ParsedBody::parse(&response.body) {
            ParsedBody::Json(v) => tr.token.query(&v).first().map(value_to_text),
            ParsedBody::NotJson(why) => return Err(format!("{what}: {why}").into()),
        };
        let token = token
            .ok_or_else(|| format!("{what}: {} selects nothing in the response", tr.token_text))
            .map_err(SendError::from)?;
        if let Ok(mut r) = self.redactor.write() {
            Arc::make_mut(&mut r).add_secret_value("token", &token);
        }
        Ok(token)
    }

    /// Names every sensitive header as a credential, so that no redirect carries one to another
    /// origin.
    fn mark_credentials(&self, req: &mut HttpRequest) {
        let redactor = self.redactor();
        req.credential_headers
            .extend(redactor.sensitive_headers().iter().cloned());
    }

    /// Learns the secret values an exchange shows (cookies, tokens, signatures) so that every
    /// later output scrubs them too.
    pub fn learn(&self, request: &HttpRequest, response: Option<&HttpResponse>) {
        let redactor = self.redactor();
        let new = redactor
            .secrets_in(request, response)
            .into_iter()
            .any(|(_, v)| {
                v.chars().count() >= redact::MIN_SECRET_LEN
                    && !redact::is_placeholder(&v)
                    && !redactor.has_secret_value(&v)
            });
        if new {
            if let Ok(mut r) = self.redactor.write() {
                Arc::make_mut(&mut r).learn(request, response);
            }
        }
    }

    /// Sends with the API's limits, retrying what is safe to retry.
    async fn send(
        &self,
        req: &HttpRequest,
        retries: &mut Vec<String>,
    ) -> Result<HttpResponse, TransportError> {
        let mut attempt = 0u32;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let result = {
                let _permit = match &self.inflight {
                    Some(s) => s.acquire().await.ok(),
                    None => None,
                };
                self.transport.send(req).await
            };
            if attempt >= self.retries {
                return result;
            }
            let wait = match &result {
                Ok(r) if r.status == 429 => match retry_after(r) {
                    Some(d) if d > MAX_RETRY_AFTER => return result,
                    Some(d) => Some(d),
                    None => Some(self.backoff_for(attempt)),
                },
                Ok(r) if matches!(r.status, 502..=504) && req.is_idempotent() => Some(
                    retry_after(r)
                        .filter(|d| *d <= MAX_RETRY_AFTER)
                        .unwrap_or_else(|| self.backoff_for(attempt)),
                ),
                Err(e) if e.connect && req.is_idempotent() => Some(self.backoff_for(attempt)),
                _ => None,
            };
            let Some(wait) = wait else { return result };
            let why = match &result {
                Ok(r) => format!("status {}", r.status),
                Err(e) => e.message.clone(),
            };
            attempt += 1;
            retries.push(format!(
                "attempt {attempt} got {why}; retried after {} ms",
                wait.as_millis()
            ));
            tokio::time::sleep(wait).await;
        }
    }

    /// `backoff * 2^attempt`, with ±50% jitter so that parallel cases do not retry in lockstep.
    fn backoff_for(&self, attempt: u32) -> Duration {
        let base = self.backoff.saturating_mul(1 << attempt.min(10));
        base.mul_f64(0.5 + fastrand::f64())
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(r: &HttpResponse) -> Option<Duration> {
    let v = r.header("retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}
