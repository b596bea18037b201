//! The project's own suite gates `cargo test`: one test per case file under `cases/`, run on the
//! embedded playback server exactly as `conform run` does. A test fails when any case of its file
//! fails (status, headers, schema, assertions, captures, snapshots), and every snapshot is also
//! asserted with insta against the same `snapshots/<api>/*.snap` file, so `cargo insta review`
//! shows pending changes from `cargo test` as it does from `conform run`.

use std::path::{Path, PathBuf};

use conform::case::CaseId;
use conform::check::{snapshot, ParsedBody};
use conform::http::TransportOptions;
use conform::plan::Selection;
use conform::report::{Format, ReportConfig, TerminalConfig};
use conform::run::event::Observer;
use conform::run::{CaseOutcome, Event, Exchange, OutcomeStatus};
use conform::session::{Session, SessionConfig, Signals, TargetChoice};
use rstest::rstest;

/// Keeps every finished case's outcome and exchange.
#[derive(Default)]
struct Collect(Vec<(CaseOutcome, Option<Exchange>)>);

impl Observer for Collect {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        if let Event::CaseFinished(f) = event {
            self.0
                .push(((*f.outcome).clone(), f.exchange.as_deref().cloned()));
        }
        Ok(())
    }
}

#[rstest]
fn case_file_holds_on_playback(
    #[files("cases/*/*.yaml")]
    #[exclude("/api\\.yaml$")]
    path: PathBuf,
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let api_name = path
        .parent()
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let relative = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // The same session the CLI builds for `conform run --api API --filter FILE`.
    let config = SessionConfig {
        selection: Selection {
            apis: vec![api_name.clone()],
            filter: Some(relative),
            ..Selection::default()
        },
        target: TargetChoice::Playback,
        env: None,
        vars: Vec::new(),
        jobs: 1,
        transport: TransportOptions::default(),
        // Read-only here: insta below owns writing pending snapshots.
        snapshots: snapshot::Mode::Ci,
        keep_exchanges: true,
        staging: None,
        shard: None,
        grace: std::time::Duration::from_secs(10),
        reports: ReportConfig {
            dir: tempfile::tempdir().unwrap().keep(),
            formats: vec![Format::Json],
            terminal: TerminalConfig {
                out: Box::new(std::io::sink()),
                interactive: false,
                verbose: 0,
            },
            step_summary: None,
            page: Default::default(),
        },
    };
    let session = Session::prepare(root, config).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        session.plan().case_count() > 0,
        "{} has no cases",
        path.display()
    );
    let suite = std::sync::Arc::clone(session.suite());
    let api = suite.api(&api_name).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut collect = Collect::default();
    runtime
        .block_on(session.run(Signals::never(), &mut [&mut collect]))
        .unwrap();
    let events = collect.0;

    // Snapshots first: insta shows the diff and leaves a `.snap.new` for `cargo insta review`.
    let redactor = conform::redact::redactor_for(api, &conform::redact::secret_values(api));
    for (outcome, exchange) in &events {
        let CaseId { file, case, .. } = &outcome.id;
        let file = api.files.iter().find(|f| &f.stem == file).unwrap();
        let case = file.cases.iter().find(|c| &c.name == case).unwrap();
        let (Some(spec), Some(exchange)) = (&case.expect.snapshot, exchange) else {
            continue;
        };
        let body = ParsedBody::parse(&exchange.response.body);
        let content = snapshot::render(spec, &exchange.response, Some(&body), &redactor);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root.join("snapshots").join(&api_name));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(spec.name.clone(), content));
    }

    let mut failures = Vec::new();
    for (outcome, _) in &events {
        if matches!(outcome.status, OutcomeStatus::Failed | OutcomeStatus::Error) {
            let mut why: Vec<String> = outcome
                .failed_checks()
                .map(|c| format!("{}: {}", c.subject, c.message))
                .collect();
            why.extend(outcome.error.clone());
            failures.push(format!("{}:\n    {}", outcome.id, why.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed on playback:\n  {}",
        path.display(),
        failures.join("\n  ")
    );
}
