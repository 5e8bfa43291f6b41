//! courtside: the court-side operator app for taekwondo PSS scoring.
//!
//! Data flows one way: UDP ingest → parse → durable store → channel → UI / match state. See
//! `../shared/DESIGN.md` in the workspace for the architecture.

pub mod cli;
pub mod flags;
pub mod ingest;
pub mod match_state;
pub mod protocol;
pub mod store;
pub mod stream_file;
pub mod ui;
