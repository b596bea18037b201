//! The one normalisation of what crosses the wire, shared by every module that stores or
//! compares an exchange: `record` (what a recording keeps), playback (how an incoming request's
//! body is read before it is matched), snapshots (what a `.snap` holds) and drift (what is
//! compared with a recording). It sits below `check` and `mock` so that all of them use it.
//!
//! - [`headers`]: which response headers are volatile (never stored, never compared), how kept
//!   headers are scrubbed, the media type of a header list;
//! - [`body`]: a body as empty, JSON, UTF-8 text or binary, and scrubbed;
//! - [`selectors`]: a snapshot's `redact` selectors and the JSON a snapshot stores.

pub mod body;
pub mod headers;
pub mod selectors;

pub use body::{parse, stored, Body};
pub use headers::{is_volatile_header, kept_headers, media_type, VOLATILE_HEADERS};
pub use selectors::{apply, snapshot_body, REDACTED};
