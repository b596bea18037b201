//! Recordings and the playback server.
