//! `conform validate`: load and check every case file, schema and recording; send nothing.

use std::path::Path;

use super::Out;
use crate::case::{load_suite, overrides, Api, LoadError, LoadOptions, Suite};
use crate::cli::args::ValidateArgs;
use crate::diag::{render_warnings, Diagnostic, Style};
use crate::error::{Error, EXIT_OK};
use crate::mock::playback::Playback;

/// `--strict`: warnings are errors (exit 2) instead of lines on stderr.
pub fn validate(root: &Path, args: ValidateArgs) -> Result<i32, Error> {
    let mut suite = load_suite(
        root,
        &LoadOptions {
            env: args.env,
            strict: args.strict,
            ..LoadOptions::default()
        },
    )?;
    overrides::apply(&mut suite, &args.variables.vars).map_err(Error::Usage)?;
    let warnings: Vec<Diagnostic> = (suite.stray.not_read.iter())
        .chain(&suite.stray.unused)
        .cloned()
        .collect();
    eprint!("{}", render_warnings(&warnings, Style::detect()));
    let mut recordings = 0;
    for api in &suite.apis {
        recordings += load_playback(&suite, api)?.entries.len();
    }
    let warned = match warnings.len() {
        0 => String::new(),
        1 => " (1 warning)".to_string(),
        n => format!(" ({n} warnings)"),
    };
    Out::line(&format!(
        "ok: {} APIs, {} case files, {} cases, {} schemas, {} recorded interactions{warned}",
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
