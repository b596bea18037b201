//! `conform import openapi`: JSON Schemas and case skeletons from an OpenAPI 3.0/3.1 or Swagger
//! 2.0 document ([`import_openapi`], reporting in an [`ImportReport`]).
//!
//! The spec is read whole (`spec`), named schemas are translated to JSON Schema files (`schema`),
//! and each operation becomes a case file (`skeleton`, values from `sample`). A problem in one
//! operation or schema is reported and skipped; only an unreadable spec stops the import.

pub mod sample;
pub mod schema;
pub mod skeleton;
pub mod spec;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::{json, Value};

use crate::schema::SchemaSet;
use schema::{unique, Translated, Translator};
use spec::{Spec, SpecError, Version};

/// What to import, validated.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub spec: PathBuf,
    pub api: String,
    /// Only operations whose path matches.
    pub include: Option<Regex>,
    /// No operation whose path matches.
    pub exclude: Option<Regex>,
    /// Overwrite existing files.
    pub force: bool,
}

/// One thing the import did or did not do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Wrote(PathBuf),
    /// Left alone because it exists (no `--force`).
    Kept(PathBuf),
    /// Not written, or written without a part; `what` is a file or an operation.
    Skipped {
        what: String,
        why: String,
    },
}

/// Everything an import did, in order.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub entries: Vec<Entry>,
    pub operations: usize,
}

impl ImportReport {
    pub fn wrote(&self) -> impl Iterator<Item = &PathBuf> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Wrote(p) => Some(p),
            _ => None,
        })
    }

    pub fn skipped(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Skipped { what, why } => Some((what.as_str(), why.as_str())),
            _ => None,
        })
    }

    /// The text `conform import` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&match e {
                Entry::Wrote(p) => format!("wrote   {}\n", p.display()),
                Entry::Kept(p) => format!(
                    "skipped {}: already exists (--force overwrites)\n",
                    p.display()
                ),
                Entry::Skipped { what, why } => format!("skipped {what}: {why}\n"),
            });
        }
        let skipped = self
            .entries
            .iter()
            .filter(|e| !matches!(e, Entry::Wrote(_)))
            .count();
        out.push_str(&format!(
            "imported {} operations: {} files written, {} skipped or incomplete\n",
            self.operations,
            self.wrote().count(),
            skipped
        ));
        out
    }

    fn skip(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.entries.push(Entry::Skipped {
            what: what.into(),
            why: why.into(),
        });
    }
}

/// Imports `options.spec` into `<root>/schemas/<api>/` and `<root>/cases/<api>/`.
pub fn import_openapi(root: &Path, options: &ImportOptions) -> Result<ImportReport, SpecError> {
    let spec = Spec::load(&options.spec)?;
    let mut report = ImportReport::default();
    let named = spec.schemas();
    let translator = Translator::new(spec.schema_prefix(), named.iter().map(|(n, _)| *n));
    let translated: BTreeMap<&str, Translated> = named
        .iter()
        .map(|(name, s)| (*name, translator.file(s)))
        .collect();
    let broken = broken_schemas(&translated);
    let context = skeleton::Context {
        spec: &spec,
        translator: &translator,
        broken: &broken,
    };
    let ops: Vec<_> = spec
        .operations()
        .into_iter()
        .filter(|op| selected(options, &op.path))
        .collect();
    report.operations = ops.len();
    let filtered = options.include.is_some() || options.exclude.is_some();
    let cases_dir = PathBuf::from("cases").join(&options.api);
    let schemas_dir = PathBuf::from("schemas").join(&options.api);
    let mut stems: BTreeSet<String> = BTreeSet::from(["api".to_string()]);
    let mut used = BTreeSet::new();
    let mut endpoints = Vec::new();
    let mut schema_files = Vec::new();
    for op in &ops {
        let stem = unique(&mut stems, &skeleton::stem(op));
        let sk = skeleton::build(&context, op, &stem);
        let label = match &op.operation_id {
            Some(id) => format!("{} ({id})", sk.endpoint),
            None => sk.endpoint.clone(),
        };
        for p in &sk.problems {
            report.skip(&label, p);
        }
        for (file, value) in &sk.inline {
            let rel = schemas_dir.join(file);
            write(root, &rel, &pretty(value), options.force, &mut report);
            schema_files.push(rel);
        }
        let rel = cases_dir.join(format!("{stem}.yaml"));
        write(root, &rel, &sk.yaml, options.force, &mut report);
        used.extend(sk.uses);
        endpoints.push(sk.endpoint);
    }
    let wanted = closure(&translated, used, !filtered);
    for (name, t) in &translated {
        if !wanted.contains(*name) {
            continue;
        }
        let file = translator.file_of(name).unwrap_or_default();
        let rel = schemas_dir.join(file);
        if let Some(why) = broken.get(*name) {
            report.skip(rel.display().to_string(), why);
            continue;
        }
        write(root, &rel, &pretty(&t.value), options.force, &mut report);
        schema_files.push(rel);
    }
    write_api_file(root, &spec, options, &endpoints, &mut report);
    compile_all(root, &schemas_dir, &schema_files, &mut report);
    Ok(report)
}

