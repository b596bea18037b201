//! Lowering of a request body: exactly one of `json`, `form`, `raw`, `multipart`, `file`; body
//! files are read at load and must stay inside the API's folder.

use std::collections::BTreeSet;
use std::path::Path;

use super::super::model::{Body, Part, PartContent};
use super::super::raw;
use super::{pos, ApiLowering, At};

impl ApiLowering<'_, '_> {
    /// `None` on error, `Some(None)` when there is no body.
    pub(super) fn lower_body(
        &mut self,
        file: &Path,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Option<Body>> {
        let given: Vec<(&str, crate::diag::Pos)> = [
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
            let t = self.json_body_template_at(file, json, known, check_env)?;
            return Some(Some(Body::Json(t)));
        }
        if let Some(form) = &raw.form {
            let at = At::of(file, form);
            let mut fields = Vec::new();
            for (k, v) in &form.value {
                fields.push((k.clone(), self.template(&at, &v.0, known, check_env)?));
            }
            return Some(Some(Body::Form(fields)));
        }
        if let Some(text) = &raw.raw {
            return Some(Some(Body::Raw {
                text: self.template_at(file, text, known, check_env)?,
                content_type: raw.content_type.clone(),
            }));
        }
        if let Some(parts) = &raw.multipart {
            return self
                .lower_multipart(&At::of(file, parts), &parts.value, known, check_env)
                .map(|p| Some(Body::Multipart(p)));
        }
        if let Some(path) = &raw.file {
            let data = self.read_body_file(&At::of(file, path), &path.value)?;
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
    ) -> Option<Vec<Part>> {
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
            out.push(Part {
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
        let api_dir = self.ctx.root.join(&self.api.dir);
        let full = api_dir.join(relative);
        // A symlink to `/proc/self/environ` or a credentials file must not be read and sent.
        if let Err(outside) = crate::fsutil::resolve_inside(&api_dir, &full) {
            let shown = self.api.dir.join(relative);
            self.error(
                at.file,
                at.pos,
                format!(
                    "body file `{}` resolves outside the API's folder (through a symlink?): \
                     conform reads only files inside the project",
                    shown.display()
                ),
            );
            drop(outside);
            return None;
        }
        match std::fs::read(&full) {
            Ok(data) => {
                self.ctx.read_files.push(full);
                Some(bytes::Bytes::from(data))
            }
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
}
