//! Reports rendered from the whole document: [`DocReporter`] collects the [`ReportDoc`] from the
//! events (outcomes arrive in plan order) and hands it to a renderer when the run finishes, so
//! that Markdown, GitHub and HTML render from exactly what `report.json` holds.

use super::doc::ReportDoc;
use super::Reporter;
use crate::run::event::Event;

/// What renders a finished document.
pub type Render = Box<dyn FnMut(&ReportDoc) -> std::io::Result<()> + Send>;

pub struct DocReporter {
    doc: Option<ReportDoc>,
    render: Render,
}

impl DocReporter {
    pub fn new(render: Render) -> Self {
        DocReporter { doc: None, render }
    }
}

impl Reporter for DocReporter {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted(started) => self.doc = Some(ReportDoc::new((**started).clone())),
            Event::CaseStarted { .. } => {}
            Event::CaseFinished(f) => {
                if let Some(doc) = self.doc.as_mut() {
                    let api = f.outcome.id.api.clone();
                    doc.apis.entry(api).or_default().add(&f.outcome);
                    doc.outcomes.push((*f.outcome).clone());
                }
            }
            Event::RunFinished(summary) => {
                if let Some(mut doc) = self.doc.take() {
                    doc.summary = *summary;
                    (self.render)(&doc)?;
                }
            }
        }
        Ok(())
    }
}
