//! `conform drift`: `run` against a live target plus the drift observer; every live response is
//! compared with its recording, and drift.json and drift.md are written to the report folder.

use std::path::Path;

use super::{new_runtime, process_signals, tell_cleanup_not_run, tell_interrupted, Out};
use crate::case::LoadError;
use crate::check::snapshot;
use crate::cli::args::DriftArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::drift::analyse::{analyse, load_recordings};
use crate::drift::observer::DriftObserver;
use crate::drift::render;
use crate::error::Error;
use crate::http::Transport;
use crate::session::{Session, TargetChoice};

pub fn drift(root: &Path, args: DriftArgs, env: &ProcessEnv) -> Result<i32, Error> {
    let mut config = resolve::session(root, &args.cases, snapshot::Mode::Ci, env)?;
    if config.target == TargetChoice::Playback {
        return Err(Error::Usage(
            "drift needs a live target: --base-url URL or --env NAME".into(),
        ));
    }
    config.keep_exchanges = true;
    // The terminal shows drift, not the run; file reports only when asked for with --report.
    config.reports.terminal.out = Box::new(std::io::sink());
    config.reports.terminal.interactive = false;
    if args.cases.reports.reports.is_empty() {
        config.reports.formats.clear();
    }
    let dir = config.reports.dir.clone();
    let files = config.reports.files();
    let transport_options = config.transport.clone();
    let session = Session::prepare(root, config)?;
    let suite = std::sync::Arc::clone(session.suite());
    let apis: Vec<usize> = session.plan().apis().into_iter().collect();
    let recordings =
        load_recordings(&suite, &apis).map_err(|d| Error::Load(LoadError::from_diagnostics(d)))?;
    let mut observer = DriftObserver::default();
    let runtime = new_runtime()?;
    let end =
        runtime.block_on(async { session.run(process_signals(), &mut [&mut observer]).await })?;
    tell_cleanup_not_run(&end);
    if end.summary.interrupted > 0 {
        tell_interrupted(&end.summary, &files);
        eprintln!("no drift report was written");
        return Ok(end.summary.exit_code());
    }
    let transport = Transport::new(transport_options).map_err(Error::Usage)?;
    let doc = runtime.block_on(analyse(&suite, &recordings, observer, Some(&transport)));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut json = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::Io(format!("cannot write drift.json: {e}")))?;
    json.push('\n');
    for (name, text) in [("drift.json", json), ("drift.md", render::markdown(&doc))] {
        crate::fsutil::write_atomic(&dir.join(name), text.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write {name}: {e}")))?;
    }
    Out::text(&render::terminal(&doc));
    Out::line(&format!(
        "drift report: {} and drift.md",
        dir.join("drift.json").display()
    ));
    for r in &doc.refused {
        eprintln!("warning: {}", r.message);
    }
    Ok(doc.summary.exit_code())
}
