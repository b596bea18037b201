//! Reading an API description ([`Spec`]): OpenAPI 3.0, 3.1 or Swagger 2.0, in JSON or YAML, kept as
//! a plain `serde_json::Value` and walked with JSON pointers (vendor specs are too messy for typed
//! models, and no typed crate reads all three versions).
//!
//! Everything here reads; nothing writes. Per-operation problems are returned as text so the import
//! can report them and carry on with the next operation.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Which dialect the document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

/// Why a spec could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read spec `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("spec `{path}` is neither valid JSON nor valid YAML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("`{path}` is not an OpenAPI 3.x or Swagger 2.0 document: {why}")]
    NotASpec { path: PathBuf, why: String },
}

/// A parsed API description.
#[derive(Debug)]
pub struct Spec {
    pub version: Version,
    pub doc: Value,
    /// File name, for provenance comments.
    pub file_name: String,
}

/// One operation: a method on a path.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// Uppercase, e.g. `GET`.
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub node: &'a Value,
    path_item: &'a Value,
}

/// A parameter, its location and a schema describing its value.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// `path`, `query`, `header`, `cookie`, `body` or `formData`.
    pub location: String,
    pub required: bool,
    pub schema: Value,
    pub example: Option<Value>,
}

/// How a request body is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    /// A media type conform cannot generate (multipart, XML, binary).
    Other(String),
}

/// A request body: its kind, schema and documented example.
#[derive(Debug, Clone)]
pub struct RequestBody {
    pub kind: BodyKind,
    pub required: bool,
    pub schema: Option<Value>,
    pub example: Option<Value>,
}

/// One documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// `200`, `4XX` or `default`, as written.
    pub status: String,
    pub description: String,
    /// The JSON schema of the body (untranslated), when the response has a JSON body.
    pub schema: Option<Value>,
    pub example: Option<Value>,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

impl Spec {
    /// Reads and recognises a spec file (JSON first, YAML otherwise).
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let doc = parse_text(&text).map_err(|message| SpecError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Spec::from_value(doc, file_name).map_err(|why| SpecError::NotASpec {
            path: path.to_path_buf(),
            why,
        })
    }

