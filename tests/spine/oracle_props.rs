//! The parser and `MatchState` against the independent reference in `tests/oracle/`
//! (the fuzz targets run the same checks on fuzzer input).

use crate::oracle::{check_any, check_script, check_state};
use courtside::match_state::MatchState;
use courtside::protocol::{Event, parse_datagram};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(300)
}

/// Datagram-shaped bytes: codes, digits, separators, line breaks, blanks and NUL, so the lines
/// mostly hold messages rather than noise.
fn datagram_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        proptest::sample::select(vec![
            "pt1",
            "sc2",
            "wg1",
            "wg2",
            "s11",
            "s21",
            "clk",
            "rnd",
            "win",
            "pre",
            "Qab",
            "inlb:3",
            "connected",
            "1",
            "0",
            "1:00",
            "start",
            "TIE",
            " ",
            "\0",
            ";",
            ";;",
            "\r\n",
            "\n",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_event_comes_from_its_own_field_and_lines_parse_independently(
        bytes in datagram_bytes(),
    ) {
        check_any(&bytes);
    }

    #[test]
    fn arbitrary_bytes_satisfy_the_reference(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_any(&bytes);
    }

    #[test]
    fn generated_datagrams_give_exactly_the_reference_events_under_the_cap(
        script in proptest::collection::vec(any::<u8>(), 0..420),
    ) {
        check_script(&script);
    }

    #[test]
    fn match_state_shows_the_last_values_sent_since_pre(
        datagrams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..30), 0..60),
    ) {
        // Each datagram is built from the reference's templates so real values reach the state.
        let mut events: Vec<Event> = Vec::new();
        let mut state = MatchState::new();
        for script in &datagrams {
            let text = crate::oracle::script_text(script);
            for e in parse_datagram(text.as_bytes()) {
                state.apply(&e);
                events.push(e);
            }
        }
        check_state(&events, &state);
    }
}

/// The real example match (the fuzz corpus's seed) satisfies the reference datagram by datagram,
/// and its final state is the one read off its events.
#[test]
fn the_example_match_satisfies_the_reference() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/example-match.pss"
    );
    let file = std::fs::read(path).expect("example stream");
    let datagrams = courtside::stream_file::datagrams(&file);
    assert_eq!(datagrams.len(), 49);
    let mut events = Vec::new();
    let mut state = MatchState::new();
    for d in &datagrams {
        check_any(&d.bytes);
        for e in parse_datagram(&d.bytes) {
            state.apply(&e);
            events.push(e);
        }
    }
    check_state(&events, &state);
    assert_eq!((state.blue.score, state.red.score), (6, 5));
}
