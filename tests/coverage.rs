//! `conform coverage` on a small fixture API (tests/fixtures/coverage): the exact table from
//! api.yaml and from a catalog, --min, coverage.json/.md, and the coverage lines of `conform run`.

mod common;

use std::path::Path;

use common::Project;
use httpmock::prelude::*;
use rstest::rstest;
use serde_json::{json, Value};

/// A temporary copy of the fixture project.
fn shop() -> Project {
    let p = Project {
        dir: tempfile::tempdir().unwrap(),
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/coverage");
    for file in common::all_files(&fixture) {
        let rel = file.strip_prefix(&fixture).unwrap();
        p.write(
            &rel.display().to_string(),
            &std::fs::read_to_string(&file).unwrap(),
        );
    }
    p
}

const FROM_API_FILE: &str = "\
shop (api.yaml): 2 of 4 documented endpoints have cases (50.0%)
  GET     /items       2 cases   exercises 200, 4xx
  POST    /items       no case
  GET     /items/{id}  1 case    exercises 200, 404
  DELETE  /items/{id}  no case
  not documented:
  GET     /health      1 case    exercises 2xx
";

const FROM_CATALOG: &str = "\
shop (catalog.json): 2 of 4 documented endpoints have cases (50.0%), 4 of 8 documented statuses exercised
  GET     /items       2 cases   200 ✓  401 ✓  exercises 4xx
  POST    /items       no case   201 ✗  422 ✗
  GET     /items/{id}  1 case    200 ✓  404 ✓  500 ✗
  DELETE  /items/{id}  no case   204 ✗
  not documented:
  GET     /health      1 case    exercises 2xx
";

#[rstest]
#[case::api_file(&[], FROM_API_FILE)]
#[case::catalog(&["--catalog", "catalog.json"], FROM_CATALOG)]
#[case::catalog_with_api(&["--api", "shop", "--catalog", "catalog.json"], FROM_CATALOG)]
fn prints_the_table(#[case] args: &[&str], #[case] expected: &str) {
    let p = shop();
    let run = p.conform(&[&["coverage"], args].concat());
    assert_eq!(run.code(), 0, "{}", run.all());
    assert_eq!(run.stdout(), expected);
}

#[rstest]
#[case::below("60", 1)]
#[case::at("50", 0)]
fn min_percent_sets_the_exit_code(#[case] min: &str, #[case] code: i32) {
    let p = shop();
    let run = p.conform(&["coverage", "--min", min]);
    assert_eq!(run.code(), code, "{}", run.all());
    assert_eq!(
        run.stdout().contains("coverage 50.0% is below --min"),
        code == 1
    );
}

#[test]
fn writes_json_and_markdown() {
    let p = shop();
    let run = p.conform(&[
        "coverage",
        "--catalog",
        "catalog.json",
        "--report-dir",
        "out",
    ]);
    assert_eq!(run.code(), 0, "{}", run.all());
    let report: Value = serde_json::from_str(&p.read("out/coverage.json")).unwrap();
    assert_eq!(report["format"], "conform-coverage/1");
    assert_eq!(report["percent"], 50.0);
    let api = &report["apis"][0];
    assert_eq!(api["statuses_documented"], 8);
    assert_eq!(api["statuses_exercised"], 4);
    assert_eq!(
        api["endpoints"][2]["statuses"],
        json!([
            {"status": "200", "exercised": true},
            {"status": "404", "exercised": true},
            {"status": "500", "exercised": false}
        ])
    );
    assert_eq!(api["undocumented"][0]["path"], "/health");
    let md = p.read("out/coverage.md");
    assert!(
        md.contains("| `GET /items/{id}` | 1 case | 200 ✓  404 ✓  500 ✗ |\n"),
        "{md}"
    );
    assert!(md.contains("| `GET /health` (not documented) | 1 case | exercises 2xx |\n"));
}

#[test]
fn spec_needs_one_api_and_bad_catalog_is_usage() {
    let p = shop();
    p.write("cases/other/api.yaml", "name: other\n");
    let run = p.conform(&["coverage", "--catalog", "catalog.json"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("name it with --api"),
        "{}",
        run.stderr()
    );
    p.write("bad.json", "{\"not\": \"an array\"}");
    let run = p.conform(&["coverage", "--api", "shop", "--catalog", "bad.json"]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stderr().contains("is not a JSON array"),
        "{}",
        run.stderr()
    );
}

#[test]
fn run_reports_coverage_per_api() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({}));
    });
    let p = shop();
    let run = p.conform(&["run", "--base-url", &server.base_url()]);
    assert!(
        run.stdout().contains(
            "\ncoverage shop (api.yaml): 2 of 4 documented endpoints have cases (50.0%)\n"
        ),
        "{}",
        run.all()
    );
    let report: Value = serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(
        report["run"]["coverage"][0],
        json!({
            "api": "shop", "source": "api.yaml", "documented": 4, "with_cases": 2, "percent": 50.0,
            "without_cases": ["POST /items", "DELETE /items/{id}"],
            "headline": "shop (api.yaml): 2 of 4 documented endpoints have cases (50.0%)"
        })
    );
}

