//! `conform validate --spec`: every case's request against its operation in the vendor's spec
//! ([`check_api`] -> [`ApiFindings`]), before anything is sent.
//!
//! The case's operation is found by method and path template (`operation`), the values it would
//! send are worked out as far as they are known before a run (`values`), and parameters,
//! credentials and body are checked against the spec's schemas (`request`, `schemas`). A case
//! that breaks the spec on purpose says so (`expect_invalid_request: true`) and must then be
//! invalid. Mismatches are located diagnostics at the case; nothing here reads or writes a file.

pub mod operation;
pub mod request;
pub mod schemas;
pub mod security;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::case::template::Vars;
use crate::case::{Api, Auth, Case, Endpoint};
use crate::diag::{Diagnostic, Pos};
use crate::import::spec::Spec;

/// What checking one API's cases against a spec found.
#[derive(Debug, Default)]
pub struct ApiFindings {
    pub api: String,
    pub spec_file: String,
    /// Cases whose request was checked (not skipped, endpoint in the spec).
    pub checked: usize,
    /// Checked cases marked `expect_invalid_request` that the spec does refuse.
    pub invalid_on_purpose: usize,
    /// Cases with `skip:` (nothing is sent, nothing checked).
    pub skipped: usize,
    /// The distinct endpoints of the cases, and how many of them the spec has.
    pub endpoints: usize,
    pub endpoints_in_spec: usize,
    /// Endpoints the spec does not have: their first case's place and how many cases use them.
    pub not_in_spec: BTreeMap<Endpoint, (PathBuf, Pos, usize)>,
    /// One diagnostic per mismatch, at its case (sources not attached).
    pub mismatches: Vec<Diagnostic>,
    /// Values not checked because they are known only at run time: `file:line:col: what`.
    pub unchecked: Vec<String>,
    /// Mismatches of cases marked `spec_quirk`: `file:line:col: case: reason: what`.
    pub quirks: Vec<String>,
}

/// Checks every case of `api` against `spec`; `env` selects the environment whose variables
/// and credentials count (every environment's credentials count without one).
pub fn check_api(api: &Api, spec: &Spec, env: Option<&str>) -> ApiFindings {
    let mut out = ApiFindings {
        api: api.name.clone(),
        spec_file: spec.file_name.clone(),
        ..ApiFindings::default()
    };
    let vars = values::known_vars(api, env);
    let schemas = schemas::SpecSchemas::new(spec);
    let credentials = credential_names(api, env);
    let ctx = Context {
        spec,
        schemas: &schemas,
        vars: &vars,
        api_headers: &api.headers,
        credentials: &credentials,
        sensitive: &crate::redact::Redactor::new(&api.sensitive),
    };
    let spec_base = operation::spec_base(spec);
    let base_url = (api.base_url.as_deref())
        .or_else(|| {
            env.and_then(|e| api.environments.get(e))
                .map(|e| e.base_url.as_str())
        })
        .unwrap_or("");
    let mut endpoints: BTreeMap<&Endpoint, bool> = BTreeMap::new();
    for file in &api.files {
        for case in &file.cases {
            if case.skip.is_some() {
                out.skipped += 1;
                continue;
            }
            let e = &case.endpoint;
            let Some(matched) = operation::find(spec, &spec_base, base_url, &e.method, &e.path)
            else {
                endpoints.insert(e, false);
                let entry =
                    (out.not_in_spec.entry(e.clone())).or_insert((file.path.clone(), case.pos, 0));
                entry.2 += 1;
                continue;
            };
            endpoints.insert(e, true);
            out.checked += 1;
            let found = request::check(&ctx, &matched, case);
            let at = |message: String| Diagnostic::new(&file.path, case.pos, message);
            if !found.unchecked.is_empty() {
                let place = at(String::new()).location();
                let whats = found.unchecked.join("; ");
                (out.unchecked).push(format!(
                    "{place}: case `{}`: not checked: {whats}",
                    case.name
                ));
            }
            let operation = format!("{} {}", matched.op.method, matched.op.path);
            if let Some(reason) = &case.spec_quirk {
                let place = at(String::new()).location();
                if found.mismatches.is_empty() {
                    out.mismatches
                        .push(quirk_accepted(at(String::new()), &operation, spec));
                }
                for m in found.mismatches {
                    (out.quirks).push(format!(
                        "{place}: case `{}`: spec quirk ({reason}): {}",
                        case.name, m.message
                    ));
                }
                continue;
            }
            match (case.expect_invalid_request, found.mismatches.is_empty()) {
                (true, false) => out.invalid_on_purpose += 1,
                (true, true) => out.mismatches.push(accepted_on_purpose(
                    at(String::new()),
                    &operation,
                    spec,
                    !found.unchecked.is_empty(),
                )),
                (false, _) => {
                    for m in found.mismatches {
                        out.mismatches.push(mismatch(
                            at(m.message),
                            m.focus,
                            &operation,
                            spec,
                            case,
                        ));
                    }
                }
            }
        }
    }
    out.endpoints = endpoints.len();
    out.endpoints_in_spec = endpoints.values().filter(|in_spec| **in_spec).count();
    out
}

