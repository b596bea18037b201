//! No secret reaches any output: a fake vendor on 127.0.0.1 echoes every secret of the run (the
//! environment's credentials, the issued token, the basic credential, the computed signature)
//! back in headers, bodies, object keys, cookies, redirects and error pages, in every encoding a
//! server or a report might use. After a review run, a failing CI run, a record and a playback
//! run, no file conform wrote and no line it printed holds any of them in any of those forms.
//! The encodings are computed here, independently of conform's scrubber.

mod common;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use common::{all_files, Project, Run};
use httpmock::prelude::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::json;

const API_KEY: &str = "vk-AP1/key+77&\"88";
const PASSWORD: &str = "pw S3cret/9:9<ok>";
const USER: &str = "qa-user.lead";
const ISSUED: &str = "iss-T0ken/abc+123=";

fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

fn signature() -> String {
    md5_hex(&format!("{API_KEY}{PASSWORD}"))
}

fn basic() -> String {
    STANDARD.encode(format!("{USER}:{PASSWORD}"))
}

fn pct(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

fn form(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn json_escaped(s: &str) -> String {
    let j = serde_json::to_string(s).unwrap();
    j[1..j.len() - 1].to_string()
}

/// Every form of every secret that must never be written.
fn forbidden() -> Vec<String> {
    let secrets = [
        API_KEY.to_string(),
        PASSWORD.to_string(),
        ISSUED.to_string(),
        signature(),
        basic(),
    ];
    let mut out = Vec::new();
    for s in &secrets {
        out.extend([
            s.clone(),
            pct(s),
            form(s),
            STANDARD.encode(s),
            STANDARD_NO_PAD.encode(s),
            URL_SAFE.encode(s),
            URL_SAFE_NO_PAD.encode(s),
            html(s),
            json_escaped(s),
            json_escaped(s).replace('/', "\\/"),
        ]);
    }
    out.sort();
    out.dedup();
    out
}

/// The echo of every secret in every form, as JSON values and keys.
fn echo_body() -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (i, form) in forbidden().iter().enumerate() {
        map.insert(format!("v{i}"), json!(form));
        map.insert(form.clone(), json!(i));
        map.insert(format!("inside{i}"), json!(format!("before {form} after")));
    }
    map.insert("note".into(), json!(API_KEY));
    serde_json::Value::Object(map)
}

/// An HTML error page quoting every form of every secret.
fn error_page() -> String {
    let mut page = String::from("<html><body><h1>invalid credentials</h1>\n");
    for form in forbidden() {
        page.push_str(&format!("<p>rejected: {form}</p>\n"));
    }
    page.push_str("</body></html>\n");
    page
}

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/token");
        then.status(200)
            .header("content-type", "application/json")
            .header(
                "set-cookie",
                format!("sid={}; Path=/; HttpOnly", pct(ISSUED)),
            )
            .json_body(json!({"access_token": ISSUED, "echo": {PASSWORD: basic()}}));
    });
    let location = format!(
        "{}/next?key={}&sig={}&tok={}",
        server.base_url(),
        pct(API_KEY),
        signature(),
        form(ISSUED)
    );
    server.mock(|when, then| {
        when.method(GET).path("/echo");
        then.status(200)
            .header("content-type", "application/json")
            .header("set-cookie", format!("session={ISSUED}; Secure"))
            .header("location", &location)
            .header("x-echo", STANDARD.encode(API_KEY))
            .header("x-echo-sig", format!("sig={}", signature()))
            .json_body(echo_body());
    });
    let redirect = format!(
        "/echo?key={}&pw={}&tok={}",
        pct(API_KEY),
        form(PASSWORD),
        pct(ISSUED)
    );
    server.mock(|when, then| {
        when.method(GET).path("/redirect");
        then.status(302)
            .header("location", &redirect)
            .header("set-cookie", format!("next={}", STANDARD.encode(ISSUED)));
    });
    server.mock(|when, then| {
        when.method(POST).path("/form");
        then.status(200)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "user=qa&echo={}&again={}",
                form(PASSWORD),
                pct(API_KEY)
            ));
    });
    server.mock(|when, then| {
        when.method(GET).path("/error");
        then.status(500)
            .header("content-type", "text/html")
            .header("x-echo-url", URL_SAFE_NO_PAD.encode(PASSWORD))
            .body(error_page());
    });
    server
}

const API_YAML: &str = r#"name: demo
env: [VENDOR_API_KEY, VENDOR_PASSWORD, VENDOR_USER]
headers: { Accept: application/json }
environments:
  sandbox:
    base_url: http://127.0.0.1:9
    auth:
      headers: { X-API-KEY: "{{ env.VENDOR_API_KEY }}" }
      query: { signature: "{{ md5(concat(env.VENDOR_API_KEY, env.VENDOR_PASSWORD)) }}" }
      basic: { username: "{{ env.VENDOR_USER }}", password: "{{ env.VENDOR_PASSWORD }}" }
      token_request:
        endpoint: POST /token
        request: { form: { username: "{{ env.VENDOR_USER }}", password: "{{ env.VENDOR_PASSWORD }}" } }
        token: $.access_token
        header: X-Session
"#;

