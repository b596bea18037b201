//! `{{ unique }}`: a fresh value for each live run (for fields a server keeps unique), stored in
//! recordings as a stable placeholder, so that playback of those recordings still matches and a
//! value the server echoes still equals `{{ unique }}`.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::Project;

/// A server on 127.0.0.1 that answers every request with its own JSON body, as a server that
/// creates a client and returns it would. Returns its base URL and the bodies it received.
fn echo_server() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut data = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let Ok(n) = stream.read(&mut chunk) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&chunk[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + len {
                    break Some(data[end + 4..end + 4 + len].to_vec());
                }
            };
            let Some(body) = body else { continue };
            let _ = tx.send(String::from_utf8_lossy(&body).into_owned());
            let head = format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, rx)
}

const CASE: &str = "endpoint: POST /clients\ncases:\n  - name: creates a client\n    request: { json: { email: \"c-{{ unique }}@example.com\", ref: \"{{ unique }}\" } }\n    expect: { status: 201, assert: { $.email: { equals: \"c-{{ unique }}@example.com\" }, $.ref: { matches: \"^[0-9a-z]{16}$\" } } }\n";

#[test]
fn each_live_run_sends_its_own_value_and_recordings_store_the_placeholder() {
    let (base, bodies) = echo_server();
    let p = Project::with_api("name: demo\n");
    p.write("cases/demo/clients.yaml", CASE);

    let first = p.conform(&["record", "--base-url", &base]);
    assert_eq!(first.code(), 0, "{}", first.all());
    let second = p.conform(&["run", "--base-url", &base]);
    assert_eq!(second.code(), 0, "{}", second.all());
    let sent: Vec<String> = bodies.try_iter().collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_ne!(sent[0], sent[1], "two runs sent the same value");
    for body in &sent {
        assert!(
            !body.contains("uniq000000000000"),
            "a live run sent the placeholder: {body}"
        );
    }
    let live: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
    let live_value = live["ref"].as_str().unwrap().to_string();

    let recording = p.read("cases/demo/recordings/clients.yaml");
    assert!(!recording.contains(&live_value), "{recording}");
    assert_eq!(
        recording.matches("c-uniq000000000000@example.com").count(),
        2,
        "request and response both store the placeholder:\n{recording}"
    );

    // Playback sends the placeholder, matches the recording, and the echo still equals it.
    let playback = p.conform(&["run"]);
    assert_eq!(playback.code(), 0, "{}", playback.all());
    assert!(
        playback
            .stdout()
            .contains("PASS demo/clients::creates a client"),
        "{}",
        playback.all()
    );
}
