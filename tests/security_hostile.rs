//! A pull request's case files may be hostile while CI holds real credentials. Each attack here is
//! refused with a clear error (exit 2, nothing sent) or defused: undeclared environment variables,
//! symlinks out of the project (body files, schemas, case files, API folders, recordings,
//! snapshots, the report folder), absolute and `../` paths, a redirect to another port carrying
//! credential headers, and a `.env` that sets a proxy.

#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::symlink;
use std::sync::{Arc, Mutex};

use common::{all_files, Project, Run};

const KEY: &str = "hostile-test-api-key-4411";
const OUTSIDE_SECRET: &str = "OUTSIDE-CREDENTIAL-LINE-8c1f";

/// A server on 127.0.0.1 that answers every request with `response` and keeps the request heads.
struct Server {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(response: impl Fn(&str) -> String + Send + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let answer = response(&head);
                seen.lock().unwrap().push(head);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        Server { url, heads }
    }

    fn ok() -> Server {
        Server::start(|_| ok_response())
    }

    fn requests(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

fn ok_response() -> String {
    let body = r#"{"id":1,"name":"Acme"}"#;
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

const API_YAML: &str = "name: demo\nenv: [DEMO_KEY]\nheaders: { Accept: application/json }\nenvironments:\n  sandbox:\n    base_url: http://127.0.0.1:9\n    auth:\n      headers: { X-API-KEY: \"{{ env.DEMO_KEY }}\", X-Custom-Credential: \"{{ env.DEMO_KEY }}\" }\n";

fn project() -> Project {
    let p = Project::with_api(API_YAML);
    p.write(
        "schemas/demo/Item.json",
        r#"{"type":"object","required":["id"]}"#,
    );
    p
}

/// A folder outside the project holding a credentials-like file.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        format!("{OUTSIDE_SECRET}\nmore\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("Item.json"), r#"{"type":"object"}"#).unwrap();
    dir
}

/// `args` (the command first) with the live target flags after the command.
fn live(p: &Project, server: &Server, args: &[&str]) -> Run {
    let mut all = vec![
        args[0],
        "--env",
        "sandbox",
        "--base-url",
        server.url.as_str(),
    ];
    all.extend_from_slice(&args[1..]);
    p.conform_env(&all, &[("DEMO_KEY", KEY)])
}

fn snapshot_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = all_files(dir)
        .into_iter()
        .map(|f| (f.display().to_string(), std::fs::read(&f).unwrap()))
        .collect();
    files.sort();
    files
}

/// Exit 2, the message in stderr, nothing sent, no outside file's content printed, nothing
/// written outside.
fn assert_refused(
    out: &Run,
    server: &Server,
    outside: &tempfile::TempDir,
    before: &[(String, Vec<u8>)],
    message: &str,
) {
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr().contains(message),
        "expected `{message}` in:\n{}",
        out.all()
    );
    assert!(
        server.requests().is_empty(),
        "sent: {:?}",
        server.requests()
    );
    assert!(!out.all().contains(OUTSIDE_SECRET), "{}", out.all());
    assert!(!out.all().contains(KEY), "{}", out.all());
    assert_eq!(
        snapshot_of(outside.path()),
        before,
        "a file outside the project changed"
    );
}

fn case(p: &Project, text: &str) {
    p.write("cases/demo/get_item.yaml", text);
}

#[test]
fn an_undeclared_environment_variable_is_a_load_error() {
    let (p, server, out_dir) = (project(), Server::ok(), outside());
    let before = snapshot_of(out_dir.path());
    case(&p, "endpoint: GET /items\ncases:\n  - name: a\n    expect:\n      status: 200\n      assert: { $.name: { equals: \"{{ env.AWS_SECRET_ACCESS_KEY }}\" } }\n");
    let out = p.conform_env(
        &["run", "--env", "sandbox", "--base-url", &server.url],
        &[
            ("DEMO_KEY", KEY),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret-value-0099"),
        ],
    );
    assert_refused(
        &out,
        &server,
        &out_dir,
        &before,
        "environment variable `AWS_SECRET_ACCESS_KEY` is not declared",
    );
    assert!(!out.all().contains("aws-secret-value-0099"));
}

