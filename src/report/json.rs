//! The JSON report (`report.json`): every outcome, then the summary.
//!
//! Outcomes are streamed to a temporary file as they arrive (memory stays flat on big suites); the
//! file is renamed into place at the end, so a killed run never leaves a half-written report.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use tempfile::NamedTempFile;

use super::Reporter;
use crate::coverage::ApiCoverage;
use crate::run::{CaseOutcome, Summary};

pub struct JsonReporter {
    path: PathBuf,
    out: Option<BufWriter<NamedTempFile>>,
    first: bool,
    coverage: Vec<ApiCoverage>,
}

impl JsonReporter {
    pub fn new(path: PathBuf) -> std::io::Result<Self> {
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let mut out = BufWriter::new(NamedTempFile::new_in(&dir)?);
        write!(
            out,
            "{{\n\"format\": \"conform-report/1\",\n\"conform_version\": \"{}\",\n\"outcomes\": [",
            env!("CARGO_PKG_VERSION")
        )?;
        Ok(JsonReporter {
            path,
            out: Some(out),
            first: true,
            coverage: Vec::new(),
        })
    }

    /// Adds a `coverage` object (per API) after the summary.
    pub fn with_coverage(mut self, coverage: Vec<ApiCoverage>) -> Self {
        self.coverage = coverage;
        self
    }
}

impl Reporter for JsonReporter {
    fn outcome(&mut self, o: &CaseOutcome) -> std::io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut *out, o)?;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        let Some(mut out) = self.out.take() else {
            return Ok(());
        };
        write!(
            out,
            "\n],\n\"summary\": {}",
            serde_json::to_string(summary)?
        )?;
        if !self.coverage.is_empty() {
            let per_api: serde_json::Map<String, serde_json::Value> = self
                .coverage
                .iter()
                .map(|c| (c.api.clone(), c.summary()))
                .collect();
            write!(
                out,
                ",\n\"coverage\": {}",
                serde_json::Value::Object(per_api)
            )?;
        }
        writeln!(out, "\n}}")?;
        let tmp = out.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}
