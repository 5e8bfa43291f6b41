//! courtside: the court-side operator app for taekwondo PSS scoring.
//!
//! Data flows one way: UDP ingest → parse → durable store → channel → UI / match state. See
//! `../shared/DESIGN.md` in the workspace for the architecture.

pub mod advanced;
pub mod app;
pub mod backup;
pub mod cli;
pub mod export;
pub mod flags;
pub mod fsname;
pub mod ingest;
pub mod jobs;
pub mod license;
pub mod logging;
pub mod match_state;
pub mod model;
pub mod obs;
pub mod protocol;
pub mod report;
pub mod review;
pub mod store;
pub mod stream_file;
pub mod sysmon;
pub mod timefmt;
pub mod tournament;
pub mod ui;
pub mod web;
pub mod worker;
