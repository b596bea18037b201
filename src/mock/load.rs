//! Loading an API's recordings for playback: every interaction with what matching needs to know
//! about its case (flow step or not, sent with credentials or not, endpoint template, rules).
//!
//! Per-API match defaults live in `cases/<api>/recordings/_api.yaml` (`match: {...}`), beside
//! the recordings they govern. The token exchange of the API's auth (no case sends it) is
//! recorded in `cases/<api>/recordings/_auth.yaml`, one interaction per token endpoint, its
//! `case` naming the endpoint (`GET /sessionToken`); it is repeatable, as a token request is.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::recording::{self, Interaction};
use super::rules::MatchRules;
use crate::case::{Api, Endpoint};
use crate::diag::{self, Diagnostic};
use crate::redact::{is_placeholder, SENSITIVE_HEADERS};

/// One interaction, where it came from and how it may be matched.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub stem: String,
    pub interaction: Interaction,
    /// The case's endpoint template (`GET /api/customers/{id}`).
    pub template: Endpoint,
    /// A step of a flow file: part of an ordered script.
    pub flow: bool,
    /// Whether the case sent the environment's credentials.
    pub authed: bool,
    /// May answer more than once in a scenario (safe requests outside flows, token requests).
    pub repeatable: bool,
    /// The interaction's rules over the API's defaults.
    pub rules: MatchRules,
}

impl Loaded {
    /// `<file stem>::<case name>`, as in the case header.
    pub fn id(&self) -> String {
        format!("{}::{}", self.stem, self.interaction.case)
    }
}

/// `cases/<api>/recordings/_api.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiRecordings {
    #[serde(default, rename = "match")]
    rules: MatchRules,
}

/// What loading an API's recordings gives the server.
pub struct LoadedApi {
    pub entries: Vec<Loaded>,
    /// Lowercase names of the headers that carry credentials.
    pub credentials: Vec<String>,
}

/// Loads `cases/<api>/recordings/*.yaml`, checking that every interaction belongs to a case of
/// the matching case file and carries complete provenance; every problem located.
pub fn load(root: &Path, api: &Api) -> Result<LoadedApi, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let defaults = match api_defaults(root, api) {
        Ok(d) => d,
        Err(d) => {
            problems.push(d);
            MatchRules::default()
        }
    };
    let has_auth = api.environments.values().any(|e| e.auth.is_some());
    let tokens: Vec<&Endpoint> = api
        .environments
        .values()
        .filter_map(|e| e.auth.as_ref()?.token_request.as_ref())
        .map(|t| &t.endpoint)
        .collect();
    let mut entries = Vec::new();
    for file in &api.files {
        let path = recording::recording_path(&root.join(&api.dir), &file.stem);
        let display = recording::recording_path(&api.dir, &file.stem);
        let names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
        match recording::load(&path, &display, &file.path, &names) {
            Ok(None) => {}
            Ok(Some(rec)) => {
                for interaction in rec.interactions {
                    let Some(case) = file.cases.iter().find(|c| c.name == interaction.case) else {
                        continue;
                    };
                    let safe = matches!(case.endpoint.method.as_str(), "GET" | "HEAD");
                    entries.push(Loaded {
                        stem: file.stem.clone(),
                        template: case.endpoint.clone(),
                        flow: file.flow,
                        authed: has_auth && case.use_auth,
                        repeatable: tokens.contains(&&case.endpoint) || (safe && !file.flow),
                        rules: interaction
                            .rules
                            .clone()
                            .unwrap_or_default()
                            .over(&defaults),
                        interaction,
                    });
                }
            }
            Err(mut d) => problems.append(&mut d),
        }
    }
    match auth_entries(root, api, &defaults) {
        Ok(mut e) => entries.append(&mut e),
        Err(mut d) => problems.append(&mut d),
    }
    let credentials = credential_headers(api);
    for e in &mut entries {
        // A credential kept (scrubbed) in the recording was sent, whatever the case says.
        e.authed |= e
            .interaction
            .request
            .headers
            .iter()
            .any(|(n, v)| is_placeholder(v) || credentials.contains(&n.to_ascii_lowercase()));
    }
    if problems.is_empty() {
        Ok(LoadedApi {
            entries,
            credentials,
        })
    } else {
        Err(problems)
    }
}

