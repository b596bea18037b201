//! The runner: executes a [`Plan`] and emits one [`Event`] per case.
//!
//! Files run concurrently (at most `jobs` at a time); the cases of a file run in order and share
//! captured variables. In a flow file, a failed step skips the remaining steps except cleanup
//! steps, which always run. The runner never fails a whole run because of one case: transport
//! errors and unrendered variables become failed outcomes.

mod setup;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, watch, Semaphore};

use super::client::{ApiClient, ClientOptions, SendError};
use super::event::{CaseFinished, Event};
use super::outcome::{CaseOutcome, FailureClass, OutcomeStatus, RequestRecord, ResponseRecord};
use super::wire::{self, CASE_HEADER};
use crate::case::template::{Vars, UNIQUE, UNIQUE_PLACEHOLDER};
use crate::case::{Api, Case, CaseFile, CaseId, Suite};
use crate::check::{self, snapshot};
use crate::http::{HttpRequest, HttpResponse, Transport, TransportOptions};
use crate::plan::{variables_used, Plan, PlannedFile};
use crate::redact::Redactor;

/// Where one API's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// conform's playback server for the API's recordings, at `base_url` (sends [`CASE_HEADER`];
    /// no limits, no retries).
    Playback { base_url: String },
    /// A live server: a vendor sandbox, a spec mock, `conform mock`. `snapshots`: its own
    /// folder under `snapshots/<api>/` (`check::snapshot::target_dir`); `None` when recording,
    /// whose snapshots are the playback ones.
    Live {
        base_url: String,
        snapshots: Option<String>,
    },
}

impl Target {
    pub fn base_url(&self) -> &str {
        match self {
            Target::Playback { base_url } | Target::Live { base_url, .. } => base_url,
        }
    }

    /// The folder of this target's snapshots under `snapshots/<api>/`; `None`: the playback ones.
    pub fn snapshot_dir(&self) -> Option<&str> {
        match self {
            Target::Live { snapshots, .. } => snapshots.as_deref(),
            Target::Playback { .. } => None,
        }
    }

    pub fn is_playback(&self) -> bool {
        matches!(self, Target::Playback { .. })
    }
}

/// How a run is carried out; built from the CLI before any I/O.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub jobs: usize,
    pub transport: TransportOptions,
    /// The target of each planned API, by name.
    pub targets: HashMap<String, Target>,
    /// The environment whose variables and credentials apply (`--env`).
    pub env: Option<String>,
    /// Keep full exchanges in events (record mode, drift).
    pub keep_exchanges: bool,
    pub snapshots: snapshot::Mode,
    /// `-v`: keep every case's request and response headers in its outcome, not only a
    /// failure's; `-vv`: their bodies too.
    pub verbose: u8,
    /// Record mode: snapshots are staged here and written with the recordings at the end.
    pub staging: Option<Arc<crate::fsutil::Staging>>,
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
    /// A live run's `{{ unique }}` value: recordings store the placeholder in its place.
    pub unique: Option<String>,
}