    /// Recognises the version of an already parsed document.
    pub fn from_value(doc: Value, file_name: String) -> Result<Spec, String> {
        let version = match (doc.get("openapi"), doc.get("swagger")) {
            (Some(Value::String(v)), _) if v.starts_with("3.0") => Version::OpenApi30,
            (Some(Value::String(v)), _) if v.starts_with("3.1") => Version::OpenApi31,
            (_, Some(Value::String(v))) if v.starts_with("2.") => Version::Swagger2,
            (Some(v), _) | (_, Some(v)) => return Err(format!("unsupported version {v}")),
            (None, None) => return Err("no `openapi` or `swagger` version field".into()),
        };
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err("no `paths` object".into());
        }
        Ok(Spec {
            version,
            doc,
            file_name,
        })
    }

    /// The pointer prefix of named schemas: `#/components/schemas/` or `#/definitions/`.
    pub fn schema_prefix(&self) -> &'static str {
        match self.version {
            Version::Swagger2 => "#/definitions/",
            _ => "#/components/schemas/",
        }
    }

    /// The named schemas, in document order.
    pub fn schemas(&self) -> Vec<(&str, &Value)> {
        let map = match self.version {
            Version::Swagger2 => self.doc.get("definitions"),
            _ => self.doc.pointer("/components/schemas"),
        };
        map.and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default()
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            let item = self.resolve(item).unwrap_or(item);
            let Some(map) = item.as_object() else {
                continue;
            };
            for (key, node) in map {
                if !METHODS.contains(&key.as_str()) {
                    continue;
                }
                out.push(Operation {
                    method: key.to_ascii_uppercase(),
                    path: path.clone(),
                    operation_id: text(node, "operationId"),
                    summary: text(node, "summary"),
                    node,
                    path_item: item,
                });
            }
        }
        out
    }

    /// Follows local `$ref`s (parameters, responses, bodies) to the object they name.
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> Result<&'a Value, String> {
        for _ in 0..32 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                return Ok(v);
            };
            v = self.pointer(r)?;
        }
        Err("`$ref` chain too long (a cycle?)".into())
    }

    /// The value a local reference such as `#/components/schemas/Foo` names.
    pub fn pointer(&self, reference: &str) -> Result<&Value, String> {
        let fragment = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("unsupported external `$ref` `{reference}`"))?;
        let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
        self.doc
            .pointer(&decoded)
            .ok_or_else(|| format!("unresolvable `$ref` `{reference}`"))
    }

    /// The operation's parameters (path-level ones first, overridden by the operation's), with
    /// the problems met on the way.
    pub fn parameters(&self, op: &Operation<'_>) -> (Vec<Param>, Vec<String>) {
        let mut params: Vec<Param> = Vec::new();
        let mut problems = Vec::new();
        let lists = [op.path_item.get("parameters"), op.node.get("parameters")];
        for raw in lists
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
        {
            match self.resolve(raw).and_then(|p| self.param(p)) {
                Ok(p) => {
                    params.retain(|q| !(q.name == p.name && q.location == p.location));
                    params.push(p);
                }
                Err(e) => problems.push(format!("parameter skipped: {e}")),
            }
        }
        (params, problems)
    }

    fn param(&self, p: &Value) -> Result<Param, String> {
        let name = text(p, "name").ok_or("a parameter has no `name`")?;
        let location = text(p, "in").ok_or_else(|| format!("parameter `{name}` has no `in`"))?;
        let schema = match (self.version, p.get("schema")) {
            (_, Some(s)) => s.clone(),
            (Version::Swagger2, None) => swagger_param_schema(p),
            (_, None) => Value::Object(Map::new()),
        };
        let example = p
            .get("example")
            .cloned()
            .or_else(|| first_example(p.get("examples"), self));
        Ok(Param {
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
                || location == "path",
            name,
            location,
            schema,
            example,
        })
    }

    /// The operation's request body, if it has one.
    pub fn request_body(
        &self,
        op: &Operation<'_>,
        params: &[Param],
    ) -> Result<Option<RequestBody>, String> {
        if self.version == Version::Swagger2 {
            return Ok(swagger_body(op, params));
        }
        let Some(raw) = op.node.get("requestBody") else {
            return Ok(None);
        };
        let body = self.resolve(raw)?;
        let required = body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let Some((media, content)) = pick_media(body.get("content")) else {
            return Ok(None);
        };
        Ok(Some(RequestBody {
            kind: body_kind(media),
            required,
            schema: content.get("schema").cloned(),
            example: self.media_example(content),
        }))
    }

    /// The documented responses, in document order.
    pub fn responses(&self, op: &Operation<'_>) -> (Vec<Response>, Vec<String>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let Some(map) = op.node.get("responses").and_then(Value::as_object) else {
            return (out, problems);
        };
        for (status, raw) in map {
            let r = match self.resolve(raw) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("response {status} skipped: {e}"));
                    continue;
                }
            };
            let (schema, example) = match self.version {
                Version::Swagger2 => (
                    r.get("schema").cloned(),
                    r.pointer("/examples/application~1json").cloned(),
                ),
                _ => match pick_media(r.get("content")) {
                    Some((media, c)) if body_kind(media) == BodyKind::Json => {
                        (c.get("schema").cloned(), self.media_example(c))
                    }
                    _ => (None, None),
                },
            };
            out.push(Response {
                status: status.clone(),
                description: text(r, "description").unwrap_or_default(),
                schema,
                example,
            });
        }
        (out, problems)
    }

    fn media_example(&self, media: &Value) -> Option<Value> {
        media
            .get("example")
            .cloned()
            .or_else(|| first_example(media.get("examples"), self))
    }
}

/// Parses JSON, or YAML when the text is not JSON.
pub fn parse_text(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        if let Ok(v) = serde_json::from_str(text) {
            return Ok(v);
        }
    }
    serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string())
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The value of the first entry of an OpenAPI `examples` map (`{name: {value}}`).
fn first_example(examples: Option<&Value>, spec: &Spec) -> Option<Value> {
    let (_, first) = examples?.as_object()?.iter().next()?;
    spec.resolve(first).ok()?.get("value").cloned()
}

