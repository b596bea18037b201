//! An API's setup (api.yaml `setup:`): steps that discover or create the fixtures its cases use,
//! run before the API's other files, and cleanup steps run after them.
//!
//! A step is left out when the selected environment or `--var` pins every variable it captures:
//! discovery fills in only what the run was not told. A cleanup step runs only for what this run
//! captured, so that a pinned fixture (an id the environment names) is never removed.

use std::collections::BTreeSet;

use tokio::sync::{mpsc, watch};

use super::{guarded, skipped, CaseCtx, RunConfig};
use crate::case::template::Vars;
use crate::case::{Api, CaseId, Suite};
use crate::plan::{variables_used, PlannedFile};
use crate::run::client::ApiClient;
use crate::run::event::{CaseFinished, Event};
use crate::run::outcome::OutcomeStatus;

/// What the setup steps left: every variable after them, and those this run captured.
pub struct Discovered {
    pub vars: Vars,
    pub created: BTreeSet<String>,
}

/// The variables the selected environment or `--var` sets.
fn pinned(api: &Api, env: Option<&str>) -> BTreeSet<String> {
    let from_env = env
        .and_then(|e| api.environments.get(e))
        .into_iter()
        .flat_map(|e| e.variables.iter().map(|(n, _)| n.clone()));
    let from_cli = api.overrides.iter().map(|(n, _)| n.clone());
    from_env.chain(from_cli).collect()
}

/// Runs the setup's steps (not its cleanup steps) in order, as a flow: a failed step skips the
/// rest. Pinned variables keep their values.
pub async fn discover(
    suite: &Suite,
    planned: &PlannedFile,
    client: &ApiClient,
    config: &RunConfig,
    events: &mpsc::UnboundedSender<Event>,
    stopping: &watch::Receiver<bool>,
) -> Discovered {
    let api = &suite.apis[planned.api];
    let file = &api.files[planned.file];
    let pinned = pinned(api, config.env.as_deref());
    let mut vars = client.vars.clone();
    let mut created = BTreeSet::new();
    let mut failed: Option<String> = None;
    let ctx = CaseCtx::new(suite, api, file, client, config);
    for (k, &ci) in planned.cases.iter().enumerate() {
        let case = &file.cases[ci];
        if case.cleanup || *stopping.borrow() {
            continue;
        }
        let seq = planned.first_seq + k;
        let id = CaseId::of(api, file, case);
        let _ = events.send(Event::CaseStarted { seq, id });
        let names: Vec<&str> = case.captures.iter().map(|c| c.name.as_str()).collect();
        let all_pinned = !names.is_empty() && names.iter().all(|n| pinned.contains(*n));
        let (outcome, exchange) = if let Some(step) = &failed {
            let why = format!("step `{step}` failed earlier in this setup");
            (skipped(&ctx, case, why), None)
        } else if all_pinned {
            let why = format!(
                "not needed: `{}` is set by the environment or --var",
                names.join("`, `")
            );
            (skipped(&ctx, case, why), None)
        } else {
            let done = guarded(&ctx, case, &mut vars).await;
            for name in &names {
                match client.vars.values.get(*name) {
                    Some(value) if pinned.contains(*name) => {
                        vars.values.insert(name.to_string(), value.clone());
                    }
                    _ if done.0.status == OutcomeStatus::Passed => {
                        created.insert(name.to_string());
                    }
                    _ => {}
                }
            }
            done
        };
        if matches!(outcome.status, OutcomeStatus::Failed | OutcomeStatus::Error) {
            failed.get_or_insert_with(|| case.name.clone());
        }
        let _ = events.send(Event::CaseFinished(CaseFinished {
            seq,
            outcome: Box::new(outcome),
            exchange: exchange.map(Box::new),
        }));
    }
    Discovered { vars, created }
}

/// Runs the setup's cleanup steps, after every other file of the API. A step that uses a
/// variable a setup step captures runs only when this run captured it.
pub async fn clean_up(
    suite: &Suite,
    planned: &PlannedFile,
    client: &ApiClient,
    config: &RunConfig,
    events: &mpsc::UnboundedSender<Event>,
    mut discovered: Discovered,
) {
    let api = &suite.apis[planned.api];
    let file = &api.files[planned.file];
    let captured_by_setup: BTreeSet<&str> = file
        .cases
        .iter()
        .flat_map(|c| c.captures.iter().map(|c| c.name.as_str()))
        .collect();
    let ctx = CaseCtx::new(suite, api, file, client, config);
    for (k, &ci) in planned.cases.iter().enumerate() {
        let case = &file.cases[ci];
        if !case.cleanup {
            continue;
        }
        let seq = planned.first_seq + k;
        let id = CaseId::of(api, file, case);
        let _ = events.send(Event::CaseStarted { seq, id });
        let not_created: Vec<String> = variables_used(case)
            .into_iter()
            .filter(|v| captured_by_setup.contains(v.as_str()) && !discovered.created.contains(v))
            .collect();
        let (outcome, exchange) = if not_created.is_empty() {
            guarded(&ctx, case, &mut discovered.vars).await
        } else {
            let why = format!(
                "nothing to clean up: this run did not capture `{}`",
                not_created.join("`, `")
            );
            (skipped(&ctx, case, why), None)
        };
        let _ = events.send(Event::CaseFinished(CaseFinished {
            seq,
            outcome: Box::new(outcome),
            exchange: exchange.map(Box::new),
        }));
    }
}
