//! Ctrl-C: the real binary is sent SIGINT mid-run. It stops sending, reports the unfinished cases
//! as interrupted, writes complete reports (never half-written files), names them on stderr and
//! exits 130.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{all_files, Project};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// `/fast` answers at once; `/slow` answers after a minute (the test is long over by then).
fn slow_server(requests: Arc<AtomicUsize>) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let requests = Arc::clone(&requests);
            tokio::spawn(async move {
                let Some(head) = common::read_request_head(&mut s).await else {
                    return;
                };
                requests.fetch_add(1, Ordering::SeqCst);
                if head.starts_with(b"GET /slow") {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                let _ = s
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}",
                    )
                    .await;
            });
        }
    });
    (rt, base)
}

#[test]
fn sigint_writes_complete_reports_marks_the_rest_interrupted_and_exits_130() {
    let requests = Arc::new(AtomicUsize::new(0));
    let (_rt, base) = slow_server(Arc::clone(&requests));
    let p = Project::demo();
    p.write(
        "cases/demo/fast.yaml",
        "endpoint: GET /fast\ncases:\n  - name: one\n  - name: two\n",
    );
    // Three files of which the first case hangs: their later cases never start.
    for i in 0..3 {
        p.write(
            &format!("cases/demo/slow{i}.yaml"),
            "endpoint: GET /slow\ncases:\n  - name: hangs\n  - name: never starts\n",
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["-C", p.root().to_str().unwrap(), "run", "--base-url", &base])
        .args(["--timeout", "120"])
        .env("CI", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Stdout is read line by line (the terminal report prints a line per finished case).
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    // Both fast cases reported and every slow file's first request in flight.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stdout = Vec::new();
    while stdout
        .iter()
        .filter(|l: &&String| l.starts_with("PASS"))
        .count()
        < 2
        || requests.load(Ordering::SeqCst) < 5
    {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the run never got going: {stdout:?}");
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(20).min(left)) {
            stdout.push(line);
        }
    }
    // SAFETY: kill(2) with a pid this test spawned and has not yet reaped.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    stdout.extend(lines.try_iter());
    let stdout = stdout.join("\n");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    let dir = p.path("target/conform");
    assert!(
        stderr.contains("interrupted: 6 of 8 cases did not finish")
            && stderr.contains(&format!(
                "partial reports: {} and {}",
                dir.join("report.json").display(),
                dir.join("junit.xml").display()
            )),
        "{stderr}"
    );
    assert!(
        stdout.contains("INTERRUPTED: 2 passed, 0 failed, 0 skipped, 6 interrupted"),
        "{stdout}"
    );
    // Only the two complete reports: no temporary or half-written file beside them (the suite
    // cache, written whole before the run started, is not a report).
    let cache = dir.join("cache");
    let mut files: Vec<_> = all_files(&dir)
        .into_iter()
        .filter(|f| !f.starts_with(&cache) || !f.to_string_lossy().ends_with(".bin"))
        .collect();
    files.sort();
    assert_eq!(files, vec![dir.join("junit.xml"), dir.join("report.json")]);
    let report: serde_json::Value =
        serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(report["summary"]["total"], 8);
    assert_eq!(report["summary"]["passed"], 2);
    assert_eq!(report["summary"]["interrupted"], 6);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 8);
    assert!(outcomes
        .iter()
        .filter(|o| o["status"] == "interrupted")
        .all(|o| o["skip_reason"]
            .as_str()
            .unwrap()
            .starts_with("interrupted")));
    let junit =
        quick_junit::Report::deserialize_from_str(&p.read("target/conform/junit.xml")).unwrap();
    assert_eq!((junit.tests, junit.failures, junit.errors), (8, 0, 0));
    // Nothing after the interrupt: the later cases of the slow files were never sent.
    assert_eq!(requests.load(Ordering::SeqCst), 5);
}
