//! Property tests of the parser: it never panics, and encoding a well-formed event (or a datagram
//! of several) then parsing it gives the same events back.

use crate::oracle::check_any;
use courtside::protocol::{
    Athlete, BreakAction, ChallengeStatus, Clock, ClockAction, Event, InjuryAction, MAX_EVENTS,
    MatchConfig, PointKind, encode_datagram, encode_event, parse_datagram, parse_text,
};
use proptest::prelude::*;

/// Moderate, so `cargo test` stays quick on a 2-core machine.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(200)
}

/// Text that can never be read as a code (starts with a capital or accented letter).
const NAME: &str = "[A-ZÀ-Ý][^;\r\n]{0,12}";
/// Free text for positional fields (may be empty, may even look like a code).
const FREE: &str = "[^;\r\n]{0,12}";

fn athlete() -> impl Strategy<Value = Athlete> {
    prop_oneof![Just(Athlete::Blue), Just(Athlete::Red)]
}

fn clock() -> impl Strategy<Value = Clock> {
    (0u32..100_000).prop_map(Clock::from_secs)
}

fn clock_action() -> impl Strategy<Value = Option<ClockAction>> {
    proptest::option::of(prop_oneof![
        Just(ClockAction::Start),
        Just(ClockAction::Stop),
        Just(ClockAction::Corr),
        Just(ClockAction::StopEnd),
    ])
}

fn challenge() -> impl Strategy<Value = Event> {
    let status = prop_oneof![
        Just(ChallengeStatus::Requested),
        Just(ChallengeStatus::Accepted),
        any::<bool>().prop_map(|won| ChallengeStatus::Decided { won }),
        Just(ChallengeStatus::Rejected),
        Just(ChallengeStatus::Closed),
    ];
    (proptest::option::of(athlete()), status)
        .prop_map(|(by, status)| Event::Challenge { by, status })
}

fn match_config(full: bool) -> impl Strategy<Value = Event> {
    let present = if full { 15u8..=15 } else { 1u8..=15 };
    let texts = (
        "[0-9A-Z.]{0,5}",
        FREE,
        FREE,
        FREE,
        proptest::collection::vec("(#[0-9a-fA-F]{6})?", 4),
        proptest::option::of("[0-9a-f]{1,8}"),
        FREE,
        "(cntDown|cntUp)?",
    );
    let numbers = proptest::collection::vec(proptest::option::of(any::<u32>()), 4);
    (present, texts, numbers).prop_map(|(present, t, n)| {
        let (number, phase, weight, rounds_field, colours, match_id, division, count_mode) = t;
        let mut c = MatchConfig {
            number,
            phase,
            weight,
            rounds_field,
            blue_bg: colours[0].clone(),
            blue_fg: colours[1].clone(),
            red_bg: colours[2].clone(),
            red_fg: colours[3].clone(),
            match_id,
            division,
            total_rounds: n[0],
            round_seconds: n[1],
            count_mode,
            body_threshold: n[2],
            head_threshold: n[3],
            fields_present: present,
        };
        blank_missing_fields(&mut c);
        Event::MatchConfig(Box::new(c))
    })
}

/// A datagram cut after `fields_present` fields carries nothing after them.
fn blank_missing_fields(c: &mut MatchConfig) {
    let p = c.fields_present;
    let keep = |i: u8| p > i;
    let clear = |s: &mut String, i: u8| {
        if !keep(i) {
            s.clear()
        }
    };
    clear(&mut c.phase, 1);
    clear(&mut c.weight, 2);
    clear(&mut c.rounds_field, 3);
    clear(&mut c.blue_bg, 4);
    clear(&mut c.blue_fg, 5);
    clear(&mut c.red_bg, 6);
    clear(&mut c.red_fg, 7);
    c.match_id = c.match_id.take().filter(|_| keep(8));
    clear(&mut c.division, 9);
    c.total_rounds = c.total_rounds.filter(|_| keep(10));
    c.round_seconds = c.round_seconds.filter(|_| keep(11));
    clear(&mut c.count_mode, 12);
    c.body_threshold = c.body_threshold.filter(|_| keep(13));
    c.head_threshold = c.head_threshold.filter(|_| keep(14));
}