fn selected(options: &ImportOptions, path: &str) -> bool {
    options.include.as_ref().is_none_or(|re| re.is_match(path))
        && !options.exclude.as_ref().is_some_and(|re| re.is_match(path))
}

/// Named schemas that cannot be written, with the reason: a broken `$ref` of their own or in a
/// schema they use.
fn broken_schemas(translated: &BTreeMap<&str, Translated>) -> BTreeMap<String, String> {
    let mut broken: BTreeMap<String, String> = translated
        .iter()
        .filter(|(_, t)| !t.broken.is_empty())
        .map(|(name, t)| {
            let why: Vec<&str> = t.broken.iter().map(String::as_str).collect();
            (name.to_string(), why.join("; "))
        })
        .collect();
    loop {
        let newly: Vec<(String, String)> = translated
            .iter()
            .filter(|(name, _)| !broken.contains_key(**name))
            .filter_map(|(name, t)| {
                let bad = t.uses.iter().find(|u| broken.contains_key(*u))?;
                Some((
                    name.to_string(),
                    format!("uses `{bad}`, which cannot be written"),
                ))
            })
            .collect();
        if newly.is_empty() {
            return broken;
        }
        broken.extend(newly);
    }
}

/// The named schemas to write: all of them, or those the written cases reach.
fn closure(
    translated: &BTreeMap<&str, Translated>,
    mut todo: BTreeSet<String>,
    all: bool,
) -> BTreeSet<String> {
    if all {
        return translated.keys().map(|k| k.to_string()).collect();
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop_first() {
        if let Some(t) = translated.get(name.as_str()) {
            todo.extend(t.uses.iter().filter(|u| !seen.contains(*u)).cloned());
        }
        seen.insert(name);
    }
    seen
}

fn pretty(v: &Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `rel` under `root` unless it exists (and `force` is off); records what happened.
fn write(root: &Path, rel: &Path, content: &str, force: bool, report: &mut ImportReport) {
    let path = root.join(rel);
    if path.exists() && !force {
        report.entries.push(Entry::Kept(rel.to_path_buf()));
        return;
    }
    match crate::fsutil::write_atomic(&path, content.as_bytes()) {
        Ok(()) => report.entries.push(Entry::Wrote(rel.to_path_buf())),
        Err(e) => report.skip(rel.display().to_string(), format!("cannot write: {e}")),
    }
}

/// `cases/<api>/api.yaml`, only when missing: it holds environments and credentials by hand.
fn write_api_file(
    root: &Path,
    spec: &Spec,
    options: &ImportOptions,
    endpoints: &[String],
    report: &mut ImportReport,
) {
    let rel = PathBuf::from("cases").join(&options.api).join("api.yaml");
    if root.join(&rel).exists() {
        report.skip(
            rel.display().to_string(),
            "already exists and is never overwritten (add new endpoints to its `endpoints:` by hand)",
        );
        return;
    }
    let mut doc = json!({ "name": options.api });
    if let Some(title) = spec.doc.pointer("/info/title").and_then(Value::as_str) {
        doc["title"] = json!(title);
    }
    if let Some(url) = base_url(spec) {
        doc["base_url"] = json!(url);
    }
    doc["headers"] = json!({"Accept": "application/json"});
    doc["endpoints"] = json!(endpoints);
    let text = format!(
        "# Generated by `conform import openapi` from {}.\n{}",
        spec.file_name,
        serde_saphyr::to_string(&doc).unwrap_or_default()
    );
    write(root, &rel, &text, false, report);
}

/// The spec's server URL when it is an absolute http(s) URL.
fn base_url(spec: &Spec) -> Option<String> {
    let url = match spec.version {
        Version::Swagger2 => {
            let host = spec.doc.get("host")?.as_str()?;
            let scheme = spec
                .doc
                .pointer("/schemes/0")
                .and_then(Value::as_str)
                .unwrap_or("https");
            let base = spec
                .doc
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!("{scheme}://{host}{base}")
        }
        _ => spec.doc.pointer("/servers/0/url")?.as_str()?.to_string(),
    };
    let parsed = url::Url::parse(&url).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| url.trim_end_matches('/').to_string())
}

/// Compiles every schema file of this import, as `conform run` will.
fn compile_all(root: &Path, dir: &Path, files: &[PathBuf], report: &mut ImportReport) {
    let mut set = SchemaSet::default();
    let schemas_root = root.join("schemas");
    for rel in files {
        if !root.join(rel).is_file() || !rel.starts_with(dir) {
            continue;
        }
        let display = rel.display().to_string();
        if let Err(e) = set.load(&root.join(rel), &schemas_root, display.clone()) {
            report.skip(display, format!("written, but {e}"));
        }
    }
}