/// Swagger 2.0 describes non-body parameters with schema keywords on the parameter itself.
fn swagger_param_schema(p: &Value) -> Value {
    const KEYS: [&str; 11] = [
        "type",
        "format",
        "items",
        "enum",
        "default",
        "minimum",
        "maximum",
        "pattern",
        "minLength",
        "maxLength",
        "example",
    ];
    let Some(map) = p.as_object() else {
        return Value::Object(Map::new());
    };
    Value::Object(
        map.iter()
            .filter(|(k, _)| KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

fn swagger_body(op: &Operation<'_>, params: &[Param]) -> Option<RequestBody> {
    if let Some(p) = params.iter().find(|p| p.location == "body") {
        return Some(RequestBody {
            kind: BodyKind::Json,
            required: p.required,
            schema: Some(p.schema.clone()),
            example: p.example.clone(),
        });
    }
    let form: Vec<&Param> = params.iter().filter(|p| p.location == "formData").collect();
    if form.is_empty() {
        return None;
    }
    let consumes = op.node.get("consumes").and_then(Value::as_array);
    let multipart = form.iter().any(|p| p.schema["type"] == "file")
        || consumes.is_some_and(|c| {
            c.iter()
                .all(|m| m.as_str() != Some("application/x-www-form-urlencoded"))
        });
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in form {
        properties.insert(p.name.clone(), p.schema.clone());
        if p.required {
            required.push(Value::String(p.name.clone()));
        }
    }
    Some(RequestBody {
        kind: if multipart {
            BodyKind::Other("multipart/form-data".into())
        } else {
            BodyKind::Form
        },
        required: !required.is_empty(),
        schema: Some(serde_json::json!({
            "type": "object", "properties": properties, "required": required
        })),
        example: None,
    })
}

/// Picks the media type conform handles best: JSON, then form, then whatever comes first.
fn pick_media(content: Option<&Value>) -> Option<(&str, &Value)> {
    let map = content?.as_object()?;
    let rank = |m: &str| match body_kind(m) {
        BodyKind::Json => 0,
        BodyKind::Form => 1,
        BodyKind::Other(_) => 2,
    };
    map.iter()
        .min_by_key(|(m, _)| rank(m))
        .map(|(m, v)| (m.as_str(), v))
}

fn body_kind(media: &str) -> BodyKind {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if m == "application/json" || m == "text/json" || m.ends_with("+json") || m == "*/*" {
        BodyKind::Json
    } else if m == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else {
        BodyKind::Other(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_versions_and_refuses_others() {
        let v = |d: Value| Spec::from_value(d, "x".into()).map(|s| s.version);
        assert_eq!(
            v(json!({"openapi": "3.0.1", "paths": {}})),
            Ok(Version::OpenApi30)
        );
        assert_eq!(
            v(json!({"openapi": "3.1.0", "paths": {}})),
            Ok(Version::OpenApi31)
        );
        assert_eq!(
            v(json!({"swagger": "2.0", "paths": {}})),
            Ok(Version::Swagger2)
        );
        assert!(v(json!({"openapi": "4.0", "paths": {}})).is_err());
        assert!(v(json!({"info": {}})).is_err());
    }

    #[test]
    fn reads_yaml_and_merges_parameters() {
        let doc = parse_text(
            "openapi: 3.0.0\npaths:\n  /a/{id}:\n    parameters:\n      - { name: id, in: path, schema: { type: string } }\n    get:\n      parameters:\n        - $ref: '#/components/parameters/Q'\n        - $ref: '#/components/parameters/Missing'\n      responses: { '200': { description: ok } }\ncomponents:\n  parameters:\n    Q: { name: q, in: query, required: true, schema: { type: integer, default: 3 } }\n",
        )
        .unwrap();
        let spec = Spec::from_value(doc, "s.yaml".into()).unwrap();
        let ops = spec.operations();
        assert_eq!(ops.len(), 1);
        let (params, problems) = spec.parameters(&ops[0]);
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["id", "q"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("#/components/parameters/Missing"));
    }
}
