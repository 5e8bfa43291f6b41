//! An independent reference for the parser and `MatchState`, shared by the property tests
//! (`tests/spine/oracle_props.rs`, `parser_props.rs`) and the fuzz targets
//! (`fuzz/fuzz_targets/`).
//!
//! Nothing here calls the parser's helpers, the encoder or `Event::code`: the reference splits
//! the text itself ([`wire`]), builds its own datagrams from templates whose events it writes
//! out by hand and applies the documented 64-message / 64-event cap itself ([`script`]), and
//! computes the scoreboard fields as "the last value sent since the last `pre`" ([`state`]).
//! A mismatch panics with what differs (the fuzzer and proptest both report a panic as a
//! failure).
//!
//! The includer names the crate under test `under_test` at its root (`courtside`, or the fuzz
//! crate, which compiles the same source files).

use super::under_test;

pub mod script;
pub mod state;
pub mod wire;

pub use script::{check_script, script_text};
pub use state::check_state;
pub use wire::check_any;

/// The documented caps (`src/protocol/parse.rs`), restated: a reference must not import them.
const MAX_MESSAGES: usize = 64;
const MAX_EVENTS: usize = 64;
