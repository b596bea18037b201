//! The editor schemas in schemas/conform/ are generated from the Rust types; this keeps them in sync.
//! Regenerate with `CONFORM_UPDATE_SCHEMAS=1 cargo test --test editor_schema`.

use conform::editor_schema::{
    api_file_schema, case_file_schema, API_FILE_SCHEMA, CASE_FILE_SCHEMA,
};

fn check(path: &str, generated: String) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("CONFORM_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&full, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is out of date: run CONFORM_UPDATE_SCHEMAS=1 cargo test --test editor_schema"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
}

#[test]
fn case_file_schema_is_current() {
    check(CASE_FILE_SCHEMA, case_file_schema());
}

#[test]
fn api_file_schema_is_current() {
    check(API_FILE_SCHEMA, api_file_schema());
}

#[test]
fn the_editor_schema_accepts_a_valid_case_file_and_rejects_a_typo() {
    let schema: serde_json::Value = serde_json::from_str(&case_file_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let good = serde_json::json!({
        "endpoint": "GET /x/{id}",
        "cases": [{"name": "a", "request": {"path_params": {"id": 1}, "query": {"ids": [1, 2]}},
                   "expect": {"status": "2xx", "assert": {"$.id": {"equals": 1}}, "snapshot": true},
                   "capture": {"x": "$.id", "y": {"header": "Location"}}}]
    });
    assert!(
        validator.is_valid(&good),
        "{:?}",
        validator
            .iter_errors(&good)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let typo = serde_json::json!({"endpoint": "GET /x", "cases": [{"name": "a", "expct": {}}]});
    assert!(!validator.is_valid(&typo));
}
