//! `conform run --base-url` pointed at `conform mock`: a flow step whose request no longer
//! matches its recording fails with the mock's diff against the expected next step, not with the
//! status of the mock's 404.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// The project of the golden case `run_flow_request_mutated`: a two-step flow whose first step
/// now sends `name: mutated` where the recording has `name: original`.
const PROJECT: &str = "tests/errors/run_flow_request_mutated";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_mutated_flow_step_fails_with_the_diff_against_the_expected_exchange() {
    let project = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(PROJECT)
            .join("cases"),
        &project.path().join("cases"),
    );
    let mut mock = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(project.path())
        .args(["mock", "--api", "demo", "--port", "0", "--strict"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("conform mock starts");
    let mut lines = BufReader::new(mock.stdout.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let base = banner
        .split(" on ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(project.path())
        .args(["run", "--api", "demo", "--base-url"])
        .arg(format!("{base}/__scenario/mutated-run"))
        .arg("--report-dir")
        .arg(project.path().join("reports"))
        .env("NO_COLOR", "1")
        .output()
        .expect("conform run starts");
    let _ = mock.kill();
    let _ = mock.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "error: conform mock: no recorded interaction of API `demo` matches POST /items"
        ),
        "{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().map(str::trim_start).collect();
    for line in [
        "--- expected flow_item::create",
        "+++ sent",
        "-  \"name\": \"original\",",
        "+  \"name\": \"mutated\",",
    ] {
        assert!(lines.contains(&line), "{line:?} in\n{stdout}");
    }
}