/// Events that can be followed by another message in the same datagram.
fn followable() -> impl Strategy<Value = Event> {
    let point = (athlete(), 1u8..=5).prop_map(|(a, k)| Event::Point {
        athlete: a,
        kind: PointKind::from_number(k).unwrap(),
    });
    let simple = prop_oneof![
        point,
        (athlete(), any::<u32>()).prop_map(|(athlete, level)| Event::HitLevel { athlete, level }),
        (athlete(), any::<u32>()).prop_map(|(athlete, count)| Event::Penalties { athlete, count }),
        (athlete(), any::<u32>()).prop_map(|(athlete, score)| Event::Score { athlete, score }),
        (athlete(), 1u8..=3, any::<u32>()).prop_map(|(athlete, round, score)| Event::RoundScore {
            athlete,
            round,
            score
        }),
        any::<u32>().prop_map(|value| Event::VideoTime { value }),
        any::<u32>().prop_map(|round| Event::Round { round }),
        any::<u32>().prop_map(|value| Event::Superiority { value }),
        any::<u32>().prop_map(|value| Event::HardwareTest { value }),
        Just(Event::FightLoaded),
        Just(Event::FightReady),
        Just(Event::Hello),
        Just(Event::Bye),
    ];
    let clocks = prop_oneof![
        (clock(), clock_action()).prop_map(|(clock, action)| Event::Clock { clock, action }),
        (athlete(), clock(), clock_action()).prop_map(|(athlete, clock, action)| Event::Timeout {
            athlete,
            clock,
            action
        }),
        (
            proptest::option::of(athlete()),
            clock(),
            proptest::option::of(prop_oneof![
                Just(InjuryAction::Show),
                Just(InjuryAction::Hide),
                Just(InjuryAction::Reset)
            ])
        )
            .prop_map(|(athlete, clock, action)| Event::Injury {
                athlete,
                clock,
                action
            }),
        (
            clock(),
            proptest::option::of(prop_oneof![
                Just(BreakAction::Stop),
                Just(BreakAction::StopEnd)
            ])
        )
            .prop_map(|(clock, action)| Event::Break { clock, action }),
    ];
    let texts = prop_oneof![
        challenge(),
        [0u8..=2, 0u8..=2, 0u8..=2].prop_map(|winners| Event::RoundWinners { winners }),
        (NAME, proptest::option::of("[0-9]-[0-9] [A-Z]{3}"))
            .prop_map(|(name, decision)| Event::WinnerShown { name, decision }),
        athlete().prop_map(|athlete| Event::Winner { athlete }),
        (athlete(), FREE, FREE, "[A-Z]{0,3}").prop_map(|(athlete, s, l, c)| Event::AthleteInfo {
            athlete,
            short_name: s,
            long_name: l,
            country: c,
            truncated: false,
        }),
        match_config(true),
        (
            prop_oneof![Just("inlb"), Just("insl"), Just("inth")],
            "[0-9]{0,3}"
        )
            .prop_map(|(code, value)| Event::LedSetting {
                code: code.into(),
                value
            }),
    ];
    prop_oneof![simple, clocks, texts]
}

/// Events that take every field up to the end of the datagram (or may, when cut short).
fn last_only() -> impl Strategy<Value = Event> {
    prop_oneof![
        proptest::collection::vec(FREE, 0..6).prop_map(|fields| Event::Referees { fields }),
        match_config(false),
    ]
}

/// An unknown message. Only alone in a datagram: after a message with optional fields (`clk`
/// without its action word) an unknown code cannot be told from that optional field.
fn unknown() -> impl Strategy<Value = Event> {
    (
        "Q[a-z]{2}|zz[0-9]",
        proptest::collection::vec("[A-Z0-9 ]{0,6}", 0..4),
    )
        .prop_map(|(code, fields)| Event::Unknown { code, fields })
}

