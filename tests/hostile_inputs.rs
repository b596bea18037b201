//! Inputs that crashed conform (stack overflow, exit 134) or flooded stderr, run through the real
//! binary: `validate` and `run` must both end with a located error and exit 2. The binary's main
//! thread has the default 8 MiB stack; case files are parsed there (or, for 16 files and more, on
//! 2 MiB threads), so these inputs also fill 16 files.

mod common;

use common::Project;

/// One case file per hostile input, the same text in `copies` files.
fn project_with(case_file: &str, copies: usize) -> Project {
    let p = Project::with_api("name: demo\nvariables: { word: abc }\n");
    for i in 0..copies {
        p.write(&format!("cases/demo/f{i:02}.yaml"), case_file);
    }
    p
}

fn assert_located_refusal(p: &Project, needle: &str) {
    for args in [&["validate"][..], &["run"][..]] {
        let out = p.conform(args);
        let stderr = out.stderr();
        assert_eq!(out.code(), 2, "{args:?}: {}", out.all());
        assert!(
            stderr.contains("cases/demo/f00.yaml:"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_template_nested_30000_deep_is_a_located_error() {
    let n = 30_000;
    let template = format!("{{{{ {}word{} }}}}", "md5(".repeat(n), ")".repeat(n));
    for copies in [1, 16] {
        let p = project_with(
            &format!(
                "endpoint: GET /x\ncases:\n  - name: t\n    request: {{ headers: {{ X: \"{template}\" }} }}\n"
            ),
            copies,
        );
        assert_located_refusal(&p, "function calls nest more than 32 deep");
    }
}

#[test]
fn jsonpaths_with_5000_nested_parentheses_are_located_errors() {
    let path = format!("$[?{}@.a{}]", "(".repeat(5000), ")".repeat(5000));
    let capture =
        format!("endpoint: GET /x\ncases:\n  - name: t\n    capture: {{ id: \"{path}\" }}\n");
    // An explicit key (`? `): YAML limits implicit keys to 1024 characters.
    let assert = format!(
        "endpoint: GET /x\ncases:\n  - name: t\n    expect:\n      assert:\n        ? \"{path}\"\n        : {{ exists: true }}\n"
    );
    for file in [capture, assert] {
        assert_located_refusal(&project_with(&file, 16), "nest 5001 deep");
    }
}

#[test]
fn yaml_nested_100000_deep_is_a_located_error() {
    let n = 100_000;
    let file = format!(
        "endpoint: POST /x\ncases:\n  - name: t\n    request: {{ json: {}{} }}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    assert_located_refusal(&project_with(&file, 16), "YAML nested too deep");
    let mut block =
        String::from("endpoint: POST /x\ncases:\n  - name: t\n    request:\n      json:\n");
    for i in 0..200 {
        block.push_str(&format!("{}k:\n", "  ".repeat(i + 4)));
    }
    assert_located_refusal(&project_with(&block, 16), "YAML nested too deep");
}

#[test]
fn a_10_mb_unknown_key_is_named_not_echoed() {
    let key = "k".repeat(10 << 20);
    let p = project_with(
        // An explicit key: YAML limits implicit ones to 1024 characters.
        &format!("endpoint: GET /x\ncases:\n  - name: t\n    ? {key}\n    : 1\n"),
        1,
    );
    let out = p.conform(&["validate"]);
    assert_eq!(out.code(), 2, "{}", &out.all()[..out.all().len().min(2000)]);
    let stderr = out.stderr();
    assert!(stderr.len() < 4096, "{} bytes on stderr", stderr.len());
    assert!(stderr.contains("cases/demo/f00.yaml:4:7"), "{stderr}");
    assert!(
        stderr.contains("unknown field `kkkk") && stderr.contains("... (10485760 characters)`"),
        "{stderr}"
    );
}
