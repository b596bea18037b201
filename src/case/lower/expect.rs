//! Lowering of `expect:`: status, headers, schema reference, assertions, time budget, snapshot.
//! Regexes and JSONPaths are compiled once per suite (`LowerCtx` caches them).

use std::path::Path;
use std::sync::Arc;

use serde_saphyr::Spanned;

use std::collections::BTreeSet;

use super::super::model::{
    Expect, HeaderExpect, HeaderRule, SnapshotExpect, StatusExpect, MAX_TIME_BUDGET,
};
use super::super::raw::{self, RawCase, SnapshotSpec};
use super::super::redact_check;
use super::super::selector::Selector;
use super::{pos, slug, suggestion, ApiLowering, At};
use crate::diag::{Diagnostic, Pos};
use crate::schema::SchemaId;

impl ApiLowering<'_, '_> {
    pub(super) fn lower_expect(
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
            headers.push(HeaderExpect {
                name: name.to_ascii_lowercase(),
                rule: self.header_rule(&At::of(file, rule), &rule.value, known)?,
            });
        }
        let schema = match &raw.schema {
            Some(s) => Some(self.schema(file, s)?),
            None => None,
        };
        let mut assertions = Vec::with_capacity(raw.assertions.len());
        for (path_text, preds) in &raw.assertions {
            let at = At::of(file, preds);
            assertions.push(self.assertion(&at, path_text, &preds.value, known)?);
        }
        let max_duration = match &raw.max_duration {
            Some(d) => Some(self.duration(file, d, MAX_TIME_BUDGET, true)?),
            None => None,
        };
        let snapshot = match raw.snapshot.as_ref() {
            Some(s) => self.snapshot(file, stem, &case.name.value, s, schema)?,
            None => None,
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

    /// `None` on error, `Some(None)` when snapshots are off for the case.
    fn snapshot(
        &mut self,
        file: &Path,
        stem: &str,
        case_name: &str,
        s: &Spanned<SnapshotSpec>,
        schema: Option<SchemaId>,
    ) -> Option<Option<SnapshotExpect>> {
        let default_name = format!("{stem}__{}", slug(case_name));
        let (name, texts, strict) = match &s.value {
            SnapshotSpec::Enabled(false) => return Some(None),
            SnapshotSpec::Long(m) => (
                m.name.as_deref().map(slug).unwrap_or(default_name),
                m.redact.clone(),
                m.strict,
            ),
            _ => (default_name, Vec::new(), false),
        };
        let mut redact = Vec::new();
        let mut ok = true;
        for text in texts {
            match super::super::selector::Selector::parse(&text) {
                Ok(sel) => redact.push(sel),
                Err(msg) => {
                    // Every bad selector is reported, each with carets under its own text.
                    ok = false;
                    self.ok = false;
                    let d = Diagnostic::new(file, pos(s), msg).pointing_at(text);
                    self.ctx.diagnostics.push(d);
                }
            }
        }
        if let Some(id) = schema {
            for sel in &redact {
                self.redaction_against_schema(file, pos(s), sel, id);
            }
        }
        if ok && !self.claim_snapshot(file, pos(s), case_name, &name) {
            return None;
        }
        ok.then_some(Some(SnapshotExpect {
            name,
            redact,
            strict,
        }))
    }

    /// Takes `name` for this case; `false` (a located error naming both cases) when another case
    /// of the API already maps to the same `.snap` file.
    fn claim_snapshot(&mut self, file: &Path, at: Pos, case_name: &str, name: &str) -> bool {
        let Some((first_file, first_pos, first_case)) = self.snapshot_names.get(name).cloned()
        else {
            let claim = (file.to_path_buf(), at, case_name.to_string());
            self.snapshot_names.insert(name.to_string(), claim);
            return true;
        };
        let first = Diagnostic::new(&first_file, first_pos, "").location();
        let message = format!(
            "case `{case_name}` and case `{first_case}` ({first}) map to one snapshot file, \
             `snapshots/{}/{name}.snap`",
            self.api.name
        );
        let help = "give one of them its own name: `snapshot: { name: ... }`".to_string();
        self.error_help(file, at, message, help);
        false
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

    pub(super) fn regex(&mut self, at: &At<'_>, re: &str) -> Option<Arc<regex::Regex>> {
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
                // regex's message draws its own caret over several lines: keep its last line.
                let text = e.to_string();
                let why = text.lines().last().unwrap_or_default();
                let why = why.trim().trim_start_matches("error: ");
                self.error(at.file, at.pos, format!("invalid regex `{re}`: {why}"));
                None
            }
        }
    }

