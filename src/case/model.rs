//! The loaded, validated suite: what the planner and runner work on.
//!
//! Everything here has been checked (variables defined, schemas compiled, regexes valid), so the
//! run never meets a problem that loading could have found.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json_path::JsonPath;

use super::raw::{JsonType, QueryStyle};
use super::template::{JsonTemplate, Template};
use crate::diag::Pos;
use crate::schema::SchemaId;

/// Every API under `cases/`, with the compiled schemas they use.
#[derive(Debug)]
pub struct Suite {
    /// The project root (the folder holding `cases/`, `schemas/` and `snapshots/`).
    pub root: PathBuf,
    pub apis: Vec<Api>,
    pub schemas: crate::schema::SchemaSet,
    /// Files conform does not read, and schemas and snapshots no case uses: warnings that do not
    /// stop a run (errors under `validate --strict`).
    pub stray: Stray,
}

/// The stray files of a project, as warnings (found by `case::stray`).
#[derive(Debug, Default)]
pub struct Stray {
    /// Case files conform does not read: cases the user may think run. `run` says so too.
    pub not_read: Vec<crate::diag::Diagnostic>,
    /// Schemas and snapshots no case uses, redaction paths the schema rules out: `validate` only,
    /// since a run cannot be affected.
    pub unused: Vec<crate::diag::Diagnostic>,
}

impl Suite {
    pub fn api(&self, name: &str) -> Option<&Api> {
        self.apis.iter().find(|a| a.name == name)
    }

    pub fn case_count(&self) -> usize {
        self.apis
            .iter()
            .flat_map(|a| &a.files)
            .map(|f| f.cases.len())
            .sum()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Api {
    pub name: String,
    pub title: Option<String>,
    /// `cases/<api>/`.
    pub dir: PathBuf,
    pub base_url: Option<String>,
    pub environments: BTreeMap<String, Environment>,
    pub headers: Vec<(String, Template)>,
    pub variables: Vec<(String, JsonTemplate)>,
    /// `--var NAME=VALUE` values: they win over the environment's and the API's variables.
    /// Applied after loading, so never part of a cached suite.
    #[serde(skip)]
    pub overrides: Vec<(String, serde_json::Value)>,
    pub sensitive: Sensitive,
    /// The endpoints the vendor documents.
    pub endpoints: Vec<Endpoint>,
    pub files: Vec<CaseFile>,
    pub limits: Limits,
    /// Names of the environment variables this API's files use.
    pub env_refs: std::collections::BTreeSet<String>,
    /// The environment variables `api.yaml` declares (`env:` and `public_env:`): no other may be read.
    pub declared_env: std::collections::BTreeSet<String>,
    /// Declared `public_env:`: not secrets, never scrubbed.
    pub public_env: std::collections::BTreeSet<String>,
    /// `drift:` of `api.yaml`: what `conform drift` leaves out.
    pub drift: DriftRules,
    /// `formats:` of `api.yaml`: the forms accepted for a schema `format`, for this API's schemas.
    pub formats: crate::schema::FormatPolicy,
}

/// `drift:` of `api.yaml`: what `conform drift` leaves out.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct DriftRules {
    /// JSON Pointers (`*` for any one segment) whose value changes are silenced.
    pub ignore: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Environment {
    pub base_url: String,
    pub variables: Vec<(String, JsonTemplate)>,
    pub auth: Option<Auth>,
}

/// How requests authenticate in an environment; every part given applies.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Auth {
    pub headers: Vec<(String, Template)>,
    pub query: Vec<(String, Template)>,
    /// Username and password.
    pub basic: Option<(Template, Template)>,
    pub bearer: Option<Template>,
    pub token_request: Option<TokenRequest>,
}

/// A request whose response carries a token for every later request.
#[derive(Debug, Serialize, Deserialize)]
pub struct TokenRequest {
    pub endpoint: Endpoint,
    pub request: Request,
    pub token_text: String,
    #[serde(with = "super::cache::codec::json_path")]
    pub token: JsonPath,
    pub header: String,
    pub prefix: String,
}

/// The longest first retry delay (`limits.backoff`); it doubles on each retry, up to 1024 times.
/// Shortest secret conform accepts: a shorter value cannot be scrubbed without destroying the
/// report (it would match ordinary text), so it is refused at load.
pub const MIN_SECRET_LEN: usize = 6;

pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The longest request timeout (`limits.timeout`, a case's `timeout`).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);
/// The longest time budget of a case (`expect.max_duration`).
pub const MAX_TIME_BUDGET: Duration = Duration::from_secs(3600);

/// Per-API traffic limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    pub concurrency: Option<usize>,
    pub requests_per_second: Option<u32>,
    pub timeout: Option<Duration>,
    pub retries: u32,
    pub backoff: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrency: None,
            requests_per_second: None,
            timeout: None,
            retries: 2,
            backoff: Duration::from_millis(200),
        }
    }
}

