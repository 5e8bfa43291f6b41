//! `MatchState::apply` over arbitrary datagram sequences, parsed as the ingest path parses them,
//! checked against the independent reference in `tests/oracle/`: since the last `pre`,
//! scores and penalty totals are the last `sc`/`wg` sent, round scores the last `s..`, points are
//! counted per type, round, clock, winner and tie are the last sent, and the message counts match.
//!
//! The input reads like a stream file: one datagram per `\n`-separated line (a CR before the LF
//! stays in the datagram, like TkStrike's CRLF), so real matches seed the corpus as they are.
//! A line starting with `#` is instead a script of the reference's templates (three bytes per
//! message), so the state sees many well-formed scores and penalties, not only noise.
//! The state also survives its JSON form (what `courtside replay --json` prints) and the store
//! codec (match records keep it).

#![no_main]

use courtside_fuzz::codec;
use courtside_fuzz::match_state::MatchState;
use courtside_fuzz::oracle::{check_state, script_text};
use courtside_fuzz::protocol::{Event, parse_datagram};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let mut state = MatchState::new();
    let mut events: Vec<Event> = Vec::new();
    for d in input.split(|b| *b == b'\n') {
        let parsed = match d.strip_prefix(b"#") {
            Some(script) => parse_datagram(script_text(script).as_bytes()),
            None => parse_datagram(d),
        };
        for e in parsed {
            state.apply(&e);
            events.push(e);
        }
    }
    check_state(&events, &state);
    let json = serde_json::to_string(&state).expect("MatchState serialises");
    let back: MatchState = serde_json::from_str(&json).expect("MatchState JSON parses back");
    assert_eq!(back, state, "MatchState changed through JSON");
    let stored = codec::encode(&state, "match").expect("MatchState encodes");
    let back: MatchState = codec::decode(&stored, "match").expect("MatchState decodes");
    assert_eq!(back, state, "MatchState changed through the store codec");
});
