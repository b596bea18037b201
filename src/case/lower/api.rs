//! Lowering of `api.yaml`: name, base URL, variables, headers, environments, endpoints, limits.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_saphyr::Spanned;

use super::super::model::{
    Api, Environment, Limits, Sensitive, DEFAULT_QUERY_STYLE, MAX_BACKOFF, MAX_TIMEOUT,
};
use super::super::raw::{self, RawApi, RawEnvironment};
use super::super::template::{Vars, UNIQUE};
use super::{lowercase, parse_endpoint, pos, suggestion, ApiLowering, LowerCtx};
use crate::diag::Pos;
use crate::schema::formats::{Form, FormatPolicy, POLICY_FORMATS};

/// Every form's name, for help lines.
fn form_names() -> String {
    Form::ALL.map(Form::name).join(", ")
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
                // The folder names the API: a wrong `name:` is reported once (lower_api), and
                // schemas, snapshots and recordings are still looked up where they are.
                name: dir_name.to_string(),
                title: raw.title.clone(),
                dir,
                base_url: None,
                environments: BTreeMap::new(),
                headers: Vec::new(),
                variables: Vec::new(),
                overrides: Vec::new(),
                sensitive: Sensitive {
                    headers: lowercase(&raw.sensitive.headers),
                    query: lowercase(&raw.sensitive.query),
                    body: lowercase(&raw.sensitive.body),
                },
                endpoints: Vec::new(),
                files: Vec::new(),
                limits: Limits::default(),
                env_refs: BTreeSet::new(),
                declared_env: raw
                    .env
                    .iter()
                    .chain(&raw.public_env)
                    .map(|n| n.value.clone())
                    .collect(),
                public_env: raw.public_env.iter().map(|n| n.value.clone()).collect(),
                drift: Default::default(),
                formats: Default::default(),
            },
            api_file,
            query_style: raw.query_style.unwrap_or(DEFAULT_QUERY_STYLE),
            snapshot_names: Default::default(),
            broken_schemas: Default::default(),
            ok: true,
        };
        this.lower_api(raw, dir_name);
        this
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
        let mut known = BTreeSet::from([UNIQUE.to_string()]);
        for (name, value) in &raw.variables {
            if let Some(t) = self.json_template_at(&file, value, &known, true) {
                self.api.variables.push((name.clone(), t));
            }
            known.insert(name.clone());
        }
        // A failed header is reported; the API is then dropped, so the others need not be kept.
        self.api.headers = self
            .header_templates(&file, &raw.headers, &known, true)
            .unwrap_or_default();
        for (env_name, env) in &raw.environments {
            let environment = self.lower_environment(&file, env_name, env, &known);
            self.api.environments.insert(env_name.clone(), environment);
        }
        if let Some(env) = self.ctx.env {
            if !raw.environments.contains_key(env) {
                let names: Vec<&str> = raw.environments.keys().map(String::as_str).collect();
                let help = if names.is_empty() {
                    "this API declares no `environments:`".to_string()
                } else {
                    format!("environments of this API: {}", names.join(", "))
                };
                // `environments:` itself has no span: find the key from the top of the file.
                let message = format!("API `{}` has no environment `{env}`", self.api.name);
                if names.is_empty() {
                    self.error_help(&file, pos(&raw.name), message, help);
                } else {
                    let top = Pos { line: 1, column: 1 };
                    self.error_on_at(&file, top, "environments", message, help);
                }
            }
        }
        for endpoint in &raw.endpoints {
            match parse_endpoint(&endpoint.value) {
                Ok(e) => self.api.endpoints.push(e),
                Err(msg) => self.error(&file, pos(endpoint), msg),
            }
        }
        self.api.limits = self.lower_limits(&file, &raw.limits);
        self.api.drift.ignore = self.lower_drift_ignore(&file, &raw.drift.ignore);
        self.api.formats = self.lower_formats(&file, &raw.formats);
        if !raw.setup.is_empty() {
            self.add_setup(file.clone(), raw.setup);
        }
    }

    /// `formats:`: a known format name, each with a non-empty list of known forms. A policy
    /// replaces a check, never removes one: there is no form that accepts everything.
    fn lower_formats(
        &mut self,
        file: &Path,
        raw: &IndexMap<Spanned<String>, Spanned<Vec<Spanned<String>>>>,
    ) -> FormatPolicy {
        let mut policy = FormatPolicy::default();
        for (name, forms) in raw {
            if !POLICY_FORMATS.contains(&name.value.as_str()) {
                let help = suggestion(&name.value, POLICY_FORMATS, || {
                    format!("a policy can name {}", POLICY_FORMATS.join(", "))
                });
                let message = format!("format `{}` cannot have a policy", name.value);
                self.error_help(file, pos(name), message, help);
                continue;
            }
            if forms.value.is_empty() {
                let message = format!(
                    "format `{}` lists no accepted form: every value would fail",
                    name.value
                );
                let help = format!("list one or more of {}", form_names());
                self.error_help(file, pos(forms), message, help);
                continue;
            }
            let mut accepted = Vec::new();
            for form in &forms.value {
                match Form::parse(&form.value) {
                    Some(f) if !accepted.contains(&f) => accepted.push(f),
                    Some(_) => {}
                    None => {
                        let names = Form::ALL.map(Form::name);
                        let help =
                            suggestion(&form.value, names, || format!("forms: {}", form_names()));
                        let message =
                            format!("unknown form `{}` for format `{}`", form.value, name.value);
                        self.error_help(file, pos(form), message, help);
                    }
                }
            }
            if !accepted.is_empty() {
                policy.accept(&name.value, accepted);
            }
        }
        policy
    }

    /// Ignore rules are JSON Pointers; one that covers the whole body would silence every type
    /// and presence change too, so it is refused here rather than at run time.
    fn lower_drift_ignore(&mut self, file: &Path, rules: &[Spanned<String>]) -> Vec<String> {
        let mut out = Vec::new();
        for rule in rules {
            let text = rule.value.trim();
            if !text.starts_with('/') {
                let message = format!(
                    "drift ignore rule `{text}` is not a JSON Pointer: expected `/` then a field, e.g. `/items/*/lastModified`"
                );
                self.error(file, pos(rule), message);
            } else if text.split('/').skip(1).all(|s| s.is_empty() || s == "*") {
                let message = format!(
                    "drift ignore rule `{text}` would silence the whole body, type and presence changes included: refused"
                );
                let help =
                    "name the field whose value moves, e.g. `/items/*/lastModified`".to_string();
                self.error_help(file, pos(rule), message, help);
            } else {
                out.push(text.to_string());
            }
        }
        out
    }

    /// One environment; its environment variables are required only when it is selected.
    fn lower_environment(
        &mut self,
        file: &Path,
        env_name: &str,
        env: &RawEnvironment,
        known: &BTreeSet<String>,
    ) -> Environment {
        let selected = self.ctx.env == Some(env_name);
        let base_url = self.environment_url(file, &env.base_url, selected);
        let mut variables = Vec::new();
        for (name, value) in &env.variables {
            if !known.contains(name) {
                let help = suggestion(name, known.iter().map(String::as_str), || {
                    "declare it under `variables:` with a default".into()
                });
                self.error_help(
                    file,
                    pos(value),
                    format!("environment `{env_name}` sets `{name}`, which `variables:` does not declare"),
                    help,
                );
                continue;
            }
            if let Some(t) = self.json_template_at(file, value, known, selected) {
                variables.push((name.clone(), t));
            }
        }
        let auth = env
            .auth
            .as_ref()
            .and_then(|a| self.lower_auth(file, a, known, selected));
        Environment {
            base_url,
            variables,
            auth,
        }
    }

    fn lower_limits(&mut self, file: &Path, raw: &raw::RawLimits) -> Limits {
        let defaults = Limits::default();
        Limits {
            concurrency: raw.concurrency.filter(|c| *c > 0),
            requests_per_second: raw.requests_per_second.filter(|r| *r > 0),
            timeout: raw
                .timeout
                .as_ref()
                .and_then(|t| self.duration(file, t, MAX_TIMEOUT, false)),
            retries: raw.retries.unwrap_or(defaults.retries),
            backoff: raw
                .backoff
                .as_ref()
                .and_then(|b| self.duration(file, b, MAX_BACKOFF, false))
                .unwrap_or(defaults.backoff),
        }
    }

    /// An environment's base URL may take a host from the environment
    /// (`https://{{ env.TENANT }}.example.com`): per-customer hosts are common (PerfectGym tenants,
    /// TrackOps subdomains, self-hosted Kimai). Its variables are required only when selected.
    fn environment_url(&mut self, file: &Path, url: &Spanned<String>, selected: bool) -> String {
        if !url.value.contains("{{") {
            return self.check_url(file, url).unwrap_or_default();
        }
        let Some(template) = self.template_at(file, url, &BTreeSet::new(), selected) else {
            return String::new();
        };
        if !selected {
            return url.value.clone();
        }
        let vars = Vars {
            env: std::env::vars().collect(),
            ..Default::default()
        };
        match template.render(&vars) {
            Ok(text) => self
                .check_url_text(file, pos(url), &text)
                .unwrap_or_default(),
            Err(e) => {
                self.error(file, pos(url), format!("cannot render base URL: {e}"));
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
                let message = format!(
                    "invalid base URL `{url}`: {e}: expected an absolute http(s) URL such as `https://api.example.com`"
                );
                self.error(file, at, message);
                None
            }
        }
    }
}
