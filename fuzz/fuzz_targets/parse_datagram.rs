//! `protocol::parse_datagram` on arbitrary bytes, checked against the independent reference in
//! `tests/oracle/` (shared with `tests/spine/oracle_props.rs`):
//! - as raw bytes: every event traces back, in order, to the field it came from (unknown
//!   messages byte-exact), lines are parsed independently, a blank datagram is one event, the
//!   cap (64 messages / 64 events + one "too many" event) holds;
//! - read as a script of templates (three bytes per message): the parser gives exactly the
//!   events the reference wrote out for that datagram, capped and counted as documented.
//!
//! The events also survive the store's codec unchanged. Never panics, never allocates without
//! bound (run-bounded.sh limits memory).

#![no_main]

use courtside_fuzz::codec;
use courtside_fuzz::oracle::{check_any, check_script};
use courtside_fuzz::protocol::{Event, parse_datagram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    check_any(bytes);
    check_script(bytes);
    let events = parse_datagram(bytes);
    let stored = codec::encode(&events, "events").expect("events encode");
    let back: Vec<Event> = codec::decode(&stored, "events").expect("events decode");
    assert_eq!(back, events, "events changed through the store codec");
});