#[test]
fn symlinked_or_escaping_body_files_are_refused() {
    let out_dir = outside();
    let before = snapshot_of(out_dir.path());
    for (setup, name) in [
        ("symlink", "body.txt"),
        ("absolute", "/etc/hostname"),
        ("parent", "../../secret.txt"),
    ] {
        let (p, server) = (project(), Server::ok());
        if setup == "symlink" {
            symlink(
                out_dir.path().join("credentials"),
                p.path("cases/demo/body.txt"),
            )
            .unwrap();
        }
        case(&p, &format!("endpoint: POST /items\ncases:\n  - name: a\n    request: {{ file: \"{name}\", content_type: text/plain }}\n    expect: {{ status: 200 }}\n"));
        let out = live(&p, &server, &["run"]);
        assert_refused(&out, &server, &out_dir, &before, "body file");
        let multipart = format!("endpoint: POST /items\ncases:\n  - name: a\n    request: {{ multipart: [{{ name: doc, file: \"{name}\" }}] }}\n    expect: {{ status: 200 }}\n");
        case(&p, &multipart);
        let out = live(&p, &server, &["run"]);
        assert_eq!(out.code(), 2, "{setup} multipart: {}", out.all());
        assert!(server.requests().is_empty() && !out.all().contains(OUTSIDE_SECRET));
    }
}

#[test]
fn symlinked_or_escaping_schemas_are_refused() {
    let out_dir = outside();
    let before = snapshot_of(out_dir.path());
    for name in ["Linked.json", "../../outside.json", "/tmp/Item.json"] {
        let (p, server) = (project(), Server::ok());
        symlink(
            out_dir.path().join("Item.json"),
            p.path("schemas/demo/Linked.json"),
        )
        .unwrap();
        case(&p, &format!("endpoint: GET /items\ncases:\n  - name: a\n    expect: {{ status: 200, schema: \"{name}\" }}\n"));
        let out = live(&p, &server, &["run"]);
        assert_refused(&out, &server, &out_dir, &before, "is outside schemas/demo/");
    }
}

#[test]
fn symlinked_case_files_and_api_folders_are_refused() {
    let out_dir = outside();
    let before = snapshot_of(out_dir.path());
    let (p, server) = (project(), Server::ok());
    symlink(
        out_dir.path().join("credentials"),
        p.path("cases/demo/creds.yaml"),
    )
    .unwrap();
    let out = live(&p, &server, &["run"]);
    assert_refused(
        &out,
        &server,
        &out_dir,
        &before,
        "resolves outside the project",
    );

    let (p, server) = (project(), Server::ok());
    std::fs::write(out_dir.path().join("api.yaml"), "name: evil\n").unwrap();
    let before = snapshot_of(out_dir.path());
    symlink(out_dir.path(), p.path("cases/evil")).unwrap();
    let out = live(&p, &server, &["run"]);
    assert_refused(&out, &server, &out_dir, &before, "cases/evil");
}

#[test]
fn symlinked_output_folders_are_never_written_through() {
    let case_text =
        "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: 200, snapshot: true }\n";
    for (link, message) in [
        ("snapshots/demo", "snapshots/demo"),
        ("cases/demo/recordings", "cases/demo/recordings"),
        ("target", "report folder"),
    ] {
        let out_dir = outside();
        let before = snapshot_of(out_dir.path());
        let (p, server) = (project(), Server::ok());
        case(&p, case_text);
        std::fs::create_dir_all(p.path(link).parent().unwrap()).unwrap();
        symlink(out_dir.path(), p.path(link)).unwrap();
        let out = live(&p, &server, &["record"]);
        assert_refused(&out, &server, &out_dir, &before, message);
    }
}

