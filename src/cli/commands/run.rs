//! `conform run`: resolve, prepare, run until done or a signal, say where the reports are.

use std::path::Path;

use super::{new_runtime, process_signals, tell_cleanup_not_run, tell_interrupted, Out};
use crate::cli::args::RunArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::error::Error;
use crate::session::Session;

pub fn run(root: &Path, args: RunArgs, env: &ProcessEnv) -> Result<i32, Error> {
    let mut config = resolve::session(
        root,
        &args.cases,
        resolve::snapshot_mode(args.accept, env),
        env,
    )?;
    config.shard = resolve::shard(args.shard.as_deref(), env)?;
    let files = config.reports.files();
    let session = Session::prepare(root, config)?;
    let suite = std::sync::Arc::clone(session.suite());
    let end = new_runtime()?.block_on(async { session.run(process_signals(), &mut []).await })?;
    let summary = end.summary;
    tell_cleanup_not_run(&end);
    if summary.interrupted > 0 {
        tell_interrupted(&summary, &files);
    } else {
        Out::line(&format!(
            "reports: {}",
            root.join(&args.cases.reports.report_dir).display()
        ));
    }
    // The process exits right after a run: leave the suite's many small allocations to the OS
    // instead of freeing them one by one (tens of milliseconds for 10,000 cases).
    std::mem::forget(suite);
    Ok(summary.exit_code())
}
