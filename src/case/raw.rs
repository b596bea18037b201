//! The case-file syntax as written on disk: serde types with source positions.
//!
//! These types mirror the YAML exactly (`deny_unknown_fields` everywhere, so a typo is a located
//! error) and also generate the editor schema `schemas/conform/case-file.schema.json`. Meaning is
//! given to them in `lower.rs`; nothing else reads them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use indexmap::IndexMap;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::exact::ExactJson;

/// `cases/<api>/api.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "conform API file (cases/<api>/api.yaml)")]
pub struct RawApi {
    /// Name of the API; must equal its folder name under `cases/`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Human-readable title.
    pub title: Option<String>,
    /// Default base URL for live runs (`--env` and `--base-url` override it).
    #[schemars(with = "Option<String>")]
    pub base_url: Option<Spanned<String>>,
    /// The environment variables this API may read as `{{ env.NAME }}` (its secrets: scrubbed
    /// from every output; values shorter than 6 characters are refused).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub env: Vec<Spanned<String>>,
    /// Environment variables that are not secrets (a tenant, a site id, a host): readable as
    /// `{{ env.NAME }}` and shown as they are.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub public_env: Vec<Spanned<String>>,
    /// Named environments, picked with `--env NAME`.
    #[serde(default)]
    pub environments: BTreeMap<String, RawEnvironment>,
    /// Headers sent with every request of this API.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Scalar>")]
    pub headers: IndexMap<String, Spanned<Scalar>>,
    /// Variables usable as `{{ name }}` in every case of this API.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Value>")]
    pub variables: IndexMap<String, Spanned<Value>>,
    /// How list-valued query parameters are written by default.
    pub query_style: Option<QueryStyle>,
    /// Names to scrub from recordings, snapshots and reports, in addition to the built-in ones.
    #[serde(default)]
    pub sensitive: RawSensitive,
    /// The endpoints the vendor documents, as `METHOD /path` (used for coverage).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub endpoints: Vec<Spanned<String>>,
    /// Politeness towards the vendor: concurrency, rate, timeout and retries.
    #[serde(default)]
    pub limits: RawLimits,
    /// What `conform drift` leaves out when it compares live responses with the recordings.
    #[serde(default)]
    pub drift: RawDrift,
    /// The forms this vendor really sends for a JSON Schema `format` (`date-time`, `date`,
    /// `time`), e.g. `date-time: [date-time, local-date-time]`; formats not named here are
    /// checked as the JSON Schema specification defines them.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Vec<String>>")]
    pub formats: IndexMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>,
    /// Steps (written like the steps of a flow) that discover or create the fixtures the cases
    /// need, before any case of this API runs: each captures into a declared variable, and is
    /// left out when the environment or `--var` pins every variable it captures. `cleanup: true`
    /// steps run after every case of the API, and only for what this run captured.
    #[serde(default)]
    pub setup: Vec<RawCase>,
}

/// `drift:` of `api.yaml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDrift {
    /// JSON Pointers into response bodies (`*` for any array item or key, e.g.
    /// `/items/*/lastModified`) whose value changes are not findings. A rule never hides a change
    /// of type or presence: such a finding stays, and the rule is reported as refused.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
}

/// Per-API traffic limits.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Most requests in flight to this API at once.
    pub concurrency: Option<usize>,
    /// Most requests per second (token bucket).
    pub requests_per_second: Option<u32>,
    /// Request timeout for this API, e.g. `20s` (the CLI `--timeout` is the default).
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    /// Retries of one request (idempotent ones on connect errors and 502/503/504, any on 429).
    pub retries: Option<u32>,
    /// First retry delay, doubled each time, with jitter; e.g. `200ms`.
    #[schemars(with = "Option<String>")]
    pub backoff: Option<Spanned<String>>,
}

/// How requests of an environment authenticate. Every part is optional; all given parts apply.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    /// Static headers such as `Api-Key`, `SiteId`, `X-API-KEY`, `X-AUTH-USER`.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Scalar>")]
    pub headers: IndexMap<String, Spanned<Scalar>>,
    /// Query parameters added to every request, such as `apiKey`.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Scalar>")]
    pub query: IndexMap<String, Spanned<Scalar>>,
    /// HTTP basic authentication.
    pub basic: Option<RawBasic>,
    /// `Authorization: Bearer <token>`.
    #[schemars(with = "Option<String>")]
    pub bearer: Option<Spanned<String>>,
    /// A request whose response field becomes a header of every later request.
    pub token_request: Option<RawTokenRequest>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBasic {
    #[schemars(with = "String")]
    pub username: Spanned<String>,
    #[schemars(with = "String")]
    pub password: Spanned<String>,
}

