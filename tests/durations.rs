//! Every duration is bounded at load: an absurd one (`backoff: 100000h`) is a located load error
//! with exit 2, not a panic in the backoff arithmetic or a run that never ends.

mod common;

use common::Project;

const CASE: &str = "endpoint: GET /items\ncases:\n  - name: a\n";

fn refused(p: &Project, location: &str, message: &str) {
    let commands: [&[&str]; 2] = [&["validate"], &["run", "--base-url", "http://127.0.0.1:9"]];
    for command in commands {
        let out = p.conform(command);
        let command = command[0];
        let stderr = out.stderr();
        assert_eq!(out.code(), 2, "{command}: {}", out.all());
        assert!(
            stderr.contains(location),
            "{command}: want {location}:\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{command}: want {message}:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_huge_backoff_is_a_located_load_error() {
    let p = Project::with_api("name: demo\nlimits: { backoff: 100000h }\n");
    p.write("cases/demo/get_item.yaml", CASE);
    refused(
        &p,
        "api.yaml:2:20",
        "duration `100000h` is too long: expected at most `1m`",
    );
}

#[test]
fn huge_timeouts_and_budgets_are_located_load_errors() {
    let p = Project::with_api("name: demo\nlimits: { timeout: 2h }\n");
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items\ncases:\n  - name: a\n    timeout: 100000h\n  - name: b\n    expect: { max_duration: 9999h }\n",
    );
    refused(
        &p,
        "api.yaml:2:20",
        "duration `2h` is too long: expected at most `1h`",
    );
    refused(&p, "get_item.yaml:4:14", "duration `100000h` is too long");
    refused(&p, "get_item.yaml:6:29", "duration `9999h` is too long");
}

#[test]
fn durations_at_the_maximum_load() {
    let p = Project::with_api("name: demo\nlimits: { backoff: 1m, timeout: 1h }\n");
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items\ncases:\n  - name: a\n    timeout: 1h\n    expect: { max_duration: 1h }\n",
    );
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 0, "{}", out.all());
}
