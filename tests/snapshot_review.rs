//! Snapshots tell the user: names that keep non-ASCII letters, pending `.snap.new` files listed
//! after a run with the command to review them, `--accept` listing what it wrote, and
//! `conform review` answering from a pipe, writing exactly what insta writes.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::Project;

const NEW_A: &str = "snapshots/demo/names__kundenübersicht.snap";

fn project(id: u32) -> Project {
    let p = Project::with_api("name: demo\n");
    p.write(
        "cases/demo/names.yaml",
        "endpoint: GET /items\ncases:\n  - name: Kundenübersicht\n    expect: { status: 200, snapshot: true }\n  - name: \"!!!\"\n    expect: { status: 200, snapshot: true }\n",
    );
    recording(&p, id);
    p
}

fn recording(p: &Project, id: u32) {
    let interaction = |case: &str, id: u32| {
        format!(
            "  - case: \"{case}\"\n    provenance: {{ kind: documented, source: test }}\n    request: {{ method: GET, path: /items }}\n    response: {{ status: 200, headers: {{ content-type: application/json }}, json: {{ id: {id} }} }}\n"
        )
    };
    p.write(
        "cases/demo/recordings/names.yaml",
        &format!(
            "interactions:\n{}{}",
            interaction("Kundenübersicht", id),
            interaction("!!!", id + 1)
        ),
    );
}

/// `conform review ARGS` with `answers` on stdin.
fn review(p: &Project, args: &[&str], answers: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("-C")
        .arg(p.root())
        .arg("review")
        .args(args)
        .env("CI", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The pending snapshot of the case named only with punctuation: a short hash, never empty.
fn hashed_pending(p: &Project) -> String {
    let names: Vec<String> = std::fs::read_dir(p.path("snapshots/demo"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("names__h"))
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    assert_eq!(
        name.len(),
        "names__h".len() + 8 + ".snap.new".len(),
        "{name}"
    );
    format!("snapshots/demo/{name}")
}

#[test]
fn a_run_lists_its_pending_snapshots_and_review_takes_answers_from_a_pipe() {
    let p = project(1);
    let run = p.conform_env(&["run"], &[("CI", "")]);
    assert_eq!(run.code(), 0, "{}", run.all());
    let hashed = hashed_pending(&p);
    let out = run.stdout();
    assert!(out.contains("snapshots to review (2):"), "{out}");
    assert!(out.contains(&format!("  {NEW_A}.new\n")), "{out}");
    assert!(out.contains(&format!("  {hashed}\n")), "{out}");
    assert!(out.contains("review them with `conform review`"), "{out}");

    // Sorted: the hashed name first. A wrong answer is asked again; then accept, reject.
    let (code, text) = review(&p, &[], "x\na\nr\n");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("`x` is not an answer"), "{text}");
    assert!(
        text.contains("new snapshot:") && text.contains("+    \"id\": 2"),
        "{text}"
    );
    let accepted = hashed.trim_end_matches(".new");
    assert!(
        text.contains(&format!("accepted (1):\n  {accepted}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("rejected (1):\n  {NEW_A}\n")),
        "{text}"
    );
    assert!(p.path(accepted).exists() && !p.path(&hashed).exists());
    assert!(!p.path(NEW_A).exists() && !p.path(&format!("{NEW_A}.new")).exists());

    // What was accepted is byte for byte what insta itself writes for that snapshot.
    let written = std::fs::read(p.path(accepted)).unwrap();
    let by_insta = p.path("by_insta.snap");
    insta::Snapshot::from_file(&p.path(accepted))
        .unwrap()
        .save(&by_insta)
        .unwrap();
    assert_eq!(written, std::fs::read(&by_insta).unwrap());
    assert!(String::from_utf8(written)
        .unwrap()
        .contains("expression: \"!!!\""));

    // The accepted snapshot now matches: nothing pending, nothing to review.
    let again = p.conform_env(&["run"], &[("CI", "")]);
    assert_eq!(again.code(), 0, "{}", again.all());
    assert!(!again.stdout().contains(accepted), "{}", again.all());
    assert!(p.path(&format!("{NEW_A}.new")).exists());
    let (code, text) = review(&p, &["--reject-all"], "");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("rejected (1):\n  {NEW_A}\n")),
        "{text}"
    );
    let (code, text) = review(&p, &[], "");
    assert_eq!(
        (code, text.trim()),
        (0, "no snapshots to review (no .snap.new under snapshots/)")
    );
}

#[test]
fn the_end_of_stdin_skips_the_rest_and_accept_all_takes_them() {
    let p = project(1);
    assert_eq!(p.conform_env(&["run"], &[("CI", "")]).code(), 0);
    let (code, text) = review(&p, &[], "s\n");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("skipped (2):"), "{text}");
    assert!(text.contains("the rest were skipped"), "{text}");
    assert!(p.path(&format!("{NEW_A}.new")).exists());
    let (code, text) = review(&p, &["--accept-all"], "");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("accepted (2):"), "{text}");
    assert!(p.path(NEW_A).exists() && !p.path(&format!("{NEW_A}.new")).exists());
    let (code, text) = review(&p, &["--accept-all", "--reject-all"], "");
    assert_eq!(code, 2, "{text}");
}

#[test]
fn accept_lists_the_snapshots_it_wrote() {
    let p = project(1);
    let first = p.conform(&["run", "--accept"]);
    assert_eq!(first.code(), 0, "{}", first.all());
    assert!(
        first.stdout().contains("snapshots written (2):"),
        "{}",
        first.all()
    );
    assert!(
        first.stdout().contains(&format!("  {NEW_A}\n")),
        "{}",
        first.all()
    );

    // Both responses change; the filtered run rewrites only its case's snapshot and lists it.
    recording(&p, 5);
    let changed = p.conform(&["run", "--accept", "--filter", "Kunden"]);
    assert_eq!(changed.code(), 0, "{}", changed.all());
    let out = changed.stdout();
    assert!(
        out.contains(&format!("snapshots written (1):\n  {NEW_A}\n")),
        "{out}"
    );
    assert!(p.read(NEW_A).contains("\"id\": 5"));
    // The other case's response changed too: the unfiltered run writes it; then nothing is left.
    let rest = p.conform(&["run", "--accept"]);
    assert!(
        rest.stdout()
            .contains("snapshots written (1):\n  snapshots/demo/names__h"),
        "{}",
        rest.all()
    );
    let same = p.conform(&["run", "--accept"]);
    assert!(
        !same.stdout().contains("snapshots written"),
        "{}",
        same.all()
    );
}
