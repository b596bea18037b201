//! Lowering: from the raw syntax (`raw.rs`) to the checked model (`model.rs`).
//!
//! Every semantic rule lives here: path parameters match the endpoint, variables are defined before
//! use, environment variables are set, schemas exist and compile, regexes and JSONPaths parse.
//! Problems become located [`Diagnostic`]s; lowering goes on after one so that all are reported.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use serde_json_path::JsonPath;
use serde_saphyr::Spanned;

use super::model::*;
use super::raw::{
    self, CaptureSource, QueryStyle, QueryValue, RawApi, RawCase, RawCaseFile, SnapshotSpec,
};
use super::template::{Expr, JsonTemplate, Part, Template};
use crate::check::schema::SchemaSet;
use crate::diag::{did_you_mean, Diagnostic, Pos};

pub struct LowerCtx<'a> {
    pub root: &'a Path,
    pub schemas: &'a mut SchemaSet,
    /// Compiled regexes by pattern, shared by every case of the suite: suites repeat the same
    /// few patterns, and compiling one (Unicode classes especially) costs far more than a lookup.
    pub regexes: &'a mut HashMap<String, Arc<regex::Regex>>,
    /// Parsed assertion JSONPaths by text, shared for the same reason (`$.id` is in most cases).
    pub json_paths: &'a mut HashMap<String, Arc<JsonPath>>,
    pub diagnostics: Vec<Diagnostic>,
    pub missing_env: Vec<String>,
    pub env: Option<&'a str>,
    /// Environment variables referenced by the API being lowered (their values are secrets).
    pub env_refs: BTreeSet<String>,
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

/// Lowers one API: its `api.yaml`, then each endpoint file in turn.
pub struct ApiLowering<'c, 'a> {
    pub ctx: &'c mut LowerCtx<'a>,
    api: Api,
    api_file: PathBuf,
    query_style: QueryStyle,
    ok: bool,
}

/// Where the problem is: a file, and the position inside it.
struct At<'p> {
    file: &'p Path,
    pos: Pos,
}

impl<'c, 'a> ApiLowering<'c, 'a> {
    pub fn new(
        ctx: &'c mut LowerCtx<'a>,
        raw: RawApi,
        api_file: PathBuf,
        dir_name: &str,
        dir: PathBuf,
    ) -> Self {
        let mut this = ApiLowering {
            ctx,
            api: Api {
                name: raw.name.value.clone(),
                title: raw.title.clone(),
                dir,
                base_url: None,
                environments: BTreeMap::new(),
                headers: Vec::new(),
                variables: Vec::new(),
                sensitive: Sensitive {
                    headers: lowercase(&raw.sensitive.headers),
                    query: lowercase(&raw.sensitive.query),
                    body: lowercase(&raw.sensitive.body),
                },
                endpoints: Vec::new(),
                files: Vec::new(),
                limits: Limits::default(),
                env_refs: BTreeSet::new(),
            },
            api_file,
            query_style: raw.query_style.unwrap_or(DEFAULT_QUERY_STYLE),
            ok: true,
        };
        this.lower_api(raw, dir_name);
        this
    }

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

