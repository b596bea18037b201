//! Lowering of one endpoint file (`cases/<api>/<name>.yaml`) and of each case in it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::super::model::{Case, CaseFile, Endpoint, MAX_TIMEOUT, SETUP_STEM};
use super::super::raw::{RawCase, RawCaseFile};
use super::super::template::UNIQUE;
use super::{parse_endpoint, pos, ApiLowering};
use crate::diag::Pos;

impl ApiLowering<'_, '_> {
    /// Lowers one endpoint file and adds it to the API.
    pub fn add_file(&mut self, path: PathBuf, raw: RawCaseFile) {
        self.add_case_file(path, raw, false);
    }

    /// api.yaml's `setup:` steps, as a flow file with the stem `setup`. Each capture must name a
    /// declared variable: that is what the cases use, and what `--var` or an environment pins.
    pub(super) fn add_setup(&mut self, path: PathBuf, steps: Vec<RawCase>) {
        let declared: Vec<String> = self.api.variables.iter().map(|(n, _)| n.clone()).collect();
        let mut undeclared = Vec::new();
        for step in &steps {
            for (name, source) in &step.capture {
                if !declared.contains(name) {
                    undeclared.push((name.clone(), pos(source)));
                }
            }
        }
        for (name, at) in undeclared {
            let declare = || {
                format!(
                    "declare `{name}` under `variables:` with the value playback uses; setup sets it when the environment does not"
                )
            };
            let help = super::suggestion(&name, declared.iter().map(String::as_str), declare);
            let message = format!("setup captures `{name}`, which `variables:` does not declare");
            self.error_help(&path, at, message, help);
        }
        let raw = RawCaseFile {
            endpoint: None,
            flow: true,
            cases: steps,
        };
        self.add_case_file(path, raw, true);
    }

    fn add_case_file(&mut self, path: PathBuf, raw: RawCaseFile, setup: bool) {
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
        let stem = match setup {
            true => SETUP_STEM.to_string(),
            false => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        if !setup && stem == SETUP_STEM && self.api.files.iter().any(|f| f.setup) {
            let message = "`setup.yaml` would share its case ids with api.yaml's `setup:`";
            let help = "rename the file".to_string();
            self.error_help(&path, Pos { line: 1, column: 1 }, message, help);
            return;
        }
        let mut known: BTreeSet<String> =
            self.api.variables.iter().map(|(n, _)| n.clone()).collect();
        known.insert(UNIQUE.to_string());
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
            setup,
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
            Some(t) => Some(self.duration(file, t, MAX_TIMEOUT, false)?),
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
            expect_invalid_request: raw.expect_invalid_request,
            spec_quirk: raw.spec_quirk.clone(),
            timeout,
            request: request?,
            expect: expect?,
            captures,
        })
    }
}
