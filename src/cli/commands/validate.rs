//! `conform validate`: load and check every case file, schema and recording; send nothing.

use std::path::{Path, PathBuf};

use super::Out;
use crate::case::{load_suite, overrides, Api, LoadError, LoadOptions, Suite};
use crate::cli::args::ValidateArgs;
use crate::diag::{render_warnings, Diagnostic, Style};
use crate::error::{Error, EXIT_OK};
use crate::mock::playback::Playback;

/// `--strict`: warnings are errors (exit 2) instead of lines on stderr.
pub fn validate(root: &Path, args: ValidateArgs) -> Result<i32, Error> {
    let specs = spec_args(&args.spec, args.api.as_deref())?;
    let env = args.env.clone();
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
    if specs.is_empty() {
        return Ok(EXIT_OK);
    }
    super::validate_spec::check(&suite, &specs, env.as_deref())
}

/// `--spec API=PATH` or `--spec PATH --api API`, in the order given.
fn spec_args(given: &[String], api: Option<&str>) -> Result<Vec<(String, PathBuf)>, Error> {
    given
        .iter()
        .map(|arg| match (arg.split_once('='), api) {
            (Some((name, path)), _) if !name.is_empty() && !name.contains(['/', '\\']) => {
                Ok((name.to_string(), PathBuf::from(path)))
            }
            (_, Some(api)) => Ok((api.to_string(), PathBuf::from(arg))),
            _ => Err(Error::Usage(format!(
                "--spec `{arg}` does not say which API it describes: write `--spec API=PATH`, or add `--api API`"
            ))),
        })
        .collect()
}

/// An API's recordings, every problem a located load error.
pub fn load_playback(suite: &Suite, api: &Api) -> Result<Playback, Error> {
    Playback::load(&suite.root, api)
        .map_err(|diagnostics| Error::Load(LoadError::from_diagnostics(diagnostics)))
}
