//! `conform drift`: `run` against a live target plus the drift observer; every live response is
//! compared with its recording, and drift.json and drift.md are written to the report folder;
//! with `--report html`, report.html is written after the analysis, with a drift section.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::{new_runtime, process_signals, tell_cleanup_not_run, tell_interrupted, Out};
use crate::case::LoadError;
use crate::check::snapshot;
use crate::cli::args::DriftArgs;
use crate::cli::resolve::{self, ProcessEnv};
use crate::drift::analyse::{analyse, load_recordings};
use crate::drift::observer::DriftObserver;
use crate::drift::{render, scenario};
use crate::error::Error;
use crate::http::Transport;
use crate::report::collect::DocReporter;
use crate::report::doc::ReportDoc;
use crate::report::Format;
use crate::run::Observer;
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
    // The run's own HTML reporter would write before drift is known: a collector keeps the
    // report document instead, and report.html is written with the drift section at the end.
    let html = config.reports.formats.contains(&Format::Html);
    config.reports.formats.retain(|f| *f != Format::Html);
    let page = config.reports.page.clone();
    let report: Arc<Mutex<Option<ReportDoc>>> = Arc::default();
    let slot = Arc::clone(&report);
    let mut collector = DocReporter::new(Box::new(move |doc| {
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(doc.clone());
        Ok(())
    }));
    let transport_options = config.transport.clone();
    let mut session = Session::prepare(root, config)?;
    let apis: Vec<usize> = session.plan().apis().into_iter().collect();
    if let Some(suite) = session.suite_mut() {
        scenario::name_scenarios(suite, &apis, &scenario::run_name());
    }
    let suite = std::sync::Arc::clone(session.suite());
    let recordings =
        load_recordings(&suite, &apis).map_err(|d| Error::Load(LoadError::from_diagnostics(d)))?;
    let mut observer = DriftObserver::default();
    let runtime = new_runtime()?;
    let mut observers: Vec<&mut dyn Observer> = vec![&mut observer];
    if html {
        observers.push(&mut collector);
    }
    let end = runtime.block_on(async { session.run(process_signals(), &mut observers).await })?;
    drop(observers);
    let report = report.lock().unwrap_or_else(|e| e.into_inner()).take();
    let write_html = |body: String| {
        crate::fsutil::write_atomic(&dir.join("report.html"), body.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write the HTML report: {e}")))
    };
    tell_cleanup_not_run(&end);
    if end.summary.interrupted > 0 {
        if let Some(report) = &report {
            write_html(crate::report::html::render(report, &page))?;
        }
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
    if let Some(report) = &report {
        write_html(crate::drift::html::page(report, &page, &doc))?;
    }
    Out::text(&render::terminal(&doc));
    let with_html = if report.is_some() {
        ", report.html"
    } else {
        ""
    };
    Out::line(&format!(
        "drift report: {}{with_html} and drift.md",
        dir.join("drift.json").display()
    ));
    for r in &doc.refused {
        eprintln!("warning: {}", r.message);
    }
    Ok(doc.summary.exit_code())
}
