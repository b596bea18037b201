//! Running a plan: the runner emits events; outcomes are what reporters read.
//! `client` holds per-API credentials, limits and retries; `request` renders requests; `runner::setup` runs an API's `setup:` steps around its files; `event`
//! is the seam every observer (reporters, recorder, drift) reads; `wire` is the playback wire
//! contract (headers shared with `mock::playback`).

pub mod client;
pub mod event;
pub mod outcome;
pub mod request;
pub mod runner;
pub mod wire;

pub use event::{Event, Observer};
pub use outcome::{CaseOutcome, FailureClass, OutcomeStatus, Summary};
pub use runner::{interrupted, run, Exchange, RunConfig, Target};
