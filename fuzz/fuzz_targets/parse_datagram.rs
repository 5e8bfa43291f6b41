//! `protocol::parse_datagram` on arbitrary bytes: never panics, never allocates without bound,
//! always yields at least one event (every datagram is counted) and at most `MAX_EVENTS` + 1
//! (the rest of a hostile datagram is one "too many messages" event), is deterministic, equals
//! parsing the lossy UTF-8 text, and what it yields survives the store's codec unchanged.

#![no_main]

use courtside_fuzz::codec;
use courtside_fuzz::protocol::{Event, MAX_EVENTS, parse_datagram, parse_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let events = parse_datagram(bytes);
    assert!(!events.is_empty(), "a datagram produced no event");
    assert!(
        events.len() <= MAX_EVENTS + 1,
        "{} events from one datagram",
        events.len()
    );
    assert_eq!(events, parse_text(&String::from_utf8_lossy(bytes)));
    assert_eq!(
        events,
        parse_datagram(bytes),
        "parsing is not deterministic"
    );
    let stored = codec::encode(&events, "events").expect("events encode");
    let back: Vec<Event> = codec::decode(&stored, "events").expect("events decode");
    assert_eq!(back, events, "events changed through the store codec");
});
