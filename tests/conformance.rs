//! The project's own suite gates `cargo test`: one test per case file under `cases/`, run on the
//! embedded playback server exactly as `conform run` does. A test fails when any case of its file
//! fails (status, headers, schema, assertions, captures, snapshots), and every snapshot is also
//! asserted with insta against the same `snapshots/<api>/*.snap` file, so `cargo insta review`
//! shows pending changes from `cargo test` as it does from `conform run`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use conform::case::{load_suite, LoadOptions};
use conform::check::{snapshot, ParsedBody};
use conform::http::TransportOptions;
use conform::mock::playback::{serve, Playback};
use conform::plan::{plan, Selection};
use conform::run::{Event, OutcomeStatus, RunConfig};
use conform::session::{execute, ReportOptions};
use rstest::rstest;

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
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let suite = Arc::new(
        load_suite(
            root,
            &LoadOptions {
                apis: vec![api_name.clone()],
                ..LoadOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}")),
    );
    let selection = Selection {
        apis: vec![api_name.clone()],
        filter: Some(format!("{api_name}/{stem}::")),
        tags: Vec::new(),
    };
    let the_plan = plan(&suite, &selection).unwrap();
    assert!(the_plan.case_count() > 0, "{} has no cases", path.display());
    let api = suite.api(&api_name).unwrap();
    let playback = Arc::new(Playback::load(root, api).unwrap_or_else(|d| panic!("{d:?}")));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let events = runtime.block_on(async {
        let server = serve(playback, "127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let config = RunConfig {
            jobs: 1,
            transport: TransportOptions::default(),
            targets: HashMap::from([(api_name.clone(), server.base_url())]),
            env: None,
            playback: true,
            keep_exchanges: true,
            // Read-only here: insta below owns writing pending snapshots.
            snapshots: snapshot::Mode::Ci,
        };
        let reports = ReportOptions {
            dir: tempfile::tempdir().unwrap().keep(),
            terminal: Box::new(std::io::sink()),
            interactive: false,
        };
        let mut events = Vec::new();
        let never_stop = std::future::pending::<()>();
        execute(
            Arc::clone(&suite),
            &the_plan,
            config,
            reports,
            never_stop,
            |e| {
                let Event::CaseFinished {
                    outcome,
                    at,
                    exchange,
                } = e;
                events.push((outcome.clone(), *at, exchange.clone()));
            },
        )
        .await
        .unwrap();
        server.shutdown().await;
        events
    });

    // Snapshots first: insta shows the diff and leaves a `.snap.new` for `cargo insta review`.
    let redactor = conform::redact::redactor_for(api, &conform::redact::secret_values(api));
    for (_, (_, fi, ci), exchange) in &events {
        let case = &api.files[*fi].cases[*ci];
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
    for (outcome, _, _) in &events {
        if outcome.status == OutcomeStatus::Failed {
            let mut why: Vec<String> = outcome
                .failed_checks()
                .map(|c| format!("{}: {}", c.subject, c.message))
                .collect();
            why.extend(outcome.error.clone());
            failures.push(format!("{}:\n    {}", outcome.case, why.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed on playback:\n  {}",
        path.display(),
        failures.join("\n  ")
    );
}
