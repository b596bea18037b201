//! One file per command; what they share (the runtime, signals, stdout) is here.

pub mod coverage;
pub mod drift;
pub mod import;
pub mod list;
pub mod mock;
pub mod record;
pub mod report;
pub mod review;
pub mod run;
pub mod validate;
pub mod validate_spec;

use std::io::Write;
use std::path::PathBuf;

use crate::error::Error;
use crate::run::Summary;

pub fn new_runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM (a CI cancel, `docker stop`); never, if no
/// handler can be installed.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_err() { std::future::pending::<()>().await },
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Every SIGINT and SIGTERM, as the session's stop signals. Must be called inside the runtime.
pub fn process_signals() -> crate::session::Signals {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            stop_signal().await;
            if tx.send(()).is_err() {
                break;
            }
        }
    });
    crate::session::Signals::from_channel(rx)
}

/// Says which cleanup steps did not run after a second signal or the grace time.
pub fn tell_cleanup_not_run(end: &crate::session::RunEnd) {
    if end.cleanup_not_run.is_empty() {
        return;
    }
    let mut text = String::from(
        "cleanup skipped: these cleanup steps did not run, so what their flows created may remain on the server:\n",
    );
    for id in &end.cleanup_not_run {
        text.push_str(&format!("  {id}\n"));
    }
    eprint!("{text}");
}

/// What an interrupted run tells on stderr: how far it got and where the partial reports are.
pub fn tell_interrupted(summary: &Summary, files: &[PathBuf]) {
    let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    eprintln!(
        "interrupted: {} of {} cases did not finish (reported as interrupted)\npartial reports: {}",
        summary.interrupted,
        summary.total,
        files.join(" and ")
    );
}

/// stdout for command output. A closed pipe (`conform list | head -1`) is not an error: the
/// reader has what it wanted, and the command's exit code stays its own.
pub struct Out;

impl Out {
    pub fn text(text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }

    pub fn line(text: &str) {
        Out::text(&format!("{text}\n"));
    }
}