/// Fragments the structured fuzz joins into datagrams: codes, numbers, words and junk.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "pt1",
            "hl2",
            "wg1",
            "wg2",
            "ij0",
            "ij1",
            "ch0",
            "ch2",
            "brk",
            "wrd",
            "wmh",
            "win",
            "at1",
            "at2",
            "mch",
            "s11",
            "s23",
            "sc1",
            "avt",
            "clk",
            "rnd",
            "pre",
            "rdy",
            "sup",
            "to1",
            "ref",
            "hel",
            "bye",
            "hwt",
            "inlb",
            "insl:",
            "inth:9:",
            "rd1",
            "rd2",
            "rd3",
            "1",
            "-1",
            "0",
            "",
            "1:00",
            "9:99",
            "start",
            "stopEnd",
            "show",
            "reset",
            "null",
            "BLUE",
            " ",
            "\u{FFFD}",
            "4294967296",
            "rst",
            "rsr",
            "st1",
            "0.00",
            "TIE",
            "Udp Port 8888 connected",
            "disconnected",
        ])
        .prop_map(String::from),
        "[^;]{0,6}",
        any::<u32>().prop_map(|n| n.to_string()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_trace_back_to_their_fields(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        check_any(&bytes);
        prop_assert_eq!(parse_datagram(&bytes), parse_text(&String::from_utf8_lossy(&bytes)));
    }

    #[test]
    fn structured_junk_traces_back_to_its_fields(
        tokens in proptest::collection::vec(token(), 0..24),
        crlf in any::<bool>(),
    ) {
        let mut text = tokens.join(";");
        if crlf {
            text.push_str("\r\n");
        }
        check_any(text.as_bytes());
    }

    #[test]
    fn one_event_round_trips(event in prop_oneof![followable(), last_only(), unknown()]) {
        let wire = encode_event(&event);
        prop_assert_eq!(parse_text(&wire), vec![event.clone()], "wire {:?}", wire);
        prop_assert_eq!(parse_datagram(wire.as_bytes()), vec![event]);
    }

    #[test]
    fn datagram_of_several_round_trips(
        mut events in proptest::collection::vec(followable(), 1..6),
        last in proptest::option::of(last_only()),
    ) {
        events.extend(last);
        let wire = encode_datagram(&events);
        prop_assert_eq!(parse_text(&wire), events.clone(), "wire {:?}", wire);
        // The same messages one per line, as TkStrike would concatenate them.
        let lines: Vec<String> = events.iter().map(encode_event).collect();
        let joined = lines.join("\r\n");
        prop_assert_eq!(parse_text(&joined), events, "lines {:?}", joined);
    }

    #[test]
    fn no_datagram_yields_more_than_65_events(
        tokens in proptest::collection::vec(token(), 0..600),
        seps in proptest::collection::vec(
            prop_oneof![Just(";"), Just("\r\n"), Just(";\n"), Just(";;"), Just("\n;")],
            1..4,
        ),
    ) {
        let mut text = String::new();
        for (i, t) in tokens.iter().enumerate() {
            text.push_str(t);
            text.push_str(seps[i % seps.len()]);
        }
        let events = parse_text(&text);
        check_any(text.as_bytes());
        prop_assert!(events.len() <= MAX_EVENTS + 1, "{} events", events.len());
        prop_assert!(events.len() <= 65);
    }

    #[test]
    fn a_long_datagram_keeps_a_whole_prefix_and_counts_the_rest(
        events in proptest::collection::vec(followable(), 1..150),
    ) {
        let parsed = parse_text(&encode_datagram(&events));
        prop_assert!(parsed.len() <= 65);
        let cut = matches!(
            parsed.last(),
            Some(Event::Malformed { reason, .. }) if reason.starts_with("too many messages")
        );
        let kept = parsed.len() - usize::from(cut);
        prop_assert_eq!(&parsed[..kept], &events[..kept]);
        prop_assert_eq!(cut, kept < events.len(), "cut only when something was left");
    }
}
