//! `MatchState::apply` over arbitrary datagram sequences, parsed as the ingest path parses them.
//! The input reads like a stream file: one datagram per `\n`-separated line (a CR before the LF
//! stays in the datagram, like TkStrike's CRLF), so real matches seed the corpus as they are.
//! Checks: never panics, a pure function of the sequence, counts every message, and the state
//! survives its JSON form (what `courtside replay --json` prints) and the store codec (match
//! records keep it).

#![no_main]

use courtside_fuzz::codec;
use courtside_fuzz::match_state::MatchState;
use courtside_fuzz::protocol::{Event, parse_datagram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let mut state = MatchState::new();
    let mut events: Vec<Event> = Vec::new();
    for d in input.split(|b| *b == b'\n') {
        for e in parse_datagram(d) {
            state.apply(&e);
            events.push(e);
        }
    }
    // Pure: the same sequence from scratch gives the same state (the restart/replay path).
    assert_eq!(state, MatchState::from_events(&events));
    // Every message since the last `pre` is counted.
    let since_load = events
        .iter()
        .rev()
        .position(|e| matches!(e, Event::FightLoaded))
        .map_or(events.len(), |p| p + 1);
    assert_eq!(state.counts.messages, since_load as u64);
    let json = serde_json::to_string(&state).expect("MatchState serialises");
    let back: MatchState = serde_json::from_str(&json).expect("MatchState JSON parses back");
    assert_eq!(back, state, "MatchState changed through JSON");
    let stored = codec::encode(&state, "match").expect("MatchState encodes");
    let back: MatchState = codec::decode(&stored, "match").expect("MatchState decodes");
    assert_eq!(back, state, "MatchState changed through the store codec");
});
