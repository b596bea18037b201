//! `conform record`: `run` against a live target plus the recorder observer, which writes the
//! recordings at the end (scrubbed; nothing changes when the run is interrupted). With
//! `--from-drift`, nothing is sent: the accepted findings of a drift.json are written instead.

use std::path::Path;

use super::{new_runtime, process_signals, tell_cleanup_not_run, tell_interrupted, Out};
use crate::check::snapshot;
use crate::cli::args::RecordArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::drift::accept::{accept, AcceptOptions};
use crate::drift::{DriftDoc, Grade};
use crate::error::Error;
use crate::mock::record::Recorder;
use crate::session::{Session, TargetChoice};

pub fn record(root: &Path, args: RecordArgs, env: &ProcessEnv) -> Result<i32, Error> {
    if let Some(path) = &args.from_drift {
        return from_drift(root, path, &args);
    }
    let mut config = resolve::session(root, &args.cases, snapshot::Mode::Accept, env)?;
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

/// `record --from-drift drift.json`: the document's path is relative to the project.
fn from_drift(root: &Path, path: &Path, args: &RecordArgs) -> Result<i32, Error> {
    let text = std::fs::read_to_string(root.join(path))
        .map_err(|e| Error::Usage(format!("--from-drift {}: {e}", path.display())))?;
    let doc = DriftDoc::from_json(&text)
        .map_err(|e| Error::Usage(format!("--from-drift {}: {e}", path.display())))?;
    let grades = if args.grade.is_empty() && args.accept.is_empty() {
        vec![Grade::Additive, Grade::Value]
    } else {
        args.grade.clone()
    };
    let options = AcceptOptions {
        grades,
        fingerprints: args.accept.clone(),
    };
    crate::drift::accept::check(&doc, &options).map_err(Error::Usage)?;
    let done = accept(root, &doc, &options).map_err(Error::Io)?;
    let mut text = format!(
        "accepted the drift of {} cases; {} recording files changed\n",
        done.cases.len(),
        done.files.len()
    );
    for file in &done.files {
        text.push_str(&format!("  wrote {}\n", file.display()));
    }
    for (case, why) in &done.held {
        text.push_str(&format!("  kept {case}: {why}\n"));
    }
    Out::text(&text);
    Ok(crate::exit::EXIT_OK)
}
