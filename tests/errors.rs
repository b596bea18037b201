//! Golden files for every message conform prints about bad input, usage and failed runs.
//!
//! Each folder `tests/errors/<name>/` is a small project (`cases/`, `schemas/`, `.env`, ...) with
//! an optional `args` file (the command line, default `validate`), an optional `env` file
//! (`NAME=value` lines added to the otherwise empty environment), `expected.stderr`,
//! `expected.code` and, when present, `expected.stdout`; symlinks in a project are copied as links. The test copies each project to a
//! temporary folder, runs the real binary on it with `-C`, and compares the outputs with the
//! temporary path, durations and ports redacted. `CONFORM_UPDATE_GOLDEN=1 cargo test --test errors`
//! rewrites the expected files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EXPECTED: [&str; 3] = ["expected.stderr", "expected.code", "expected.stdout"];
const CONTROL: [&str; 2] = ["args", "env"];
/// Longest a golden case may run: a hang is a failure, not a stuck test suite.
const TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn every_message_matches_its_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} golden cases", cases.len());
    let update = std::env::var_os("CONFORM_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case, update).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases differ (CONFORM_UPDATE_GOLDEN=1 rewrites them):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Runs one golden case; `Err` holds a readable diff of what differs.
fn check(case: &Path, update: bool) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let project = tempfile::tempdir().unwrap();
    copy_project(case, project.path(), true);
    let actual = run(case, project.path());
    let mut diffs = Vec::new();
    for (file, text) in [
        ("expected.stderr", Some(&actual.stderr)),
        ("expected.code", Some(&format!("{}\n", actual.code))),
        (
            "expected.stdout",
            Some(&actual.stdout).filter(|_| case.join("expected.stdout").exists()),
        ),
    ] {
        let Some(text) = text else { continue };
        let path = case.join(file);
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected == *text && path.exists() {
            continue;
        }
        if update {
            std::fs::write(&path, text).unwrap();
        } else {
            diffs.push(format!("--- {name}/{file}\n{}", diff(&expected, text)));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("\n"))
    }
}

struct Actual {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run(case: &Path, project: &Path) -> Actual {
    let args = std::fs::read_to_string(case.join("args")).unwrap_or_else(|_| "validate".into());
    let out_path = project.join(".golden-stdout");
    let err_path = project.join(".golden-stderr");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
    cmd.arg("-C")
        .arg(project)
        .args(split_args(&args))
        .current_dir(project)
        .env_clear()
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    for line in std::fs::read_to_string(case.join("env"))
        .unwrap_or_default()
        .lines()
    {
        if let Some((k, v)) = line.split_once('=') {
            cmd.env(k.trim(), v.trim());
        }
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > TIMEOUT {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| {
        redact(
            &String::from_utf8_lossy(&std::fs::read(p).unwrap()),
            project,
        )
    };
    Actual {
        stdout: read(&out_path),
        stderr: read(&err_path),
        // -1: killed after TIMEOUT or by a signal (a crash), never an expected code.
        code: status.and_then(|s| s.code()).unwrap_or(-1),
    }
}

/// Copies the project's inputs (not the expected files nor the control files).
fn copy_project(from: &Path, to: &Path, top: bool) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let (src, dst) = (entry.path(), to.join(&name));
        if top && (EXPECTED.contains(&name.as_str()) || CONTROL.contains(&name.as_str())) {
            continue;
        }
        // Symlinks are kept as links (the hostile cases link out of the project, e.g. to /etc).
        #[cfg(unix)]
        if entry.file_type().unwrap().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
            continue;
        }
        if src.is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_project(&src, &dst, false);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Splits the `args` file like a shell would for simple words: whitespace separates, single or
/// double quotes keep spaces.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => args.extend(current.take()),
            (None, c) => current.get_or_insert_with(String::new).push(c),
        }
    }
    args.extend(current);
    args
}

/// Replaces what changes between runs: the temporary project path, durations and ports.
fn redact(text: &str, project: &Path) -> String {
    let mut out = text.replace(&project.display().to_string(), "[PROJECT]");
    if let Ok(canonical) = project.canonicalize() {
        out = out.replace(&canonical.display().to_string(), "[PROJECT]");
    }
    let rules = [
        // Times as the run prints them, `(12 ms)` and `in 0.03 s`; not `2s` inside a message.
        (r"\(\d+(\.\d+)? ?(ms|µs|s)\)", "([DURATION])"),
        (r"\b\d+\.\d+ ?s\b", "[DURATION]"),
        (r"(127\.0\.0\.1|localhost):\d+", "$1:[PORT]"),
    ];
    for (pattern, with) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string()
}

#[test]
fn redaction_and_argument_splitting() {
    let p = Path::new("/tmp/x1");
    assert_eq!(
        redact("/tmp/x1/cases ok (12 ms) in 0.03 s at 127.0.0.1:4567", p),
        "[PROJECT]/cases ok ([DURATION]) in [DURATION] at 127.0.0.1:[PORT]"
    );
    assert_eq!(
        split_args("run --filter 'a b' -j 2\n"),
        ["run", "--filter", "a b", "-j", "2"]
    );
}