    /// A warning when `sel` names what the body's schema does not document (`redact_check`).
    fn redaction_against_schema(&mut self, file: &Path, at: Pos, sel: &Selector, id: SchemaId) {
        let display = self.ctx.schemas.display(id).to_string();
        let schema_file = self.ctx.root.join(&display);
        let schemas_root = self.ctx.root.join("schemas");
        let Some(miss) = redact_check::check(&schema_file, &schemas_root, sel) else {
            return;
        };
        let what = match miss.step.as_str() {
            "[]" => "an array is not allowed there".to_string(),
            key => format!("no property `{key}` there"),
        };
        let nearest = match &miss.nearest {
            Some(n) => format!("; the nearest is `{n}`"),
            None => String::new(),
        };
        let message = format!(
            "redaction path `{}` cannot match {display}: {what}{nearest}",
            sel.text
        );
        let help = match miss.known.as_slice() {
            [] => "a path that matches nothing redacts nothing: fix it or remove it".to_string(),
            known => format!(
                "properties there: {}; a path that matches nothing redacts nothing",
                known.join(", ")
            ),
        };
        let d = Diagnostic::new(file, at, message)
            .pointing_at(&sel.text)
            .with_help(help)
            .as_warning();
        self.ctx.warnings.push(d);
    }

    fn schema(&mut self, file: &Path, s: &Spanned<String>) -> Option<SchemaId> {
        let schemas_root = self.ctx.root.join("schemas");
        let api_dir = schemas_root.join(&self.api.name);
        let path = api_dir.join(&s.value);
        if let Some(id) = self.ctx.schemas.loaded(&path) {
            return Some(id);
        }
        if self.broken_schemas.contains(&path) {
            // Reported once, at the first case that uses it; the others fail quietly with it.
            self.ok = false;
            return None;
        }
        let display = format!("schemas/{}/{}", self.api.name, s.value);
        let relative = Path::new(&s.value);
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if escapes || crate::fsutil::resolve_inside(&schemas_root, &path).is_err() {
            self.error_help(
                file,
                pos(s),
                format!("schema `{}` is outside schemas/{}/", s.value, self.api.name),
                format!(
                    "schema paths are relative to schemas/{}/ and stay inside the project \
                     (no absolute paths, `..` or symlinks out of it)",
                    self.api.name
                ),
            );
            return None;
        }
        if !path.is_file() {
            let candidates = list_json_files(&api_dir);
            let help = suggestion(&s.value, candidates.iter().map(String::as_str), || {
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
        let loaded = self
            .ctx
            .schemas
            .load_with(&path, &schemas_root, display, &self.api.formats);
        match loaded {
            Ok(id) => Some(id),
            Err(msg) => {
                let msg = without_root(&msg, self.ctx.root);
                self.error(file, pos(s), msg);
                self.broken_schemas.insert(path);
                None
            }
        }
    }
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

/// `msg` with the project's absolute path taken out (jsonschema names `$ref` targets by their
/// `file://` URL): messages name files relative to the project, like every other diagnostic.
fn without_root(msg: &str, root: &Path) -> String {
    let Ok(root) = root.canonicalize() else {
        return msg.to_string();
    };
    let root = root.display().to_string();
    msg.replace(&format!("file://{root}/"), "")
        .replace(&format!("{root}/"), "")
}
