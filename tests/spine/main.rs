//! Integration tests of the spine: protocol, match state, store, ingest and the CLI. One test
//! binary (one link) with a module per area.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

// The crate `oracle` checks (the fuzz crate names itself, it holds the same source files).
use courtside as under_test;

mod bad_input;
mod crash;
mod crash_twenty;
mod faults;
mod ingest;
mod ingest_lib;
mod ingest_recovery;
mod ingest_trust;
mod match_state;
mod migration;
/// The independent reference of `tests/oracle/` (shared with the fuzz targets).
#[path = "../oracle/mod.rs"]
mod oracle;
mod oracle_props;
mod parser;
mod parser_edge;
mod parser_props;
mod parser_venue;
mod proc;
#[path = "../common/raw_store.rs"]
mod raw_store;
mod sender;
mod store;
mod store_damage;
mod store_location;
mod support;
mod writer;