/// Every endpoint of every seed has cases: measured against the reference catalogs (built from the
/// seeds), not against the suites' own `endpoints:` lists. Mindbody's catalog writes full paths
/// (`/public/v6/client/...`) under a base URL that already holds `/public/v6`.
#[rstest]
#[case::kimai("kimai", 8)]
#[case::mindbody("mindbody", 42)]
#[case::timetap("timetap", 19)]
#[case::trackops("trackops", 4)]
#[case::perfectgym("perfectgym", 27)]
fn every_seed_endpoint_has_cases(#[case] api: &str, #[case] count: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = root.join(format!("../shared/reference/{api}/endpoints.json"));
    let report = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(root)
        .args(["coverage", "--api", api, "--min", "100", "--catalog"])
        .arg(&catalog)
        .arg("--report-dir")
        .arg(report.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{count} of {count} documented endpoints have cases (100.0%)"
        )),
        "{stdout}"
    );
}

/// A suite whose every case fails is not "covered": with the run's report, coverage counts the
/// cases that passed and `--min` gates on them.
#[test]
fn coverage_with_a_run_report_counts_passing_cases() {
    let failing = MockServer::start();
    failing.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let p = shop();
    let run = p.conform(&["run", "--base-url", &failing.base_url()]);
    assert_eq!(run.code(), 1, "{}", run.all());
    let cov = p.conform(&[
        "coverage",
        "--run",
        "target/conform/report.json",
        "--min",
        "50",
    ]);
    assert_eq!(cov.code(), 1, "{}", cov.all());
    assert!(
        cov.stdout().starts_with(
            "shop (api.yaml): 2 of 4 documented endpoints have cases (50.0%), 0 with a case that passed (0.0%)\n"
        ),
        "{}",
        cov.stdout()
    );
    assert!(
        cov.stdout().contains("2 cases, 0 passed"),
        "{}",
        cov.stdout()
    );
    assert!(cov.stdout().contains("coverage 0.0% is below --min 50%"));
    // Without the run report the same suite is at 50%.
    assert_eq!(p.conform(&["coverage", "--min", "50"]).code(), 0);

    let passing = MockServer::start();
    passing.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(json!({}));
    });
    p.conform(&["run", "--base-url", &passing.base_url()]);
    let cov = p.conform(&["coverage", "--run", "target/conform/report.json"]);
    assert!(
        cov.stdout().contains("with a case that passed"),
        "{}",
        cov.stdout()
    );
    let bad = p.conform(&["coverage", "--run", "nope.json"]);
    assert_eq!(bad.code(), 2, "{}", bad.all());
}
