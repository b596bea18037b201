//! `conform record`: `run` against a live target plus the recorder observer, which writes the
//! recordings at the end (scrubbed; nothing changes when the run is interrupted).

use std::path::Path;

use super::{new_runtime, process_signals, tell_cleanup_not_run, tell_interrupted, Out};
use crate::check::snapshot;
use crate::cli::args::RecordArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::error::Error;
use crate::mock::record::Recorder;
use crate::session::{Session, TargetChoice};

pub fn record(root: &Path, args: RecordArgs, env: &ProcessEnv) -> Result<i32, Error> {
    let mut config = resolve::session(root, &args.cases, snapshot::Mode::Record, env)?;
    if config.target == TargetChoice::Playback {
        return Err(Error::Usage(
            "record needs a live target: --base-url URL or --env NAME".into(),
        ));
    }
    config.keep_exchanges = true;
    // Snapshots wait in memory and are written with the recordings, after the run: all or nothing.
    let staging = std::sync::Arc::new(crate::fsutil::Staging::default());
    config.staging = Some(std::sync::Arc::clone(&staging));
    let files = config.reports.files();
    let session = Session::prepare(root, config)?;
    let suite = std::sync::Arc::clone(session.suite());
    let mut recorder = Recorder::default();
    let end = new_runtime()?
        .block_on(async { session.run(process_signals(), &mut [&mut recorder]).await })?;
    let summary = end.summary;
    tell_cleanup_not_run(&end);
    if summary.interrupted > 0 {
        tell_interrupted(&summary, &files);
        eprintln!("no recording or snapshot was changed");
        return Ok(summary.exit_code());
    }
    let recorded = recorder.len();
    let recordings = recorder
        .prepare(&suite)
        .map_err(|e| Error::Io(format!("cannot write recordings: {e}")))?;
    let mut changed = Vec::new();
    for file in recordings {
        crate::fsutil::check_write_inside(root, &file.path)
            .map_err(|e| Error::Usage(e.to_string()))?;
        staging.write(&file.path, file.bytes);
        changed.push(file.display);
    }
    staging
        .commit()
        .map_err(|e| Error::Io(format!("cannot write recordings and snapshots: {e}")))?;
    let mut text = format!(
        "recorded {recorded} exchanges; {} recording files changed\n",
        changed.len()
    );
    for path in changed {
        text.push_str(&format!("  wrote {}\n", path.display()));
    }
    Out::text(&text);
    Ok(summary.exit_code())
}