    fn lower_api(&mut self, raw: RawApi, dir_name: &str) {
        let file = self.api_file.clone();
        if raw.name.value != dir_name {
            self.error(
                &file,
                pos(&raw.name),
                format!(
                    "API name `{}` does not match its folder `{dir_name}`",
                    raw.name.value
                ),
            );
        }
        if let Some(url) = &raw.base_url {
            self.api.base_url = self.check_url(&file, url);
        }
        let mut known = BTreeSet::new();
        for (name, value) in &raw.variables {
            let at = At {
                file: &file,
                pos: pos(value),
            };
            if let Some(t) = self.json_template(&at, &value.value, &known, true) {
                self.api.variables.push((name.clone(), t));
            }
            known.insert(name.clone());
        }
        for (name, value) in &raw.headers {
            let at = At {
                file: &file,
                pos: pos(value),
            };
            if let Some(t) = self.template(&at, &value.value.0, &known, true) {
                self.api.headers.push((name.clone(), t));
            }
        }
        for (env_name, env) in &raw.environments {
            let selected = self.ctx.env == Some(env_name.as_str());
            let base_url = self.environment_url(&file, &env.base_url, selected);
            let mut variables = Vec::new();
            for (name, value) in &env.variables {
                let at = At {
                    file: &file,
                    pos: pos(value),
                };
                if !known.contains(name) {
                    let help = did_you_mean(name, known.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"))
                        .unwrap_or_else(|| "declare it under `variables:` with a default".into());
                    self.error_help(
                        &file,
                        at.pos,
                        format!("environment `{env_name}` sets `{name}`, which `variables:` does not declare"),
                        help,
                    );
                    continue;
                }
                if let Some(t) = self.json_template(&at, &value.value, &known, selected) {
                    variables.push((name.clone(), t));
                }
            }
            let auth = env
                .auth
                .as_ref()
                .and_then(|a| self.lower_auth(&file, a, &known, selected));
            self.api.environments.insert(
                env_name.clone(),
                Environment {
                    base_url,
                    variables,
                    auth,
                },
            );
        }
        if let Some(env) = self.ctx.env {
            if !raw.environments.contains_key(env) {
                let names: Vec<&str> = raw.environments.keys().map(String::as_str).collect();
                let help = if names.is_empty() {
                    "this API declares no `environments:`".to_string()
                } else {
                    format!("environments of this API: {}", names.join(", "))
                };
                self.error_help(
                    &file,
                    Pos::UNKNOWN,
                    format!("API `{}` has no environment `{env}`", self.api.name),
                    help,
                );
            }
        }
        for endpoint in &raw.endpoints {
            match parse_endpoint(&endpoint.value) {
                Ok(e) => self.api.endpoints.push(e),
                Err(msg) => self.error(&file, pos(endpoint), msg),
            }
        }
        self.api.limits = self.lower_limits(&file, &raw.limits);
    }

    fn duration(&mut self, file: &Path, d: &Spanned<String>) -> Option<std::time::Duration> {
        match humantime::parse_duration(&d.value) {
            Ok(v) if !v.is_zero() => Some(v),
            Ok(_) => {
                self.error(
                    file,
                    pos(d),
                    format!("duration `{}` must be greater than zero", d.value),
                );
                None
            }
            Err(e) => {
                self.error(
                    file,
                    pos(d),
                    format!(
                        "invalid duration `{}`: {e} (expected e.g. `800ms` or `2s`)",
                        d.value
                    ),
                );
                None
            }
        }
    }

    fn lower_limits(&mut self, file: &Path, raw: &raw::RawLimits) -> Limits {
        let defaults = Limits::default();
        Limits {
            concurrency: raw.concurrency.filter(|c| *c > 0),
            requests_per_second: raw.requests_per_second.filter(|r| *r > 0),
            timeout: raw.timeout.as_ref().and_then(|t| self.duration(file, t)),
            retries: raw.retries.unwrap_or(defaults.retries),
            backoff: raw
                .backoff
                .as_ref()
                .and_then(|b| self.duration(file, b))
                .unwrap_or(defaults.backoff),
        }
    }

    /// Lowers an environment's auth; its environment variables are required only when selected.
    fn lower_auth(
        &mut self,
        file: &Path,
        raw: &raw::RawAuth,
        known: &BTreeSet<String>,
        selected: bool,
    ) -> Option<Auth> {
        // Every part is lowered even after a failure, so that all missing variables are reported
        // in one go.
        let mut ok = true;
        let mut auth = Auth::default();
        for (name, value) in &raw.headers {
            let at = At {
                file,
                pos: pos(value),
            };
            let t = self.template(&at, &value.value.0, known, selected);
            if let Some(t) = noted(&mut ok, t) {
                auth.headers.push((name.clone(), t));
            }
        }
        for (name, value) in &raw.query {
            let at = At {
                file,
                pos: pos(value),
            };
            let t = self.template(&at, &value.value.0, known, selected);
            if let Some(t) = noted(&mut ok, t) {
                auth.query.push((name.clone(), t));
            }
        }
        if let Some(b) = &raw.basic {
            let user = self.template(
                &At {
                    file,
                    pos: pos(&b.username),
                },
                &b.username.value,
                known,
                selected,
            );
            let pass = self.template(
                &At {
                    file,
                    pos: pos(&b.password),
                },
                &b.password.value,
                known,
                selected,
            );
            if let (Some(user), Some(pass)) = (noted(&mut ok, user), noted(&mut ok, pass)) {
                auth.basic = Some((user, pass));
            }
        }
        if let Some(b) = &raw.bearer {
            let t = self.template(&At { file, pos: pos(b) }, &b.value, known, selected);
            auth.bearer = noted(&mut ok, t);
        }
        if let Some(t) = &raw.token_request {
            let token_request = self.lower_token_request(file, t, known, selected);
            auth.token_request = noted(&mut ok, token_request);
        }
        ok.then_some(auth)
    }

    fn lower_token_request(
        &mut self,
        file: &Path,
        t: &raw::RawTokenRequest,
        known: &BTreeSet<String>,
        selected: bool,
    ) -> Option<TokenRequest> {
        let endpoint = match parse_endpoint(&t.endpoint.value) {
            Ok(e) => e,
            Err(msg) => {
                self.error(file, pos(&t.endpoint), msg);
                return None;
            }
        };
        let request = self.lower_request_with(
            file,
            pos(&t.endpoint),
            &endpoint,
            &t.request,
            known,
            selected,
        )?;
        let token = match JsonPath::parse(&t.token.value) {
            Ok(p) => p,
            Err(e) => {
                self.error(
                    file,
                    pos(&t.token),
                    format!("invalid JSONPath `{}`: {e}", t.token.value),
                );
                return None;
            }
        };
        let header = t.header.clone().unwrap_or_else(|| "Authorization".into());
        // Whatever header carries the token is a secret, whatever its name.
        if !self
            .api
            .sensitive
            .headers
            .contains(&header.to_ascii_lowercase())
        {
            self.api.sensitive.headers.push(header.to_ascii_lowercase());
        }
        Some(TokenRequest {
            endpoint,
            request,
            token_text: t.token.value.clone(),
            token,
            header,
            prefix: t.prefix.clone().unwrap_or_default(),
        })
    }

    /// An environment's base URL may take a host from the environment
    /// (`https://{{ env.TENANT }}.example.com`): per-customer hosts are common (PerfectGym tenants,
    /// TrackOps subdomains, self-hosted Kimai). Its variables are required only when selected.
    fn environment_url(&mut self, file: &Path, url: &Spanned<String>, selected: bool) -> String {
        if !url.value.contains("{{") {
            return self.check_url(file, url).unwrap_or_default();
        }
        let at = At {
            file,
            pos: pos(url),
        };
        let Some(template) = self.template(&at, &url.value, &BTreeSet::new(), selected) else {
            return String::new();
        };
        if !selected {
            return url.value.clone();
        }
        let vars = super::template::Vars {
            env: std::env::vars().collect(),
            ..Default::default()
        };
        match template.render(&vars) {
            Ok(text) => self.check_url_text(file, at.pos, &text).unwrap_or_default(),
            Err(e) => {
                self.error(file, at.pos, format!("cannot render base URL: {e}"));
                String::new()
            }
        }
    }

    fn check_url(&mut self, file: &Path, url: &Spanned<String>) -> Option<String> {
        self.check_url_text(file, pos(url), &url.value)
    }

    fn check_url_text(&mut self, file: &Path, at: Pos, url: &str) -> Option<String> {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {
                Some(url.trim_end_matches('/').to_string())
            }
            Ok(u) => {
                self.error(
                    file,
                    at,
                    format!(
                        "base URL scheme `{}` is not supported: expected http or https",
                        u.scheme()
                    ),
                );
                None
            }
            Err(e) => {
                self.error(file, at, format!("invalid base URL `{url}`: {e}"));
                None
            }
        }
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
                self.error(at.file, at.pos, format!("{} in `{text}`", e.message));
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
        match JsonTemplate::parse(value) {
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
                    let help = did_you_mean(name, known.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"))
                        .unwrap_or_else(|| {
                            "define it under `variables:` in api.yaml or capture it in an earlier case".into()
                        });
                    self.error_help(
                        at.file,
                        at.pos,
                        format!("undefined variable `{name}`"),
                        help,
                    );
                }
                Expr::Env(name) if !check_env => {
                    let _ = name;
                }
                Expr::Env(name) if std::env::var_os(name).is_none() => {
                    ok = false;
                    self.ctx.missing_env.push(name.clone());
                    self.error_help(
                        at.file,
                        at.pos,
                        format!("environment variable `{name}` is not set"),
                        "set it in the environment or in a .env file".into(),
                    );
                }
                Expr::Env(name) => {
                    self.ctx.env_refs.insert(name.clone());
                }
                Expr::Var(_) | Expr::Lit(_) | Expr::Call(..) => {}
            }
        }
        ok
    }

    /// Lowers one endpoint file and adds it to the API.
    pub fn add_file(&mut self, path: PathBuf, raw: RawCaseFile) {
        let endpoint = match &raw.endpoint {
            Some(e) => match parse_endpoint(&e.value) {
                Ok(e) => Some(e),
                Err(msg) => {
                    self.error(&path, pos(e), msg);
                    return;
                }
            },
            None => None,
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut known: BTreeSet<String> =
            self.api.variables.iter().map(|(n, _)| n.clone()).collect();
        let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
        let mut cases = Vec::new();
        for raw_case in raw.cases {
            let name_pos = pos(&raw_case.name);
            if let Some(first) = seen.get(&raw_case.name.value) {
                let msg = format!(
                    "duplicate case name `{}` (first defined at line {})",
                    raw_case.name.value, first.line
                );
                self.error(&path, name_pos, msg);
                continue;
            }
            seen.insert(raw_case.name.value.clone(), name_pos);
            if let Some(case) =
                self.lower_case(&path, &stem, endpoint.as_ref(), raw_case, &mut known)
            {
                cases.push(case);
            }
        }
        cases.shrink_to_fit();
        if cases.is_empty() && self.ok {
            self.error(
                &path,
                Pos { line: 1, column: 1 },
                "file has no cases: expected at least one under `cases:`",
            );
        }
        self.api.files.push(CaseFile {
            path,
            stem,
            endpoint,
            flow: raw.flow,
            cases,
        });
    }

    fn lower_case(
        &mut self,
        file: &Path,
        stem: &str,
        file_endpoint: Option<&Endpoint>,
        raw: RawCase,
        known: &mut BTreeSet<String>,
    ) -> Option<Case> {
        let errors_before = self.ctx.diagnostics.len();
        let case_pos = pos(&raw.name);
        let endpoint = match (&raw.endpoint, file_endpoint) {
            (Some(e), _) => match parse_endpoint(&e.value) {
                Ok(e) => e,
                Err(msg) => {
                    self.error(file, pos(e), msg);
                    return None;
                }
            },
            (None, Some(e)) => e.clone(),
            (None, None) => {
                self.error_help(
                    file,
                    case_pos,
                    format!("case `{}` has no endpoint", raw.name.value),
                    "give the file an `endpoint:` or the case its own `endpoint: METHOD /path`"
                        .into(),
                );
                return None;
            }
        };
        let timeout = match &raw.timeout {
            Some(t) => Some(self.duration(file, t)?),
            None => None,
        };
        let request = self.lower_request(file, case_pos, &endpoint, &raw.request, known);
        let expect = self.lower_expect(file, stem, &raw, known);
        let captures = self.lower_captures(file, &raw);
        for c in &captures {
            known.insert(c.name.clone());
        }
        if self.ctx.diagnostics.len() != errors_before {
            return None;
        }
        Some(Case {
            name: raw.name.value,
            pos: case_pos,
            endpoint,
            tags: raw.tags,
            skip: raw.skip,
            cleanup: raw.cleanup,
            use_auth: raw.auth.unwrap_or(true),
            timeout,
            request: request?,
            expect: expect?,
            captures,
        })
    }

    fn lower_request(
        &mut self,
        file: &Path,
        case_pos: Pos,
        endpoint: &Endpoint,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
    ) -> Option<Request> {
        self.lower_request_with(file, case_pos, endpoint, raw, known, true)
    }

    /// `check_env`: whether the environment variables used must be set now.
    fn lower_request_with(
        &mut self,
        file: &Path,
        case_pos: Pos,
        endpoint: &Endpoint,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Request> {
        // Lowering goes on after a failed template so that every problem is reported at once.
        let mut ok = true;
        let mut path = Vec::new();
        let mut params_used = BTreeSet::new();
        for segment in split_path(&endpoint.path) {
            match segment {
                PathSegment::Lit(s) => path.push(PathPart::Lit(s.to_string())),
                PathSegment::Param(name) => match raw.path_params.get(name) {
                    Some(v) => {
                        params_used.insert(name.to_string());
                        let at = At { file, pos: pos(v) };
                        let t = self.template(&at, &v.value.0, known, check_env);
                        if let Some(t) = noted(&mut ok, t) {
                            path.push(PathPart::Param(t));
                        }
                    }
                    None => {
                        self.error_help(
                            file,
                            case_pos,
                            format!("missing path parameter `{name}` for `{endpoint}`"),
                            format!("add `request: {{ path_params: {{ {name}: ... }} }}`"),
                        );
                        return None;
                    }
                },
            }
        }
        for (name, v) in &raw.path_params {
            if !params_used.contains(name) {
                let params: Vec<&str> = split_path(&endpoint.path)
                    .filter_map(|s| match s {
                        PathSegment::Param(p) => Some(p),
                        PathSegment::Lit(_) => None,
                    })
                    .collect();
                let help = did_you_mean(name, params.iter().copied())
                    .map(|c| format!("did you mean `{c}`?"))
                    .unwrap_or_else(|| {
                        format!("`{}` has parameters: {}", endpoint.path, params.join(", "))
                    });
                self.error_help(
                    file,
                    pos(v),
                    format!("endpoint `{endpoint}` has no path parameter `{name}`"),
                    help,
                );
            }
        }
        let style = raw.query_style.unwrap_or(self.query_style);
        let mut query = Vec::new();
        for (name, value) in &raw.query {
            let at = At {
                file,
                pos: pos(value),
            };
            let values: Option<Vec<Template>> = match &value.value {
                QueryValue::One(v) => self.template(&at, v, known, check_env).map(|t| vec![t]),
                QueryValue::Many(vs) => vs
                    .iter()
                    .map(|v| self.template(&at, v, known, check_env))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect(),
            };
            if let Some(values) = noted(&mut ok, values) {
                let is_list = matches!(value.value, QueryValue::Many(_));
                query.extend(query_pairs(name, values, is_list, style));
            }
        }
        let mut headers = Vec::new();
        for (name, value) in &raw.headers {
            let at = At {
                file,
                pos: pos(value),
            };
            let t = self.template(&at, &value.value.0, known, check_env);
            if let Some(t) = noted(&mut ok, t) {
                headers.push((name.clone(), t));
            }
        }
        let body = self.lower_body(file, raw, known, check_env);
        let body = noted(&mut ok, body)?;
        if !ok {
            return None;
        }
        Some(Request {
            method: endpoint.method.clone(),
            path,
            query,
            headers,
            body,
        })
    }

    /// `None` on error, `Some(None)` when there is no body.
    fn lower_body(
        &mut self,
        file: &Path,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Option<Body>> {
        let given: Vec<(&str, Pos)> = [
            raw.json.as_ref().map(|j| ("json", pos(j))),
            raw.form.as_ref().map(|f| ("form", pos(f))),
            raw.raw.as_ref().map(|r| ("raw", pos(r))),
            raw.multipart.as_ref().map(|m| ("multipart", pos(m))),
            raw.file.as_ref().map(|f| ("file", pos(f))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            self.error(
                file,
                given[1].1,
                format!(
                    "`{}` and `{}` both give a body: expected only one of json, form, raw, multipart, file",
                    given[0].0, given[1].0
                ),
            );
            return None;
        }
        if let Some(json) = &raw.json {
            let at = At {
                file,
                pos: pos(json),
            };
            return Some(Some(Body::Json(self.json_template(
                &at,
                &json.value,
                known,
                check_env,
            )?)));
        }
        if let Some(form) = &raw.form {
            let at = At {
                file,
                pos: pos(form),
            };
            let mut fields = Vec::new();
            for (k, v) in &form.value {
                fields.push((k.clone(), self.template(&at, &v.0, known, check_env)?));
            }
            return Some(Some(Body::Form(fields)));
        }
        if let Some(text) = &raw.raw {
            let at = At {
                file,
                pos: pos(text),
            };
            return Some(Some(Body::Raw {
                text: self.template(&at, &text.value, known, check_env)?,
                content_type: raw.content_type.clone(),
            }));
        }
        if let Some(parts) = &raw.multipart {
            let at = At {
                file,
                pos: pos(parts),
            };
            return self
                .lower_multipart(&at, &parts.value, known, check_env)
                .map(|p| Some(Body::Multipart(p)));
        }
        if let Some(path) = &raw.file {
            let at = At {
                file,
                pos: pos(path),
            };
            let data = self.read_body_file(&at, &path.value)?;
            return Some(Some(Body::File {
                data,
                content_type: raw.content_type.clone(),
            }));
        }
        Some(None)
    }

    fn lower_multipart(
        &mut self,
        at: &At<'_>,
        parts: &[raw::RawPart],
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Vec<super::model::Part>> {
        let mut out = Vec::new();
        for part in parts {
            let content = match (&part.value, &part.file) {
                (Some(v), None) => PartContent::Text(self.template(at, &v.0, known, check_env)?),
                (None, Some(path)) => {
                    let data = self.read_body_file(at, path)?;
                    let filename = part.filename.clone().unwrap_or_else(|| {
                        Path::new(path)
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| path.clone())
                    });
                    PartContent::File {
                        data,
                        filename,
                        content_type: part
                            .content_type
                            .clone()
                            .unwrap_or_else(|| "application/octet-stream".into()),
                    }
                }
                _ => {
                    self.error(
                        at.file,
                        at.pos,
                        format!(
                            "multipart part `{}` needs exactly one of `value` and `file`",
                            part.name
                        ),
                    );
                    return None;
                }
            };
            out.push(super::model::Part {
                name: part.name.clone(),
                content,
            });
        }
        Some(out)
    }

    /// Reads a body file named relative to `cases/<api>/`; it must stay inside that folder.
    fn read_body_file(&mut self, at: &At<'_>, name: &str) -> Option<bytes::Bytes> {
        let relative = Path::new(name);
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if escapes {
            self.error(
                at.file,
                at.pos,
                format!("body file `{name}`: expected a path inside the API's folder"),
            );
            return None;
        }
        let full = self.ctx.root.join(&self.api.dir).join(relative);
        match std::fs::read(&full) {
            Ok(data) => Some(bytes::Bytes::from(data)),
            Err(e) => {
                let shown = self.api.dir.join(relative);
                self.error(
                    at.file,
                    at.pos,
                    format!("cannot read body file `{}`: {e}", shown.display()),
                );
                None
            }
        }
    }

    fn lower_expect(
        &mut self,
        file: &Path,
        stem: &str,
        case: &RawCase,
        known: &BTreeSet<String>,
    ) -> Option<Expect> {
        let raw = &case.expect;
        let status = match raw.status.as_ref().map(|s| &s.value) {
            None => StatusExpect::Class(2),
            Some(raw::StatusSpec::Code(c)) => StatusExpect::Code(*c),
            Some(raw::StatusSpec::AnyOf(cs)) => StatusExpect::AnyOf(cs.clone()),
            Some(raw::StatusSpec::Class(c)) => StatusExpect::Class(*c),
        };
        let mut headers = Vec::new();
        for (name, rule) in &raw.headers {
            let at = At {
                file,
                pos: pos(rule),
            };
            headers.push(HeaderExpect {
                name: name.to_ascii_lowercase(),
                rule: self.header_rule(&at, &rule.value, known)?,
            });
        }
        let schema = match &raw.schema {
            Some(s) => Some(self.schema(file, s)?),
            None => None,
        };
        let mut assertions = Vec::with_capacity(raw.assertions.len());
        for (path_text, preds) in &raw.assertions {
            let at = At {
                file,
                pos: pos(preds),
            };
            assertions.push(self.assertion(&at, path_text, &preds.value, known)?);
        }
        let max_duration = match &raw.max_duration {
            Some(d) => match humantime::parse_duration(&d.value) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(
                        file,
                        pos(d),
                        format!(
                            "invalid duration `{}`: {e} (expected e.g. `800ms` or `2s`)",
                            d.value
                        ),
                    );
                    return None;
                }
            },
            None => None,
        };
        let snapshot = match raw.snapshot.as_ref() {
            None
            | Some(Spanned {
                value: SnapshotSpec::Enabled(false),
                ..
            }) => None,
            Some(s) => {
                let default_name = format!("{stem}__{}", slug(&case.name.value));
                let (name, texts) = match &s.value {
                    SnapshotSpec::Long(m) => (
                        m.name.as_deref().map(slug).unwrap_or(default_name),
                        m.redact.clone(),
                    ),
                    _ => (default_name, Vec::new()),
                };
                let mut redact = Vec::new();
                for text in texts {
                    match crate::check::snapshot::Selector::parse(&text) {
                        Ok(sel) => redact.push(sel),
                        Err(msg) => {
                            self.error(file, pos(s), msg);
                            return None;
                        }
                    }
                }
                Some(SnapshotExpect { name, redact })
            }
        };
        Some(Expect {
            status,
            headers,
            content_type: raw.content_type.clone(),
            schema,
            assertions,
            max_duration,
            snapshot,
        })
    }

    fn header_rule(
        &mut self,
        at: &At<'_>,
        rule: &raw::HeaderRule,
        known: &BTreeSet<String>,
    ) -> Option<HeaderRule> {
        match rule {
            raw::HeaderRule::Short(v) => {
                Some(HeaderRule::Equals(self.template(at, v, known, true)?))
            }
            raw::HeaderRule::Long(m) => match (&m.equals, &m.matches, m.absent) {
                (Some(v), None, None) => {
                    Some(HeaderRule::Equals(self.template(at, v, known, true)?))
                }
                (None, Some(re), None) => Some(HeaderRule::Matches(self.regex(at, re)?)),
                (None, None, Some(true)) => Some(HeaderRule::Absent),
                _ => {
                    self.error(
                        at.file,
                        at.pos,
                        "expected exactly one of `equals`, `matches` or `absent: true`",
                    );
                    None
                }
            },
        }
    }

    fn regex(&mut self, at: &At<'_>, re: &str) -> Option<Arc<regex::Regex>> {
        if let Some(r) = self.ctx.regexes.get(re) {
            return Some(Arc::clone(r));
        }
        match regex::Regex::new(re) {
            Ok(r) => {
                let r = Arc::new(r);
                self.ctx.regexes.insert(re.to_string(), Arc::clone(&r));
                Some(r)
            }
            Err(e) => {
                self.error(at.file, at.pos, format!("invalid regex `{re}`: {e}"));
                None
            }
        }
    }

    fn schema(
        &mut self,
        file: &Path,
        s: &Spanned<String>,
    ) -> Option<crate::check::schema::SchemaId> {
        let schemas_root = self.ctx.root.join("schemas");
        let api_dir = schemas_root.join(&self.api.name);
        let path = api_dir.join(&s.value);
        if let Some(id) = self.ctx.schemas.loaded(&path) {
            return Some(id);
        }
        let display = format!("schemas/{}/{}", self.api.name, s.value);
        if !path.is_file() {
            let candidates = list_json_files(&api_dir);
            let help = did_you_mean(&s.value, candidates.iter().map(String::as_str))
                .map(|c| format!("did you mean `{c}`?"))
                .unwrap_or_else(|| {
                    format!("schema paths are relative to schemas/{}/", self.api.name)
                });
            self.error_help(
                file,
                pos(s),
                format!("schema file `{display}` does not exist"),
                help,
            );
            return None;
        }
        match self.ctx.schemas.load(&path, &schemas_root, display) {
            Ok(id) => Some(id),
            Err(msg) => {
                self.error(file, pos(s), msg);
                None
            }
        }
    }

    fn assertion(
        &mut self,
        at: &At<'_>,
        path_text: &str,
        raw: &raw::RawPredicates,
        known: &BTreeSet<String>,
    ) -> Option<Assertion> {
        let path = match self.ctx.json_paths.get(path_text) {
            Some(p) => Arc::clone(p),
            None => match JsonPath::parse(path_text) {
                Ok(p) => {
                    let p = Arc::new(p);
                    (self.ctx.json_paths).insert(path_text.to_string(), Arc::clone(&p));
                    p
                }
                Err(e) => {
                    self.error_help(
                        at.file,
                        at.pos,
                        format!("invalid JSONPath `{path_text}`: {e}"),
                        "paths start with `$`, e.g. `$.id`, `$[0].name`, `$.items[*].id`".into(),
                    );
                    return None;
                }
            },
        };
        let mut predicates = Vec::new();
        if let Some(v) = &raw.equals {
            predicates.push(Predicate::Equals(self.json_template(at, v, known, true)?));
        }
        if let Some(e) = raw.exists {
            predicates.push(Predicate::Exists(e));
        }
        if let Some(t) = raw.type_ {
            predicates.push(Predicate::Type(t));
        }
        if let Some(re) = &raw.matches {
            predicates.push(Predicate::Matches(self.regex(at, re)?));
        }
        if let Some(n) = raw.length {
            predicates.push(Predicate::Length(n));
        }
        if let Some(v) = &raw.contains {
            predicates.push(Predicate::Contains(self.json_template(at, v, known, true)?));
        }
        if predicates.is_empty() {
            self.error(at.file, at.pos, format!("assertion on `{path_text}` has no predicate: expected one of equals, exists, type, matches, length, contains"));
            return None;
        }
        // Exact size: a suite holds tens of thousands of these.
        predicates.shrink_to_fit();
        Some(Assertion {
            path_text: path_text.to_string(),
            path,
            predicates,
        })
    }

    fn lower_captures(&mut self, file: &Path, raw: &RawCase) -> Vec<Capture> {
        let mut out = Vec::new();
        for (name, source) in &raw.capture {
            let at = At {
                file,
                pos: pos(source),
            };
            let json_path = |this: &mut Self, text: &str| match JsonPath::parse(text) {
                Ok(path) => Some(CaptureFrom::Json {
                    text: text.to_string(),
                    path,
                }),
                Err(e) => {
                    this.error(at.file, at.pos, format!("invalid JSONPath `{text}`: {e}"));
                    None
                }
            };
            let from = match &source.value {
                CaptureSource::Short(text) => json_path(self, text),
                CaptureSource::Long(m) => match (&m.header, &m.json) {
                    (Some(h), None) => Some(CaptureFrom::Header(h.to_ascii_lowercase())),
                    (None, Some(text)) => json_path(self, text),
                    _ => {
                        self.error(
                            at.file,
                            at.pos,
                            "expected exactly one of `header` or `json`",
                        );
                        None
                    }
                },
            };
            if let Some(source) = from {
                out.push(Capture {
                    name: name.clone(),
                    source,
                });
            }
        }
        out
    }

    pub fn finish(mut self) -> Option<Api> {
        self.api.env_refs = std::mem::take(&mut self.ctx.env_refs);
        self.ok.then_some(self.api)
    }
}

/// Writes list-valued query parameters in the API's style.
fn query_pairs(
    name: &str,
    values: Vec<Template>,
    is_list: bool,
    style: QueryStyle,
) -> Vec<(String, Template)> {
    if !is_list {
        return values.into_iter().map(|v| (name.to_string(), v)).collect();
    }
    match style {
        QueryStyle::Repeat => values.into_iter().map(|v| (name.to_string(), v)).collect(),
        QueryStyle::Brackets => values
            .into_iter()
            .map(|v| (format!("{name}[]"), v))
            .collect(),
        QueryStyle::Comma => {
            let mut parts = Vec::new();
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    parts.push(Part::Lit(",".into()));
                }
                parts.extend(v.parts);
            }
            vec![(name.to_string(), Template { parts })]
        }
    }
}

