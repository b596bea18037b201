//! The JSON Schemas of conform's own file formats, generated from the raw types as draft-07 (the
//! draft the YAML language server behind common editors supports).

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

use crate::case::raw::{RawApi, RawCaseFile};

/// Where the generated schemas live, relative to the project root.
pub const CASE_FILE_SCHEMA: &str = "schemas/conform/case-file.schema.json";
pub const API_FILE_SCHEMA: &str = "schemas/conform/api-file.schema.json";

fn generate<T: JsonSchema>() -> String {
    let schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

pub fn case_file_schema() -> String {
    generate::<RawCaseFile>()
}

pub fn api_file_schema() -> String {
    generate::<RawApi>()
}
