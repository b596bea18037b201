//! Files conform does not read are named: a warning from `validate` and `run`, an error from
//! `validate --strict`. Symlinks cannot live in the golden folders (tests/errors), so they are here.

mod common;

use common::Project;

fn project() -> Project {
    let p = Project::demo();
    p.write(
        "cases/demo/list_items.yaml",
        "endpoint: GET /items\ncases:\n  - name: lists items\n",
    );
    let dir = p.path("cases/demo");
    std::os::unix::fs::symlink("gone.yaml", dir.join("dangling.yaml")).unwrap();
    std::os::unix::fs::symlink("loop.yaml", dir.join("loop.yaml")).unwrap();
    p
}

#[test]
fn dangling_symlinks_and_loops_are_warnings_and_strict_errors() {
    let p = project();
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 0, "{}", out.all());
    let stderr = out.stderr();
    for expected in [
        "warning: dangling symlink: it is not read\n --> cases/demo/dangling.yaml",
        "warning: symlink loop: it is not read\n --> cases/demo/loop.yaml",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // The unused schema of Project::demo() is named too.
    assert!(stderr.contains("schemas/demo/Item.json"), "{stderr}");
    assert!(out.stdout().contains("(3 warnings)"), "{}", out.stdout());

    let strict = p.conform(&["validate", "--strict"]);
    assert_eq!(strict.code(), 2, "{}", strict.all());
    assert!(
        strict.stderr().contains("error: dangling symlink"),
        "{}",
        strict.all()
    );
    assert!(
        strict.stderr().contains("3 problems in 3 files"),
        "{}",
        strict.all()
    );
}

#[test]
fn run_names_stray_files_before_it_starts() {
    let p = project();
    let out = p.conform(&["run"]);
    assert!(
        out.stderr().contains("warning: dangling symlink"),
        "{}",
        out.all()
    );
}