fn project() -> Project {
    let p = Project::with_api(API_YAML);
    p.write(
        "cases/demo/echo.yaml",
        r#"endpoint: GET /echo
cases:
  - name: echo snapshot
    expect: { status: 200, snapshot: true }
  - name: echo fails
    expect:
      status: 201
      headers: { Location: "nowhere", X-Echo: "{{ env.VENDOR_API_KEY }}" }
      assert:
        $.note: { equals: "{{ env.VENDOR_API_KEY }}-not" }
        $.v1: { equals: "{{ env.VENDOR_PASSWORD }}" }
"#,
    );
    p.write(
        "cases/demo/form.yaml",
        "endpoint: POST /form\ncases:\n  - name: form login\n    request: { form: { username: qa, password: \"{{ env.VENDOR_PASSWORD }}\", key: \"{{ env.VENDOR_API_KEY }}\" } }\n    expect: { status: 200 }\n",
    );
    p.write(
        "cases/demo/redirect.yaml",
        "endpoint: GET /redirect\ncases:\n  - name: redirected echo\n    expect: { status: 201 }\n",
    );
    p.write(
        "cases/demo/error.yaml",
        "endpoint: GET /error\ncases:\n  - name: error page\n    expect: { status: 200 }\n",
    );
    p
}

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("VENDOR_API_KEY", API_KEY),
        ("VENDOR_PASSWORD", PASSWORD),
        ("VENDOR_USER", USER),
    ]
}

fn live(p: &Project, cmd: &str, url: &str, ci: &str) -> Run {
    let mut vars = env();
    vars.push(("CI", ci));
    p.conform_env(
        &[
            cmd,
            "--env",
            "sandbox",
            "--base-url",
            url,
            "--report",
            "json",
            "--report",
            "junit",
        ],
        &vars,
    )
}

/// Every form of every secret in `text`, as `(form, line)` pairs.
fn hits(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for form in forbidden() {
        if let Some(line) = text.lines().find(|l| l.contains(form.as_str())) {
            found.push((form, line.chars().take(200).collect()));
        }
    }
    found
}

/// Leaks in every file under the project now.
fn file_leaks(p: &Project, step: &str) -> Vec<String> {
    let mut leaks = Vec::new();
    for file in all_files(p.root()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for (form, line) in hits(&text) {
            leaks.push(format!(
                "after {step}: {}: {form:?} in {line}",
                file.display()
            ));
        }
    }
    leaks
}

fn written(p: &Project) -> Vec<String> {
    all_files(p.root())
        .iter()
        .map(|f| f.display().to_string())
        .collect()
}

fn assert_written(p: &Project, step: &str, wanted: &[&str]) {
    let files = written(p);
    for w in wanted {
        assert!(
            files.iter().any(|f| f.contains(w)),
            "after {step}, no {w} written: {files:?}"
        );
    }
}

#[test]
fn no_secret_in_any_form_reaches_any_output() {
    let server = vendor();
    let p = project();
    let url = server.base_url();
    let mut leaks = Vec::new();

    let review = live(&p, "run", &url, "");
    assert_eq!(review.code(), 1, "{}", review.all());
    assert_written(&p, "review", &["report.json", "junit.xml", ".snap.new"]);
    leaks.extend(file_leaks(&p, "review"));

    let ci = live(&p, "run", &url, "true");
    assert_eq!(ci.code(), 1, "{}", ci.all());
    assert!(
        ci.stdout().contains("<scrubbed:VENDOR_API_KEY>-not"),
        "an expected value built from a secret names it: {}",
        ci.stdout()
    );
    leaks.extend(file_leaks(&p, "ci"));
    // The echoes reached the report, scrubbed (so the scan below looks at real echoes).
    let report = p.read("target/conform/report.json");
    for placeholder in [
        "<scrubbed:VENDOR_API_KEY>",
        "<scrubbed:VENDOR_PASSWORD>",
        "<scrubbed:signature>",
    ] {
        assert!(
            report.contains(placeholder),
            "{placeholder} not in {report}"
        );
    }
    assert!(
        report.contains("redirected (302) to http://127.0.0.1"),
        "{report}"
    );

    let record = live(&p, "record", &url, "true");
    assert!(record.code() <= 1, "{}", record.all());
    assert_written(
        &p,
        "record",
        &[
            "recordings/echo.yaml",
            "recordings/form.yaml",
            "echo__echo_snapshot.snap",
        ],
    );
    leaks.extend(file_leaks(&p, "record"));
    let recording = p.read("cases/demo/recordings/echo.yaml");
    for placeholder in [
        "<scrubbed:VENDOR_API_KEY>",
        "<scrubbed:access_token>",
        "<scrubbed:signature>",
    ] {
        assert!(
            recording.contains(placeholder),
            "{placeholder} not in {recording}"
        );
    }

    let playback = p.conform_env(&["run", "--report", "json", "--report", "junit"], &env());
    assert!(playback.code() <= 1, "{}", playback.all());
    leaks.extend(file_leaks(&p, "playback"));

    for (name, run) in [
        ("review", &review),
        ("ci", &ci),
        ("record", &record),
        ("playback", &playback),
    ] {
        for (form, line) in hits(&run.all()) {
            leaks.push(format!("{name} output: {form:?} in {line}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
