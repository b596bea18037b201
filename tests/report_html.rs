//! `--report html`: one self-contained page, checked as text and, when a Chromium is installed,
//! in a real headless browser (`--dump-dom`: the script ran, the counts, a failure's diff and the
//! filters are in the rendered DOM), with a screenshot saved under `target/` to look at. Without
//! a browser the test says why and passes, except under `CI` (where `.ci/run` installs one).

mod common;

use std::path::Path;

use common::browser::{browser, headless};
use common::Project;
use httpmock::prelude::*;
use serde_json::json;

/// Runs a project against a server that answers differently from the committed snapshot: one
/// case passes, one fails its snapshot (a diff), one fails its status, one is skipped, and one
/// case name is hostile HTML.
fn failing_run() -> (Project, String) {
    // One server (a live run compares with its own target's snapshots, keyed by host and port)
    // whose answer changes between the two runs.
    let server = MockServer::start();
    let serve = |name: &str, tag: &str| {
        let body = json!({"id": 1, "name": name, "tags": [tag]});
        server.mock(|when, then| {
            when.method(GET).path("/items/1");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
    };
    let p = Project::demo();
    p.write(
        "cases/demo/items.yaml",
        "endpoint: GET /items/{id}\ncases:\n  - name: passes\n    tags: [smoke]\n    request: { path_params: { id: 1 } }\n    expect: { status: 200, schema: Item.json }\n  - name: snapshot drifted\n    tags: [smoke, drift]\n    request: { path_params: { id: 1 } }\n    expect: { snapshot: true }\n  - name: \"<script>alert(1)</script>\"\n    request: { path_params: { id: 1 } }\n    expect: { status: 201 }\n  - name: later\n    skip: waiting for the vendor\n    request: { path_params: { id: 1 } }\n",
    );
    // The snapshot is taken from one answer, then the server changes its answer.
    let mut before = serve("Acme", "a");
    let accepted = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--accept",
        "--filter",
        "snapshot",
    ]);
    assert_eq!(accepted.code(), 0, "{}", accepted.all());
    before.delete();
    let _after = serve("Acme Corp", "b");
    let out = p.conform(&[
        "run",
        "--base-url",
        &server.base_url(),
        "--report",
        "html",
        "--report",
        "json",
    ]);
    assert_eq!(out.code(), 1, "{}", out.all());
    let html = p.read("target/conform/report.html");
    (p, html)
}

#[test]
fn the_page_is_self_contained_escaped_and_failures_come_first() {
    let (_p, html) = failing_run();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(!html.contains(external), "the page loads `{external}`");
    }
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "unescaped case name"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let failures = html.find("id=\"failures\"").expect("a failures section");
    let all = html.find("id=\"cases\"").expect("a cases section");
    assert!(failures < all);
    assert!(
        html.contains("href=\"../../cases/demo/items.yaml#L"),
        "no case file link"
    );
    assert!(
        html.contains("<pre class=\"curl\">curl -X GET"),
        "no curl command"
    );
}

#[test]
fn ten_thousand_cases_stay_under_a_few_megabytes() {
    let outcomes: Vec<_> = (0..10_000)
        .map(|i| {
            let failed = i % 100 == 0;
            json!({"id": format!("kimai/file_{}::case {i}", i / 10), "file": format!("cases/kimai/file_{}.yaml", i / 10),
                   "line": 3, "endpoint": "GET /api/customers", "duration_ms": 1.0, "checks": [],
                   "status": if failed { "failed" } else { "passed" },
                   // The runner keeps at most 4 KiB of a body; one document body is huge anyway.
                   "response": {"status": 200, "elapsed_ms": 1.0, "body": match (failed, i) {
                       (true, 0) => "x".repeat(200_000),
                       (true, _) => "y".repeat(4096),
                       _ => String::new(),
                   }}})
        })
        .collect();
    let doc = json!({"format": conform::report::doc::FORMAT, "conform_version": "0", "run": {"planned": 10000,
        "selection": {}, "targets": []}, "outcomes": outcomes,
        "summary": {"total": 10000, "passed": 9900, "failed": 100, "skipped": 0, "interrupted": 0, "duration_ms": 1.0}});
    let doc = conform::report::doc::ReportDoc::from_json(&doc.to_string()).unwrap();
    let html = conform::report::html::render(&doc, &Default::default());
    assert!(html.len() < 6 << 20, "{} bytes", html.len());
    assert_eq!(html.matches("<p class=\"note\">cut: ").count(), 1);
    assert!(html.contains("cut: 134464 more bytes (bodies are cut past 65536 bytes)"));
}

#[test]
fn a_headless_browser_renders_the_counts_a_diff_and_the_filters() {
    let Some(browser) = browser() else {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !ci,
            "CI is set but no chromium is on PATH (.ci/run installs Debian's chromium)"
        );
        eprintln!(
            "no chromium, chromium-browser or google-chrome on PATH: the browser check did not run"
        );
        return;
    };
    let (p, _) = failing_run();
    let page = p.path("target/conform/report.html");
    let dom = headless(&browser, &["--dump-dom"], &page);
    // The script ran: it wrote how many rows are shown.
    assert!(
        dom.contains("<span id=\"shown\">4 of 4 cases shown</span>"),
        "{dom}"
    );
    assert!(dom.contains("data-count=\"failed\">2</span>"), "{dom}");
    assert!(dom.contains("data-count=\"passed\">1</span>"), "{dom}");
    assert!(
        dom.contains("<span class=\"del\">-    \"name\": \"Acme\",</span>"),
        "no diff in\n{dom}"
    );
    assert!(
        dom.contains("<span class=\"add\">+    \"name\": \"Acme Corp\",</span>"),
        "no diff in\n{dom}"
    );
    for filter in ["f-api", "f-status", "f-tag", "f-text"] {
        assert!(
            dom.contains(&format!("id=\"{filter}\"")),
            "no filter {filter}"
        );
    }
    assert!(
        dom.contains("<option value=\"drift\">drift</option>"),
        "{dom}"
    );
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-html.png");
    headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1700",
            "--hide-scrollbars",
        ],
        &page,
    );
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot at {}",
        shot.display()
    );
}
