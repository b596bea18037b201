//! Run events: the seam between the runner and everything that tells about a run.
//!
//! The session emits [`Event::RunStarted`] and [`Event::RunFinished`]; the runner emits
//! [`Event::CaseStarted`] and [`Event::CaseFinished`] as cases go. Reporters, the recorder and
//! (later) drift are observers of the same stream: none of them talks to the runner directly.
//! Reporters see `CaseFinished` in plan order (`seq`), whatever order cases finished in.

use serde::{Deserialize, Serialize};

use super::outcome::{CaseOutcome, Summary};
use super::Exchange;
use crate::case::CaseId;

/// What a run is about to do, as plain data (it goes into the report document as is).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RunStarted {
    /// Cases in the plan (selected cases and the earlier cases they capture from).
    pub planned: usize,
    /// What the user selected.
    pub selection: SelectionInfo,
    /// Where each API's requests went, by API name in plan order.
    pub targets: Vec<TargetInfo>,
    /// Documented-endpoint coverage of each planned API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<CoverageSummary>,
}

/// The selection flags of a run, as given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SelectionInfo {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub apis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_tags: Vec<String>,
    /// `K/N` when the run is one shard of N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

/// One API's target: `playback` (the recorded mock) or the live base URL (scrubbed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TargetInfo {
    pub api: String,
    /// `playback`, or the live base URL.
    pub target: String,
    /// The proxy live requests went through, when one was configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// How each scrubbed credential of this API's requests is written in a curl command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<CredentialRef>,
}

/// A scrubbed credential and the shell expression that stands for it in a curl command (the
/// environment variable the API's auth reads, e.g. `'Bearer '"$KIMAI_TOKEN"`), never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CredentialRef {
    /// As written in the report, e.g. `<scrubbed:authorization>`.
    pub placeholder: String,
    /// Shell-quoted; only validated variable names are left unquoted.
    pub shell: String,
}

/// Coverage of one API, as plain data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CoverageSummary {
    pub api: String,
    /// Where the documented endpoints came from (`api.yaml`, a spec or catalog file name).
    pub source: String,
    pub documented: usize,
    pub with_cases: usize,
    pub percent: f64,
    /// `METHOD /path` of documented endpoints without a case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub without_cases: Vec<String>,
    /// The one-line summary the terminal prints.
    pub headline: String,
}

/// A case is done.
#[derive(Debug)]
pub struct CaseFinished {
    /// Position of the case in the plan (0-based, plan order).
    pub seq: usize,
    pub outcome: Box<CaseOutcome>,
    /// The request and response, unscrubbed, only when the run keeps exchanges (record, drift).
    pub exchange: Option<Box<Exchange>>,
}

#[derive(Debug)]
pub enum Event {
    RunStarted(Box<RunStarted>),
    CaseStarted { seq: usize, id: CaseId },
    CaseFinished(CaseFinished),
    RunFinished(Summary),
}

/// Anything that follows a run: reporters, the recorder, drift.
pub trait Observer {
    /// An error stops the observer's output, not the run (the session decides what it means).
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
}
