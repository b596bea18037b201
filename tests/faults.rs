//! Fault injection: the real binary against misbehaving servers on 127.0.0.1 (raw tokio listeners,
//! since httpmock always speaks correct HTTP). Every fault must end as a failed case with a clear
//! message (or, for an HTTP/1.0 server and a server taking 8 connections at a time, as passing
//! cases), the run must complete and both reports must be written and parse back.

mod common;

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{Project, Run};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// Serves every connection with `handler` until the returned runtime is dropped.
fn serve<F, Fut>(handler: F) -> (Runtime, String)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let rt = Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(handler(stream));
        }
    });
    (rt, format!("http://{addr}"))
}

/// Reads one request head (up to the blank line); false if the client went away first.
async fn read_head(stream: &mut TcpStream) -> bool {
    common::read_request_head(stream).await.is_some()
}

/// Answers each connection with `reply`, then closes it.
fn reply_with(reply: Vec<u8>) -> (Runtime, String) {
    let reply = Arc::new(reply);
    serve(move |mut s| {
        let reply = Arc::clone(&reply);
        async move {
            if read_head(&mut s).await {
                let _ = s.write_all(&reply).await;
                let _ = s.shutdown().await;
            }
        }
    })
}

/// A project with one case `GET /items/1` expecting `expect`.
fn project(expect: &str) -> Project {
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        &format!("endpoint: GET /items/{{id}}\ncases:\n  - name: the case\n    request: {{ path_params: {{ id: 1 }} }}\n    expect: {expect}\n"),
    );
    p
}

/// The case could not be checked (exit 3, status `error`) with `message` in the terminal report,
/// and both reports parse back with the message in the outcome.
fn assert_unchecked_with(p: &Project, out: &Run, message: &str) {
    assert_eq!(out.code(), 3, "{}", out.all());
    assert!(
        out.stdout().contains(message),
        "expected {message:?} in:\n{}",
        out.all()
    );
    let report: serde_json::Value =
        serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(report["summary"]["errors"], 1, "{report:#}");
    assert_eq!(report["summary"]["failed"], 0, "{report:#}");
    assert_eq!(report["outcomes"][0]["status"], "error", "{report:#}");
    let error = report["outcomes"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains(message), "{error:?} lacks {message:?}");
    let junit =
        quick_junit::Report::deserialize_from_str(&p.read("target/conform/junit.xml")).unwrap();
    assert_eq!((junit.tests, junit.errors), (1, 1));
}

#[test]
fn a_connection_closed_mid_body_is_a_failed_case() {
    let (_rt, base) = reply_with(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"id\": 1, \"na"
            .to_vec(),
    );
    let p = project("{ schema: Item.json }");
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "10"]);
    assert_unchecked_with(&p, &out, "failed reading the response body");
}

#[test]
fn headers_then_silence_times_out() {
    let (_rt, base) = serve(|mut s| async move {
        if read_head(&mut s).await {
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n{\"id\"")
                .await;
            // Bounded: the test is long over by then.
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "0.5"]);
    assert_unchecked_with(&p, &out, "timed out after 500ms reading the response body");
}

/// Streams `total` bytes of JSON-ish filler, chunked (no length announced) or with a length.
fn big_body_server(total: usize, chunked: bool) -> (Runtime, String) {
    serve(move |mut s| async move {
        if !read_head(&mut s).await {
            return;
        }
        let head = if chunked {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                .to_string()
        } else {
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n")
        };
        if s.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let block = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < total {
            let n = block.len().min(total - sent);
            let written = if chunked {
                let mut frame = format!("{n:x}\r\n").into_bytes();
                frame.extend_from_slice(&block[..n]);
                frame.extend_from_slice(b"\r\n");
                s.write_all(&frame).await
            } else {
                s.write_all(&block[..n]).await
            };
            // The client hangs up once it has seen enough: that is the point.
            if written.is_err() {
                return;
            }
            sent += n;
        }
        if chunked {
            let _ = s.write_all(b"0\r\n\r\n").await;
        }
    })
}

#[test]
fn a_100_mb_streamed_body_stops_at_the_default_max_body() {
    let (_rt, base) = big_body_server(100 * 1024 * 1024, true);
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base]);
    assert_unchecked_with(
        &p,
        &out,
        "response body exceeds --max-body (16777216 bytes) after decompression",
    );
}

#[test]
fn a_100_mb_declared_body_is_refused_before_reading() {
    let (_rt, base) = big_body_server(100 * 1024 * 1024, false);
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base, "--max-body", "1000000"]);
    assert_unchecked_with(
        &p,
        &out,
        "response body of 104857600 bytes exceeds --max-body (1000000 bytes)",
    );
}

#[test]
fn a_gzip_bomb_is_bounded_after_decompression() {
    // 64 MiB of zeros compress to about 64 KiB: far under the limit on the wire, far over it
    // once decompressed.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\n\r\n",
        bomb.len()
    )
    .into_bytes();
    reply.extend_from_slice(&bomb);
    let (_rt, base) = reply_with(reply);
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base, "--max-body", "4000000"]);
    assert_unchecked_with(
        &p,
        &out,
        "response body exceeds --max-body (4000000 bytes) after decompression",
    );
}

