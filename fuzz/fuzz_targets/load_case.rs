//! Fuzzes case loading, interpolation and schema compilation from bytes.
//!
//! The input is split on lines holding only `%%`: the endpoint file, then optionally `api.yaml`
//! (a minimal one by default), then optionally a JSON Schema. Whatever loads is lowered, every
//! case's request is rendered with the API's variables, errors are rendered with their source
//! lines, and the schema is compiled and run against a few instances. Nothing may panic, hang or
//! allocate without bound.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use conform::case::template::Vars;
use conform::case::{load_from_str, LoadOptions};
use conform::check::schema::SchemaSet;
use conform::run::request::{render, Credentials};
use libfuzzer_sys::fuzz_target;

const DEFAULT_API: &str =
    "name: demo\nheaders: { Accept: application/json }\nvariables: { known_id: 1, word: abc }\n";

/// A project folder with `schemas/demo/Item.json`, made once per process.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("conform-fuzz-{}", std::process::id()));
        let schemas = dir.join("schemas/demo");
        std::fs::create_dir_all(&schemas).unwrap();
        std::fs::write(
            schemas.join("Item.json"),
            r#"{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}"#,
        )
        .unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.split("\n%%\n");
    let case_file = parts.next().unwrap_or_default();
    let api = parts.next().unwrap_or(DEFAULT_API);
    let schema = parts.next();
    let root = root();
    match load_from_str(
        root,
        "demo",
        api,
        &[("fuzz.yaml", case_file)],
        &LoadOptions::default(),
    ) {
        Err(e) => {
            let _ = e.render();
        }
        Ok(suite) => {
            for api in &suite.apis {
                let mut vars = Vars::default();
                for (name, t) in &api.variables {
                    if let Ok(v) = t.render(&vars) {
                        vars.values.insert(name.clone(), v);
                    }
                }
                for file in &api.files {
                    for case in &file.cases {
                        let _ = render(
                            "http://127.0.0.1:9",
                            &api.headers,
                            &case.request,
                            &Credentials::default(),
                            &vars,
                        );
                    }
                }
            }
        }
    }
    if let Some(schema) = schema {
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
});
