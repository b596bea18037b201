//! What the fuzz target (`fuzz/fuzz_targets/load_case.rs`) does with one input, shared with the
//! corpus replay in `tests/fuzz_corpus.rs` so that `cargo test` exercises exactly the fuzzed path.
//!
//! The input is split on lines holding only `%%`: the endpoint file, then optionally `api.yaml`
//! (a minimal one by default), then optionally a JSON Schema. Whatever loads is lowered and every
//! case's request rendered with the API's variables; errors are rendered with their source lines;
//! the schema is compiled and run against a few instances.

use std::path::Path;

use crate::case::template::Vars;
use crate::case::{load_from_str, LoadOptions};
use crate::run::request::{render, Credentials};
use crate::schema::SchemaSet;

/// The `api.yaml` used when an input gives none.
pub const DEFAULT_API: &str =
    "name: demo\nheaders: { Accept: application/json }\nvariables: { known_id: 1, word: abc }\n";

/// Runs one input under `root` (a project folder with `schemas/demo/`). Returns how many requests
/// rendered, or the rendered load error.
pub fn exercise(root: &Path, text: &str) -> Result<usize, String> {
    let mut parts = text.split("\n%%\n");
    let case_file = parts.next().unwrap_or_default();
    let api = parts.next().unwrap_or(DEFAULT_API);
    if let Some(schema) = parts.next() {
        let mut set = SchemaSet::default();
        if let Ok(id) = set.compile_str(schema, &root.join("schemas/demo"), "Fuzz.json".into()) {
            for instance in [
                serde_json::json!({"id": 1, "name": "x"}),
                serde_json::json!([1, "a", null, {"a": [true]}]),
                serde_json::Value::String(case_file.chars().take(256).collect()),
            ] {
                let _ = set.validate(id, &instance);
            }
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
        for case in api.files.iter().flat_map(|f| &f.cases) {
            let credentials = Credentials::default();
            let request = render(
                "http://127.0.0.1:9",
                &api.headers,
                &case.request,
                &credentials,
                &vars,
            );
            if request.is_ok() {
                rendered += 1;
            }
        }
    }
    Ok(rendered)
}
