//! Fuzzes case loading, interpolation and schema compilation from bytes: each input goes through
//! [`conform::fuzzing::exercise`] (its docs give the input format). Nothing may panic, hang or
//! allocate without bound.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

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
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = conform::fuzzing::exercise(root(), text);
    }
});