/// Names (lowercase) whose values are scrubbed, beyond the built-in list.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Sensitive {
    pub headers: Vec<String>,
    pub query: Vec<String>,
    pub body: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Endpoint {
    pub method: String,
    /// With `{param}` placeholders, as documented.
    pub path: String,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// The path of a base URL (`https://host/public/v6` -> `/public/v6`): endpoint paths are
/// relative to it, while recordings of live traffic and vendor catalogs carry full paths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasePath(String);

impl BasePath {
    /// The path of `base_url` without a trailing `/`; empty when it has none or does not parse.
    pub fn of(base_url: &str) -> BasePath {
        BasePath(
            url::Url::parse(base_url)
                .map(|u| u.path().trim_end_matches('/').to_string())
                .unwrap_or_default(),
        )
    }

    /// `path` relative to the base (`/public/v6/client` -> `/client`), split only at a `/`;
    /// any other path as it is.
    pub fn strip<'p>(&self, path: &'p str) -> &'p str {
        match path.strip_prefix(self.0.as_str()) {
            Some(rest) if !self.0.is_empty() && rest.starts_with('/') => rest,
            _ => path,
        }
    }
}

/// One endpoint file and its cases, in file order.
#[derive(Debug, Serialize, Deserialize)]
pub struct CaseFile {
    /// Path relative to the project root, e.g. `cases/kimai/get_customer.yaml`.
    pub path: PathBuf,
    /// File name without extension, e.g. `get_customer`.
    pub stem: String,
    /// The file's endpoint; each case has its own too (steps of a flow may differ).
    pub endpoint: Option<Endpoint>,
    /// After a failed step, later steps are skipped, except cleanup steps.
    pub flow: bool,
    /// The API's `setup:` (from api.yaml, stem `setup`): planned with any case of the API, its
    /// steps run before the API's other files and its cleanup steps after them.
    pub setup: bool,
    pub cases: Vec<Case>,
}

impl CaseFile {
    /// `GET /x` for a one-endpoint file, `flow` otherwise.
    pub fn describe(&self) -> String {
        match &self.endpoint {
            Some(e) => e.to_string(),
            None => "flow".into(),
        }
    }
}

/// The stem of an API's setup file (`setup::STEP` in case ids, `recordings/setup.yaml`).
pub const SETUP_STEM: &str = "setup";

