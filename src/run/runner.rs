//! The runner: executes a [`Plan`] and emits one [`Event`] per case.
//!
//! Files run concurrently (at most `jobs` at a time); the cases of a file run in order and share
//! captured variables. The runner never fails a whole run because of one case: transport errors and
//! unrendered variables become failed outcomes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, Semaphore};

use super::outcome::{CaseOutcome, OutcomeStatus, RequestRecord, ResponseRecord};
use crate::case::template::{RenderError, Vars};
use crate::case::{Api, Body, Case, CaseFile, PathPart, Suite};
use crate::check::{self, snapshot, ParsedBody};
use crate::http::{HttpRequest, HttpResponse, Transport, TransportOptions};
use crate::plan::Plan;
use crate::redact::Redactor;

/// Header naming the running case, sent only to conform's own playback server so that each case
/// is answered with its own recorded interaction.
pub const CASE_HEADER: &str = "x-conform-case";

/// How a run is carried out; built from the CLI before any I/O.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub jobs: usize,
    pub transport: TransportOptions,
    /// Base URL per API name.
    pub targets: HashMap<String, String>,
    /// The environment whose variables apply (`--env`).
    pub env: Option<String>,
    /// Whether the target is conform's playback server (sends [`CASE_HEADER`]).
    pub playback: bool,
    /// Keep full exchanges in events (record mode).
    pub keep_exchanges: bool,
    pub snapshots: snapshot::Mode,
}

/// A request and the response it got, unscrubbed: only the recorder sees these.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: HttpRequest,
    pub response: HttpResponse,
}

#[derive(Debug)]
pub enum Event {
    /// A case is done.
    CaseFinished {
        outcome: Box<CaseOutcome>,
        /// (api index, file index, case index) in the suite.
        at: (usize, usize, usize),
        exchange: Option<Box<Exchange>>,
    },
}

/// What every case of one API shares during a run.
struct ApiRuntime {
    base_url: String,
    vars: Vars,
    redactor: Redactor,
}

