//! `conform report merge DIR...`: the shards' report documents become one run's reports.

use super::Out;
use crate::cli::args::MergeArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::error::Error;
use crate::exit::EXIT_UNCHECKED;
use crate::report::{self, merge, Format, ReportConfig, TerminalConfig};

/// The files a merge writes: what a run writes by default, plus HTML and Markdown.
const MERGED: &[Format] = &[Format::Json, Format::Junit, Format::Html, Format::Markdown];

pub fn merge(root: &std::path::Path, args: MergeArgs, env: &ProcessEnv) -> Result<i32, Error> {
    let dirs: Vec<_> = args.dirs.iter().map(|d| root.join(d)).collect();
    let docs = merge::read(&dirs).map_err(Error::Usage)?;
    let merged = merge::merge(docs).map_err(Error::Usage)?;
    let mut formats = MERGED.to_vec();
    formats.extend(args.reports.iter().copied());
    let config = ReportConfig {
        dir: root.join(&args.report_dir),
        formats,
        terminal: TerminalConfig {
            out: Box::new(std::io::stdout()),
            interactive: false,
            verbose: 0,
        },
        step_summary: env.github_step_summary.clone(),
        page: resolve::page(root, &args.report_dir, env),
    };
    let mut reporters =
        report::build(config).map_err(|e| Error::Io(format!("cannot create the reports: {e}")))?;
    report::replay(&merged.doc, &mut reporters).map_err(Error::Io)?;
    let mut code = merged.doc.summary.exit_code();
    if !merged.missing.is_empty() {
        eprintln!(
            "missing shards: {} (their cases are not in the merged report)",
            merged.missing.join(", ")
        );
        if code == crate::exit::EXIT_OK {
            code = EXIT_UNCHECKED;
        }
    }
    Out::line(&format!(
        "merged reports: {}",
        root.join(&args.report_dir).display()
    ));
    Ok(code)
}
