//! The schema check: a response body evaluated against the case's compiled schema (loading and
//! compiling live in the leaf `crate::schema`). Each violation is one failed check.

use serde_json::Value;

use super::{CheckKind, CheckResult};
use crate::schema::{SchemaId, SchemaSet};

/// One passed check naming the schema, or one failed check per violation.
pub fn check(schemas: &SchemaSet, id: SchemaId, json: &Value) -> Vec<CheckResult> {
    let name = schemas.display(id);
    let violations = schemas.validate(id, json);
    if violations.is_empty() {
        return vec![CheckResult::pass(
            CheckKind::Schema,
            "",
            format!("valid against {name}"),
        )];
    }
    violations
        .into_iter()
        .map(|v| {
            let at = if v.instance_path.is_empty() {
                "/".to_string()
            } else {
                v.instance_path.clone()
            };
            CheckResult::fail(
                CheckKind::Schema,
                at.clone(),
                format!(
                    "{name}: at {at}: {} (keyword `{}` at {})",
                    v.message, v.keyword, v.schema_path
                ),
            )
        })
        .collect()
}