#[test]
fn a_redirect_loop_is_bounded() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let (_rt, base) = serve(move |mut s| {
        let counter = Arc::clone(&counter);
        async move {
            while read_head(&mut s).await {
                counter.fetch_add(1, Ordering::SeqCst);
                let reply =
                    b"HTTP/1.1 302 Found\r\nlocation: /items/1\r\ncontent-length: 0\r\n\r\n";
                if s.write_all(reply).await.is_err() {
                    return;
                }
            }
        }
    });
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base]);
    assert_unchecked_with(&p, &out, "too many redirects (limit 5)");
    assert!(
        hits.load(Ordering::SeqCst) <= 6,
        "{} requests",
        hits.load(Ordering::SeqCst)
    );
}

#[test]
fn invalid_chunked_encoding_is_a_failed_case() {
    let (_rt, base) = reply_with(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"id\"\r\nZZ-not-hex\r\n12\r\n\r\n".to_vec(),
    );
    let p = project("{ status: 200 }");
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "10"]);
    assert_unchecked_with(&p, &out, "failed reading the response body");
    assert!(out.stdout().contains("chunk"), "{}", out.all());
}

/// An HTTPS server with a certificate for 127.0.0.1 signed by nobody.
fn self_signed_server() -> (Runtime, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (rt, base) = serve(move |s| {
        let acceptor = acceptor.clone();
        async move {
            let Ok(mut tls) = acceptor.accept(s).await else {
                return;
            };
            let mut buf = vec![0u8; 8192];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let body = br#"{"id": 1, "name": "Acme"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(reply.as_bytes()).await;
            let _ = tls.write_all(body).await;
            let _ = tls.shutdown().await;
        }
    });
    (rt, base.replace("http://", "https://"))
}

#[test]
fn a_self_signed_certificate_fails_clearly_unless_insecure() {
    let (_rt, base) = self_signed_server();
    let p = project("{ schema: Item.json }");
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "10"]);
    assert_unchecked_with(&p, &out, "TLS certificate not trusted");
    assert!(out.stdout().contains("--insecure"), "{}", out.all());
    let out = p.conform(&["run", "--base-url", &base, "--insecure"]);
    assert_eq!(out.code(), 0, "{}", out.all());
}

/// A plain http target that redirects to the self-signed https server: the TLS client is only
/// built on that hop (an http run loads no root certificates), and must judge the certificate
/// as an https target's would.
#[test]
fn an_http_target_redirected_to_https_checks_the_certificate() {
    let (_tls_rt, tls_base) = self_signed_server();
    let location = format!("{tls_base}/items/1");
    let (_rt, base) = serve(move |mut s| {
        let location = location.clone();
        async move {
            if read_head(&mut s).await {
                let reply = format!(
                    "HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = s.write_all(reply.as_bytes()).await;
                let _ = s.shutdown().await;
            }
        }
    });
    let p = project("{ schema: Item.json }");
    let out = p.conform(&["run", "--base-url", &base, "--timeout", "10"]);
    assert_unchecked_with(&p, &out, "TLS certificate not trusted");
    assert!(out.stdout().contains("--insecure"), "{}", out.all());
    let out = p.conform(&["run", "--base-url", &base, "--insecure"]);
    assert_eq!(out.code(), 0, "{}", out.all());
}

#[test]
fn an_http_1_0_server_passes() {
    let (_rt, base) = reply_with(
        b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n{\"id\": 1, \"name\": \"Acme\"}"
            .to_vec(),
    );
    let p = project("{ status: 200, schema: Item.json, assert: { $.name: { equals: Acme } } }");
    let out = p.conform(&["run", "--base-url", &base]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let report: serde_json::Value =
        serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(report["summary"]["passed"], 1);
}

#[test]
fn a_thousand_cases_against_eight_connections_at_a_time_pass() {
    const CASES: usize = 1000;
    let limit = Arc::new(tokio::sync::Semaphore::new(8));
    let active = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    {
        let (active, most, served) = (active.clone(), most.clone(), served.clone());
        rt.spawn(async move {
            loop {
                // Accept only while fewer than 8 connections are open: the rest wait in the
                // listen backlog.
                let permit = limit.clone().acquire_owned().await.unwrap();
                let Ok((mut s, _)) = listener.accept().await else {
                    return;
                };
                let (active, most, served) = (active.clone(), most.clone(), served.clone());
                tokio::spawn(async move {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    if read_head(&mut s).await {
                        let body = br#"{"id": 1, "name": "Acme"}"#;
                        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n", body.len());
                        let _ = s.write_all(head.as_bytes()).await;
                        let _ = s.write_all(body).await;
                        let _ = s.shutdown().await;
                        served.fetch_add(1, Ordering::SeqCst);
                    }
                    active.fetch_sub(1, Ordering::SeqCst);
                    drop(permit);
                });
            }
        });
    }
    let p = Project::demo();
    for i in 0..CASES {
        p.write(
            &format!("cases/demo/c{i:04}.yaml"),
            "endpoint: GET /items/{id}\ncases:\n  - name: one\n    request: { path_params: { id: 1 } }\n    expect: { schema: Item.json }\n",
        );
    }
    let out = p.conform(&["run", "--base-url", &base, "-j", "1000", "--timeout", "120"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert!(
        out.stdout().contains("1000 passed, 0 failed"),
        "{}",
        out.all()
    );
    assert_eq!(served.load(Ordering::SeqCst), CASES);
    assert!(most.load(Ordering::SeqCst) <= 8);
    let report: serde_json::Value =
        serde_json::from_str(&p.read("target/conform/report.json")).unwrap();
    assert_eq!(report["outcomes"].as_array().unwrap().len(), CASES);
}