/// Runs the plan; events arrive on `events` as cases finish.
pub async fn run(
    suite: Arc<Suite>,
    plan: &Plan,
    config: Arc<RunConfig>,
    events: mpsc::UnboundedSender<Event>,
) -> Result<(), String> {
    let transport = Transport::new(config.transport.clone())?;
    let mut runtimes: HashMap<usize, Arc<ApiRuntime>> = HashMap::new();
    for ai in plan.apis() {
        let api = &suite.apis[ai];
        let base_url = config
            .targets
            .get(&api.name)
            .cloned()
            .ok_or_else(|| format!("no base URL for API `{}`", api.name))?;
        runtimes.insert(
            ai,
            Arc::new(api_runtime(api, base_url, config.env.as_deref())?),
        );
    }
    let permits = Arc::new(Semaphore::new(config.jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for planned in plan.files.clone() {
        let suite = Arc::clone(&suite);
        let runtime = Arc::clone(&runtimes[&planned.api]);
        let transport = transport.clone();
        let config = Arc::clone(&config);
        let events = events.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let api = &suite.apis[planned.api];
            let file = &api.files[planned.file];
            let mut vars = runtime.vars.clone();
            for &ci in &planned.cases {
                let ctx = CaseCtx {
                    suite: &suite,
                    api,
                    file,
                    runtime: &runtime,
                    transport: &transport,
                    config: &config,
                };
                let (outcome, exchange) = run_case(&ctx, &file.cases[ci], &mut vars).await;
                let _ = events.send(Event::CaseFinished {
                    outcome: Box::new(outcome),
                    at: (planned.api, planned.file, ci),
                    exchange: exchange.map(Box::new),
                });
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            if e.is_panic() {
                return Err(format!("internal error: a runner task panicked: {e}"));
            }
        }
    }
    Ok(())
}

/// The API's variables rendered once, the selected environment's overriding them.
fn api_runtime(api: &Api, base_url: String, env: Option<&str>) -> Result<ApiRuntime, String> {
    let mut vars = Vars::default();
    let secrets = secret_values(api);
    let redactor = crate::mock::record::redactor_for(api, &secrets);
    for name in &api.env_refs {
        if let Ok(value) = std::env::var(name) {
            vars.env.insert(name.clone(), value);
        }
    }
    let environment = env.and_then(|e| api.environments.get(e));
    let overrides = environment
        .map(|e| e.variables.as_slice())
        .unwrap_or_default();
    for (name, template) in api.variables.iter().chain(overrides) {
        let value = template
            .render(&vars)
            .map_err(|e| format!("API `{}` variable `{name}`: {e}", api.name))?;
        vars.values.insert(name.clone(), value);
    }
    Ok(ApiRuntime {
        base_url: base_url.trim_end_matches('/').to_string(),
        vars,
        redactor,
    })
}

/// The values of the environment variables an API uses, by `env.NAME`: secrets to scrub.
pub fn secret_values(api: &Api) -> HashMap<String, String> {
    api.env_refs
        .iter()
        .filter_map(|name| std::env::var(name).ok().map(|v| (format!("env.{name}"), v)))
        .collect()
}

struct CaseCtx<'a> {
    suite: &'a Suite,
    api: &'a Api,
    file: &'a CaseFile,
    runtime: &'a ApiRuntime,
    transport: &'a Transport,
    config: &'a RunConfig,
}

async fn run_case(
    ctx: &CaseCtx<'_>,
    case: &Case,
    vars: &mut Vars,
) -> (CaseOutcome, Option<Exchange>) {
    let started = Instant::now();
    let mut outcome = CaseOutcome {
        api: ctx.api.name.clone(),
        file: ctx.file.path.display().to_string(),
        endpoint: ctx.file.endpoint.to_string(),
        case: case.name.clone(),
        line: case.pos.line,
        tags: case.tags.clone(),
        status: OutcomeStatus::Passed,
        duration_ms: 0.0,
        skip_reason: None,
        error: None,
        request: None,
        response: None,
        checks: Vec::new(),
        retries: Vec::new(),
    };
    if let Some(reason) = &case.skip {
        outcome.status = OutcomeStatus::Skipped;
        outcome.skip_reason = Some(reason.clone());
        return (outcome, None);
    }
    let request = match build_request(ctx, case, vars) {
        Ok(r) => r,
        Err(e) => {
            outcome.status = OutcomeStatus::Failed;
            outcome.error = Some(e.to_string());
            outcome.duration_ms = ms(started.elapsed());
            return (outcome, None);
        }
    };
    let redactor = &ctx.runtime.redactor;
    outcome.request = Some(RequestRecord {
        method: request.method.clone(),
        url: redactor.url(&request.url),
        headers: Vec::new(),
        body: None,
    });
    let response = match ctx.transport.send(&request).await {
        Ok(r) => r,
        Err(e) => {
            outcome.status = OutcomeStatus::Failed;
            outcome.error = Some(redactor.text(&e.message));
            outcome.duration_ms = ms(started.elapsed());
            attach_request_details(&mut outcome, &request, redactor);
            return (outcome, None);
        }
    };
    if ctx.config.playback
        && response
            .header(crate::mock::playback::UNMATCHED_HEADER)
            .is_some()
    {
        outcome.status = OutcomeStatus::Failed;
        let detail = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "the playback server has no recording for this request".into());
        outcome.error = Some(format!("playback: {}", redactor.text(&detail)));
        outcome.duration_ms = ms(started.elapsed());
        attach_request_details(&mut outcome, &request, redactor);
        return (outcome, None);
    }
    let body = check::needs_json(&case.expect, !case.captures.is_empty())
        .then(|| ParsedBody::parse(&response.body));
    let mut checks = check::check_response(
        &case.expect,
        &response,
        body.as_ref(),
        &ctx.suite.schemas,
        vars,
    );
    checks.extend(check::assert::captures(
        &case.captures,
        body.as_ref().and_then(ParsedBody::json),
        &response,
        vars,
    ));
    if let Some(spec) = &case.expect.snapshot {
        let place = snapshot::Place {
            root: &ctx.suite.root,
            api: &ctx.api.name,
            case_file: &ctx.file.path,
            case: &case.name,
        };
        checks.push(snapshot::check(
            spec,
            &place,
            &response,
            body.as_ref(),
            redactor,
            ctx.config.snapshots,
        ));
    }
    let failed = checks.iter().any(|c| !c.passed);
    outcome.status = if failed {
        OutcomeStatus::Failed
    } else {
        OutcomeStatus::Passed
    };
    outcome.response = Some(ResponseRecord {
        status: response.status,
        elapsed_ms: ms(response.elapsed),
        headers: Vec::new(),
        body: None,
    });
    if failed {
        attach_request_details(&mut outcome, &request, redactor);
        if let Some(r) = &mut outcome.response {
            r.headers = redactor.headers(&response.headers);
            r.body = Some(body_excerpt(redactor, &response.body));
        }
    }
    outcome.checks = checks;
    outcome.duration_ms = ms(started.elapsed());
    let exchange = ctx
        .config
        .keep_exchanges
        .then(|| Exchange { request, response });
    (outcome, exchange)
}