#[derive(Debug, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    pub pos: Pos,
    pub endpoint: Endpoint,
    pub tags: Vec<String>,
    pub skip: Option<String>,
    /// Runs even after an earlier failure in a flow.
    pub cleanup: bool,
    /// Whether the environment's credentials are sent.
    pub use_auth: bool,
    /// The request breaks the vendor's spec on purpose (`validate --spec` requires it to).
    pub expect_invalid_request: bool,
    /// Why the request is right although the spec refuses it (`validate --spec` notes it).
    pub spec_quirk: Option<String>,
    pub timeout: Option<Duration>,
    pub request: Request,
    pub expect: Expect,
    pub captures: Vec<Capture>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub path: Vec<PathPart>,
    /// Name/value pairs in the order they are sent (list styles already applied).
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub body: Option<Body>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum PathPart {
    Lit(String),
    /// A path parameter, percent-encoded when rendered.
    Param(Template),
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Body {
    Json(JsonTemplate),
    Form(Vec<(String, Template)>),
    Raw {
        text: Template,
        content_type: Option<String>,
    },
    /// `multipart/form-data` with conform's fixed boundary (so recordings stay stable).
    Multipart(Vec<Part>),
    /// Bytes read from a file at load time.
    File {
        data: bytes::Bytes,
        content_type: Option<String>,
    },
}

/// One part of a multipart body.
#[derive(Debug, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub content: PartContent,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum PartContent {
    Text(Template),
    File {
        data: bytes::Bytes,
        filename: String,
        content_type: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Expect {
    pub status: StatusExpect,
    pub headers: Vec<HeaderExpect>,
    pub content_type: Option<String>,
    pub schema: Option<SchemaId>,
    pub assertions: Vec<Assertion>,
    pub max_duration: Option<Duration>,
    pub snapshot: Option<SnapshotExpect>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusExpect {
    Code(u16),
    AnyOf(Vec<u16>),
    Class(u8),
}

impl StatusExpect {
    pub fn accepts(&self, status: u16) -> bool {
        match self {
            StatusExpect::Code(c) => *c == status,
            StatusExpect::AnyOf(cs) => cs.contains(&status),
            StatusExpect::Class(c) => status / 100 == u16::from(*c),
        }
    }

    /// The codes this expectation names (a class names none).
    pub fn codes(&self) -> Vec<u16> {
        match self {
            StatusExpect::Code(c) => vec![*c],
            StatusExpect::AnyOf(cs) => cs.clone(),
            StatusExpect::Class(_) => Vec::new(),
        }
    }
}

impl std::fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusExpect::Code(c) => write!(f, "{c}"),
            StatusExpect::AnyOf(cs) => {
                let list: Vec<String> = cs.iter().map(u16::to_string).collect();
                write!(f, "one of {}", list.join(", "))
            }
            StatusExpect::Class(c) => write!(f, "{c}xx"),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct HeaderExpect {
    /// Lowercase.
    pub name: String,
    pub rule: HeaderRule,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum HeaderRule {
    Equals(Template),
    /// Shared (an `Arc`, not a clone: a cloned `Regex` gets its own cache pool) by every case
    /// using the same pattern, so that searches reuse one set of lazy-DFA caches.
    Matches(#[serde(with = "super::cache::codec::regex_arc")] Arc<Regex>),
    Absent,
}

/// Predicates on the nodes a JSONPath selects.
#[derive(Debug, Serialize, Deserialize)]
pub struct Assertion {
    pub path_text: String,
    pub path: AssertionPath,
    pub predicates: Vec<Predicate>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum AssertionPath {
    /// Shared by every assertion on the same path.
    Fixed(#[serde(with = "super::cache::codec::json_path_arc")] Arc<JsonPath>),
    /// A path with `{{ ... }}` (a filter such as `$[?@.id == {{ id }}]`), parsed once rendered.
    Template(Template),
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Predicate {
    Equals(JsonTemplate),
    Exists(bool),
    Type(JsonType),
    /// Shared by every case using the same pattern (see [`HeaderRule::Matches`]).
    Matches(#[serde(with = "super::cache::codec::regex_arc")] Arc<Regex>),
    Length(u64),
    Contains(JsonTemplate),
    Compare(Comparison, JsonTemplate),
    OneOf(Vec<JsonTemplate>),
    Sorted(SortKey),
    /// Predicates that every item of an array must satisfy.
    Each(Vec<Predicate>),
}

impl Predicate {
    /// Every value template of this predicate, nested ones included.
    pub fn templates(&self) -> Vec<&JsonTemplate> {
        match self {
            Predicate::Equals(t) | Predicate::Contains(t) | Predicate::Compare(_, t) => vec![t],
            Predicate::OneOf(ts) => ts.iter().collect(),
            Predicate::Each(ps) => ps.iter().flat_map(Predicate::templates).collect(),
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparison {
    pub fn keyword(self) -> &'static str {
        match self {
            Comparison::Gt => "gt",
            Comparison::Ge => "ge",
            Comparison::Lt => "lt",
            Comparison::Le => "le",
        }
    }

    /// The words of a failure message: "expected a value greater than 3".
    pub fn words(self) -> &'static str {
        match self {
            Comparison::Gt => "greater than",
            Comparison::Ge => "greater than or equal to",
            Comparison::Lt => "less than",
            Comparison::Le => "less than or equal to",
        }
    }
}

/// `sorted:`: the key (a path of object keys, empty for scalars) and the direction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SortKey {
    pub by: Vec<String>,
    pub descending: bool,
    pub ignore_case: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotExpect {
    /// File name stem under `snapshots/<api>/`.
    pub name: String,
    pub redact: Vec<super::selector::Selector>,
    /// Exact comparison: no difference is graded as harmless.
    pub strict: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Capture {
    pub name: String,
    pub source: CaptureFrom,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum CaptureFrom {
    Json {
        text: String,
        #[serde(with = "super::cache::codec::json_path")]
        path: JsonPath,
    },
    Header(String),
}

/// The query style used when a request does not set one and its API does not either.
pub const DEFAULT_QUERY_STYLE: QueryStyle = QueryStyle::Repeat;

#[cfg(test)]
mod tests {
    use super::BasePath;

    #[test]
    fn base_path_strips_only_at_a_segment_boundary() {
        let base = BasePath::of("https://api.example.com/public/v6/");
        assert_eq!(base.strip("/public/v6/client/clients"), "/client/clients");
        assert_eq!(base.strip("/public/v61/client"), "/public/v61/client");
        assert_eq!(base.strip("/client"), "/client");
        assert_eq!(BasePath::of("http://127.0.0.1:8080").strip("/x"), "/x");
    }
}
