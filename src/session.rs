//! One run from case files to reports: [`Session::prepare`] loads, plans and checks everything
//! that can be checked before sending; [`Session::run`] starts the playback servers, the runner
//! and the reporters, feeds them the event stream and returns the totals. The CLI (`run`,
//! `record`) and the project's own tests drive runs through here and nowhere else.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::case::{load_suite, overrides, LoadOptions, Suite, VarOverride};
use crate::check::snapshot;
use crate::error::Error;
use crate::http::TransportOptions;
use crate::mock::playback::Playback;
use crate::mock::server::{serve, PlaybackServer};
use crate::plan::shard::Shard;
use crate::plan::{plan, Plan, Selection};
use crate::report::{self, ReportConfig};
use crate::run::event::{CaseFinished, Event, Observer, RunStarted, SelectionInfo, TargetInfo};
use crate::run::{self, RunConfig, Summary, Target};

/// Where the cases of a run are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetChoice {
    /// Each API's recordings, played back by conform on 127.0.0.1.
    Playback,
    /// One live base URL for every selected API (`--base-url`).
    BaseUrl(String),
    /// Each API's base URL from its environment (`--env`).
    Environment,
}

/// Everything a run needs, resolved from the command line before any I/O.
pub struct SessionConfig {
    pub selection: Selection,
    pub target: TargetChoice,
    /// The environment whose variables and credentials apply (`--env`).
    pub env: Option<String>,
    /// `--var NAME=VALUE`: over the environment's and the API's variables.
    pub vars: Vec<VarOverride>,
    pub jobs: usize,
    pub transport: TransportOptions,
    pub snapshots: snapshot::Mode,
    /// Keep unscrubbed exchanges in `CaseFinished` (record, drift).
    pub keep_exchanges: bool,
    /// Record mode: snapshots are staged here and committed with the recordings at the end.
    pub staging: Option<Arc<crate::fsutil::Staging>>,
    /// `--shard K/N`: only the case files of that part of the plan run.
    pub shard: Option<Shard>,
    /// How long cleanup steps in flight may run after the first signal.
    pub grace: std::time::Duration,
    pub reports: ReportConfig,
}

/// A loaded, planned run, checked and ready to send.
pub struct Session {
    suite: Arc<Suite>,
    plan: Plan,
    config: SessionConfig,
    /// Live targets by API name (base URL, name of its snapshot folder); playback APIs get
    /// theirs when their server starts.
    live: BTreeMap<String, (String, String)>,
    playbacks: Vec<Playback>,
}

impl Session {
    /// Loads the suite (only the selected APIs), plans the selection, resolves every API's
    /// target and loads the recordings that playback needs: every input error surfaces here.
    pub fn prepare(root: &Path, config: SessionConfig) -> Result<Session, Error> {
        let mut suite = load_suite(
            root,
            &LoadOptions {
                env: config.env.clone(),
                apis: config.selection.apis.clone(),
                strict: false,
            },
        )?;
        overrides::apply(&mut suite, &config.vars).map_err(Error::Usage)?;
        let suite = Arc::new(suite);
        // Case files conform does not read: said before the run, which goes on.
        let not_read = &suite.stray.not_read;
        if !not_read.is_empty() {
            let style = crate::diag::Style::detect();
            eprint!("{}", crate::diag::render_warnings(not_read, style));
        }
        let mut plan = plan(&suite, &config.selection).map_err(Error::Usage)?;
        if let Some(shard) = config.shard {
            plan = crate::plan::shard::apply(plan, &suite, shard);
        }
        let mut live = BTreeMap::new();
        let mut playbacks = Vec::new();
        for ai in plan.apis() {
            let api = &suite.apis[ai];
            match &config.target {
                TargetChoice::Playback => playbacks.push(
                    Playback::load(&suite.root, api)
                        .map_err(|d| Error::Load(crate::case::LoadError::from_diagnostics(d)))?,
                ),
                TargetChoice::BaseUrl(url) => {
                    live.insert(api.name.clone(), (url.clone(), host_port(url)));
                }
                TargetChoice::Environment => {
                    let env = config.env.as_deref().unwrap_or_default();
                    let url = api.environments.get(env).map(|e| e.base_url.clone());
                    let url = url.ok_or_else(|| {
                        Error::Usage(format!("API `{}` has no environment `{env}`", api.name))
                    })?;
                    live.insert(api.name.clone(), (url, env.to_string()));
                }
            }
        }
        Ok(Session {
            suite,
            plan,
            config,
            live,
            playbacks,
        })
    }

    pub fn suite(&self) -> &Arc<Suite> {
        &self.suite
    }

