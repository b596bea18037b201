//! Multipart and binary bodies: sent as declared, recorded without lossy text conversion (a digest
//! for uploads, base64 for binary responses) and matched again on playback.

mod common;

use common::Project;
use httpmock::prelude::*;

/// Not UTF-8 on purpose: the PNG signature starts with 0x89.
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x42,
];

fn project() -> Project {
    let p = Project::with_api("name: demo\nvariables: { doc: \"2026\" }\n");
    std::fs::create_dir_all(p.path("cases/demo/fixtures")).unwrap();
    std::fs::write(p.path("cases/demo/fixtures/face.png"), PNG).unwrap();
    p.write("cases/demo/fixtures/contract.txt", "signed contract\n");
    p.write(
        "cases/demo/upload.yaml",
        r#"endpoint: POST /customers/{id}/documents
cases:
  - name: uploads a document
    request:
      path_params: { id: 7 }
      multipart:
        - { name: description, value: "contract {{ doc }}" }
        - { name: file, file: fixtures/contract.txt, content_type: text/plain }
        - { name: scan, file: fixtures/face.png, filename: scan.png, content_type: image/png }
    expect: { status: 201 }
"#,
    );
    p.write(
        "cases/demo/image.yaml",
        r#"endpoint: PUT /customers/{id}/image
cases:
  - name: sets the profile image
    request: { path_params: { id: 7 }, file: fixtures/face.png, content_type: image/png }
    expect: { status: 204 }
  - name: reads the profile image
    endpoint: GET /customers/{id}/image
    request: { path_params: { id: 7 } }
    expect: { status: 200, content_type: image/png }
"#,
    );
    p
}

fn vendor() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST)
            .path("/customers/7/documents")
            .header_matches("content-type", "^multipart/form-data; boundary=.+")
            .body_includes("name=\"description\"\r\n\r\ncontract 2026\r\n")
            .body_includes(
                "name=\"file\"; filename=\"contract.txt\"\r\nContent-Type: text/plain\r\n\r\nsigned contract\n\r\n",
            )
            .body_includes("name=\"scan\"; filename=\"scan.png\"\r\nContent-Type: image/png");
        then.status(201);
    });
    server.mock(|when, then| {
        when.method(PUT)
            .path("/customers/7/image")
            .header("content-type", "image/png");
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(GET).path("/customers/7/image");
        then.status(200)
            .header("content-type", "image/png")
            .body(PNG);
    });
    server
}

#[test]
fn bodies_are_sent_recorded_and_played_back() {
    let p = project();
    let server = vendor();
    let live = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(live.code(), 0, "{}", live.all());

    let record = p.conform(&["record", "--api", "demo", "--base-url", &server.base_url()]);
    assert_eq!(record.code(), 0, "{}", record.all());
    let image = p.read("cases/demo/recordings/image.yaml");
    let upload = std::fs::read_to_string(p.path("cases/demo/recordings/upload.yaml")).unwrap();
    // The upload is binary (it contains the PNG), so it is kept as a digest; the image as base64.
    assert!(upload.contains("sha256:"), "{upload}");
    assert!(image.contains("sha256:"), "{image}");
    assert!(image.contains("base64: iVBORw0KGgoA//5C"), "{image}");
    assert!(!image.contains('\u{fffd}') && !upload.contains('\u{fffd}'));

    let playback = p.conform(&["run"]);
    assert_eq!(playback.code(), 0, "{}", playback.all());

    // Another file uploaded: playback names the binary body as the difference.
    std::fs::write(p.path("cases/demo/fixtures/face.png"), b"\x89other").unwrap();
    let changed = p.conform(&["run", "--filter", "sets the profile"]);
    assert_eq!(changed.code(), 1, "{}", changed.all());
    assert!(
        changed.stdout().contains("binary body: recorded sha256"),
        "{}",
        changed.all()
    );
}

#[test]
fn a_missing_or_escaping_body_file_is_a_located_load_error() {
    let p = project();
    p.write(
        "cases/demo/image.yaml",
        "endpoint: PUT /x\ncases:\n  - name: a\n    request: { file: fixtures/nope.png }\n  - name: b\n    request: { multipart: [ { name: f, file: ../api.yaml } ] }\n  - name: c\n    request: { multipart: [ { name: f } ] }\n",
    );
    let run = p.conform(&["validate"]);
    assert_eq!(run.code(), 2, "{}", run.all());
    let err = run.stderr();
    assert!(
        err.contains("cases/demo/image.yaml:4:")
            && err.contains("cannot read body file `cases/demo/fixtures/nope.png`"),
        "{err}"
    );
    assert!(
        err.contains("body file `../api.yaml`: expected a path inside the API's folder"),
        "{err}"
    );
    assert!(
        err.contains("multipart part `f` needs exactly one of `value` and `file`"),
        "{err}"
    );
}

/// Integers beyond 64 bits reach the server as written, not as the nearest float; the server
/// answers 201 only for those exact bytes.
#[test]
fn integers_beyond_64_bits_are_sent_as_written() {
    let p = Project::with_api("name: demo\n");
    p.write(
        "cases/demo/big.yaml",
        r#"endpoint: POST /numbers
cases:
  - name: sends a big integer
    request:
      json: { n: 123456789012345678901234567890, neg: [-98765432109876543210987, 1.5], tag: "{{ api }}" }
    expect: { status: 201 }
"#,
    );
    p.write(
        "cases/demo/api.yaml",
        "name: demo\nvariables: { api: v1 }\n",
    );
    let server = MockServer::start();
    let exact = server.mock(|when, then| {
        when.method(POST).path("/numbers").body(
            r#"{"n":123456789012345678901234567890,"neg":[-98765432109876543210987,1.5],"tag":"v1"}"#,
        );
        then.status(201);
    });
    let run = p.conform(&["run", "--base-url", &server.base_url()]);
    assert_eq!(run.code(), 0, "{}", run.all());
    exact.assert_calls(1);
}
