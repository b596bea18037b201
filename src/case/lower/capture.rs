//! Lowering of `capture:`: a JSONPath into the body, or a response header.

use std::path::Path;

use super::super::limits::parse_json_path;

use super::super::model::{Capture, CaptureFrom};
use super::super::raw::{CaptureSource, RawCase};
use super::{ApiLowering, At};

impl ApiLowering<'_, '_> {
    pub(super) fn lower_captures(&mut self, file: &Path, raw: &RawCase) -> Vec<Capture> {
        let mut out = Vec::new();
        for (name, source) in &raw.capture {
            let at = At::of(file, source);
            let from = match &source.value {
                CaptureSource::Short(text) => self.capture_json(&at, text),
                CaptureSource::Long(m) => match (&m.header, &m.json) {
                    (Some(h), None) => Some(CaptureFrom::Header(h.to_ascii_lowercase())),
                    (None, Some(text)) => self.capture_json(&at, text),
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

    fn capture_json(&mut self, at: &At<'_>, text: &str) -> Option<CaptureFrom> {
        match parse_json_path(text) {
            Ok(path) => Some(CaptureFrom::Json {
                text: text.to_string(),
                path,
            }),
            Err(e) => {
                self.error(at.file, at.pos, format!("invalid JSONPath `{text}`: {e}"));
                None
            }
        }
    }
}
