//! conform: contract tests for client/customer-management APIs.
//!
//! Data flows one way:
//!
//! ```text
//! argv -clap-> cli::Cli -resolve-> run::RunConfig
//! cases/<api>/*.yaml -case::load-> raw (with spans) -case::lower-> case::Suite   (all errors, exit 2)
//! Suite + plan::Selection -plan::plan-> plan::Plan
//! Plan -run::run (http::Transport | mock playback)-> run::Event -> run::CaseOutcome
//! outcomes -report::{terminal, junit, json}-> files and terminal; outcomes -> exit code
//!
//! spec (OpenAPI/Swagger) -import-> schemas/<api>/*.json + cases/<api>/*.yaml skeletons
//! live run events + recordings -drift-> graded findings, drift.{json,md}; record --from-drift
//! (record, playback, snapshots and drift read and store exchanges through `normalize`)
//! Suite + documented endpoints (api.yaml, spec or catalog) -coverage-> table, coverage.{json,md}
//! Suite + spec -spec_check-> each case's request vs. its operation (validate --spec)
//! ```

pub mod case;
pub mod check;
pub mod cli;
pub mod coverage;
pub mod diag;
pub mod drift;
pub mod editor_schema;
pub mod error;
pub mod exit;
pub mod fsutil;
pub mod fuzzing;
pub mod http;
pub mod import;
pub mod json;
pub mod mock;
pub mod normalize;
pub mod plan;
pub mod redact;
pub mod report;
pub mod run;
pub mod schema;
pub mod session;
pub mod spec_check;
