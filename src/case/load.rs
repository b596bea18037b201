//! Finding and parsing case files: `cases/<api>/api.yaml` and its endpoint files.
//!
//! Loading collects every problem of every file before giving up, so one `conform validate` shows
//! them all; see [`LoadError`] for how they are rendered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::lower::{ApiLowering, LowerCtx};
use super::model::Suite;
use super::raw::{RawApi, RawCaseFile};
use crate::check::schema::SchemaSet;
use crate::diag::{self, Diagnostic, Pos};

/// What to load, beyond the files themselves.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The environment selected with `--env`: its variables and the env vars they need are checked.
    pub env: Option<String>,
}

/// Every problem found while loading, with the sources needed to render them.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    sources: HashMap<PathBuf, String>,
    /// Environment variables referenced but not set (names only: values are secrets).
    pub missing_env: Vec<String>,
}

impl LoadError {
    /// Problems found outside case files (recordings), rendered without source lines.
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError {
            diagnostics,
            sources: HashMap::new(),
            missing_env: Vec::new(),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            out.push_str(&d.render(self.sources.get(&d.file).map(String::as_str)));
            out.push('\n');
        }
        if !self.missing_env.is_empty() {
            out.push_str(&format!(
                "missing environment variables (set them or put them in .env): {}\n",
                self.missing_env.join(", ")
            ));
        }
        out.push_str(&format!(
            "{} problem{} found; nothing was sent\n",
            self.diagnostics.len(),
            if self.diagnostics.len() == 1 { "" } else { "s" }
        ));
        out
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for LoadError {}

/// Loads and checks every API under `<root>/cases`.
pub fn load_suite(root: &Path, options: &LoadOptions) -> Result<Suite, LoadError> {
    let mut loader = Loader {
        root: root.to_path_buf(),
        sources: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let mut schemas = SchemaSet::default();
    let mut apis = Vec::new();
    let mut missing_env = Vec::new();
    for api_dir in loader.api_dirs() {
        let mut ctx = LowerCtx {
            root,
            schemas: &mut schemas,
            diagnostics: Vec::new(),
            missing_env: Vec::new(),
            env: options.env.as_deref(),
            env_refs: Default::default(),
        };
        if let Some(api) = loader.load_api(&api_dir, &mut ctx) {
            apis.push(api);
        }
        loader.diagnostics.append(&mut ctx.diagnostics);
        missing_env.append(&mut ctx.missing_env);
    }
    missing_env.sort();
    missing_env.dedup();
    if loader.diagnostics.is_empty() {
        Ok(Suite {
            root: root.to_path_buf(),
            apis,
            schemas,
        })
    } else {
        Err(LoadError {
            diagnostics: loader.diagnostics,
            sources: loader.sources,
            missing_env,
        })
    }
}

/// Loads one API from texts in memory: `api_yaml` as `cases/<dir_name>/api.yaml` and each
/// `(file name, text)` as an endpoint file beside it. Only schemas are read from disk (under
/// `<root>/schemas/`). Errors are the same located diagnostics as [`load_suite`]'s. This is the
/// entry point of the fuzz target and of tools that hold case files in memory.
pub fn load_from_str(
    root: &Path,
    dir_name: &str,
    api_yaml: &str,
    case_files: &[(&str, &str)],
    options: &LoadOptions,
) -> Result<Suite, LoadError> {
    let mut loader = Loader {
        root: root.to_path_buf(),
        sources: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let mut schemas = SchemaSet::default();
    let mut ctx = LowerCtx {
        root,
        schemas: &mut schemas,
        diagnostics: Vec::new(),
        missing_env: Vec::new(),
        env: options.env.as_deref(),
        env_refs: Default::default(),
    };
    let dir = Path::new("cases").join(dir_name);
    let mut api = None;
    if let Some(raw_api) = loader.parse_text::<RawApi>(dir.join("api.yaml"), api_yaml.to_string()) {
        let mut lowering = ApiLowering::new(
            &mut ctx,
            raw_api,
            dir.join("api.yaml"),
            dir_name,
            dir.clone(),
        );
        for (name, text) in case_files {
            if let Some(raw) = loader.parse_text::<RawCaseFile>(dir.join(name), text.to_string()) {
                lowering.add_file(dir.join(name), raw);
            }
        }
        api = lowering.finish();
    }
    loader.diagnostics.append(&mut ctx.diagnostics);
    let mut missing_env = ctx.missing_env;
    missing_env.sort();
    missing_env.dedup();
    if loader.diagnostics.is_empty() {
        Ok(Suite {
            root: root.to_path_buf(),
            apis: api.into_iter().collect(),
            schemas,
        })
    } else {
        Err(LoadError {
            diagnostics: loader.diagnostics,
            sources: loader.sources,
            missing_env,
        })
    }
}

struct Loader {
    root: PathBuf,
    sources: HashMap<PathBuf, String>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    fn api_dirs(&mut self) -> Vec<PathBuf> {
        let cases = self.root.join("cases");
        match sorted_entries(&cases) {
            Ok(entries) => entries.into_iter().filter(|p| p.is_dir()).collect(),
            Err(e) => {
                self.diagnostics.push(Diagnostic::new(
                    self.relative(&cases),
                    Pos::UNKNOWN,
                    format!("cannot read the cases folder: {e}"),
                ));
                Vec::new()
            }
        }
    }

    /// Reads and parses one YAML file into `T`, recording its source for rendering.
    fn parse<T: DeserializeOwned>(&mut self, path: &Path) -> Option<T> {
        let rel = self.relative(path);
        let text = self.read(path, &rel)?;
        self.parse_text(rel, text)
    }

    fn read(&mut self, path: &Path, rel: &Path) -> Option<String> {
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => Some(t),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    self.diagnostics.push(Diagnostic::new(
                        rel,
                        Pos::UNKNOWN,
                        format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                    ));
                    None
                }
            },
            Err(e) => {
                self.diagnostics.push(Diagnostic::new(
                    rel,
                    Pos::UNKNOWN,
                    format!("cannot read file: {e}"),
                ));
                None
            }
        }
    }

