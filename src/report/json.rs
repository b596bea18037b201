//! The JSON report (`report.json`): the [`ReportDoc`](super::doc::ReportDoc) of the run.
//!
//! Outcomes are streamed to a temporary file as they arrive (in plan order, so two identical runs
//! give identical files apart from times; memory stays flat on big suites); the file is renamed
//! into place at the end, so a killed run never leaves a half-written report. The fields are
//! written in `ReportDoc`'s order, and a test reads the file back into it.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use tempfile::NamedTempFile;

use super::doc::FORMAT;
use super::Reporter;
use crate::run::event::Event;
use crate::run::Summary;

pub struct JsonReporter {
    path: PathBuf,
    out: Option<BufWriter<NamedTempFile>>,
    first: bool,
    /// Totals per API, written before the run's totals.
    apis: BTreeMap<String, Summary>,
}

impl JsonReporter {
    pub fn new(path: PathBuf) -> std::io::Result<Self> {
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let out = BufWriter::new(crate::fsutil::temp_file_in(&dir)?);
        Ok(JsonReporter {
            path,
            out: Some(out),
            first: true,
            apis: BTreeMap::new(),
        })
    }
}

impl Reporter for JsonReporter {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        match event {
            Event::RunStarted(started) => {
                write!(
                    out,
                    "{{\n\"format\": \"{FORMAT}\",\n\"conform_version\": \"{}\",\n\"run\": ",
                    env!("CARGO_PKG_VERSION")
                )?;
                serde_json::to_writer(&mut *out, started)?;
                out.write_all(b",\n\"outcomes\": [")?;
            }
            Event::CaseFinished(f) => {
                out.write_all(if self.first { b"\n" } else { b",\n" })?;
                self.first = false;
                serde_json::to_writer(&mut *out, &f.outcome)?;
                let api = f.outcome.id.api.clone();
                self.apis.entry(api).or_default().add(&f.outcome);
            }
            Event::CaseStarted { .. } => {}
            Event::RunFinished(summary) => {
                let Some(mut out) = self.out.take() else {
                    return Ok(());
                };
                write!(
                    out,
                    "\n],\n\"apis\": {},\n\"summary\": {}\n}}\n",
                    serde_json::to_string(&self.apis)?,
                    serde_json::to_string(summary)?
                )?;
                let tmp = out.into_inner().map_err(|e| e.into_error())?;
                crate::fsutil::persist(tmp, &self.path)?;
            }
        }
        Ok(())
    }
}
