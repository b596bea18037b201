//! The drift observer: it follows the run's event stream like the recorder and keeps, per case,
//! the outcome and the exchange (the session keeps exchanges for drift as it does for record).

use crate::run::event::TargetInfo;
use crate::run::{CaseOutcome, Event, Exchange, Observer};

/// One finished case as drift saw it.
pub struct Observed {
    pub outcome: CaseOutcome,
    pub exchange: Option<Exchange>,
}

/// Collects every finished case, in plan order.
#[derive(Default)]
pub struct DriftObserver {
    pub targets: Vec<TargetInfo>,
    pub cases: Vec<Observed>,
}

impl Observer for DriftObserver {
    fn event(&mut self, event: &Event) -> std::io::Result<()> {
        match event {
            Event::RunStarted(started) => self.targets = started.targets.clone(),
            Event::CaseFinished(f) => self.cases.push(Observed {
                outcome: (*f.outcome).clone(),
                exchange: f.exchange.as_deref().cloned(),
            }),
            Event::CaseStarted { .. } | Event::RunFinished(_) => {}
        }
        Ok(())
    }
}
