//! The report document (`report.json`): versioned, read back into `ReportDoc`, described by the
//! committed JSON Schema, identical across two identical runs apart from times.
//! Regenerate the schema with `CONFORM_UPDATE_SCHEMAS=1 cargo test --test report_doc`.

mod common;

use std::path::Path;
use std::process::Command;

use conform::report::doc::{json_schema, ReportDoc, FORMAT};
use serde_json::Value;

const SCHEMA: &str = "schemas/conform/report.schema.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `conform run` of the whole embedded suite with its reports in `dir`.
fn run_suite(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["-C"])
        .arg(root())
        .args(["run", "--report-dir"])
        .arg(dir)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::read_to_string(dir.join("report.json")).unwrap()
}

#[test]
fn two_runs_give_the_same_document_apart_from_times_and_it_reads_back() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first, second) = (run_suite(a.path()), run_suite(b.path()));
    let pretty = |t: &str| serde_json::to_string_pretty(&common::without_times(t)).unwrap();
    let (x, y) = (pretty(&first), pretty(&second));
    if x != y {
        let diff = similar::TextDiff::from_lines(&x, &y);
        let shown: String = diff
            .unified_diff()
            .context_radius(2)
            .to_string()
            .lines()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n");
        panic!("two identical runs differ beyond times:\n{shown}");
    }
    // Byte-identical apart from times: the same lines, in the same order.
    let lines = |t: &str| t.lines().count();
    assert_eq!(lines(&first), lines(&second));

    let doc = ReportDoc::from_json(&first).unwrap();
    assert_eq!(doc.format, FORMAT);
    assert_eq!(doc.outcomes.len(), doc.summary.total);
    assert_eq!(doc.run.planned, doc.summary.total);
    assert_eq!(doc.summary.passed, doc.summary.total);
    assert_eq!(doc.run.targets.len(), 5);
    assert!(doc.run.targets.iter().all(|t| t.target == "playback"));
    // Plan order: API folders, then the API's setup (api.yaml), then case files, in name order.
    let files: Vec<&str> = doc.outcomes.iter().map(|o| o.file.as_str()).collect();
    let mut sorted = files.clone();
    let key = |f: &&str| {
        let (dir, name) = f.rsplit_once('/').unwrap();
        (dir.to_string(), name != "api.yaml", name.to_string())
    };
    sorted.sort_by_key(key);
    assert_eq!(files, sorted);
}

#[test]
fn the_committed_schema_is_current_and_describes_a_written_report() {
    let generated = json_schema();
    let full = root().join(SCHEMA);
    if std::env::var_os("CONFORM_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&full, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA} is out of date: run CONFORM_UPDATE_SCHEMAS=1 cargo test --test report_doc"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report: Value = serde_json::from_str(&run_suite(dir.path())).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = report.clone();
    broken["summary"]["passed"] = Value::from("all");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn another_format_is_refused_when_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let text = run_suite(dir.path()).replacen(FORMAT, "conform-report/1", 1);
    let err = ReportDoc::from_json(&text).unwrap_err();
    assert!(err.contains("is not `conform-report/2`"), "{err}");
}
