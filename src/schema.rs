//! JSON Schema handling, a leaf: [`SchemaSet`] loads and compiles every schema file once per run
//! (shared by all cases, addressed by [`SchemaId`]) and lists an instance's [`Violation`]s. `case`
//! loads schemas with it, `check::schema` turns violations into check results, `import` validates
//! examples.
//!
//! Relative `$ref`s between files under `schemas/` are resolved from disk by [`LocalFiles`]; any other
//! URI (http, a file outside `schemas/`) is refused, so validation never touches the network.
//!
//! `format` is asserted; an API's [`FormatPolicy`] says which forms it accepts for a format name
//! (`formats` module).

pub mod formats;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;
use url::Url;

pub use formats::{Form, FormatPolicy};

/// Index of a compiled schema in a [`SchemaSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SchemaId(usize);

/// The schemas a suite uses, compiled.
#[derive(Default)]
pub struct SchemaSet {
    entries: Vec<CompiledSchema>,
    by_path: HashMap<PathBuf, SchemaId>,
    /// The same, by the path as given (not canonical): most cases name an already loaded schema,
    /// and this answers them without touching the file system.
    by_given: HashMap<PathBuf, SchemaId>,
    /// Files read to resolve a `$ref` (canonical paths): used, though no case names them.
    referenced: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| &e.display))
            .finish()
    }
}

struct CompiledSchema {
    /// Path relative to the project root, for messages.
    display: String,
    validator: Validator,
}

/// One way an instance breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON Pointer into the response body, e.g. `/0/name` (empty for the root).
    pub instance_path: String,
    /// The schema keyword that failed, e.g. `required` or `type`.
    pub keyword: String,
    /// Where in the schema, e.g. `/properties/name/type`.
    pub schema_path: String,
    pub message: String,
}

impl SchemaSet {
    /// Compiles `path` (absolute, under `schemas_root`) unless already compiled, with the
    /// standard format checks.
    pub fn load(
        &mut self,
        path: &Path,
        schemas_root: &Path,
        display: String,
    ) -> Result<SchemaId, String> {
        self.load_with(path, schemas_root, display, &FormatPolicy::default())
    }

