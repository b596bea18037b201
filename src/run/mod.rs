//! Running a plan: the runner emits events; outcomes are what reporters read.
//! `client` holds per-API credentials, limits and retries; `request` renders requests;
//! `wire` is the playback wire contract (headers shared with `mock::playback`).

pub mod client;
pub mod outcome;
pub mod request;
pub mod runner;
pub mod wire;

pub use outcome::{CaseOutcome, OutcomeStatus, Summary};
pub use runner::{interrupted, run, Event, Exchange, RunConfig};
