//! Lowering: from the raw syntax (`raw.rs`) to the checked model (`model.rs`).
//!
//! Every semantic rule lives here: path parameters match the endpoint, variables are defined before
//! use, environment variables are set, schemas exist and compile, regexes and JSONPaths parse.
//! Problems become located [`Diagnostic`]s; lowering goes on after one so that all are reported.
//!
//! [`ApiLowering`] is the one lowering context; each grammar section adds its methods to it from
//! its own file: `api` (api.yaml), `auth`, `file` (an endpoint file and its cases), `request`,
//! `body`, `headers`, `expect` (with captures), `predicate` (one assertion), `endpoint` (`METHOD /path` parsing). This file holds the
//! shared part: the context, error reporting, and template parsing with its location.

mod api;
mod auth;
mod body;
mod capture;
mod endpoint;
mod expect;
mod file;
mod headers;
mod predicate;
mod request;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value;
use serde_json_path::JsonPath;
use serde_saphyr::Spanned;

use super::exact::ExactJson;
use super::model::Api;
use super::model::MIN_SECRET_LEN;
use super::raw::{QueryStyle, Scalar};
use super::template::{Expr, JsonTemplate, Template, TemplateError};
use crate::diag::{did_you_mean, Diagnostic, Pos};
use crate::schema::SchemaSet;

pub use endpoint::parse_endpoint;

pub struct LowerCtx<'a> {
    pub root: &'a Path,
    pub schemas: &'a mut SchemaSet,
    /// Compiled regexes by pattern, shared by every case of the suite: suites repeat the same
    /// few patterns, and compiling one (Unicode classes especially) costs far more than a lookup.
    pub regexes: &'a mut HashMap<String, Arc<regex::Regex>>,
    /// Parsed assertion JSONPaths by text, shared for the same reason (`$.id` is in most cases).
    pub json_paths: &'a mut HashMap<String, Arc<JsonPath>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems that do not stop a run (redaction paths the schema rules out): warnings, errors
    /// under `validate --strict`.
    pub warnings: Vec<Diagnostic>,
    pub missing_env: Vec<String>,
    pub env: Option<&'a str>,
    /// Environment variables referenced by the API being lowered (their values are secrets).
    pub env_refs: BTreeSet<String>,
    /// Files read besides case files and schemas (body files): inputs of the suite cache.
    pub read_files: Vec<PathBuf>,
}

impl<'a> LowerCtx<'a> {
    /// A context over the suite's shared tables, with nothing reported or read yet.
    pub fn new(
        root: &'a Path,
        schemas: &'a mut SchemaSet,
        regexes: &'a mut HashMap<String, Arc<regex::Regex>>,
        json_paths: &'a mut HashMap<String, Arc<JsonPath>>,
        env: Option<&'a str>,
    ) -> Self {
        LowerCtx {
            root,
            schemas,
            regexes,
            json_paths,
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            missing_env: Vec::new(),
            env,
            env_refs: BTreeSet::new(),
            read_files: Vec::new(),
        }
    }
}

fn pos<T>(s: &Spanned<T>) -> Pos {
    Pos::from_saphyr(s.referenced)
}

/// Passes `value` through, clearing `ok` when it is `None` (a problem already reported).
fn noted<T>(ok: &mut bool, value: Option<T>) -> Option<T> {
    if value.is_none() {
        *ok = false;
    }
    value
}

/// `did you mean `x`?` when a candidate is close to `name`, else `fallback`.
fn suggestion<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    fallback: impl FnOnce() -> String,
) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!("did you mean `{c}`?"))
        .unwrap_or_else(fallback)
}

/// Lowers one API: its `api.yaml`, then each endpoint file in turn.
pub struct ApiLowering<'c, 'a> {
    pub ctx: &'c mut LowerCtx<'a>,
    api: Api,
    api_file: PathBuf,
    query_style: QueryStyle,
    /// Snapshot names taken so far: the file, position and case that took each (two cases
    /// writing one `.snap` would overwrite each other's).
    snapshot_names: HashMap<String, (PathBuf, Pos, String)>,
    /// Schema files that failed to load or compile: their error is reported once.
    broken_schemas: BTreeSet<PathBuf>,
    ok: bool,
}

/// Where the problem is: a file, and the position inside it.
struct At<'p> {
    file: &'p Path,
    pos: Pos,
}

impl<'p> At<'p> {
    /// The position of a spanned YAML node in `file`.
    fn of<T>(file: &'p Path, node: &Spanned<T>) -> Self {
        At {
            file,
            pos: pos(node),
        }
    }
}

/// A YAML value whose text is a template: a string or a scalar written as one.
trait TemplateText {
    fn text(&self) -> &str;
}

impl TemplateText for String {
    fn text(&self) -> &str {
        self
    }
}

impl TemplateText for Scalar {
    fn text(&self) -> &str {
        &self.0
    }
}

