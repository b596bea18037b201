//! The fuzz target's committed corpus (fuzz/corpus/load_case), replayed through the same public
//! entry points on every `cargo test`: case files, YAML alias bombs, deep nesting and huge scalars
//! must load or fail with located errors, never panic or hang; templates and JSONPaths nested
//! thousands deep hit the nesting limits of `case::limits`. Crash reproducers found by
//! `cargo fuzz` go into that folder too, so that they stay fixed.

use std::path::Path;

use conform::fuzzing::exercise;

#[test]
fn the_fuzz_corpus_loads_or_fails_cleanly() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("schemas/demo")).unwrap();
    std::fs::write(
        root.path().join("schemas/demo/Item.json"),
        r#"{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}"#,
    )
    .unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/load_case");
    let mut seen = 0;
    let mut depth_limited = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = exercise(root.path(), &text);
        seen += 1;
        match name.as_str() {
            "case_minimal" | "case_full" | "flow" | "huge_scalar" => {
                assert!(matches!(result, Ok(n) if n > 0), "{name}: {result:?}")
            }
            "alias_bomb" | "deep_flow" | "multibyte_error" => {
                let err = result.expect_err(&name);
                eprintln!("{name}:\n{err}");
                assert!(err.contains("cases/demo/fuzz.yaml"), "{name}: {err}");
            }
            // Nesting that overflowed the stack: a located error naming the limit, not echoing
            // the 150 KB input.
            "deep_template" | "deep_jsonpath_capture" | "deep_jsonpath_assert" => {
                let err = result.expect_err(&name);
                assert!(err.contains("cases/demo/fuzz.yaml:"), "{name}: {err}");
                assert!(err.contains("deep"), "{name}: {err}");
                assert!(err.len() < 4096, "{name}: {} bytes of error", err.len());
                depth_limited += 1;
            }
            _ => {}
        }
    }
    assert_eq!(depth_limited, 3, "the depth-limit inputs are in the corpus");
    assert!(
        seen >= 10,
        "only {seen} corpus files in {}",
        corpus.display()
    );
}