/// Obtains a token once per run (again once after a 401) and sends it on every request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTokenRequest {
    /// `METHOD /path` of the token endpoint.
    #[schemars(with = "String")]
    pub endpoint: Spanned<String>,
    #[serde(default)]
    pub request: RawRequest,
    /// JSONPath of the token in the response, e.g. `$.AccessToken`.
    #[schemars(with = "String")]
    pub token: Spanned<String>,
    /// Header that carries the token (default `Authorization`).
    pub header: Option<String>,
    /// Text before the token in that header, e.g. `"Bearer "` (default none).
    pub prefix: Option<String>,
}

/// One environment of an API.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEnvironment {
    #[schemars(with = "String")]
    pub base_url: Spanned<String>,
    /// Overrides of variables declared under the API's `variables`.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Value>")]
    pub variables: IndexMap<String, Spanned<Value>>,
    /// How requests authenticate in this environment (secrets come from `{{ env.NAME }}`).
    pub auth: Option<RawAuth>,
}

/// Extra sensitive names (matched case-insensitively).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSensitive {
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub query: Vec<String>,
    #[serde(default)]
    pub body: Vec<String>,
}

/// `cases/<api>/<endpoint>.yaml`: the cases of one endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "conform case file (cases/<api>/<endpoint>.yaml)")]
pub struct RawCaseFile {
    /// `METHOD /path/{param}`: the endpoint every case of this file calls (a case may override it).
    #[schemars(with = "Option<String>")]
    pub endpoint: Option<Spanned<String>>,
    /// A flow: after a failed step the remaining steps are skipped, except `cleanup` steps.
    #[serde(default)]
    pub flow: bool,
    pub cases: Vec<RawCase>,
}

/// One case: a request and what its response must satisfy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// Unique within the file.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Keep the case in reports as skipped, with this reason; nothing is sent.
    pub skip: Option<String>,
    /// This case's endpoint, when it differs from the file's (steps of a flow).
    #[schemars(with = "Option<String>")]
    pub endpoint: Option<Spanned<String>>,
    /// Always runs, even after a failed step of its flow (leaves the sandbox as found).
    #[serde(default)]
    pub cleanup: bool,
    /// `false` sends the request without the environment's credentials (negative auth cases).
    pub auth: Option<bool>,
    /// The request breaks the vendor's spec on purpose (an error case): `conform validate --spec`
    /// then requires the spec to refuse it.
    #[serde(default)]
    pub expect_invalid_request: bool,
    /// Why the request is right although the vendor's spec refuses it (a spec quirk, explained
    /// in the API's NOTES.md): `conform validate --spec` then reports its mismatches as notes and
    /// requires that there are some.
    pub spec_quirk: Option<String>,
    /// Request timeout for this case, e.g. `5s`.
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub request: RawRequest,
    #[serde(default)]
    pub expect: RawExpect,
    /// Variables for later cases of the same file: `name: $.json.path` or `name: {header: Name}`.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, CaptureSource>")]
    pub capture: IndexMap<String, Spanned<CaptureSource>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// A value for every `{name}` in the endpoint path.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Scalar>")]
    pub path_params: IndexMap<String, Spanned<Scalar>>,
    /// Query parameters: a scalar or a list of scalars each.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, QueryValue>")]
    pub query: IndexMap<String, Spanned<QueryValue>>,
    pub query_style: Option<QueryStyle>,
    #[serde(default)]
    #[schemars(with = "IndexMap<String, Scalar>")]
    pub headers: IndexMap<String, Spanned<Scalar>>,
    /// A JSON body.
    #[schemars(with = "Option<Value>")]
    pub json: Option<Spanned<ExactJson>>,
    /// An `application/x-www-form-urlencoded` body.
    #[schemars(with = "Option<IndexMap<String, Scalar>>")]
    pub form: Option<Spanned<IndexMap<String, Scalar>>>,
    /// A body sent as is.
    #[schemars(with = "Option<String>")]
    pub raw: Option<Spanned<String>>,
    /// A `multipart/form-data` body: text fields and files, in order.
    #[schemars(with = "Option<Vec<RawPart>>")]
    pub multipart: Option<Spanned<Vec<RawPart>>>,
    /// A binary body read from this file, relative to `cases/<api>/`; give `content_type` with it.
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    /// Overrides the body's content type.
    pub content_type: Option<String>,
}