impl<'c, 'a> ApiLowering<'c, 'a> {
    fn error(&mut self, file: &Path, pos: Pos, message: impl Into<String>) {
        self.ok = false;
        self.ctx
            .diagnostics
            .push(Diagnostic::new(file, pos, message));
    }

    fn error_help(&mut self, file: &Path, pos: Pos, message: impl Into<String>, help: String) {
        self.ok = false;
        self.ctx
            .diagnostics
            .push(Diagnostic::new(file, pos, message).with_help(help));
    }

    /// A problem about `focus`, a name inside the node at `at` (a variable of a template, a key
    /// of a map): the carets go under that name rather than at the node's start.
    fn error_on(&mut self, at: &At<'_>, focus: &str, message: impl Into<String>, help: String) {
        self.ok = false;
        let d = Diagnostic::new(at.file, at.pos, message)
            .pointing_at(focus)
            .with_help(help);
        self.ctx.diagnostics.push(d);
    }

    /// [`Self::error_on`] for a position given apart from its file.
    fn error_on_at(&mut self, file: &Path, pos: Pos, focus: &str, message: String, help: String) {
        self.error_on(&At { file, pos }, focus, message, help);
    }

    /// Parses the template held by a spanned node; problems point at the node.
    fn template_at<T: TemplateText>(
        &mut self,
        file: &Path,
        node: &Spanned<T>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Template> {
        self.template(&At::of(file, node), node.value.text(), known, check_env)
    }

    /// Parses the JSON template held by a spanned node; problems point at the node.
    fn json_template_at(
        &mut self,
        file: &Path,
        node: &Spanned<Value>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<JsonTemplate> {
        self.json_template(&At::of(file, node), &node.value, known, check_env)
    }

    /// Parses every entry of a `name: template` map (headers, auth query). Every entry is parsed
    /// even after a failure so that all problems are reported; `None` when any failed.
    fn named_templates(
        &mut self,
        file: &Path,
        entries: &IndexMap<String, Spanned<Scalar>>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Vec<(String, Template)>> {
        let mut ok = true;
        let mut out = Vec::with_capacity(entries.len());
        for (name, value) in entries {
            let t = self.template_at(file, value, known, check_env);
            if let Some(t) = noted(&mut ok, t) {
                out.push((name.clone(), t));
            }
        }
        ok.then_some(out)
    }

    /// Parses a template and checks that what it refers to exists.
    fn template(
        &mut self,
        at: &At<'_>,
        text: &str,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Template> {
        match Template::parse(text) {
            Ok(t) => {
                let exprs: Vec<Expr> = t.exprs().cloned().collect();
                self.check_exprs(at, &exprs, known, check_env).then_some(t)
            }
            Err(e) => {
                // The carets show the interpolation; quote the whole text only when it says more.
                let bad = interpolation_at(text, e.offset);
                let message = if bad == text.trim() {
                    e.message
                } else {
                    format!("{} in `{text}`", e.message)
                };
                self.ok = false;
                let d = Diagnostic::new(at.file, at.pos, message).pointing_at(bad);
                self.ctx.diagnostics.push(d);
                None
            }
        }
    }

    fn json_template(
        &mut self,
        at: &At<'_>,
        value: &Value,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<JsonTemplate> {
        self.checked_json_template(at, JsonTemplate::parse(value), known, check_env)
    }

    /// A JSON body, its integers beyond 64 bits kept as written.
    fn json_body_template_at(
        &mut self,
        file: &Path,
        node: &Spanned<ExactJson>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<JsonTemplate> {
        let parsed = JsonTemplate::parse_exact(&node.value);
        self.checked_json_template(&At::of(file, node), parsed, known, check_env)
    }

    fn checked_json_template(
        &mut self,
        at: &At<'_>,
        parsed: Result<JsonTemplate, TemplateError>,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<JsonTemplate> {
        match parsed {
            Ok(t) => {
                let exprs: Vec<Expr> = t.exprs().into_iter().cloned().collect();
                self.check_exprs(at, &exprs, known, check_env).then_some(t)
            }
            Err(e) => {
                self.error(at.file, at.pos, e.message);
                None
            }
        }
    }

    fn check_exprs(
        &mut self,
        at: &At<'_>,
        exprs: &[Expr],
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> bool {
        let mut ok = true;
        for e in exprs {
            match e {
                Expr::Var(name) if !known.contains(name) => {
                    ok = false;
                    let help = suggestion(name, known.iter().map(String::as_str), || {
                        "define it under `variables:` in api.yaml or capture it in an earlier case"
                            .into()
                    });
                    self.error_on(at, name, format!("undefined variable `{name}`"), help);
                }
                Expr::Env(name) if !self.api.declared_env.contains(name) => {
                    ok = false;
                    let declared = &self.api.declared_env;
                    let help = suggestion(name, declared.iter().map(String::as_str), || {
                        format!(
                            "an API reads only the environment variables its api.yaml declares: \
                             add `{name}` to `env:` in cases/{}/api.yaml (or `public_env:` if it \
                             is not a secret)",
                            self.api.name
                        )
                    });
                    self.error_on(
                        at,
                        name,
                        format!(
                            "environment variable `{name}` is not declared by API `{}`",
                            self.api.name
                        ),
                        help,
                    );
                }
                Expr::Env(_) if !check_env => {}
                Expr::Env(name) if std::env::var_os(name).is_none() => {
                    ok = false;
                    self.ctx.missing_env.push(name.clone());
                    self.error_on(
                        at,
                        name,
                        format!("environment variable `{name}` is not set"),
                        "set it in the environment or in a .env file".into(),
                    );
                }
                Expr::Env(name) => {
                    ok &= self.secret_long_enough(at, name);
                    self.ctx.env_refs.insert(name.clone());
                }
                Expr::Var(_) | Expr::Lit(_) | Expr::Call(..) => {}
            }
        }
        ok
    }

    /// A secret shorter than [`MIN_SECRET_LEN`] cannot be scrubbed without destroying the
    /// report (it would match ordinary text), so it is refused.
    fn secret_long_enough(&mut self, at: &At<'_>, name: &str) -> bool {
        let len = std::env::var(name).map_or(0, |v| v.chars().count());
        if self.api.public_env.contains(name) || len >= MIN_SECRET_LEN {
            return true;
        }
        self.error_on(
            at,
            name,
            format!(
                "secret `{name}` is {len} characters long: secrets shorter than {MIN_SECRET_LEN} \
                 cannot be scrubbed from outputs"
            ),
            format!(
                "use a longer credential, or declare `{name}` under `public_env:` in \
                 cases/{}/api.yaml if it is not a secret",
                self.api.name
            ),
        );
        false
    }

    /// Parses a duration given at `d` and bounds it: above `max` it would stall the run (or
    /// overflow the backoff arithmetic), so it is a load error. Zero passes only when `zero_ok`.
    fn duration(
        &mut self,
        file: &Path,
        d: &Spanned<String>,
        max: Duration,
        zero_ok: bool,
    ) -> Option<Duration> {
        let message = match humantime::parse_duration(&d.value) {
            Ok(v) if v.is_zero() && !zero_ok => {
                format!("duration `{}` must be greater than zero", d.value)
            }
            Ok(v) if v > max => format!(
                "duration `{}` is too long: expected at most `{}`",
                d.value,
                humantime::format_duration(max)
            ),
            Ok(v) => return Some(v),
            Err(_) => format!(
                "invalid duration `{}`: expected a number and a unit, e.g. `800ms` or `2s`",
                d.value
            ),
        };
        self.error(file, pos(d), message);
        None
    }

    pub fn finish(mut self) -> Option<Api> {
        self.api.env_refs = std::mem::take(&mut self.ctx.env_refs);
        self.ok.then_some(self.api)
    }
}

/// The `{{ ... }}` starting at byte `offset` of a template (to its end when unclosed).
fn interpolation_at(text: &str, offset: usize) -> &str {
    let rest = text.get(offset..).unwrap_or(text);
    rest.find("}}").map_or(rest, |end| &rest[..end + 2])
}

fn lowercase(names: &[String]) -> Vec<String> {
    names.iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// Longest slug kept whole (bytes); longer ones are cut and end with the hash, so that
/// `<stem>__<slug>.snap.new` stays within every file system's 255-byte name limit.
const MAX_SLUG_BYTES: usize = 96;

/// A file-name-safe form of a case name: lowercase letters and digits (any script, so
/// `Kundenübersicht` stays readable), `_` between words. A name without a letter or digit, or a
/// very long one, gets a short hash of the whole name instead of (or after) its letters, so a
/// slug is never empty. ASCII names keep the slug they always had (existing snapshot names).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_');
    if out.is_empty() {
        return format!("h{}", short_hash(name));
    }
    if out.len() <= MAX_SLUG_BYTES {
        return out.to_string();
    }
    let mut cut = MAX_SLUG_BYTES;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{}", out[..cut].trim_end_matches('_'), short_hash(name))
}

/// Eight hex digits of the name's SHA-256: stable across runs and machines.
fn short_hash(name: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(name.as_bytes())[..4])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Fetches a known customer (id 1)"),
            "fetches_a_known_customer_id_1"
        );
        assert_eq!(slug("Kundenübersicht (alle)"), "kundenübersicht_alle");
        assert_eq!(slug("Ἀθῆναι 2"), "ἀθῆναι_2");
        // Nothing readable: a short hash, never empty, different for different names.
        let (a, b) = (slug("!!!"), slug("???"));
        assert!(a.starts_with('h') && a.len() == 9, "{a}");
        assert_ne!(a, b);
        assert_eq!(a, slug("!!!"));
        // Very long names are cut and keep a hash of the whole name.
        let long = slug(&"ü".repeat(200));
        assert!(long.len() <= MAX_SLUG_BYTES + 9, "{long}");
        assert_ne!(long, slug(&"ü".repeat(201)));
    }
}
