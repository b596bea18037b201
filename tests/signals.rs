//! SIGTERM and Ctrl-C during a flow: no new case starts, the request in flight is dropped, the
//! flow's cleanup step still runs (so what the flow created is removed), partial reports are
//! written without stray temporary files, exit 130. A second signal skips the cleanup and says
//! what may remain.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{all_files, Project};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

type Counts = Arc<Mutex<HashMap<String, usize>>>;

/// Counts requests by request line; `POST /things` creates thing 7, `GET /slow` and
/// `DELETE /hang/...` answer after a minute, everything else at once.
fn server(counts: Counts) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let counts = Arc::clone(&counts);
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut s).await else {
                    return;
                };
                let text = String::from_utf8_lossy(&head).into_owned();
                let line = text.lines().next().unwrap_or_default();
                let line = line.rsplit_once(' ').map(|(l, _)| l).unwrap_or(line);
                *counts.lock().unwrap().entry(line.to_string()).or_default() += 1;
                if line == "GET /slow" || line.starts_with("DELETE /hang/") {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                let body = r#"{"id":7}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
    (rt, base)
}

fn count(counts: &Counts, line: &str) -> usize {
    counts.lock().unwrap().get(line).copied().unwrap_or(0)
}

/// A flow: create (captures id), a step that hangs, then cleanup of what was created at
/// `DELETE {cleanup}/{id}`.
fn flow_project(cleanup: &str) -> Project {
    let p = Project::demo();
    p.write(
        "cases/demo/thing_flow.yaml",
        &format!(
            "flow: true\ncases:\n  - name: creates a thing\n    endpoint: POST /things\n    request: {{ json: {{ name: a }} }}\n    capture: {{ thing_id: $.id }}\n  - name: waits\n    endpoint: GET /slow\n  - name: removes the thing\n    endpoint: DELETE {cleanup}/{{id}}\n    request: {{ path_params: {{ id: \"{{{{ thing_id }}}}\" }} }}\n    cleanup: true\n"
        ),
    );
    p
}

fn start(p: &Project, base: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["-C", p.root().to_str().unwrap(), "run", "--base-url", base])
        .args(["--timeout", "120"])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: kill(2) with a pid this test spawned and has not yet reaped.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(mut child: Child) -> (i32, String, String) {
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let lines: Vec<String> = stdout.lines().map_while(Result::ok).collect();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        lines.join("\n"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(p: &Project) -> serde_json::Value {
    serde_json::from_str(&p.read("target/conform/report.json")).unwrap()
}

fn status_of(report: &serde_json::Value, case: &str) -> String {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| common::case_of(o) == case)
        .map(|o| o["status"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

#[test]
fn sigterm_during_a_flow_runs_its_cleanup_and_writes_partial_reports() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let counts: Counts = Arc::default();
        let (_rt, base) = server(Arc::clone(&counts));
        let p = flow_project("/things");
        let started = Instant::now();
        let child = start(&p, &base);
        wait_until("the hanging step", || count(&counts, "GET /slow") == 1);
        signal(&child, sig);
        let (code, stdout, stderr) = finish(child);
        assert_eq!(code, 130, "{stdout}\n{stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the hang was not dropped"
        );
        assert_eq!(count(&counts, "DELETE /things/7"), 1, "cleanup ran once");
        let doc = report(&p);
        assert_eq!(status_of(&doc, "creates a thing"), "passed");
        assert_eq!(status_of(&doc, "waits"), "interrupted");
        assert_eq!(status_of(&doc, "removes the thing"), "passed", "{doc:#}");
        assert!(stderr.contains("partial reports:"), "{stderr}");
        assert!(!stderr.contains("cleanup skipped"), "{stderr}");
        let stray: Vec<_> = all_files(&p.path("target/conform"))
            .into_iter()
            .filter(|f| f.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
    }
}

#[test]
fn a_second_signal_skips_the_cleanup_and_says_what_may_remain() {
    let counts: Counts = Arc::default();
    let (_rt, base) = server(Arc::clone(&counts));
    let p = flow_project("/hang");
    let child = start(&p, &base);
    wait_until("the hanging step", || count(&counts, "GET /slow") == 1);
    signal(&child, libc::SIGTERM);
    wait_until("the hanging cleanup", || {
        count(&counts, "DELETE /hang/7") == 1
    });
    signal(&child, libc::SIGINT);
    let (code, stdout, stderr) = finish(child);
    assert_eq!(code, 130, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cleanup skipped") && stderr.contains("demo/thing_flow::removes the thing"),
        "{stderr}"
    );
    assert_eq!(status_of(&report(&p), "removes the thing"), "interrupted");
}
