//! `conform coverage`: which documented endpoints and statuses the cases exercise.

use std::path::Path;

use super::Out;
use crate::case::{load_suite, LoadOptions};
use crate::cli::args::CoverageArgs;
use crate::error::{Error, EXIT_FAILED, EXIT_OK};
use crate::plan::{plan, Selection};

pub fn coverage(root: &Path, args: CoverageArgs) -> Result<i32, Error> {
    use crate::coverage;
    if let Some(min) = args.min.filter(|m| !(0.0..=100.0).contains(m)) {
        return Err(Error::Usage(format!("--min must be 0 to 100, got {min}")));
    }
    let suite = load_suite(root, &LoadOptions::default())?;
    let apis: Vec<String> = args.api.iter().cloned().collect();
    plan(
        &suite,
        &Selection {
            apis: apis.clone(),
            ..Selection::default()
        },
    )
    .map_err(Error::Usage)?;
    let selected: Vec<&crate::case::Api> = suite
        .apis
        .iter()
        .filter(|a| apis.is_empty() || apis.contains(&a.name))
        .collect();
    let given = match (&args.spec, &args.catalog) {
        (Some(spec), _) => Some((
            coverage::from_spec(&crate::import::spec::Spec::load(spec)?),
            spec,
        )),
        (None, Some(catalog)) => Some((coverage::from_catalog(catalog)?, catalog)),
        (None, None) => None,
    };
    if given.is_some() && selected.len() != 1 {
        return Err(Error::Usage(
            "--spec and --catalog describe one API: name it with --api".into(),
        ));
    }
    let run = match &args.run {
        Some(path) => Some(read_run(root, path)?),
        None => None,
    };
    let mut report: Vec<coverage::ApiCoverage> = selected
        .iter()
        .map(|api| match &given {
            Some((documented, file)) => {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                coverage::compute(api, documented, &name)
            }
            None => coverage::compute(api, &coverage::from_api_file(api), "api.yaml"),
        })
        .collect();
    if let Some(run) = &run {
        report
            .iter_mut()
            .for_each(|c| coverage::apply_run(c, &run.outcomes));
    }
    Out::text(&coverage::render_table(&report));
    let dir = root.join(&args.report_dir);
    let write = |name: &str, text: String| {
        crate::fsutil::write_atomic(&dir.join(name), text.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write {name}: {e}")))
    };
    write("coverage.json", coverage::to_json(&report))?;
    write("coverage.md", coverage::render_markdown(&report))?;
    let total = coverage::overall_percent(&report);
    match args.min {
        Some(min) if total < min => {
            Out::line(&format!("coverage {total:.1}% is below --min {min}%"));
            Ok(EXIT_FAILED)
        }
        _ => Ok(EXIT_OK),
    }
}

/// The run report given with `--run` (relative to the project).
fn read_run(root: &Path, path: &Path) -> Result<crate::report::doc::ReportDoc, Error> {
    let full = root.join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| Error::Usage(format!("--run {}: {e}", path.display())))?;
    crate::report::doc::ReportDoc::from_json(&text)
        .map_err(|e| Error::Usage(format!("--run {}: {e}", path.display())))
}