/// The stem of the file recording the API's token exchange.
pub const AUTH_STEM: &str = "_auth";

/// `cases/<api>/recordings/_auth.yaml`: the answers to the environments' token requests.
fn auth_entries(
    root: &Path,
    api: &Api,
    defaults: &MatchRules,
) -> Result<Vec<Loaded>, Vec<Diagnostic>> {
    let mut tokens: Vec<(&Endpoint, bool)> = Vec::new();
    for auth in api.environments.values().filter_map(|e| e.auth.as_ref()) {
        if let Some(t) = &auth.token_request {
            // The token request carries the static credentials (Mindbody's Api-Key).
            let authed = !auth.headers.is_empty() || !auth.query.is_empty();
            match tokens.iter_mut().find(|(e, _)| *e == &t.endpoint) {
                Some((_, a)) => *a |= authed,
                None => tokens.push((&t.endpoint, authed)),
            }
        }
    }
    let names: Vec<String> = tokens.iter().map(|(e, _)| e.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let path = recording::recording_path(&root.join(&api.dir), AUTH_STEM);
    let display = recording::recording_path(&api.dir, AUTH_STEM);
    let Some(rec) = recording::load(&path, &display, &api.dir.join("api.yaml"), &names)? else {
        return Ok(Vec::new());
    };
    Ok(rec
        .interactions
        .into_iter()
        .filter_map(|interaction| {
            let (endpoint, authed) = tokens
                .iter()
                .find(|(e, _)| e.to_string() == interaction.case)?;
            Some(Loaded {
                stem: AUTH_STEM.to_string(),
                template: (*endpoint).clone(),
                flow: false,
                authed: *authed,
                repeatable: true,
                rules: interaction.rules.clone().unwrap_or_default().over(defaults),
                interaction,
            })
        })
        .collect())
}

fn api_defaults(root: &Path, api: &Api) -> Result<MatchRules, Diagnostic> {
    let display = api.dir.join("recordings").join("_api.yaml");
    let text = match std::fs::read_to_string(root.join(&display)) {
        Ok(t) => Arc::<str>::from(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(MatchRules::default()),
        Err(e) => {
            return Err(Diagnostic::new(
                &display,
                diag::Pos::UNKNOWN,
                format!("cannot read the API's match defaults: {e}"),
            ))
        }
    };
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<Option<ApiRecordings>>(&text, options)
        .map(|r| r.unwrap_or_default().rules)
        .map_err(|e| diag::from_yaml_error(&display, &e, &text).with_source(Arc::clone(&text)))
}

/// Headers whose presence means "this request carries credentials": the built-in sensitive
/// names, the API's own, and every header its environments' auth sends.
fn credential_headers(api: &Api) -> Vec<String> {
    let mut names: Vec<String> = SENSITIVE_HEADERS.iter().map(|h| h.to_string()).collect();
    names.extend(api.sensitive.headers.iter().cloned());
    for auth in api.environments.values().filter_map(|e| e.auth.as_ref()) {
        names.extend(auth.headers.iter().map(|(n, _)| n.clone()));
        if auth.basic.is_some() || auth.bearer.is_some() {
            names.push("authorization".into());
        }
        names.extend(auth.token_request.iter().map(|t| t.header.clone()));
    }
    // Cookies are state, not proof of identity, for an API client.
    let mut names: Vec<String> = names
        .into_iter()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| n != "cookie" && n != "set-cookie")
        .collect();
    names.sort();
    names.dedup();
    names
}