/// One part of a multipart body: a text `value` or a `file` (relative to `cases/<api>/`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPart {
    /// The form field name.
    pub name: String,
    /// A text value (interpolated).
    pub value: Option<Scalar>,
    /// A file whose bytes are the part's content.
    pub file: Option<String>,
    /// The file name announced for a file part; defaults to the file's own name.
    pub filename: Option<String>,
    /// The part's content type; files default to `application/octet-stream`.
    pub content_type: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// `200`, `[200, 201]` or `"2xx"`; defaults to `"2xx"`.
    #[schemars(with = "Option<StatusSpec>")]
    pub status: Option<Spanned<StatusSpec>>,
    #[serde(default)]
    #[schemars(with = "IndexMap<String, HeaderRule>")]
    pub headers: IndexMap<String, Spanned<HeaderRule>>,
    /// Media type the response must declare.
    pub content_type: Option<String>,
    /// JSON Schema file, relative to `schemas/<api>/`.
    #[schemars(with = "Option<String>")]
    pub schema: Option<Spanned<String>>,
    /// JSONPath -> predicates.
    #[serde(default, rename = "assert")]
    #[schemars(with = "IndexMap<String, RawPredicates>")]
    pub assertions: IndexMap<String, Spanned<RawPredicates>>,
    /// Time budget such as `800ms` or `2s`.
    #[schemars(with = "Option<String>")]
    pub max_duration: Option<Spanned<String>>,
    /// Compare the response with an insta snapshot.
    #[schemars(with = "Option<SnapshotSpec>")]
    pub snapshot: Option<Spanned<SnapshotSpec>>,
}

/// Predicates on the nodes a JSONPath selects.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPredicates {
    #[serde(default, deserialize_with = "present")]
    pub equals: Option<Value>,
    pub exists: Option<bool>,
    #[serde(rename = "type")]
    pub type_: Option<JsonType>,
    pub matches: Option<String>,
    pub length: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    pub contains: Option<Value>,
    /// The node is an array in this order (`{ by: key, order: asc|desc }`).
    pub sorted: Option<SortedSpec>,
    /// The node is a number or RFC 3339 date/date-time greater than this.
    pub gt: Option<Value>,
    /// Greater than or equal.
    pub ge: Option<Value>,
    /// Less than.
    pub lt: Option<Value>,
    /// Less than or equal.
    pub le: Option<Value>,
    /// The node equals one of these values.
    pub one_of: Option<Vec<Value>>,
    /// The node is an array and every item satisfies these predicates.
    pub each: Option<Box<RawPredicates>>,
}

/// `sorted:` an array's order.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SortedSpec {
    /// The key of each item to order by (`name`, or `address.city` for a nested key); absent
    /// for an array of scalars.
    pub by: Option<String>,
    /// `asc` (the default) or `desc`.
    #[serde(default)]
    pub order: SortOrder,
    /// Compare strings after lowercasing them.
    #[serde(default)]
    pub ignore_case: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// A key that is present is `Some`, even when its value is `null` (`equals: null` asserts null).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

/// How list-valued query parameters are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum QueryStyle {
    /// `ids=1&ids=2`
    #[default]
    Repeat,
    /// `ids[]=1&ids[]=2`
    Brackets,
    /// `ids=1,2`
    Comma,
}