    /// The suite, to change before the run (drift names its scenarios in the cases' headers);
    /// `None` once the suite is shared.
    pub fn suite_mut(&mut self) -> Option<&mut Suite> {
        Arc::get_mut(&mut self.suite)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Runs the plan: `observers` (the recorder, a test's collector) and the configured
    /// reporters see every event. On the first of `signals`, no further case starts, requests in
    /// flight are dropped, cleanup steps of files in flight still run (for at most
    /// `SessionConfig::grace`; a second signal skips them); the cases not finished are reported
    /// as interrupted and the reports are written all the same.
    pub async fn run(
        self,
        signals: Signals,
        observers: &mut [&mut dyn Observer],
    ) -> Result<RunEnd, Error> {
        let Session {
            suite,
            plan,
            config,
            live,
            playbacks,
        } = self;
        let mut servers = Vec::new();
        let mut targets: std::collections::HashMap<String, Target> = live
            .into_iter()
            .map(|(api, (base_url, name))| {
                // A recording's snapshots are the playback ones; a run's are its target's own.
                let snapshots = (config.snapshots != snapshot::Mode::Record)
                    .then(|| snapshot::target_dir(&name));
                (
                    api,
                    Target::Live {
                        base_url,
                        snapshots,
                    },
                )
            })
            .collect();
        for p in playbacks {
            let name = p.api.clone();
            let server = start_playback(p).await?;
            targets.insert(
                name,
                Target::Playback {
                    base_url: server.base_url(),
                },
            );
            servers.push(server);
        }
        let started = run_started(&suite, &plan, &config, &targets);
        let verbose = config.reports.terminal.verbose;
        let reporters = report::build(config.reports)
            .map_err(|e| Error::Io(format!("cannot create the reports: {e}")))?;
        let run_config = RunConfig {
            jobs: config.jobs,
            transport: config.transport,
            targets,
            env: config.env,
            keep_exchanges: config.keep_exchanges,
            snapshots: config.snapshots,
            verbose,
            staging: config.staging,
        };
        let mut stream = Stream {
            reporters,
            observers,
            summary: Summary::default(),
        };
        stream.send(&Event::RunStarted(Box::new(started)))?;
        let end = drive(
            &suite,
            &plan,
            run_config,
            signals,
            config.grace,
            &mut stream,
        )
        .await?;
        for s in servers {
            s.shutdown().await;
        }
        Ok(end)
    }
}

async fn start_playback(p: Playback) -> Result<PlaybackServer, Error> {
    let name = p.api.clone();
    serve(Arc::new(p), LOOPBACK_EPHEMERAL, None)
        .await
        .map_err(|e| {
            Error::Io(format!(
                "cannot start the playback server for `{name}`: {e}"
            ))
        })
}

const LOOPBACK_EPHEMERAL: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

fn run_started(
    suite: &Suite,
    plan: &Plan,
    config: &SessionConfig,
    targets: &std::collections::HashMap<String, Target>,
) -> RunStarted {
    let apis = plan.apis();
    let coverage = crate::coverage::for_run(suite, &apis)
        .iter()
        .map(|c| c.summary())
        .collect();
    let selection = &config.selection;
    RunStarted {
        planned: plan.case_count(),
        selection: SelectionInfo {
            apis: selection.apis.clone(),
            filter: selection.filter.clone(),
            tags: selection.tags.clone(),
            skip_tags: selection.skip_tags.clone(),
            shard: config.shard.map(|s| s.to_string()),
        },
        targets: apis
            .iter()
            .map(|&ai| {
                let name = &suite.apis[ai].name;
                let target = match targets.get(name) {
                    Some(Target::Live { base_url, .. }) => base_url.clone(),
                    _ => "playback".to_string(),
                };
                TargetInfo {
                    api: name.clone(),
                    target,
                    proxy: config
                        .transport
                        .proxy
                        .as_deref()
                        .map(crate::http::without_credentials),
                    credentials: report::curl::credential_refs(
                        &suite.apis[ai],
                        config.env.as_deref(),
                    ),
                }
            })
            .collect(),
        coverage,
    }
}

/// The reporters and observers of a run, and the totals so far.
struct Stream<'a, 'o> {
    reporters: Vec<report::Built>,
    observers: &'a mut [&'o mut dyn Observer],
    summary: Summary,
}

impl Stream<'_, '_> {
    fn send(&mut self, event: &Event) -> Result<(), Error> {
        if let Event::CaseFinished(f) = event {
            self.summary.add(&f.outcome);
        }
        for o in self.observers.iter_mut() {
            o.event(event)
                .map_err(|e| Error::Io(format!("cannot record the run: {e}")))?;
        }
        for r in self.reporters.iter_mut() {
            r.reporter
                .event(event)
                .map_err(|e| Error::Io(format!("cannot write the {}: {e}", r.what)))?;
        }
        Ok(())
    }
}

/// The signals that stop a run: each item is one SIGINT or SIGTERM. The first stops the run
/// (cleanup steps in flight still run, within the grace time); the second stops it at once.
/// `host_port` of a base URL (`127.0.0.1_4010`), naming the snapshots of a `--base-url` run.
fn host_port(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}_{p}"),
            (Some(h), None) => h.to_string(),
            _ => "live".into(),
        },
        Err(_) => "live".into(),
    }
}

pub struct Signals(Option<mpsc::UnboundedReceiver<()>>);

impl Signals {
    /// A run that is never stopped (tests, embedders).
    pub fn never() -> Signals {
        Signals(None)
    }

