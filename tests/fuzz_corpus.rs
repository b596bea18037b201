//! The fuzz target's committed corpus (fuzz/corpus/load_case), replayed through the same public
//! entry points on every `cargo test`: case files, YAML alias bombs, deep nesting and huge scalars
//! must load or fail with located errors, never panic or hang. Crash reproducers found by
//! `cargo fuzz` go into that folder too, so that they stay fixed.

use std::path::Path;

use conform::case::template::Vars;
use conform::case::{load_from_str, LoadOptions};
use conform::check::schema::SchemaSet;
use conform::run::request::{render, Credentials};

const DEFAULT_API: &str =
    "name: demo\nheaders: { Accept: application/json }\nvariables: { known_id: 1, word: abc }\n";

/// What the fuzz target does with one input; returns whether the case file loaded.
fn exercise(root: &Path, text: &str) -> Result<usize, String> {
    let mut parts = text.split("\n%%\n");
    let case_file = parts.next().unwrap_or_default();
    let api = parts.next().unwrap_or(DEFAULT_API);
    if let Some(schema) = parts.next() {
        let mut set = SchemaSet::default();
        if let Ok(id) = set.compile_str(schema, &root.join("schemas/demo"), "Fuzz.json".into()) {
            let _ = set.validate(id, &serde_json::json!({"id": 1}));
        }
    }
    let suite = load_from_str(
        root,
        "demo",
        api,
        &[("fuzz.yaml", case_file)],
        &LoadOptions::default(),
    )
    .map_err(|e| e.render())?;
    let mut rendered = 0;
    for api in &suite.apis {
        let mut vars = Vars::default();
        for (name, t) in &api.variables {
            if let Ok(v) = t.render(&vars) {
                vars.values.insert(name.clone(), v);
            }
        }
        for file in &api.files {
            for case in &file.cases {
                let cred = Credentials::default();
                if render(
                    "http://127.0.0.1:9",
                    &api.headers,
                    &case.request,
                    &cred,
                    &vars,
                )
                .is_ok()
                {
                    rendered += 1;
                }
            }
        }
    }
    Ok(rendered)
}

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
            _ => {}
        }
    }
    assert!(
        seen >= 10,
        "only {seen} corpus files in {}",
        corpus.display()
    );
}