/// A YAML scalar read as text: `-99`, `true` and `"abc"` are all accepted where a string is meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(Scalar)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// A query parameter value: one scalar or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryValue {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for QueryValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = QueryValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar or a list of scalars")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<QueryValue, E> {
                Ok(QueryValue::One(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<QueryValue, E> {
                Ok(QueryValue::One(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<QueryValue, E> {
                Ok(QueryValue::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<QueryValue, E> {
                Ok(QueryValue::One(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<QueryValue, E> {
                Ok(QueryValue::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<QueryValue, A::Error> {
                let mut items = Vec::new();
                while let Some(Scalar(s)) = seq.next_element()? {
                    items.push(s);
                }
                Ok(QueryValue::Many(items))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for QueryValue {
    fn schema_name() -> Cow<'static, str> {
        "QueryValue".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let scalar = g.subschema_for::<Scalar>();
        json_schema!({ "anyOf": [scalar, { "type": "array", "items": scalar }] })
    }
}

/// The expected status: an exact code, a list of codes or a class such as `2xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusSpec {
    Code(u16),
    AnyOf(Vec<u16>),
    Class(u8),
}

fn status_code<E: de::Error>(v: u64) -> Result<u16, E> {
    if (100..=599).contains(&v) {
        Ok(v as u16)
    } else {
        Err(E::custom(format!(
            "status {v} is out of range: expected 100 to 599"
        )))
    }
}

impl<'de> Deserialize<'de> for StatusSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a status code (200), a list of codes ([200, 201]) or a class (\"2xx\")",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusSpec, E> {
                status_code(v).map(StatusSpec::Code)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusSpec, E> {
                status_code(u64::try_from(v).unwrap_or(0)).map(StatusSpec::Code)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusSpec, E> {
                let lower = v.to_ascii_lowercase();
                match lower.as_bytes() {
                    [d @ b'1'..=b'5', b'x', b'x'] => Ok(StatusSpec::Class(d - b'0')),
                    _ => match v.parse::<u64>() {
                        Ok(n) => status_code(n).map(StatusSpec::Code),
                        Err(_) => Err(E::custom(format!(
                            "invalid status `{v}`: expected a code such as 200 or a class such as \"2xx\""
                        ))),
                    },
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StatusSpec, A::Error> {
                let mut codes = Vec::new();
                while let Some(code) = seq.next_element::<u64>()? {
                    codes.push(status_code(code)?);
                }
                if codes.is_empty() {
                    return Err(de::Error::custom(
                        "empty status list: expected at least one code",
                    ));
                }
                Ok(StatusSpec::AnyOf(codes))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for StatusSpec {
    fn schema_name() -> Cow<'static, str> {
        "StatusSpec".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [
            { "type": "integer", "minimum": 100, "maximum": 599 },
            { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 }, "minItems": 1 },
            { "type": "string", "pattern": "^([1-5][xX][xX]|[1-5][0-9][0-9])$" }
        ]})
    }
}

/// Generates `Deserialize` and `JsonSchema` for "a string (short form) or a map (long form)".
macro_rules! string_or_map {
    ($ty:ident, $map:ident, $from_str:expr, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        #[allow(clippy::redundant_closure_call)]
                        ($from_str)(v.to_string()).map_err(E::custom)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<$ty, A::Error> {
                        $map::deserialize(MapAccessDeserializer::new(map)).map($ty::Long)
                    }
                }
                d.deserialize_any(V)
            }
        }
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }
            fn json_schema(g: &mut SchemaGenerator) -> Schema {
                let long = g.subschema_for::<$map>();
                json_schema!({ "anyOf": [{ "type": "string" }, long] })
            }
        }
    };
}

/// An expected response header: `"exact value"` or `{ equals | matches | absent }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderRule {
    Short(String),
    Long(HeaderRuleMap),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderRuleMap {
    pub equals: Option<String>,
    pub matches: Option<String>,
    pub absent: Option<bool>,
}

string_or_map!(
    HeaderRule,
    HeaderRuleMap,
    |s| Ok::<_, String>(HeaderRule::Short(s)),
    "a header value or a map with `equals`, `matches` or `absent`"
);

/// Where a captured value comes from: `$.json.path` or `{ header: Name }` / `{ json: $.path }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSource {
    Short(String),
    Long(CaptureMap),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureMap {
    pub header: Option<String>,
    pub json: Option<String>,
}

string_or_map!(
    CaptureSource,
    CaptureMap,
    |s: String| if s.starts_with('$') {
        Ok(CaptureSource::Short(s))
    } else {
        Err(format!("invalid capture `{s}`: expected a JSONPath starting with `$` or a map such as {{ header: Location }}"))
    },
    "a JSONPath such as `$.id` or a map with `header` or `json`"
);

/// `snapshot: true` or `snapshot: { name, redact, strict }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotSpec {
    Enabled(bool),
    Long(SnapshotMap),
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotMap {
    /// Snapshot name (defaults to the file and case names).
    pub name: Option<String>,
    /// Selectors whose values are replaced by placeholders: `.id`, `[].createdDate`, `.**.modifiedDate`.
    #[serde(default)]
    pub redact: Vec<String>,
    /// Compare exactly: an added field or a reordered array fails instead of being graded.
    #[serde(default)]
    pub strict: bool,
}

impl<'de> Deserialize<'de> for SnapshotSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SnapshotSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, `false` or a map with `name`, `redact` and `strict`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<SnapshotSpec, E> {
                Ok(SnapshotSpec::Enabled(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SnapshotSpec, A::Error> {
                SnapshotMap::deserialize(MapAccessDeserializer::new(map)).map(SnapshotSpec::Long)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for SnapshotSpec {
    fn schema_name() -> Cow<'static, str> {
        "SnapshotSpec".into()
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let long = g.subschema_for::<SnapshotMap>();
        json_schema!({ "anyOf": [{ "type": "boolean" }, long] })
    }
}