/// Runs the plan; `CaseStarted` and `CaseFinished` events arrive on `events` as cases go. Case
/// files start in plan order (at most `jobs` at a time), so that a run against a server with
/// state sees the same order every time.
///
/// Once `stopping` turns true (the first signal), no file starts, no further case starts and the
/// request of a case in flight is dropped, except cleanup steps: those of files in flight still
/// run, so that what a flow created is removed. Cases that did not run get no event (the session
/// reports them as interrupted).
pub async fn run(
    suite: Arc<Suite>,
    plan: &Plan,
    config: Arc<RunConfig>,
    events: mpsc::UnboundedSender<Event>,
    stopping: watch::Receiver<bool>,
) -> Result<(), String> {
    let transport = Transport::new(config.transport.clone())?;
    let https = |url: &str| {
        url.get(..6)
            .is_some_and(|s| s.eq_ignore_ascii_case("https:"))
    };
    let proxied_tls = config.transport.proxy.as_deref().is_some_and(https);
    if proxied_tls || config.targets.values().any(|t| https(t.base_url())) {
        transport.prepare_tls()?;
    }
    let mut clients: HashMap<usize, Arc<ApiClient>> = HashMap::new();
    let mut setups = Vec::new();
    let unique = super::client::fresh_unique();
    for ai in plan.apis() {
        let api = &suite.apis[ai];
        let target = config
            .targets
            .get(&api.name)
            .ok_or_else(|| format!("no target for API `{}`", api.name))?;
        let options = ClientOptions {
            base_url: target.base_url().to_string(),
            env: config.env.clone(),
            polite: !target.is_playback(),
            unique: if target.is_playback() {
                UNIQUE_PLACEHOLDER.to_string()
            } else {
                unique.clone()
            },
        };
        let mut client = ApiClient::new(Arc::clone(&suite), ai, transport.clone(), options)?;
        // The API's setup runs first: its captures are every file's variables.
        let setup_file = plan
            .files
            .iter()
            .find(|f| f.api == ai && api.files[f.file].setup);
        if let Some(planned) = setup_file {
            let found =
                setup::discover(&suite, planned, &client, &config, &events, &stopping).await;
            client.vars = found.vars.clone();
            setups.push((planned.clone(), found));
        }
        clients.insert(ai, Arc::new(client));
    }
    let permits = Arc::new(Semaphore::new(config.jobs.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for planned in plan.files.clone() {
        if suite.apis[planned.api].files[planned.file].setup {
            continue;
        }
        // Taken here, in plan order, not inside the task: tasks are scheduled in no fixed order.
        let mut stop = stopping.clone();
        let permit = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let suite = Arc::clone(&suite);
        let client = Arc::clone(&clients[&planned.api]);
        let config = Arc::clone(&config);
        let events = events.clone();
        tasks.spawn(async move {
            let _permit = permit;
            run_file(&suite, &planned, &client, &config, &events, stop).await;
        });
        // Reap finished tasks as we go so that a panic is reported without waiting for the rest.
        while let Some(joined) = tasks.try_join_next() {
            check_joined(joined)?;
        }
    }
    while let Some(joined) = tasks.join_next().await {
        check_joined(joined)?;
    }
    // Cleanup steps run even after a stop signal, like a flow's.
    for (planned, found) in setups {
        let client = &clients[&planned.api];
        setup::clean_up(&suite, &planned, client, &config, &events, found).await;
    }
    Ok(())
}

fn check_joined(joined: Result<(), tokio::task::JoinError>) -> Result<(), String> {
    match joined {
        Err(e) if e.is_panic() => Err(format!("internal error: a runner task panicked: {e}")),
        _ => Ok(()),
    }
}

/// The cases of one file, in order, sharing captured variables.
async fn run_file(
    suite: &Suite,
    planned: &PlannedFile,
    client: &ApiClient,
    config: &RunConfig,
    events: &mpsc::UnboundedSender<Event>,
    mut stopping: watch::Receiver<bool>,
) {
    let api = &suite.apis[planned.api];
    let file = &api.files[planned.file];
    let target = &config.targets[&api.name];
    let mut vars = client.vars.clone();
    let mut failed_step: Option<String> = None;
    for (k, &ci) in planned.cases.iter().enumerate() {
        let seq = planned.first_seq + k;
        let case = &file.cases[ci];
        let stopped = *stopping.borrow();
        if stopped && !(case.cleanup && captured(case, &vars)) {
            continue;
        }
        let _ = events.send(Event::CaseStarted {
            seq,
            id: CaseId::of(api, file, case),
        });
        let ctx = CaseCtx {
            suite,
            api,
            file,
            client,
            config,
            playback: target.is_playback(),
        };
        let (outcome, exchange) = match flow_skip(file, case, failed_step.as_deref(), &vars) {
            Some(reason) => (skipped(&ctx, case, reason), None),
            None if case.cleanup => guarded(&ctx, case, &mut vars).await,
            None => tokio::select! {
                biased;
                _ = stopping.wait_for(|s| *s) => continue,
                done = guarded(&ctx, case, &mut vars) => done,
            },
        };
        let failed = matches!(outcome.status, OutcomeStatus::Failed | OutcomeStatus::Error);
        if failed && failed_step.is_none() {
            failed_step = Some(case.name.clone());
        }
        let _ = events.send(Event::CaseFinished(CaseFinished {
            seq,
            outcome: Box::new(outcome),
            exchange: exchange.map(Box::new),
        }));
    }
}

/// Whether every variable `case` uses has a value (a cleanup step has something to clean up).
fn captured(case: &Case, vars: &Vars) -> bool {
    variables_used(case)
        .iter()
        .all(|v| vars.values.contains_key(v))
}

/// Runs one case; a panic inside conform becomes an `error` outcome named "internal error", so
/// that one bug never loses the reports of a run.
pub(super) async fn guarded(
    ctx: &CaseCtx<'_>,
    case: &Case,
    vars: &mut Vars,
) -> (CaseOutcome, Option<Exchange>) {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(run_case(ctx, case, vars))
        .catch_unwind()
        .await
    {
        Ok((mut outcome, exchange)) => {
            outcome.scrub(&ctx.client.redactor());
            (outcome, exchange)
        }
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let mut outcome = new_outcome(ctx.api, ctx.file, case);
            outcome.status = OutcomeStatus::Error;
            outcome.error = Some(format!(
                "internal error: conform panicked while running this case ({}); please report it",
                ctx.client.redactor().text(&why)
            ));
            (outcome, None)
        }
    }
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

/// What running one case of a file needs.
pub(super) struct CaseCtx<'a> {
    suite: &'a Suite,
    api: &'a Api,
    file: &'a CaseFile,
    client: &'a ApiClient,
    config: &'a RunConfig,
    /// The API's target is conform's playback server.
    playback: bool,
}

impl<'a> CaseCtx<'a> {
    pub(super) fn new(
        suite: &'a Suite,
        api: &'a Api,
        file: &'a CaseFile,
        client: &'a ApiClient,
        config: &'a RunConfig,
    ) -> Self {
        let playback = config
            .targets
            .get(&api.name)
            .is_some_and(Target::is_playback);
        CaseCtx {
            suite,
            api,
            file,
            client,
            config,
            playback,
        }
    }
}

fn new_outcome(api: &Api, file: &CaseFile, case: &Case) -> CaseOutcome {
    CaseOutcome {
        id: CaseId::of(api, file, case),
        file: file.path.display().to_string(),
        endpoint: case.endpoint.to_string(),
        line: case.pos.line,
        tags: case.tags.clone(),
        status: OutcomeStatus::Passed,
        duration_ms: 0.0,
        skip_reason: None,
        error: None,
        request: None,
        response: None,
        checks: Vec::new(),
        class: None,
        not_evaluated: Vec::new(),
        retries: Vec::new(),
        notes: Vec::new(),
    }
}

/// The outcome of a planned case that had not finished when the run was stopped (Ctrl-C).
pub fn interrupted(suite: &Suite, api: usize, file: usize, case: usize) -> CaseOutcome {
    let api = &suite.apis[api];
    let file = &api.files[file];
    let mut outcome = new_outcome(api, file, &file.cases[case]);
    outcome.status = OutcomeStatus::Interrupted;
    outcome.skip_reason = Some("interrupted: the run was stopped before this case finished".into());
    outcome
}

pub(super) fn skipped(ctx: &CaseCtx<'_>, case: &Case, reason: String) -> CaseOutcome {
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
    let case_header = ctx.playback.then(|| {
        let id = outcome.id.in_api();
        (CASE_HEADER, wire::encode_case_id(&id))
    });
    let sent = ctx.client.send_case(case, vars, case_header).await;
    if let Some(request) = &sent.request {
        ctx.client.learn(request, sent.response.as_ref().ok());
    }
    let redactor = ctx.client.redactor();
    outcome.retries = sent.retries.iter().map(|r| redactor.text(r)).collect();
    let fail = |mut outcome: CaseOutcome, error: SendError, request: Option<&HttpRequest>| {
        outcome.status = if error.unchecked {
            OutcomeStatus::Error
        } else {
            OutcomeStatus::Failed
        };
        outcome.error = Some(redactor.text(&error.message));
        outcome.duration_ms = ms(started.elapsed());
        if let Some(r) = request {
            outcome.request = Some(request_record(ctx, r, &redactor, true));
        }
        outcome
    };
    let Some(request) = sent.request else {
        let error = sent
            .response
            .err()
            .unwrap_or_else(|| SendError::from(String::new()));
        return (fail(outcome, error, None), None);
    };
    let response = match sent.response {
        Ok(r) => r,
        Err(e) => return (fail(outcome, e, Some(&request)), None),
    };
    // A miss of conform's playback server or of `conform mock` is never the vendor's answer.
    if response.header(wire::UNMATCHED_HEADER).is_some() {
        let source = if ctx.playback {
            "playback"
        } else {
            "conform mock"
        };
        let detail = wire::unmatched_detail(&response.body);
        return (
            fail(
                outcome,
                format!("{source}: {detail}").into(),
                Some(&request),
            ),
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
            target: ctx
                .config
                .targets
                .get(&ctx.api.name)
                .and_then(Target::snapshot_dir),
            staging: ctx.config.staging.as_deref(),
        },
    };
    let evaluation = check::evaluate(case, &response, &check_ctx, vars);
    vars.values.extend(evaluation.captured);
    let checks = evaluation.checks;
    let failed = checks.iter().any(|c| !c.passed);
    if let (true, Some(staging), Some(spec)) = (failed, &ctx.config.staging, &case.expect.snapshot)
    {
        // A case that failed during record keeps its old snapshot, as it keeps its recording.
        let path = snapshot::snap_path(
            &ctx.suite.root,
            &ctx.api.name,
            check_ctx.place.target,
            &spec.name,
        );
        staging.discard(&std::path::PathBuf::from(format!("{}.new", path.display())));
        staging.discard(&path);
    }
    outcome.status = if failed {
        OutcomeStatus::Failed
    } else {
        OutcomeStatus::Passed
    };
    let (headers, bodies) = (
        failed || ctx.config.verbose >= 1,
        failed || ctx.config.verbose >= 2,
    );
    let mut record = request_record(ctx, &request, &redactor, headers);
    if !bodies {
        record.body = None;
    }
    outcome.request = Some(record);
    outcome.response = Some(ResponseRecord {
        status: response.status,
        elapsed_ms: ms(response.elapsed),
        headers: if headers {
            redactor.headers(&response.headers)
        } else {
            Vec::new()
        },
        body: bodies.then(|| body_excerpt(&redactor, &response.body)),
    });
    outcome.class = FailureClass::of(&checks);
    outcome.not_evaluated = evaluation.not_evaluated;
    outcome.checks = checks;
    outcome.notes = response.redirects.clone();
    outcome.duration_ms = ms(started.elapsed());
    let exchange = ctx.config.keep_exchanges.then(|| Exchange {
        request,
        response,
        redactor: ctx.client.redactor(),
        unique: (ctx.client.vars.values.get(UNIQUE))
            .and_then(serde_json::Value::as_str)
            .filter(|u| *u != UNIQUE_PLACEHOLDER)
            .map(str::to_string),
    });
    (outcome, exchange)
}

/// The request for reports, scrubbed; headers and body only when they help explain a failure.
/// Playback URLs name the API instead of the ephemeral port (`playback://kimai/api/...`), so that
/// two identical runs give identical reports.
fn request_record(
    ctx: &CaseCtx<'_>,
    request: &HttpRequest,
    redactor: &Redactor,
    detailed: bool,
) -> RequestRecord {
    let url = redactor.url(&request.url);
    let url = match ctx.config.targets.get(&ctx.api.name) {
        Some(Target::Playback { base_url }) => match url.strip_prefix(base_url.as_str()) {
            Some(rest) => format!("playback://{}{rest}", ctx.api.name),
            None => url,
        },
        _ => url,
    };
    RequestRecord {
        method: request.method.clone(),
        url,
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
