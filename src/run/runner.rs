//! The runner: executes a [`Plan`] and emits one [`Event`] per case.
//!
//! Files run concurrently (at most `jobs` at a time); the cases of a file run in order and share
//! captured variables. In a flow file, a failed step skips the remaining steps except cleanup
//! steps, which always run. The runner never fails a whole run because of one case: transport
//! errors and unrendered variables become failed outcomes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, Semaphore};

use super::client::{ApiClient, ClientOptions};
use super::outcome::{CaseOutcome, OutcomeStatus, RequestRecord, ResponseRecord};
use super::wire::{self, CASE_HEADER};
use crate::case::template::Vars;
use crate::case::{Api, Case, CaseFile, Suite};
use crate::check::{self, snapshot};
use crate::http::{HttpRequest, HttpResponse, Transport, TransportOptions};
use crate::plan::{variables_used, Plan};
use crate::redact::Redactor;

/// How a run is carried out; built from the CLI before any I/O.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub jobs: usize,
    pub transport: TransportOptions,
    /// Base URL per API name.
    pub targets: HashMap<String, String>,
    /// The environment whose variables and credentials apply (`--env`).
    pub env: Option<String>,
    /// Whether the target is conform's playback server (sends [`CASE_HEADER`], no retries).
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
    /// The scrubbing in force when it was sent: it knows every credential value the run has used
    /// so far (environment secrets, the fetched token, the basic credential), which the recorder
    /// cannot know on its own.
    pub redactor: Arc<crate::redact::Redactor>,
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

