//! The spec's schemas as JSON Schema validators ([`SpecSchemas`]).
//!
//! Each schema goes through the import's translation (`nullable`, boolean `exclusiveMinimum`,
//! `type: file`...) so that validation agrees with the schemas `conform import` writes, and the
//! named schemas (`components/schemas`, `definitions`) are served to the validator as resources
//! under a base URI of their own: a `$ref` is resolved from the spec, never fetched.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

use crate::import::schema::Translator;
use crate::import::spec::Spec;

/// Where the translated named schemas live for the validator; `.invalid` is never resolvable.
const BASE: &str = "https://spec.conform.invalid/";

/// A spec's named schemas, translated once, and the translator for other schemas of the spec.
pub struct SpecSchemas {
    translator: Translator,
    files: Arc<BTreeMap<String, Value>>,
    /// Compiled once per distinct schema: most cases of an endpoint share their parameters'.
    compiled: Mutex<HashMap<String, Arc<Validator>>>,
}

impl SpecSchemas {
    pub fn new(spec: &Spec) -> SpecSchemas {
        let named = spec.schemas();
        let translator = Translator::new(spec.schema_prefix(), named.iter().map(|(n, _)| *n));
        let files = named
            .iter()
            .filter_map(|(name, schema)| {
                let file = translator.file_of(name)?.to_string();
                Some((file, translator.file(schema).value))
            })
            .collect();
        SpecSchemas {
            translator,
            files: Arc::new(files),
            compiled: Mutex::new(HashMap::new()),
        }
    }

    /// A validator for one schema of the spec (a parameter's, a body's). Formats are asserted:
    /// a spec-driven server refuses `"yesterday"` as a `date-time`, so validation does too.
    pub fn compile(&self, schema: &Value) -> Result<Arc<Validator>, String> {
        let key = schema.to_string();
        let mut compiled = self.compiled.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = compiled.get(&key) {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(self.build(schema)?);
        compiled.insert(key, Arc::clone(&v));
        Ok(v)
    }

    fn build(&self, schema: &Value) -> Result<Validator, String> {
        let translated = self.translator.file(schema);
        if let Some(broken) = translated.broken.iter().next() {
            return Err(broken.clone());
        }
        jsonschema::options()
            .with_base_uri(format!("{BASE}request.json"))
            .with_retriever(Named(Arc::clone(&self.files)))
            .should_validate_formats(true)
            .build(&translated.value)
            .map_err(|e| format!("the spec's schema does not compile: {e}"))
    }
}

/// Serves the translated named schemas, and nothing else.
struct Named(Arc<BTreeMap<String, Value>>);

impl Retrieve for Named {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri
            .as_str()
            .strip_prefix(BASE)
            .ok_or_else(|| format!("refusing to fetch `{uri}`: only the spec's schemas resolve"))?;
        self.0
            .get(file)
            .cloned()
            .ok_or_else(|| format!("the spec has no schema `{file}`").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_resolve_to_named_schemas_and_formats_are_asserted() {
        let spec = Spec::from_value(
            json!({"swagger": "2.0", "paths": {}, "definitions": {
                "Client": {"type": "object", "required": ["Id"], "properties": {
                    "Id": {"type": "string"}, "BirthDate": {"type": "string", "format": "date-time"},
                    "Note": {"$ref": "#/definitions/Note"}}},
                "Note": {"type": "string", "x-nullable": true}}}),
            "s.json".into(),
        )
        .unwrap();
        let schemas = SpecSchemas::new(&spec);
        let v = schemas
            .compile(&json!({"$ref": "#/definitions/Client"}))
            .unwrap();
        assert!(v.is_valid(&json!({"Id": "1", "Note": null})));
        assert!(!v.is_valid(&json!({"Note": "x"})));
        assert!(!v.is_valid(&json!({"Id": "1", "BirthDate": "2024-04-01T00:00:00"})));
        assert!(v.is_valid(&json!({"Id": "1", "BirthDate": "2024-04-01T00:00:00Z"})));
        assert!(schemas
            .compile(&json!({"$ref": "#/definitions/Missing"}))
            .is_err());
    }
}
