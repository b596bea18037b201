//! Record is all or nothing: a record run killed with SIGKILL or stopped with SIGINT or SIGTERM at a random
//! moment leaves the project's recordings and snapshots byte-identical, even when some cases had
//! already finished (and, before, had overwritten their snapshots).

#![cfg(unix)]

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{all_files, Project};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

struct Vendor {
    _rt: tokio::runtime::Runtime,
    url: String,
    requests: Arc<AtomicUsize>,
    /// Slow mode: every answer waits 40 ms and `/hang` never answers.
    slow: Arc<AtomicBool>,
}

/// Answers `{"n": <request count>}`, so that every record changes every snapshot and recording.
fn vendor() -> Vendor {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let slow = Arc::new(AtomicBool::new(false));
    let (count, is_slow) = (Arc::clone(&requests), Arc::clone(&slow));
    rt.spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let (count, is_slow) = (Arc::clone(&count), Arc::clone(&is_slow));
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut s).await else {
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                if is_slow.load(Ordering::SeqCst) {
                    let wait = if head.starts_with(b"GET /hang") { 600_000 } else { 40 };
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
                let body = format!("{{\"n\":{n}}}");
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(answer.as_bytes()).await;
            });
        }
    });
    Vendor {
        _rt: rt,
        url,
        requests,
        slow,
    }
}

fn project() -> Project {
    let p = Project::with_api("name: demo\nheaders: { Accept: application/json }\n");
    let mut cases = String::from("endpoint: GET /items/{id}\ncases:\n");
    for i in 0..6 {
        cases.push_str(&format!(
            "  - name: item {i}\n    request: {{ path_params: {{ id: {i} }} }}\n    expect: {{ status: 200, snapshot: true }}\n"
        ));
    }
    p.write("cases/demo/a_items.yaml", &cases);
    p.write(
        "cases/demo/z_hang.yaml",
        "endpoint: GET /hang\ncases:\n  - name: hangs\n    expect: { status: 200 }\n",
    );
    p
}

/// Every file of the project but the reports, with its bytes.
fn tree(p: &Project) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = all_files(p.root())
        .into_iter()
        .filter(|f| !f.starts_with(p.path("target")))
        .map(|f| (f.display().to_string(), std::fs::read(&f).unwrap()))
        .collect();
    files.sort();
    files
}

fn record(p: &Project, url: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(p.root())
        .args(["record", "-j", "1", "--base-url", url])
        .env("CI", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn interrupted_records_change_nothing(signal: libc::c_int) {
    let v = vendor();
    let p = project();
    // A first, complete record: every case has its recording and snapshot.
    let out = p.conform(&[
        "record",
        "--api",
        "demo",
        "--filter",
        "a_items",
        "--base-url",
        &v.url,
    ]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let before = tree(&p);
    assert!(
        before.iter().filter(|(f, _)| f.ends_with(".snap")).count() == 6
            && before.iter().any(|(f, _)| f.contains("recordings")),
        "{:?}",
        before.iter().map(|(f, _)| f).collect::<Vec<_>>()
    );
    v.slow.store(true, Ordering::SeqCst);
    let mut after_some_cases = 0;
    for _ in 0..20 {
        let sent_before = v.requests.load(Ordering::SeqCst);
        let mut child = record(&p, &v.url);
        let started = Instant::now();
        // The six item cases take about 250 ms; the last case never finishes.
        let at = Duration::from_millis(fastrand::u64(5..400));
        while started.elapsed() < at {
            std::thread::sleep(Duration::from_millis(2));
        }
        if v.requests.load(Ordering::SeqCst) - sent_before >= 2 {
            after_some_cases += 1;
        }
        // SAFETY: kill(2) with the pid of a child this test spawned and has not reaped.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
        if signal != libc::SIGKILL {
            // SIGINT and SIGTERM stop the run and write the reports; wait for the exit.
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().unwrap().is_none() {
                assert!(
                    Instant::now() < deadline,
                    "record did not stop after SIGINT"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let status = child.wait().unwrap();
        assert!(!status.success(), "an interrupted record must not succeed");
        assert_eq!(
            tree(&p),
            before,
            "the project changed after an interrupted record"
        );
    }
    assert!(
        after_some_cases >= 3,
        "only {after_some_cases} of 20 tries stopped after cases had finished"
    );
}

#[test]
fn sigkill_during_record_changes_nothing() {
    interrupted_records_change_nothing(libc::SIGKILL);
}

#[test]
fn sigint_during_record_changes_nothing() {
    interrupted_records_change_nothing(libc::SIGINT);
}

#[test]
fn sigterm_during_record_changes_nothing() {
    interrupted_records_change_nothing(libc::SIGTERM);
}