    /// [`SchemaSet::load`] with an API's format policy. A schema file belongs to one API (its
    /// folder under `schemas/`), so the first policy it is compiled with is the only one.
    pub fn load_with(
        &mut self,
        path: &Path,
        schemas_root: &Path,
        display: String,
        formats: &FormatPolicy,
    ) -> Result<SchemaId, String> {
        let given = path;
        let path = path
            .canonicalize()
            .map_err(|e| format!("cannot read schema `{display}`: {e}"))?;
        if let Some(id) = self.by_path.get(&path) {
            self.by_given.insert(given.to_path_buf(), *id);
            return Ok(*id);
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read schema `{display}`: {e}"))?;
        let base = Url::from_file_path(&path)
            .map_err(|()| format!("schema path `{display}` cannot be made a file URL"))?;
        let root = schemas_root
            .canonicalize()
            .unwrap_or_else(|_| schemas_root.to_path_buf());
        let id = self.compile(&text, display, base, root, formats)?;
        self.by_path.insert(path, id);
        self.by_given.insert(given.to_path_buf(), id);
        Ok(id)
    }

    /// Compiles a schema given as text, as if it were `<schemas_root>/<display>`: relative
    /// `$ref`s resolve under `schemas_root` and nothing else is fetched. For the fuzz target and
    /// for schemas held in memory.
    pub fn compile_str(
        &mut self,
        text: &str,
        schemas_root: &Path,
        display: String,
    ) -> Result<SchemaId, String> {
        let root = schemas_root
            .canonicalize()
            .unwrap_or_else(|_| schemas_root.to_path_buf());
        let base = Url::from_file_path(root.join(&display))
            .map_err(|()| format!("schema path `{display}` cannot be made a file URL"))?;
        self.compile(text, display, base, root, &FormatPolicy::default())
    }

    fn compile(
        &mut self,
        text: &str,
        display: String,
        base: Url,
        root: PathBuf,
        formats: &FormatPolicy,
    ) -> Result<SchemaId, String> {
        let schema: Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "schema `{display}` is not valid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            )
        })?;
        let validator = formats
            .apply(jsonschema::options())
            .with_base_uri(base.to_string())
            .with_retriever(LocalFiles {
                root,
                referenced: Arc::clone(&self.referenced),
            })
            .build(&schema)
            .map_err(|e| format!("schema `{display}` does not compile: {e}"))?;
        let id = SchemaId(self.entries.len());
        self.entries.push(CompiledSchema { display, validator });
        Ok(id)
    }

    /// Every schema file this set read (canonical paths): compiled, or resolved for a `$ref`.
    pub fn used_files(&self) -> BTreeSet<PathBuf> {
        let mut used: BTreeSet<PathBuf> = self.by_path.keys().cloned().collect();
        let referenced = self.referenced.lock().unwrap_or_else(|e| e.into_inner());
        used.extend(referenced.iter().cloned());
        used
    }

    /// A path each schema was loaded from and its name in messages, in id order (to load the
    /// same set again); `None` when one was compiled from text ([`SchemaSet::compile_str`]).
    pub fn sources(&self) -> Option<Vec<(PathBuf, String)>> {
        let mut given: Vec<Option<&PathBuf>> = vec![None; self.entries.len()];
        for (path, id) in &self.by_given {
            let slot = &mut given[id.0];
            if slot.is_none_or(|p| path < p) {
                *slot = Some(path);
            }
        }
        let names = self.entries.iter().map(|e| e.display.clone());
        given
            .into_iter()
            .zip(names)
            .map(|(p, name)| p.map(|p| (p.clone(), name)))
            .collect()
    }

    /// The schema already loaded from `path` (as given to [`SchemaSet::load`]), if any.
    pub fn loaded(&self, path: &Path) -> Option<SchemaId> {
        self.by_given.get(path).copied()
    }

    pub fn display(&self, id: SchemaId) -> &str {
        &self.entries[id.0].display
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every violation, in the validator's order.
    pub fn validate(&self, id: SchemaId, instance: &Value) -> Vec<Violation> {
        self.entries[id.0]
            .validator
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                keyword: e.kind().keyword().to_string(),
                schema_path: e.schema_path().to_string(),
                message: e.to_string(),
            })
            .collect()
    }
}

/// Resolves `file:` references to files under the schemas folder, and nothing else.
struct LocalFiles {
    root: PathBuf,
    referenced: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl Retrieve for LocalFiles {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let url = Url::parse(uri.as_str())?;
        if url.scheme() != "file" {
            return Err(format!(
                "refusing to fetch `{uri}`: only files under schemas/ are resolved"
            )
            .into());
        }
        let path = url
            .to_file_path()
            .map_err(|()| format!("`{uri}` is not a local file path"))?;
        let path = path
            .canonicalize()
            .map_err(|e| format!("cannot resolve `$ref` to `{}`: {e}", path.display()))?;
        if !path.starts_with(&self.root) {
            return Err(
                format!("refusing `$ref` to `{}`: outside schemas/", path.display()).into(),
            );
        }
        let value = serde_json::from_slice(&std::fs::read(&path)?)?;
        let mut referenced = self.referenced.lock().unwrap_or_else(|e| e.into_inner());
        referenced.insert(path);
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_relative_refs_and_reports_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("Item.json"),
            r#"{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("List.json"),
            r#"{"type":"array","items":{"$ref":"Item.json"}}"#,
        )
        .unwrap();
        let mut set = SchemaSet::default();
        let id = set
            .load(&root.join("List.json"), root, "List.json".into())
            .unwrap();
        assert!(set.validate(id, &json!([{"id": 1}])).is_empty());
        let v = set.validate(id, &json!([{"id": "x"}, {}]));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].instance_path, "/0/id");
        assert_eq!(v[0].keyword, "type");
        assert_eq!(v[1].keyword, "required");
    }

    #[test]
    fn unresolvable_ref_fails_at_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("A.json"), r#"{"$ref":"Missing.json"}"#).unwrap();
        let err = SchemaSet::default()
            .load(&dir.path().join("A.json"), dir.path(), "A.json".into())
            .unwrap_err();
        assert!(err.contains("does not compile"), "{err}");
    }
}
