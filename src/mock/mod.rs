//! Recordings (`recording`), matching (`matcher`), the playback server (`playback`), record
//! mode (`record`) and the one normalisation of a response that record and drift share
//! (`normalize`).

pub mod matcher;
pub mod normalize;
pub mod playback;
pub mod record;
pub mod recording;
