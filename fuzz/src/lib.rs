//! The pure spine code under fuzzing, compiled from the main crate's own source files.
//!
//! `src/protocol/`, `src/match_state.rs` and `src/store/codec.rs` need nothing but serde,
//! bincode and thiserror, so they are included by path instead of depending on the whole
//! `courtside` package: the fuzz build then instruments only the code under test, not egui, OBS
//! and redb (a minute instead of a quarter of an hour on a 2-core CI machine). If those files
//! ever use another part of the crate, this stops compiling — then switch to
//! `courtside = { path = ".." }`.

/// `src/store/codec.rs`: the only encoder of stored values.
#[path = "../../src/store/codec.rs"]
pub mod codec;
/// `src/match_state.rs`.
#[path = "../../src/match_state.rs"]
pub mod match_state;
/// `src/protocol/`.
#[path = "../../src/protocol/mod.rs"]
pub mod protocol;

/// What `oracle` checks: this crate (the property tests give it `courtside` instead).
use crate as under_test;

/// `tests/oracle/`: the independent reference the property tests use too.
#[path = "../../tests/oracle/mod.rs"]
pub mod oracle;
