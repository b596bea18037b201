//! Running a plan: the runner emits events; outcomes are what reporters read.

pub mod outcome;
pub mod runner;

pub use outcome::{CaseOutcome, OutcomeStatus, Summary};
pub use runner::{run, Event, Exchange, RunConfig, CASE_HEADER};