    /// Parses YAML text into `T`, recording the source (as `rel`) for rendering.
    fn parse_text<T: DeserializeOwned>(&mut self, rel: PathBuf, text: String) -> Option<T> {
        let options = serde_saphyr::options! { strict_booleans: true };
        let parsed = serde_saphyr::from_str_with_options::<T>(&text, options);
        self.sources.insert(rel.clone(), text);
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.diagnostics.push(diag::from_yaml_error(&rel, &e));
                None
            }
        }
    }

    fn load_api(&mut self, dir: &Path, ctx: &mut LowerCtx<'_>) -> Option<super::model::Api> {
        let api_file = dir.join("api.yaml");
        if !api_file.is_file() {
            self.diagnostics.push(
                Diagnostic::new(
                    self.relative(dir),
                    Pos::UNKNOWN,
                    "API folder has no api.yaml",
                )
                .with_help("every folder under cases/ describes one API in its api.yaml"),
            );
            return None;
        }
        let raw_api: RawApi = self.parse(&api_file)?;
        let dir_name = dir.file_name()?.to_string_lossy().into_owned();
        let mut lowering = ApiLowering::new(
            ctx,
            raw_api,
            self.relative(&api_file),
            &dir_name,
            self.relative(dir),
        );
        let entries = match sorted_entries(dir) {
            Ok(e) => e,
            Err(e) => {
                lowering.ctx.diagnostics.push(Diagnostic::new(
                    self.relative(dir),
                    Pos::UNKNOWN,
                    format!("cannot list folder: {e}"),
                ));
                Vec::new()
            }
        };
        for path in entries {
            if !is_case_file(&path) {
                continue;
            }
            if let Some(raw) = self.parse::<RawCaseFile>(&path) {
                lowering.add_file(self.relative(&path), raw);
            }
        }
        lowering.finish()
    }
}

fn is_case_file(path: &Path) -> bool {
    path.is_file()
        && matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        )
        && path.file_stem().and_then(|s| s.to_str()) != Some("api")
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}
