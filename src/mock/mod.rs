//! Recordings (`recording`), loading them for playback (`load`), matching (`negotiate`, `rules`,
//! `matcher`), a miss as a diff (`diff`), choosing an answer (`scenario`, `fallback`,
//! `playback`), the server and its journal (`server`, `journal`; what they show is scrubbed of
//! the request's secrets: `scrub`), the live `{{ unique }}`
//! value put back in answers (`unique`), record mode (`record`) and the one normalisation of a
//! response that record and drift share (`normalize`).

pub mod diff;
pub mod fallback;
pub mod journal;
pub mod load;
pub mod matcher;
pub mod negotiate;
pub mod normalize;
pub mod playback;
pub mod record;
pub mod recording;
pub mod rules;
pub mod scenario;
pub mod scrub;
pub mod server;
pub mod unique;
