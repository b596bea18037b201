//! Errors that stop a command before or outside the checks, and the one place exit codes are chosen.
//!
//! Contract failures are not errors: they are outcomes, and they give exit code 1.

use crate::case::LoadError;

/// Exit code when every case passed.
pub const EXIT_OK: i32 = 0;
/// Exit code when at least one contract check failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code for bad input, configuration or usage: nothing (more) was sent.
pub const EXIT_USAGE: i32 = 2;
/// Exit code when nothing failed but at least one case could not be checked (connection refused,
/// DNS, TLS, timeout): "the sandbox is down" is not "the vendor broke the contract".
pub const EXIT_UNCHECKED: i32 = 3;
/// Exit code of a run stopped by Ctrl-C (SIGINT), by the shell convention 128 + 2: the reports
/// were written, with the cases not finished marked as interrupted.
pub const EXIT_INTERRUPTED: i32 = 130;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Load(#[from] LoadError),
    /// An API description that cannot be read at all.
    #[error(transparent)]
    Spec(#[from] crate::import::spec::SpecError),
    /// A coverage catalog that cannot be read.
    #[error(transparent)]
    Catalog(#[from] crate::coverage::CoverageError),
    /// Bad flags or a selection that names nothing.
    #[error("{0}")]
    Usage(String),
    /// Something conform itself could not do (write a report, bind a port).
    #[error("{0}")]
    Io(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        EXIT_USAGE
    }
}