#[test]
fn credential_headers_never_follow_a_redirect_to_another_port() {
    let other = Server::ok();
    let target = format!("{}/landing", other.url);
    let first = Server::start(move |_| {
        format!("HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
    });
    let p = project();
    case(&p, "endpoint: GET /items\ncases:\n  - name: a\n    request: { headers: { X-Trace: not-a-secret } }\n    expect: { status: 200 }\n");
    let out = live(&p, &first, &["run", "--report", "json"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    assert_eq!(first.requests().len(), 1);
    let first_head = first.requests()[0].to_ascii_lowercase();
    assert!(
        first_head.contains(&format!("x-api-key: {KEY}")),
        "{first_head}"
    );
    let seen = other.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let head = seen[0].to_ascii_lowercase();
    assert!(head.starts_with("get /landing"), "{head}");
    assert!(head.contains("x-trace: not-a-secret"), "{head}");
    for forbidden in [
        KEY,
        "x-api-key",
        "x-custom-credential",
        "authorization",
        "cookie",
    ] {
        assert!(
            !head.contains(&forbidden.to_ascii_lowercase()),
            "{forbidden} sent to the other origin:\n{head}"
        );
    }
    let report = p.read("target/conform/report.json");
    assert!(
        report.contains("credential headers not sent there: x-api-key, x-custom-credential"),
        "{report}"
    );
}

#[test]
fn a_dotenv_never_sets_the_proxy() {
    let proxy = Server::start(|_| "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n".into());
    let server = Server::ok();
    let p = project();
    p.write(
        ".env",
        &format!(
            "HTTPS_PROXY={0}\nHTTP_PROXY={0}\nALL_PROXY={0}\nhttp_proxy={0}\n",
            proxy.url
        ),
    );
    case(
        &p,
        "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: 200 }\n",
    );
    let out = p.conform_env(
        &["run", "--env", "sandbox", "--base-url", &server.url],
        &[("DEMO_KEY", KEY)],
    );
    assert_eq!(out.code(), 0, "{}", out.all());
    assert!(
        proxy.requests().is_empty(),
        "the proxy got {:?}",
        proxy.requests()
    );
    assert_eq!(server.requests().len(), 1);
    assert!(!out.stderr().contains("proxy"), "{}", out.all());

    // The process environment's proxy is used, and named.
    let out = p.conform_env(
        &["run", "--env", "sandbox", "--base-url", &server.url],
        &[
            ("DEMO_KEY", KEY),
            ("HTTP_PROXY", "http://user:pw-9911@127.0.0.1:9"),
        ],
    );
    assert!(
        out.stderr().contains("note: live requests go through the proxy http://127.0.0.1:9/ (from the process environment"),
        "{}",
        out.all()
    );
    assert!(!out.all().contains("pw-9911"), "{}", out.all());
}

#[test]
fn files_are_created_with_the_process_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("027", 0o640)] {
        let (p, server) = (project(), Server::ok());
        case(&p, "endpoint: GET /items\ncases:\n  - name: a\n    expect: { status: 200, snapshot: true }\n");
        let script =
            format!("umask {umask}; exec \"$0\" -C \"$1\" record --env sandbox --base-url \"$2\"");
        let out = std::process::Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_conform")])
            .arg(p.root())
            .arg(&server.url)
            .env("CI", "true")
            .env("DEMO_KEY", KEY)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written: Vec<_> = all_files(p.root())
            .into_iter()
            .filter(|f| {
                let f = f.display().to_string();
                f.contains("target/conform") || f.contains("recordings") || f.ends_with(".snap")
            })
            .collect();
        assert!(written.len() >= 4, "{written:?}");
        for f in written {
            let m = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(m, mode, "{} under umask {umask}", f.display());
        }
    }
}
