//! `conform validate`: load and check every case file, schema and recording; send nothing.

use std::path::Path;

use super::Out;
use crate::case::{load_suite, overrides, Api, LoadError, LoadOptions, Suite};
use crate::cli::args::ValidateArgs;
use crate::error::{Error, EXIT_OK};
use crate::mock::playback::Playback;

pub fn validate(root: &Path, args: ValidateArgs) -> Result<i32, Error> {
    let mut suite = load_suite(
        root,
        &LoadOptions {
            env: args.env,
            ..LoadOptions::default()
        },
    )?;
    overrides::apply(&mut suite, &args.variables.vars).map_err(Error::Usage)?;
    let mut recordings = 0;
    for api in &suite.apis {
        recordings += load_playback(&suite, api)?.entries.len();
    }
    Out::line(&format!(
        "ok: {} APIs, {} case files, {} cases, {} schemas, {} recorded interactions",
        suite.apis.len(),
        suite.apis.iter().map(|a| a.files.len()).sum::<usize>(),
        suite.case_count(),
        suite.schemas.len(),
        recordings
    ));
    Ok(EXIT_OK)
}

/// An API's recordings, every problem a located load error.
pub fn load_playback(suite: &Suite, api: &Api) -> Result<Playback, Error> {
    Playback::load(&suite.root, api)
        .map_err(|diagnostics| Error::Load(LoadError::from_diagnostics(diagnostics)))
}
