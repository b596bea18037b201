//! The drift document (`drift.json`) is described by the committed JSON Schema, generated from
//! the Rust types. Regenerate with `CONFORM_UPDATE_SCHEMAS=1 cargo test --test drift_doc`.

use std::path::Path;

use conform::drift::doc::{json_schema, DriftDoc, FORMAT};

const SCHEMA: &str = "schemas/conform/drift.schema.json";

#[test]
fn the_drift_schema_is_current() {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA);
    let generated = json_schema();
    if std::env::var_os("CONFORM_UPDATE_SCHEMAS").is_some() {
        std::fs::write(&full, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        committed == generated,
        "{SCHEMA} is out of date: run CONFORM_UPDATE_SCHEMAS=1 cargo test --test drift_doc"
    );
}

#[test]
fn a_document_validates_against_the_schema_and_reads_back() {
    let doc = serde_json::json!({
        "format": FORMAT,
        "conform_version": "0.1.0",
        "at": "2026-12-02T10:00:00Z",
        "targets": [{"api": "demo", "target": "http://127.0.0.1:9"}],
        "summary": {"compared": 1, "no_recording": 0, "errors": 0, "skipped": 0, "breaking": 1,
                    "additive": 0, "value": 0, "noise": 0, "ignored": 0},
        "cases": [{
            "case": "demo/get_item::fetches an item",
            "location": "cases/demo/get_item.yaml:3",
            "recording": "cases/demo/recordings/get_item.yaml",
            "status": "compared",
            "findings": [{
                "code": "field-removed", "grade": "breaking", "part": "body", "pointer": "/name",
                "recorded": "Acme", "case": "demo/get_item::fetches an item",
                "location": "cases/demo/get_item.yaml:3", "schema": "rejects",
                "why": "the schema requires this field", "fingerprint": "0123456789abcdef"
            }],
            "host": "127.0.0.1:9",
            "live": {"status": 200, "headers": {}, "json": {"id": 1}}
        }]
    });
    let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let read = DriftDoc::from_json(&doc.to_string()).unwrap();
    assert_eq!(read.findings().count(), 1);
    let mut other = doc.clone();
    other["format"] = "conform-drift/0".into();
    assert!(DriftDoc::from_json(&other.to_string())
        .unwrap_err()
        .contains("conform-drift/0"));
}
