//! Running a plan: the runner emits events; outcomes are what reporters read.
//! `client` holds per-API credentials, limits and retries; `request` renders requests.

pub mod client;
pub mod outcome;
pub mod request;
pub mod runner;

pub use outcome::{CaseOutcome, OutcomeStatus, Summary};
pub use runner::{interrupted, run, Event, Exchange, RunConfig, CASE_HEADER};
