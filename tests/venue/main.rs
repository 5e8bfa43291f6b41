//! Venue operation, one binary (one link): advanced mode, backup/restore, licence, logging,
//! match report and export, system monitor.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod advanced;
mod backup;
mod delete;
mod export_csv;
mod export_pinned;
mod license;
mod logging;
/// The courtside binary as a child process (shared with the spine tests).
#[path = "../spine/proc.rs"]
#[allow(dead_code)]
mod proc;
#[path = "../common/raw_store.rs"]
mod raw_store;
mod report;
mod restore;
mod sysmon;
