//! Finding and parsing case files: `cases/<api>/api.yaml` and its endpoint files.
//!
//! Loading collects every problem of every file before giving up, so one `conform validate` shows
//! them all; see [`LoadError`] for how they are rendered.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::cache;
use super::lower::{ApiLowering, LowerCtx};
use super::model::{Api, Stray, Suite};
use super::raw::{RawApi, RawCaseFile};
use super::stray::stray_files;
use crate::diag::{self, Diagnostic, Pos};
use crate::schema::SchemaSet;

/// What to load, beyond the files themselves.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The environment selected with `--env`: its variables and the env vars they need are checked.
    pub env: Option<String>,
    /// Only these APIs (all when empty): another API's broken file or unset credentials do not
    /// block a run that does not select it.
    pub apis: Vec<String>,
    /// `validate --strict`: warnings (files conform does not read) are errors.
    pub strict: bool,
}

/// Every problem found while loading, each with its file's text to draw the source line.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    /// Environment variables referenced but not set (names only: values are secrets).
    pub missing_env: Vec<String>,
}

impl LoadError {
    /// Problems found outside case files (recordings), each carrying its own source.
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError {
            diagnostics,
            missing_env: Vec::new(),
        }
    }

    /// Every problem, sorted by file and position, styled for stderr ([`diag::Style::detect`]).
    pub fn render(&self) -> String {
        self.render_with(diag::Style::detect())
    }

    pub fn render_with(&self, style: diag::Style) -> String {
        let notes: Vec<String> = (!self.missing_env.is_empty())
            .then(|| {
                format!(
                    "missing environment variables (set them or put them in .env): {}",
                    self.missing_env.join(", ")
                )
            })
            .into_iter()
            .collect();
        diag::render_all(&self.diagnostics, style, &notes)
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for LoadError {}

/// Loads and checks every API under `<root>/cases`, from the suite cache ([`super::cache`]) when
/// none of the files it was made from has changed.
pub fn load_suite(root: &Path, options: &LoadOptions) -> Result<Suite, LoadError> {
    let mut loader = Loader::new(root);
    let mut schemas = SchemaSet::default();
    let mut apis = Vec::new();
    let mut missing_env = Vec::new();
    let api_dirs = loader.api_dirs();
    loader.check_selected(&options.apis, &api_dirs);
    let selected = |dir: &PathBuf| {
        options.apis.is_empty()
            || dir
                .file_name()
                .is_some_and(|n| options.apis.iter().any(|a| n == a.as_str()))
    };
    let api_dirs: Vec<PathBuf> = api_dirs.into_iter().filter(selected).collect();
    let mut warnings = Vec::new();
    let listings: Vec<std::io::Result<Vec<PathBuf>>> =
        api_dirs.iter().map(|d| case_files(d)).collect();
    let key = cache::Key {
        root,
        env: options.env.as_deref(),
        apis: &options.apis,
    };
    let inputs = loader
        .diagnostics
        .is_empty()
        .then(|| cache_inputs(&api_dirs, &listings))
        .flatten();
    if let Some(found) = inputs
        .as_deref()
        .and_then(|files| cache::lookup(&key, files))
    {
        (apis, schemas) = found;
    } else {
        let mut regexes = HashMap::new();
        let mut json_paths = HashMap::new();
        let mut read_files = Vec::new();
        for (api_dir, listing) in api_dirs.iter().zip(listings) {
            let mut ctx = LowerCtx::new(
                root,
                &mut schemas,
                &mut regexes,
                &mut json_paths,
                options.env.as_deref(),
            );
            if let Some(api) = loader.load_api(api_dir, listing, &mut ctx) {
                apis.push(api);
            }
            loader.diagnostics.append(&mut ctx.diagnostics);
            warnings.append(&mut ctx.warnings);
            missing_env.append(&mut ctx.missing_env);
            read_files.append(&mut ctx.read_files);
        }
        // Lowering's warnings (redaction paths) are not cached: a suite with any is not stored,
        // so a warm load never hides one.
        let clean = loader.diagnostics.is_empty() && warnings.is_empty();
        if let Some(files) = inputs.filter(|_| clean) {
            loader.store(&key, &files, read_files, &apis, &schemas);
        }
    }
    let mut stray = stray_files(root, &api_dirs, &apis, &schemas.used_files());
    // Drawn with their line (the carets under the path), as errors are.
    stray.unused.extend(
        warnings
            .into_iter()
            .map(|d| match loader.sources.get(&d.file) {
                Some(text) => d.with_source(Arc::clone(text)),
                None => d,
            }),
    );
    if options.strict {
        let all = stray.not_read.into_iter().chain(stray.unused);
        let as_errors = all.map(|d| Diagnostic {
            warning: false,
            ..d
        });
        loader.diagnostics.extend(as_errors);
    } else {
        loader.stray = stray;
    }
    loader.finish(apis, schemas, missing_env)
}

/// The case files of an API folder, in load order. The entry's type comes with the listing: only
/// a symlink (or a file system that does not say) needs a `stat`.
fn case_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let regular = entry.file_type().is_ok_and(|t| t.is_file());
        if is_case_name(&path) && (regular || path.is_file()) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Every API folder's `api.yaml` followed by its case files: what a cached suite was made from.
/// `None` when a folder cannot be listed or has no api.yaml (the loader reports it).
fn cache_inputs(
    api_dirs: &[PathBuf],
    listings: &[std::io::Result<Vec<PathBuf>>],
) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (dir, listing) in api_dirs.iter().zip(listings) {
        let api_file = dir.join("api.yaml");
        if !api_file.is_file() {
            return None;
        }
        files.push(api_file);
        files.extend(listing.as_ref().ok()?.iter().cloned());
    }
    Some(files)
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
    let mut loader = Loader::new(root);
    let mut schemas = SchemaSet::default();
    let mut regexes = HashMap::new();
    let mut json_paths = HashMap::new();
    let mut ctx = LowerCtx::new(
        root,
        &mut schemas,
        &mut regexes,
        &mut json_paths,
        options.env.as_deref(),
    );
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
    let missing_env = ctx.missing_env;
    loader.finish(api.into_iter().collect(), schemas, missing_env)
}