/// `GET /api/customers/{id}` -> method and path, checked.
pub fn parse_endpoint(text: &str) -> Result<Endpoint, String> {
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    let (method, path) = text.trim().split_once(' ').ok_or_else(|| {
        format!(
            "invalid endpoint `{text}`: expected `METHOD /path`, e.g. `GET /api/customers/{{id}}`"
        )
    })?;
    let method = method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(format!(
            "unknown HTTP method `{method}`: expected one of {}",
            METHODS.join(", ")
        ));
    }
    let path = path.trim();
    if !path.starts_with('/') {
        return Err(format!(
            "invalid endpoint path `{path}`: expected it to start with `/`"
        ));
    }
    if path.contains('?') {
        return Err(format!(
            "endpoint path `{path}` has a query string: put parameters under `request.query`"
        ));
    }
    for segment in split_path(path) {
        if let PathSegment::Param(p) = segment {
            if p.is_empty() || p.contains(['{', '}', '/']) {
                return Err(format!("invalid path parameter `{{{p}}}` in `{path}`"));
            }
        }
    }
    Ok(Endpoint {
        method,
        path: path.to_string(),
    })
}

enum PathSegment<'a> {
    Lit(&'a str),
    Param(&'a str),
}

fn split_path(path: &str) -> impl Iterator<Item = PathSegment<'_>> {
    let mut rest = path;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let name = &inner[..end];
            rest = inner.get(end + 1..).unwrap_or("");
            return Some(PathSegment::Param(name));
        }
        let end = rest.find('{').unwrap_or(rest.len());
        let lit = &rest[..end];
        rest = &rest[end..];
        Some(PathSegment::Lit(lit))
    })
}