fn attach_request_details(outcome: &mut CaseOutcome, request: &HttpRequest, redactor: &Redactor) {
    if let Some(r) = &mut outcome.request {
        r.headers = redactor.headers(&request.headers);
        r.body = request.body.as_deref().map(|b| body_excerpt(redactor, b));
    }
}

/// At most 4 KiB of a scrubbed body, for reports.
fn body_excerpt(redactor: &Redactor, body: &[u8]) -> String {
    const MAX: usize = 4096;
    let text = redactor.body_text(body);
    if text.len() > MAX {
        format!(
            "{}\n... ({} bytes in all)",
            crate::diag::truncate_str(&text, MAX),
            body.len()
        )
    } else {
        text
    }
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

/// Renders the case's request with the current variables.
fn build_request(ctx: &CaseCtx<'_>, case: &Case, vars: &Vars) -> Result<HttpRequest, RenderError> {
    let req = &case.request;
    let mut url = ctx.runtime.base_url.clone();
    for part in &req.path {
        match part {
            PathPart::Lit(s) => url.push_str(s),
            PathPart::Param(t) => url.extend(percent_encoding::utf8_percent_encode(
                &t.render(vars)?,
                PATH_SEGMENT,
            )),
        }
    }
    if !req.query.is_empty() {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &req.query {
            query.append_pair(name, &value.render(vars)?);
        }
        url.push('?');
        url.push_str(&query.finish());
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut set = |name: &str, value: String| {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.to_string(), value));
    };
    for (name, t) in &ctx.api.headers {
        set(name, t.render(vars)?);
    }
    let body = match &req.body {
        None => None,
        Some(Body::Json(t)) => {
            set("Content-Type", "application/json".into());
            Some(serde_json::to_vec(&t.render(vars)?).unwrap_or_default())
        }
        Some(Body::Form(fields)) => {
            set("Content-Type", "application/x-www-form-urlencoded".into());
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                form.append_pair(k, &v.render(vars)?);
            }
            Some(form.finish().into_bytes())
        }
        Some(Body::Raw { text, content_type }) => {
            if let Some(ct) = content_type {
                set("Content-Type", ct.clone());
            }
            Some(text.render(vars)?.into_bytes())
        }
    };
    for (name, t) in &req.headers {
        set(name, t.render(vars)?);
    }
    if ctx.config.playback {
        let id = format!("{}::{}", ctx.file.stem, case.name);
        set(
            CASE_HEADER,
            percent_encoding::utf8_percent_encode(&id, HEADER_VALUE).to_string(),
        );
    }
    Ok(HttpRequest {
        method: req.method.clone(),
        url,
        headers,
        body,
    })
}

/// Characters escaped in a path parameter (everything but unreserved characters).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters escaped in the case header (keeps it visible ASCII).
const HEADER_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%').add(b'"');
