//! Errors that stop a command before or outside the checks, and the one place exit codes are chosen.
//!
//! Contract failures are not errors: they are outcomes, and they give exit code 1.

use crate::case::LoadError;

pub use crate::exit::*;

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
