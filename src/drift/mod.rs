//! Drift: what changed between a live server and the recordings CI trusts, graded and located.
//!
//! [`observer::DriftObserver`] follows the run's event stream (like the recorder); `analyse`
//! normalises each live response as `record` would (`mock::normalize`), compares it with the
//! recorded interaction (`compare`), grades each difference against the case's schema (`grade`),
//! learns noise from a second read of safe requests (`noise`) and applies the API's ignore rules;
//! the result is a [`doc::DriftDoc`] (`drift.json`), rendered by `render` (terminal, drift.md)
//! and `html` (a section of report.html); `accept` rewrites the recordings whose drift was
//! accepted; `scenario` names the run's scenarios for `conform mock`. See docs/drift.md.

pub mod accept;
pub mod analyse;
pub mod compare;
pub mod doc;
pub mod finding;
pub mod grade;
pub mod html;
pub mod noise;
pub mod observer;
pub mod render;
pub mod scenario;

pub use doc::DriftDoc;
pub use finding::{Code, Finding, Grade};
