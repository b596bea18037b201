//! The CLI contract CI relies on: selections that match nothing are usage errors, tags match
//! case-insensitively, `--filter` takes what conform prints, a closed pipe changes nothing but
//! the terminal, `run` and `record` share their flags, `CI` counts only when true.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::Project;
use serde_json::Value;

fn suite_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `conform -C <the project's own suite> ARGS` with reports in a temporary folder.
fn on_suite(args: &[&str]) -> (common::Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(suite_root())
        .args(args)
        .arg("--report-dir")
        .arg(dir.path())
        .env("CI", "true")
        .output()
        .unwrap();
    (common::Run(out), dir)
}

fn report(dir: &tempfile::TempDir) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap()
}

#[test]
fn a_selection_that_matches_nothing_is_a_usage_error_that_says_what_exists() {
    let (out, dir) = on_suite(&["run", "--api", "kimai", "--tag", "nosuchtag"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr().contains("no case matches --tag `nosuchtag`")
            && out.stderr().contains("known tags: ")
            && out.stderr().contains("smoke"),
        "{}",
        out.all()
    );
    assert!(!dir.path().join("report.json").exists(), "nothing runs");

    let (out, _) = on_suite(&["run", "--filter", "zzzz"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr().contains("no case matches --filter `zzzz`"),
        "{}",
        out.all()
    );

    let (out, _) = on_suite(&["run", "--filter", "kimai/get_custmer::"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(out.stderr().contains("did you mean"), "{}", out.all());
}

#[test]
fn tags_match_whatever_their_case() {
    let (lower, a) = on_suite(&["run", "--api", "kimai", "--tag", "smoke"]);
    let (upper, b) = on_suite(&["run", "--api", "kimai", "--tag", "SMOKE"]);
    assert_eq!((lower.code(), upper.code()), (0, 0), "{}", upper.all());
    let total = |d| report(d)["summary"]["total"].as_u64().unwrap();
    assert!(total(&a) > 0);
    assert_eq!(total(&a), total(&b));

    let (skipped, c) = on_suite(&["run", "--api", "kimai", "--skip-tag", "SMOKE"]);
    assert_eq!(skipped.code(), 0, "{}", skipped.all());
    let doc = report(&c);
    let outcomes = doc["outcomes"].as_array().unwrap();
    let smoke = |o: &Value| {
        o["tags"]
            .as_array()
            .is_some_and(|t| t.contains(&"smoke".into()))
    };
    // A skipped case still runs when a later selected case of its file needs its capture.
    for (i, o) in outcomes.iter().enumerate() {
        if smoke(o) {
            let needed = outcomes[i + 1..]
                .iter()
                .any(|later| later["file"] == o["file"] && !smoke(later));
            assert!(needed, "{} runs under --skip-tag smoke", o["id"]);
        }
    }
    let (all, d) = on_suite(&["run", "--api", "kimai"]);
    assert_eq!(all.code(), 0);
    assert!(outcomes.len() < report(&d)["outcomes"].as_array().unwrap().len());
}

#[test]
fn filter_takes_the_case_file_path_and_the_case_id_conform_prints() {
    let (out, dir) = on_suite(&["run", "--filter", "cases/kimai/get_customer.yaml"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let doc = report(&dir);
    // The API's setup steps (api.yaml `setup:`) run with any of its cases, first.
    let (setup, outcomes): (Vec<_>, Vec<_>) = doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|o| o["file"] == "cases/kimai/api.yaml");
    assert!(!outcomes.is_empty());
    assert!(setup
        .iter()
        .all(|o| o["id"].as_str().unwrap().starts_with("kimai/setup::")));
    assert!(outcomes
        .iter()
        .all(|o| o["file"] == "cases/kimai/get_customer.yaml"));
    // The id printed on a PASS line selects that case.
    let id = outcomes[0]["id"].as_str().unwrap().to_string();
    assert!(
        out.stdout().contains(&format!("PASS {id} ")),
        "{}",
        out.all()
    );
    let (out, dir) = on_suite(&["run", "--filter", &id]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let ids: Vec<String> = report(&dir)["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .filter(|i| !i.starts_with("kimai/setup::"))
        .collect();
    assert_eq!(ids, [id]);
}

#[test]
fn a_closed_pipe_stops_the_terminal_only() {
    for (args, reports) in [(&["run"][..], true), (&["list"][..], false)] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
            .arg("-C")
            .arg(suite_root())
            .args(args)
            .args(if reports {
                vec!["--report-dir".to_string(), dir.path().display().to_string()]
            } else {
                vec![]
            })
            .env("CI", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: read one line, then close the pipe.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if reports {
            let doc: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.path().join("report.json")).unwrap(),
            )
            .unwrap();
            assert_eq!(doc["summary"]["failed"], 0);
            assert!(dir.path().join("junit.xml").exists());
        }
    }
}

#[test]
fn run_and_record_share_their_flags_and_refuse_zero_jobs() {
    let help = |cmd: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args([cmd, "--help"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let (run, record) = (help("run"), help("record"));
    for flag in [
        "--api",
        "--filter",
        "--tag",
        "--skip-tag",
        "--base-url",
        "--env",
        "--jobs",
        "--timeout",
        "--connect-timeout",
        "--max-body",
        "--insecure",
        "--proxy",
        "--report-dir",
        "--report",
    ] {
        assert!(run.contains(flag), "run --help lacks {flag}");
        assert!(record.contains(flag), "record --help lacks {flag}");
    }
    assert!(run.contains("Exit codes:") && run.contains("could not be checked"));
    for cmd in ["run", "record"] {
        let p = Project::demo();
        let out = p.conform(&[cmd, "-j", "0", "--base-url", "http://127.0.0.1:9"]);
        assert_eq!(out.code(), 2, "{cmd}: {}", out.all());
    }
    let p = Project::demo();
    p.write(
        "cases/demo/get_item.yaml",
        "endpoint: GET /items\ncases:\n  - name: a\n",
    );
    let out = p.conform(&["record", "--api", "demo"]);
    assert_eq!(out.code(), 2, "{}", out.all());
    assert!(
        out.stderr().contains("record needs a live target"),
        "{}",
        out.all()
    );
}

#[test]
fn ci_counts_only_when_true() {
    // Playback: a live run never writes pending snapshots, whatever CI says.
    let p = Project::demo();
    p.write(
        "cases/demo/list_items.yaml",
        "endpoint: GET /items\ncases:\n  - name: new snapshot\n    expect: { snapshot: true }\n",
    );
    p.write(
        "cases/demo/recordings/list_items.yaml",
        "interactions:\n  - case: new snapshot\n    provenance: { kind: documented, source: test }\n    request: { method: GET, path: /items }\n    response: { status: 200, json: { id: 1, name: a } }\n",
    );
    let pending = |p: &Project| {
        common::all_files(&p.path("snapshots"))
            .iter()
            .any(|f| f.to_string_lossy().ends_with(".snap.new"))
    };
    let ci = p.conform_env(&["run"], &[("CI", "true")]);
    assert_eq!(
        ci.code(),
        1,
        "a missing snapshot fails under CI: {}",
        ci.all()
    );
    assert!(
        p.path("snapshots").read_dir().is_err() || !pending(&p),
        "{}",
        ci.all()
    );
    let not_ci = p.conform_env(&["run"], &[("CI", "false")]);
    assert!(pending(&p), "CI=false is not CI: {}", not_ci.all());
}

#[test]
fn many_jobs_under_a_low_open_file_limit_all_pass() {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path_prefix("/items/");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"id":1,"name":"a"}"#);
    });
    let p = Project::demo();
    for i in 0..1500 {
        p.write(
            &format!("cases/demo/item_{i:04}.yaml"),
            &format!("endpoint: GET /items/{i}\ncases:\n  - name: item {i}\n    expect: {{ status: 200 }}\n"),
        );
    }
    let command = format!(
        "ulimit -n 256 && exec '{}' -C '{}' run -j 1500 --base-url {}",
        env!("CARGO_BIN_EXE_conform"),
        p.root().display(),
        server.base_url()
    );
    let out = common::Run(
        Command::new("sh")
            .args(["-c", &command])
            .env("CI", "true")
            .output()
            .unwrap(),
    );
    assert_eq!(out.code(), 0, "{}", out.stderr());
    assert!(
        out.stdout().contains("ok: 1500 passed, 0 failed"),
        "{}",
        out.all()
    );
    assert!(
        out.stderr()
            .contains("note: -j 1500 lowered to 96: the open-file limit is 256"),
        "{}",
        out.stderr()
    );
}

#[test]
fn completions_and_the_version_with_its_commit() {
    let conform = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = conform(&["completions", "bash"]);
    assert!(bash.contains("_conform()"), "{bash}");
    for word in ["merge", "--shard", "--report"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    assert!(conform(&["completions", "zsh"]).starts_with("#compdef conform"));
    assert!(conform(&["completions", "fish"]).contains("complete -c conform"));

    let version = conform(&["--version"]);
    let expected = format!("conform {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    // Built from a git checkout: the short commit follows, as `git rev-parse` gives it.
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(suite_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        Some(commit) => assert!(
            version.contains(&format!("({commit})")) || version.contains(" ("),
            "{version}"
        ),
        None => assert_eq!(version.trim(), expected),
    }
}