fn mismatch(
    d: Diagnostic,
    focus: Option<String>,
    operation: &str,
    spec: &Spec,
    case: &Case,
) -> Diagnostic {
    let message = format!(
        "request of case `{}` does not match {} `{operation}`: {}",
        case.name, spec.file_name, d.message
    );
    let d = Diagnostic { message, ..d }.with_help(
        "fix the request, or mark a case that breaks the spec on purpose with \
         `expect_invalid_request: true`, or a spec quirk with `spec_quirk: \"why\"` (and explain it \
         in the API's NOTES.md)",
    );
    match focus {
        Some(f) => d.pointing_at(f),
        None => d,
    }
}

fn accepted_on_purpose(d: Diagnostic, operation: &str, spec: &Spec, partly: bool) -> Diagnostic {
    let but = if partly {
        " (as far as values known before the run go)"
    } else {
        ""
    };
    Diagnostic {
        message: format!(
            "expected an invalid request but {} `{operation}` accepts it{but}",
            spec.file_name
        ),
        ..d
    }
    .pointing_at("expect_invalid_request")
    .with_help(
        "remove `expect_invalid_request`, or make the request break the spec as the case intends",
    )
}

fn quirk_accepted(d: Diagnostic, operation: &str, spec: &Spec) -> Diagnostic {
    Diagnostic {
        message: format!(
            "case is marked `spec_quirk` but {} `{operation}` accepts its request",
            spec.file_name
        ),
        ..d
    }
    .pointing_at("spec_quirk")
    .with_help("remove `spec_quirk`: the spec no longer refuses this request")
}

/// The header (lowercase) and query names credentials send, in `env` or in any environment.
fn credential_names(api: &Api, env: Option<&str>) -> CredentialNames {
    let mut names = CredentialNames::default();
    let auths = (api.environments.iter())
        .filter(|(name, _)| env.is_none_or(|e| e == name.as_str()))
        .filter_map(|(_, e)| e.auth.as_ref());
    for auth in auths {
        add_auth(&mut names, auth);
    }
    names
}

fn add_auth(names: &mut CredentialNames, auth: &Auth) {
    names
        .headers
        .extend(auth.headers.iter().map(|(n, _)| n.to_ascii_lowercase()));
    names
        .query
        .extend(auth.query.iter().map(|(n, _)| n.clone()));
    if auth.basic.is_some() || auth.bearer.is_some() {
        names.headers.insert("authorization".into());
    }
    if let Some(token) = &auth.token_request {
        names.headers.insert(token.header.to_ascii_lowercase());
    }
}

/// Names of what the API's credentials send (lowercase headers; query names as written).
#[derive(Debug, Default, Clone)]
pub struct CredentialNames {
    pub headers: BTreeSet<String>,
    pub query: BTreeSet<String>,
}

/// What the case sends beside its own request: the API's headers and, unless `auth: false`, its
/// credentials.
pub struct Context<'a> {
    pub spec: &'a Spec,
    pub schemas: &'a schemas::SpecSchemas,
    pub vars: &'a Vars,
    pub api_headers: &'a [(String, crate::case::template::Template)],
    pub credentials: &'a CredentialNames,
    /// The API's sensitive names: a value under one is never shown in a message.
    pub sensitive: &'a crate::redact::Redactor,
}

/// One way the request breaks the spec: the text to put the carets under, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub focus: Option<String>,
    pub message: String,
}

/// Everything found about one case's request.
#[derive(Debug, Default)]
pub struct CaseFindings {
    pub mismatches: Vec<Mismatch>,
    /// Values whose check was skipped, and why (known only at run time).
    pub unchecked: Vec<String>,
}

impl CaseFindings {
    pub(crate) fn mismatch(&mut self, focus: Option<&str>, message: String) {
        self.mismatches.push(Mismatch {
            focus: focus.map(str::to_string),
            message,
        });
    }
}
