//! `--report github` and `--report markdown`: annotations and the job summary against golden
//! files, with GitHub's caps exercised by 100 failures; and a real run writing both.
//! `CONFORM_UPDATE_GOLDEN=1 cargo test --test report_github` rewrites the golden files.

use std::path::Path;
use std::process::Command;

use conform::report::doc::ReportDoc;
use conform::report::{github, markdown};
use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A document of `n` cases, times all 0: every 10th passes, the first 30 failures could not be
/// checked (so that ranking by severity matters), the rest failed a check; each failed check
/// carries `diff_bytes` bytes of diff.
fn doc(n: usize, diff_bytes: usize) -> ReportDoc {
    let mut outcomes = Vec::new();
    let (mut errors, mut summary) = (
        0,
        json!({"total": n, "passed": 0, "failed": 0, "errors": 0,
        "skipped": 0, "interrupted": 0, "duration_ms": 0.0}),
    );
    for i in 0..n {
        let api = if i % 2 == 0 { "kimai" } else { "crm" };
        let id = format!("{api}/file_{:03}::case {i}", i / 4);
        let base = json!({
            "id": id, "file": format!("cases/{api}/file_{:03}.yaml", i / 4), "line": 3 + i % 4 * 7,
            "endpoint": "GET /api/customers/{id}", "duration_ms": 0.0, "checks": [],
            "request": {"method": "GET", "url": format!("http://127.0.0.1/api/customers/{i}")},
        });
        let mut o = base.as_object().unwrap().clone();
        let key = if i % 10 == 9 {
            o.insert("status".into(), json!("passed"));
            "passed"
        } else if errors < 30 {
            errors += 1;
            o.insert("status".into(), json!("error"));
            o.insert(
                "error".into(),
                json!(format!("connection refused (case {i})")),
            );
            "errors"
        } else {
            o.insert("status".into(), json!("failed"));
            let mut diff = String::new();
            for k in 0.. {
                if diff.len() >= diff_bytes {
                    break;
                }
                diff.push_str(&format!(
                    "-  \"name\": \"old {k}\"\n+  \"name\": \"new {k}\"\n"
                ));
            }
            // A hostile message must not open a second workflow command.
            let message = format!("status 500, expected 200\n::error file=evil::injected {i}");
            o.insert(
                "checks".into(),
                json!([{"kind": "status", "passed": false, "subject": "status",
                        "message": message, "diff": diff}]),
            );
            o.insert("response".into(), json!({"status": 500, "elapsed_ms": 0.0}));
            o.insert("class".into(), json!("contract"));
            summary["contract"] = json!(summary["contract"].as_u64().unwrap_or(0) + 1);
            "failed"
        };
        summary[key] = json!(summary[key].as_u64().unwrap() + 1);
        outcomes.push(Value::Object(o));
    }
    let doc = json!({
        "format": conform::report::doc::FORMAT, "conform_version": env!("CARGO_PKG_VERSION"),
        "run": {"planned": n, "selection": {"shard": "2/3"},
                "targets": [{"api": "crm", "target": "playback"}, {"api": "kimai", "target": "playback"}]},
        "outcomes": outcomes, "summary": summary,
    });
    ReportDoc::from_json(&doc.to_string()).unwrap()
}

/// Compares `actual` with `tests/golden/<name>` (or rewrites it).
fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("CONFORM_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (CONFORM_UPDATE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual);
        panic!(
            "{name} differs from its golden file (CONFORM_UPDATE_GOLDEN=1 rewrites it):\n{}",
            diff.unified_diff().context_radius(2)
        );
    }
}

#[test]
fn a_hundred_failures_give_ten_annotations_most_severe_first() {
    let doc = doc(100, 200);
    let text = github::annotations(&doc);
    golden("github-annotations-100.txt", &text);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), github::MAX_ANNOTATIONS);
    // 90 failures: 30 could not be checked (first in plan order), 60 failed; failed rank first.
    assert!(errors.iter().all(|l| l.contains("(contract)")), "{text}");
    assert!(text.contains("::warning title=conform::80 more failures are not annotated"));
    assert!(
        errors[0].starts_with("::error file=cases/crm/file_008.yaml,line=10,"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("::error file=evil")),
        "{text}"
    );
    assert_eq!(text.lines().count(), github::MAX_ANNOTATIONS + 1);
}

#[test]
fn the_job_summary_keeps_to_its_budget_and_says_what_it_left_out() {
    let doc = doc(100, 200);
    let budget = 16 * 1024;
    let text = markdown::render(&doc, budget);
    golden("github-summary-100-16k.md", &text);
    assert!(text.len() <= budget, "{} bytes", text.len());
    assert!(text.starts_with("## conform: FAILED\n\n10 passed, 60 failed, 0 skipped, 30 could not be checked (100 cases in 0.00 s)"), "{text}");
    let shown = text.matches("\n#### ").count();
    assert!(shown > 0 && shown < 90, "{shown} failures shown");
    assert!(
        text.contains(&format!(
            "> **Truncated:** {shown} of 90 failures shown, to stay under {budget} bytes."
        )),
        "{text}"
    );
    // Without a budget every failure is there.
    let whole = markdown::render(&doc, markdown::UNLIMITED);
    assert_eq!(whole.matches("\n#### ").count(), 90);
    assert!(!whole.contains("Truncated"));
}

#[test]
fn a_summary_of_big_failures_stays_under_githubs_one_mib() {
    let doc = doc(100, 20 * 1024);
    let whole = markdown::render(&doc, markdown::UNLIMITED);
    assert!(
        whole.len() > 1 << 20,
        "the test needs more than 1 MiB: {}",
        whole.len()
    );
    let text = markdown::render(&doc, github::SUMMARY_MAX_BYTES);
    assert!(text.len() < 1 << 20, "{} bytes", text.len());
    assert!(text.contains("> **Truncated:** "), "no truncation note");
}

#[test]
fn a_run_with_report_github_appends_the_summary_and_writes_report_md() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(root())
        .args([
            "run",
            "--api",
            "kimai",
            "--report",
            "github",
            "--report",
            "markdown",
            "--report-dir",
        ])
        .arg(dir.path().join("reports"))
        .env("CI", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("::error"), "{stdout}");
    let appended = std::fs::read_to_string(&summary).unwrap();
    assert!(
        appended.starts_with("earlier step\n## conform: ok\n"),
        "{appended}"
    );
    assert!(appended.contains("| kimai | playback |"), "{appended}");
    let md = std::fs::read_to_string(dir.path().join("reports/report.md")).unwrap();
    assert_eq!(md, appended.trim_start_matches("earlier step\n"));
}