fn list_json_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default()
}

fn lowercase(names: &[String]) -> Vec<String> {
    names.iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// A file-name-safe form of a case name: lowercase, `_` between words.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_reject() {
        let e = parse_endpoint("get /api/customers/{id}").unwrap();
        assert_eq!(
            (e.method.as_str(), e.path.as_str()),
            ("GET", "/api/customers/{id}")
        );
        assert!(parse_endpoint("FETCH /x")
            .unwrap_err()
            .contains("unknown HTTP method"));
        assert!(parse_endpoint("GET x")
            .unwrap_err()
            .contains("start with `/`"));
        assert!(parse_endpoint("GET").unwrap_err().contains("METHOD /path"));
    }

    #[test]
    fn query_styles() {
        let vals = || vec![Template::literal("1"), Template::literal("2")];
        let names =
            |pairs: Vec<(String, Template)>| pairs.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(query_pairs("ids", vals(), true, QueryStyle::Repeat)),
            ["ids", "ids"]
        );
        assert_eq!(
            names(query_pairs("ids", vals(), true, QueryStyle::Brackets)),
            ["ids[]", "ids[]"]
        );
        let comma = query_pairs("ids", vals(), true, QueryStyle::Comma);
        assert_eq!(comma.len(), 1);
        assert_eq!(comma[0].1.render(&Default::default()).unwrap(), "1,2");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Fetches a known customer (id 1)"),
            "fetches_a_known_customer_id_1"
        );
    }
}
