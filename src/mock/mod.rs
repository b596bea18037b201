//! Recordings (`recording`), matching (`matcher`), the playback server (`playback`) and record
//! mode (`record`).

pub mod matcher;
pub mod playback;
pub mod record;
pub mod recording;