/// Runs the plan; events arrive on `events` as cases finish.
pub async fn run(
    suite: Arc<Suite>,
    plan: &Plan,
    config: Arc<RunConfig>,
    events: mpsc::UnboundedSender<Event>,
) -> Result<(), String> {
    let transport = Transport::new(config.transport.clone())?;
    let mut clients: HashMap<usize, Arc<ApiClient>> = HashMap::new();
    for ai in plan.apis() {
        let api = &suite.apis[ai];
        let base_url = config
            .targets
            .get(&api.name)
            .cloned()
            .ok_or_else(|| format!("no base URL for API `{}`", api.name))?;
        let options = ClientOptions {
            base_url,
            env: config.env.clone(),
            polite: !config.playback,
        };
        clients.insert(
            ai,
            Arc::new(ApiClient::new(
                Arc::clone(&suite),
                ai,
                transport.clone(),
                options,
            )?),
        );
    }
    let permits = Arc::new(Semaphore::new(config.jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for planned in plan.files.clone() {
        let suite = Arc::clone(&suite);
        let client = Arc::clone(&clients[&planned.api]);
        let config = Arc::clone(&config);
        let events = events.clone();
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let api = &suite.apis[planned.api];
            let file = &api.files[planned.file];
            let mut vars = client.vars.clone();
            let mut failed_step: Option<String> = None;
            for &ci in &planned.cases {
                let case = &file.cases[ci];
                let ctx = CaseCtx {
                    suite: &suite,
                    api,
                    file,
                    client: &client,
                    config: &config,
                };
                let (outcome, exchange) = match flow_skip(file, case, failed_step.as_deref(), &vars)
                {
                    Some(reason) => (skipped(&ctx, case, reason), None),
                    None => run_case(&ctx, case, &mut vars).await,
                };
                if outcome.status == OutcomeStatus::Failed && failed_step.is_none() {
                    failed_step = Some(case.name.clone());
                }
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

/// Why a flow step does not run: an earlier step failed (cleanup steps still run, unless what
/// they would clean up was never captured).
fn flow_skip(
    file: &CaseFile,
    case: &Case,
    failed_step: Option<&str>,
    vars: &Vars,
) -> Option<String> {
    let failed = failed_step.filter(|_| file.flow)?;
    if !case.cleanup {
        return Some(format!("step `{failed}` failed earlier in this flow"));
    }
    let missing: Vec<String> = variables_used(case)
        .into_iter()
        .filter(|v| !vars.values.contains_key(v))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "nothing to clean up: `{}` was never captured",
            missing.join("`, `")
        )
    })
}

/// The values of the environment variables an API uses, by `env.NAME`: secrets to scrub.
struct CaseCtx<'a> {
    suite: &'a Suite,
    api: &'a Api,
    file: &'a CaseFile,
    client: &'a ApiClient,
    config: &'a RunConfig,
}

fn new_outcome(api: &Api, file: &CaseFile, case: &Case) -> CaseOutcome {
    CaseOutcome {
        api: api.name.clone(),
        file: file.path.display().to_string(),
        endpoint: case.endpoint.to_string(),
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
    }
}

/// The outcome of a planned case that had not finished when the run was stopped (Ctrl-C).
/// `at` is (api index, file index, case index) in the suite, as in [`Event::CaseFinished`].
pub fn interrupted(suite: &Suite, at: (usize, usize, usize)) -> CaseOutcome {
    let api = &suite.apis[at.0];
    let file = &api.files[at.1];
    let mut outcome = new_outcome(api, file, &file.cases[at.2]);
    outcome.status = OutcomeStatus::Interrupted;
    outcome.skip_reason = Some("interrupted: the run was stopped before this case finished".into());
    outcome
}

fn skipped(ctx: &CaseCtx<'_>, case: &Case, reason: String) -> CaseOutcome {
    let mut outcome = new_outcome(ctx.api, ctx.file, case);
    outcome.status = OutcomeStatus::Skipped;
    outcome.skip_reason = Some(reason);
    outcome
}

async fn run_case(
    ctx: &CaseCtx<'_>,
    case: &Case,
    vars: &mut Vars,
) -> (CaseOutcome, Option<Exchange>) {
    if let Some(reason) = &case.skip {
        return (skipped(ctx, case, reason.clone()), None);
    }
    let started = Instant::now();
    let mut outcome = new_outcome(ctx.api, ctx.file, case);
    let case_header = ctx.config.playback.then(|| {
        let id = format!("{}::{}", ctx.file.stem, case.name);
        (CASE_HEADER, wire::encode_case_id(&id))
    });
    let sent = ctx.client.send_case(case, vars, case_header).await;
    let redactor = ctx.client.redactor();
    outcome.retries = sent.retries.iter().map(|r| redactor.text(r)).collect();
    let fail = |mut outcome: CaseOutcome, error: String, request: Option<&HttpRequest>| {
        outcome.status = OutcomeStatus::Failed;
        outcome.error = Some(redactor.text(&error));
        outcome.duration_ms = ms(started.elapsed());
        if let Some(r) = request {
            outcome.request = Some(request_record(r, &redactor, true));
        }
        outcome
    };
    let Some(request) = sent.request else {
        let error = sent.response.err().unwrap_or_default();
        return (fail(outcome, error, None), None);
    };
    let response = match sent.response {
        Ok(r) => r,
        Err(e) => return (fail(outcome, e, Some(&request)), None),
    };
    if ctx.config.playback && response.header(wire::UNMATCHED_HEADER).is_some() {
        let detail = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| {
                v.get(wire::UNMATCHED_MESSAGE)
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "the playback server has no recording for this request".into());
        return (
            fail(outcome, format!("playback: {detail}"), Some(&request)),
            None,
        );
    }
    let check_ctx = check::Context {
        schemas: &ctx.suite.schemas,
        redactor: &redactor,
        snapshots: ctx.config.snapshots,
        place: snapshot::Place {
            root: &ctx.suite.root,
            api: &ctx.api.name,
            case_file: &ctx.file.path,
            case: &case.name,
        },
    };
    let evaluation = check::evaluate(case, &response, &check_ctx, vars);
    vars.values.extend(evaluation.captured);
    let checks = evaluation.checks;
    let failed = checks.iter().any(|c| !c.passed);
    outcome.status = if failed {
        OutcomeStatus::Failed
    } else {
        OutcomeStatus::Passed
    };
    outcome.request = Some(request_record(&request, &redactor, failed));
    outcome.response = Some(ResponseRecord {
        status: response.status,
        elapsed_ms: ms(response.elapsed),
        headers: if failed {
            redactor.headers(&response.headers)
        } else {
            Vec::new()
        },
        body: failed.then(|| body_excerpt(&redactor, &response.body)),
    });
    outcome.checks = checks;
    outcome.duration_ms = ms(started.elapsed());
    let exchange = ctx.config.keep_exchanges.then(|| Exchange {
        request,
        response,
        redactor: ctx.client.redactor(),
    });
    (outcome, exchange)
}

/// The request for reports, scrubbed; headers and body only when they help explain a failure.
fn request_record(request: &HttpRequest, redactor: &Redactor, detailed: bool) -> RequestRecord {
    RequestRecord {
        method: request.method.clone(),
        url: redactor.url(&request.url),
        headers: if detailed {
            redactor
                .headers(&request.headers)
                .into_iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case(CASE_HEADER))
                .collect()
        } else {
            Vec::new()
        },
        body: if detailed {
            request.body.as_deref().map(|b| body_excerpt(redactor, b))
        } else {
            None
        },
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