    pub fn from_channel(rx: mpsc::UnboundedReceiver<()>) -> Signals {
        Signals(Some(rx))
    }

    async fn next(&mut self) {
        if let Some(rx) = &mut self.0 {
            if rx.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await
    }
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunEnd {
    pub summary: Summary,
    /// Cleanup steps that had not run when the run was stopped for good (a second signal or the
    /// grace time over): what they would have removed may remain on the server.
    pub cleanup_not_run: Vec<crate::case::CaseId>,
}

/// Events handed to the reporters at a time, at most.
const BATCH: usize = 256;

/// How long the reporters wait for more events after a short batch: short enough that a progress
/// bar stays live, long enough that a fast run wakes this thread once per batch of cases.
const GATHER: std::time::Duration = std::time::Duration::from_millis(2);

/// Runs the runner to its end or to a signal, delivering finished cases in plan order.
async fn drive(
    suite: &Arc<Suite>,
    plan: &Plan,
    config: RunConfig,
    mut signals: Signals,
    grace: std::time::Duration,
    stream: &mut Stream<'_, '_>,
) -> Result<RunEnd, Error> {
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut runner = {
        let suite = Arc::clone(suite);
        let plan = plan.clone();
        let config = Arc::new(config);
        tokio::spawn(async move { run::run(suite, &plan, config, tx, stop_rx).await })
    };
    let mut order = InOrder::default();
    let mut stopped = false;
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            received = rx.recv_many(&mut batch, BATCH) => {
                if received == 0 {
                    break;
                }
                for event in batch.drain(..) {
                    order.push(event, stream)?;
                }
                if received < BATCH {
                    // Let finished cases gather: one wake-up of this thread per batch, not per
                    // event (the reporters see the same events in the same order).
                    tokio::select! {
                        biased;
                        () = signals.next() => { stopped = true; break }
                        () = tokio::time::sleep(GATHER) => {}
                    }
                }
            },
            () = signals.next() => { stopped = true; break }
        }
    }
    let mut aborted = false;
    if stopped {
        // First signal: nothing new starts; cleanup steps in flight finish within `grace`.
        let _ = stop_tx.send(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            tokio::select! {
                event = rx.recv() => match event {
                    Some(event) => order.push(event, stream)?,
                    None => break,
                },
                () = tokio::time::sleep_until(deadline) => { aborted = true; break }
                () = signals.next() => { aborted = true; break }
            }
        }
    }
    let mut cleanup_not_run = Vec::new();
    if aborted {
        // Aborting the runner drops its tasks, and with them every request in flight.
        runner.abort();
        let _ = (&mut runner).await;
        while let Ok(event) = rx.try_recv() {
            order.push(event, stream)?;
        }
    } else {
        match runner.await {
            Ok(Ok(())) => {}
            Ok(Err(msg)) => return Err(Error::Usage(msg)),
            Err(e) => {
                return Err(Error::Io(format!(
                    "internal error: the runner stopped: {e}"
                )))
            }
        }
    }
    for (seq, ai, fi, ci) in plan.cases() {
        if !order.has(seq) {
            let outcome = Box::new(run::interrupted(suite, ai, fi, ci));
            let file = &suite.apis[ai].files[fi];
            if aborted && file.cases[ci].cleanup && order.file_started(seq, plan) {
                cleanup_not_run.push(outcome.id.clone());
            }
            let event = Event::CaseFinished(CaseFinished {
                seq,
                outcome,
                exchange: None,
            });
            order.push(event, stream)?;
        }
    }
    let mut summary = stream.summary;
    summary.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    stream.send(&Event::RunFinished(summary))?;
    Ok(RunEnd {
        summary,
        cleanup_not_run,
    })
}

/// Holds back finished cases that overtook an earlier one, so that observers see plan order.
#[derive(Default)]
struct InOrder {
    next: usize,
    waiting: BTreeMap<usize, Event>,
    seen: std::collections::HashSet<usize>,
    started: std::collections::HashSet<usize>,
}

impl InOrder {
    fn has(&self, seq: usize) -> bool {
        self.seen.contains(&seq)
    }

    /// Whether a case of the file holding `seq` had started (so its cleanup was due).
    fn file_started(&self, seq: usize, plan: &Plan) -> bool {
        plan.files
            .iter()
            .find(|f| (f.first_seq..f.first_seq + f.cases.len()).contains(&seq))
            .is_some_and(|f| {
                (f.first_seq..f.first_seq + f.cases.len()).any(|s| self.started.contains(&s))
            })
    }

    fn push(&mut self, event: Event, stream: &mut Stream<'_, '_>) -> Result<(), Error> {
        if let Event::CaseStarted { seq, .. } = &event {
            self.started.insert(*seq);
        }
        let Event::CaseFinished(f) = &event else {
            return stream.send(&event);
        };
        self.seen.insert(f.seq);
        self.waiting.insert(f.seq, event);
        while let Some(event) = self.waiting.remove(&self.next) {
            stream.send(&event)?;
            self.next += 1;
        }
        Ok(())
    }
}