struct Loader {
    root: PathBuf,
    sources: HashMap<PathBuf, Arc<str>>,
    diagnostics: Vec<Diagnostic>,
    stray: Stray,
}

impl Loader {
    fn new(root: &Path) -> Loader {
        Loader {
            root: root.to_path_buf(),
            sources: HashMap::new(),
            diagnostics: Vec::new(),
            stray: Stray::default(),
        }
    }

    /// The suite when nothing went wrong, else every problem with the sources to render them.
    fn finish(
        self,
        apis: Vec<Api>,
        schemas: SchemaSet,
        mut missing_env: Vec<String>,
    ) -> Result<Suite, LoadError> {
        missing_env.sort();
        missing_env.dedup();
        if self.diagnostics.is_empty() {
            Ok(Suite {
                root: self.root,
                apis,
                schemas,
                stray: self.stray,
            })
        } else {
            let sources = self.sources;
            let diagnostics = self
                .diagnostics
                .into_iter()
                .map(|d| match (&d.source, sources.get(&d.file)) {
                    (None, Some(text)) => d.with_source(Arc::clone(text)),
                    _ => d,
                })
                .collect();
            Err(LoadError {
                diagnostics,
                missing_env,
            })
        }
    }

    /// Every API named with `--api` must have a folder under `cases/`.
    fn check_selected(&mut self, names: &[String], api_dirs: &[PathBuf]) {
        let known: Vec<String> = api_dirs
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        for name in names.iter().filter(|n| !known.contains(n)) {
            let help = match crate::diag::did_you_mean(name, known.iter().map(String::as_str)) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("APIs: {}", known.join(", ")),
            };
            let cases = self.relative(&self.root.join("cases"));
            self.diagnostics.push(
                Diagnostic::new(
                    cases,
                    Pos::UNKNOWN,
                    format!("unknown API `{name}`: there is no folder cases/{name}"),
                )
                .with_help(help),
            );
        }
    }

    fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    fn api_dirs(&mut self) -> Vec<PathBuf> {
        let cases = self.root.join("cases");
        match sorted_entries(&cases) {
            Ok(entries) => {
                let mut dirs = Vec::new();
                for dir in entries.into_iter().filter(|p| p.is_dir()) {
                    // An API folder, its recordings or its snapshots behind a symlink out of the
                    // project: conform would read and write there. The API is not loaded.
                    let name = dir.file_name().unwrap_or_default().to_owned();
                    let outside = [
                        dir.clone(),
                        dir.join("recordings"),
                        self.root.join("snapshots").join(&name),
                    ]
                    .into_iter()
                    .find_map(|p| crate::fsutil::resolve_inside(&self.root, &p).err());
                    match outside {
                        Some(outside) => self.diagnostics.push(Diagnostic::new(
                            PathBuf::from(&outside.shown),
                            Pos::UNKNOWN,
                            outside.to_string(),
                        )),
                        None => dirs.push(dir),
                    }
                }
                dirs
            }
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
        let parsed = read_and_parse(&self.root, path);
        self.keep(parsed)
    }

    /// Parses YAML text held in memory (`rel` names it in diagnostics), like [`Self::parse`].
    fn parse_text<T: DeserializeOwned>(&mut self, rel: PathBuf, text: String) -> Option<T> {
        let parsed = parse_str(rel, text);
        self.keep(parsed)
    }

    /// Records a parsed file's source and problem; returns its value.
    fn keep<T>(&mut self, parsed: Parsed<T>) -> Option<T> {
        if let Some(text) = parsed.text {
            self.sources.insert(parsed.rel, text);
        }
        match parsed.value {
            Ok(v) => Some(v),
            Err(d) => {
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// Writes the suite cache for a suite loaded without a problem: the texts parsed are hashed
    /// as they were read.
    fn store(
        &self,
        key: &cache::Key<'_>,
        files: &[PathBuf],
        read_files: Vec<PathBuf>,
        apis: &[Api],
        schemas: &SchemaSet,
    ) {
        let mut texts = Vec::with_capacity(files.len());
        for path in files {
            match self.sources.get(&self.relative(path)) {
                Some(text) => texts.push((path.clone(), text.as_bytes())),
                None => return,
            }
        }
        let mut others = read_files;
        others.extend(schemas.used_files());
        let inputs = cache::Inputs {
            case_files: files,
            texts,
            others,
        };
        cache::store(key, inputs, apis, schemas);
    }

    fn load_api(
        &mut self,
        dir: &Path,
        listing: std::io::Result<Vec<PathBuf>>,
        ctx: &mut LowerCtx<'_>,
    ) -> Option<super::model::Api> {
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
        let paths = match listing {
            Ok(paths) => paths,
            Err(e) => {
                lowering.ctx.diagnostics.push(Diagnostic::new(
                    self.relative(dir),
                    Pos::UNKNOWN,
                    format!("cannot list folder: {e}"),
                ));
                Vec::new()
            }
        };
        let root = self.root.clone();
        parse_in_order::<RawCaseFile>(&root, &paths, |i, parsed| {
            if let Some(raw) = self.keep(parsed) {
                lowering.add_file(self.relative(&paths[i]), raw);
            }
        });
        lowering.finish()
    }
}

/// A YAML file read and parsed: its source (kept to render diagnostics) and its value or problem.
struct Parsed<T> {
    rel: PathBuf,
    text: Option<Arc<str>>,
    value: Result<T, Diagnostic>,
}

fn read_and_parse<T: DeserializeOwned>(root: &Path, path: &Path) -> Parsed<T> {
    let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let problem = |rel: &PathBuf, message: String| Parsed {
        rel: rel.clone(),
        text: None,
        value: Err(Diagnostic::new(rel.clone(), Pos::UNKNOWN, message)),
    };
    // A case file that is a symlink to a credentials file must not show its first line. Files
    // are read only from API folders already found inside the project, so a file that is not a
    // symlink is inside too: only symlinks pay for resolving the whole path.
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if let Err(outside) = is_link
        .then(|| crate::fsutil::resolve_inside(root, path))
        .transpose()
    {
        return problem(&rel, format!("{outside}"));
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => return not_utf8(rel, e.as_bytes(), e.utf8_error().valid_up_to()),
        },
        Err(e) => return problem(&rel, format!("cannot read file: {e}")),
    };
    parse_str(rel, text)
}

/// A file that is not UTF-8: located at its first invalid byte, drawn with replacement characters.
fn not_utf8<T>(rel: PathBuf, bytes: &[u8], valid_up_to: usize) -> Parsed<T> {
    let pos = diag::utf8_error_pos(bytes, valid_up_to);
    let message = "file is not valid UTF-8: expected UTF-8 text (save it as UTF-8)";
    Parsed {
        value: Err(Diagnostic::new(rel.clone(), pos, message).with_len(1)),
        text: Some(Arc::from(String::from_utf8_lossy(bytes).as_ref())),
        rel,
    }
}

fn parse_str<T: DeserializeOwned>(rel: PathBuf, text: String) -> Parsed<T> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let text: Arc<str> = Arc::from(text);
    // Bodies re-read their too-large integers from the text (case::exact).
    let value = super::exact::with_source(&text, || {
        serde_saphyr::from_str_with_options::<T>(&text, options)
    })
    .map_err(|e| diag::from_yaml_error(&rel, &e, &text));
    Parsed {
        rel,
        text: Some(text),
        value,
    }
}

/// Parses `paths` on every core (YAML parsing is most of a big suite's load time) and hands each
/// result to `each` on the calling thread, in the order of `paths`, so that diagnostics and the
/// suite stay deterministic. At most a few parsed files wait at a time: each file is lowered (and
/// its raw form dropped) while the next ones are parsed.
fn parse_in_order<T: DeserializeOwned + Send>(
    root: &Path,
    paths: &[PathBuf],
    mut each: impl FnMut(usize, Parsed<T>),
) {
    const MIN_FILES_PER_THREAD: usize = 8;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(paths.len() / MIN_FILES_PER_THREAD)
        .max(1);
    if threads == 1 {
        for (i, path) in paths.iter().enumerate() {
            each(i, read_and_parse(root, path));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Parsed<T>)>(threads * 2);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, next) = (tx.clone(), &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= paths.len() || tx.send((i, read_and_parse(root, &paths[i]))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut early = BTreeMap::new();
        let mut want = 0;
        for (i, parsed) in rx {
            early.insert(i, parsed);
            while let Some(parsed) = early.remove(&want) {
                each(want, parsed);
                want += 1;
            }
        }
    });
}

fn is_case_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    ) && path.file_stem().and_then(|s| s.to_str()) != Some("api")
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enough files to parse on several threads: the suite and the diagnostics keep file order.
    #[test]
    fn parallel_parsing_keeps_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let api = dir.path().join("cases/demo");
        std::fs::create_dir_all(&api).unwrap();
        std::fs::write(api.join("api.yaml"), "name: demo\n").unwrap();
        for i in 0..40 {
            std::fs::write(
                api.join(format!("f{i:02}.yaml")),
                format!("endpoint: GET /items/{i}\ncases:\n  - name: case {i}\n"),
            )
            .unwrap();
        }
        let suite = load_suite(dir.path(), &LoadOptions::default()).unwrap();
        let stems: Vec<&str> = suite.apis[0]
            .files
            .iter()
            .map(|f| f.stem.as_str())
            .collect();
        let expected: Vec<String> = (0..40).map(|i| format!("f{i:02}")).collect();
        assert_eq!(stems, expected);

        for i in [3, 17, 31] {
            std::fs::write(api.join(format!("f{i:02}.yaml")), "endpoint: [\n").unwrap();
        }
        let err = load_suite(dir.path(), &LoadOptions::default()).unwrap_err();
        let files: Vec<String> = err
            .diagnostics
            .iter()
            .map(|d| d.file.display().to_string())
            .collect();
        assert_eq!(
            files,
            ["f03", "f17", "f31"].map(|s| format!("cases/demo/{s}.yaml"))
        );
    }
}
