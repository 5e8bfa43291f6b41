//! What a venue network sends beyond the spec: hostile volumes in one datagram (bounded), and
//! what real TkStrike 2025 and KP&P traffic contains (`win;TIE`, `m.ss` clocks, round
//! statistics, the PSS's own link status lines, closed reviews, empty officials).

use crate::parser::{both_framings, brk, ch, clk, ij, pt, to, wg};
use courtside::match_state::MatchState;
use courtside::protocol::{
    Athlete::{Blue, Red},
    AthleteRoundStats, BreakAction, ChallengeStatus, ClockAction, Event, InjuryAction, MAX_EVENTS,
    MAX_MESSAGES, PointKind, RoundStats, parse_datagram, parse_text,
};

/// The one "too many messages" event, and how many messages it says were dropped.
fn dropped_count(e: &Event) -> usize {
    let Event::Malformed { code, reason, .. } = e else {
        panic!("expected the too-many-messages event, got {e:?}");
    };
    assert_eq!(code, "");
    assert!(reason.contains("too many messages"), "{reason}");
    let n = reason
        .split(", ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok());
    n.unwrap_or_else(|| panic!("no dropped count in {reason:?}"))
}

#[test]
fn a_60_kb_datagram_of_separator_lines_yields_65_events_not_20_000() {
    let datagram = ";;\n".repeat(20_000);
    assert_eq!(datagram.len(), 60_000);
    let events = parse_datagram(datagram.as_bytes());
    assert_eq!(events.len(), MAX_MESSAGES + 1);
    assert!(events[..MAX_MESSAGES].iter().all(|e| matches!(
        e,
        Event::Malformed { reason, .. } if reason == "no message in datagram"
    )));
    assert_eq!(dropped_count(&events[MAX_MESSAGES]), 20_000 - MAX_MESSAGES);
    // Applied, they are 65 messages, not 20 000.
    let state = MatchState::from_events(&events);
    assert_eq!(state.counts.messages, 65);
    assert_eq!(state.counts.malformed, 65);
}

#[test]
fn a_thousand_punches_in_one_datagram_count_64_punches_and_one_too_many_event() {
    for sep in [";", "\r\n"] {
        let datagram = format!("pt1;1{sep}").repeat(1_000);
        let events = parse_text(&datagram);
        assert_eq!(events.len(), MAX_MESSAGES + 1, "separator {sep:?}");
        assert!(
            events[..MAX_MESSAGES]
                .iter()
                .all(|e| *e == pt(Blue, PointKind::Punch))
        );
        assert_eq!(dropped_count(&events[MAX_MESSAGES]), 1_000 - MAX_MESSAGES);
        let state = MatchState::from_events(&events);
        assert_eq!(state.blue.points.punch, 64, "not 1 000 punches");
    }
}

#[test]
fn paired_messages_count_once_and_a_group_is_kept_or_dropped_whole() {
    // A full score group (six events) and 58 punches: 59 messages, 64 events, nothing dropped.
    let datagram = format!(
        "s11;1;s21;2;s12;3;s22;4;s13;5;s23;6;{}",
        "pt2;3;".repeat(58)
    );
    let events = parse_text(&datagram);
    assert_eq!(events.len(), 64);
    assert!(!events.iter().any(|e| matches!(e, Event::Malformed { .. })));
    // 64 gam-jeom pairs are 64 messages but 128 events: the first 32 pairs fit the event limit,
    // each whole, and the other 32 pairs are counted as 32 dropped messages.
    let events = parse_text(&"wg1;0;wg2;1;".repeat(64));
    assert_eq!(events.len(), MAX_EVENTS + 1);
    for pair in events[..MAX_EVENTS].chunks(2) {
        assert_eq!(pair, [wg(Blue, 0), wg(Red, 1)]);
    }
    assert_eq!(dropped_count(&events[MAX_EVENTS]), 32);
    // A pair that would be split by the limit is dropped whole.
    let events = parse_text(&format!("{}wg1;0;wg2;1;", "pt1;1;".repeat(63)));
    assert_eq!(events.len(), 64);
    assert_eq!(events[62], pt(Blue, PointKind::Punch));
    assert_eq!(dropped_count(&events[63]), 1);
}

#[test]
fn a_real_datagram_is_never_cut() {
    let bytes = std::fs::read(crate::support::example_stream()).expect("example stream");
    for line in courtside::stream_file::datagrams(&bytes) {
        let events = parse_datagram(&line.bytes);
        assert!(
            !events.iter().any(|e| matches!(
                e,
                Event::Malformed { reason, .. } if reason.contains("too many")
            )),
            "line {}",
            line.line
        );
    }
}

#[test]
fn win_tie_is_a_tie_not_malformed() {
    both_framings("win;TIE", &[Event::MatchTie]);
    both_framings("win;tie", &[Event::MatchTie]);
    assert_eq!(Event::MatchTie.label(), "Match ended in a tie");
    assert_eq!(Event::MatchTie.code(), "win");
    assert!(Event::MatchTie.ends_match());
    // Still refused: anything else.
    assert!(matches!(
        &parse_text("win;DRAW")[..],
        [Event::Malformed { reason, .. }] if reason.contains("BLUE, RED or TIE")
    ));
}

#[test]
fn kpp_dotted_clock_values_are_read_wherever_m_ss_is() {
    both_framings("clk;0.00;stopEnd", &[clk(0, Some(ClockAction::StopEnd))]);
    both_framings("clk;1.59", &[clk(119, None)]);
    both_framings("brk;0.45", &[brk(45, None)]);
    both_framings("brk;0.00;stopEnd", &[brk(0, Some(BreakAction::StopEnd))]);
    both_framings(
        "ij1;1.00;show",
        &[ij(Some(Blue), 60, Some(InjuryAction::Show))],
    );
    both_framings("to2;0.30;start", &[to(Red, 30, Some(ClockAction::Start))]);
    // KP&P's space-padded numbers beside it.
    both_framings("clk; 0.00;stopEnd", &[clk(0, Some(ClockAction::StopEnd))]);
    // Not a clock: seconds must be two digits, under 60, and the minutes digits.
    for bad in ["clk;1.5", "clk;1.60", "clk;.30", "clk;1.3a", "clk;1.2.3"] {
        assert!(
            matches!(&parse_text(bad)[..], [Event::Malformed { reason, .. }] if reason.contains("m.ss")),
            "{bad}"
        );
    }
}

fn stats(round: u32, blue: [u32; 3], red: [u32; 3]) -> Event {
    let side = |[body, head, gam_jeom]: [u32; 3]| AthleteRoundStats {
        body,
        head,
        other: ["0".into(), "0".into(), "0".into()],
        gam_jeom,
    };
    Event::RoundStats(Box::new(RoundStats {
        round,
        blue: side(blue),
        red: side(red),
    }))
}

#[test]
fn round_statistics_parse_into_typed_counts() {
    both_framings(
        "rst;1;st1;2;1;0;0;0;1;st2;0;2;0;0;0;0",
        &[stats(1, [2, 1, 1], [0, 2, 0])],
    );
    both_framings("rsr", &[Event::RoundStatsEnd]);
    // As TkStrike sends them at a round end, one datagram each, and both in one datagram.
    assert_eq!(
        parse_text("rst;2;st1;1;0;0;0;0;0;st2;3;1;0;0;0;2;\r\nrsr;\r\n"),
        [stats(2, [1, 0, 0], [3, 1, 2]), Event::RoundStatsEnd]
    );
    // Fields c–e are kept as sent.
    let events = parse_text("rst;3;st1;0;0;7;x; 9 ;0;st2;0;0;0;0;0;0;");
    let [Event::RoundStats(s)] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(s.blue.other, ["7", "x", "9"]);
    assert_eq!(
        stats(1, [2, 1, 1], [0, 2, 0]).label(),
        "Round 1 stats: blue body 2 head 1 gam-jeom 1 · red body 0 head 2 gam-jeom 0"
    );
    assert_eq!(Event::RoundStatsEnd.code(), "rsr");
}

#[test]
fn bad_round_statistics_are_malformed_naming_the_field() {
    for (text, reason) in [
        ("rst;", "missing round"),
        (
            "rst;0;st1;0;0;0;0;0;0;st2;0;0;0;0;0;0;",
            "round must be 1–9, got 0",
        ),
        (
            "rst;10;st1;0;0;0;0;0;0;st2;0;0;0;0;0;0;",
            "round must be 1–9, got 10",
        ),
        ("rst;1;st1;0;0;0;0;0;0;", "got 7"),
        (
            "rst;1;st2;0;0;0;0;0;0;st1;0;0;0;0;0;0;",
            "expected 'st1', got 'st2'",
        ),
        (
            "rst;1;st1;x;0;0;0;0;0;st2;0;0;0;0;0;0;",
            "body points is not a whole number",
        ),
        (
            "rst;1;st1;0;-1;0;0;0;0;st2;0;0;0;0;0;0;",
            "head points is not a whole number",
        ),
        (
            "rst;1;st1;0;0;0;0;0;0;st2;0;0;0;0;0;;",
            "missing gam-jeom count",
        ),
    ] {
        let events = parse_text(text);
        assert!(
            matches!(&events[..], [Event::Malformed { code, reason: r, .. }] if code == "rst" && r.contains(reason)),
            "{text}: {events:?}"
        );
    }
    // A bad rst does not swallow the next message.
    assert_eq!(
        parse_text("rst;1;st1;0;pt1;2")[1],
        pt(Blue, PointKind::Body)
    );
}

#[test]
fn pss_link_status_lines_are_link_events() {
    both_framings(
        "Udp Port 8888 connected",
        &[Event::PssLink {
            port: Some(8888),
            connected: true,
        }],
    );
    both_framings(
        "Udp Port 6000 disconnected",
        &[Event::PssLink {
            port: Some(6000),
            connected: false,
        }],
    );
    both_framings(
        "disconnected",
        &[Event::PssLink {
            port: None,
            connected: false,
        }],
    );
    assert_eq!(
        parse_text("Udp Port 8888 connected;")[0].label(),
        "PSS link: port 8888 connected"
    );
    assert_eq!(
        parse_text("disconnected;")[0].label(),
        "PSS link: disconnected"
    );
    // Mid-match, between two messages of the same datagram.
    assert_eq!(
        parse_text("clk;1:00\r\nUdp Port 8888 connected;\r\npt1;2\r\n"),
        [
            clk(60, None),
            Event::PssLink {
                port: Some(8888),
                connected: true
            },
            pt(Blue, PointKind::Body)
        ]
    );
    // A port that is no port is refused, not dropped or guessed.
    assert!(matches!(
        &parse_text("Udp Port 99999 connected;")[..],
        [Event::Malformed { reason, .. }] if reason.contains("'99999'")
    ));
}

#[test]
fn challenge_minus_one_is_a_closed_review() {
    both_framings("ch1;-1", &[ch(Some(Blue), ChallengeStatus::Closed)]);
    assert_eq!(parse_text("ch2;-1")[0].label(), "Challenge review closed");
    let mut state = MatchState::new();
    for e in parse_text("ch2;1\r\nch2;-1\r\n") {
        state.apply(&e);
    }
    let c = state.challenge.expect("challenge shown");
    assert_eq!((c.by.as_str(), c.status.as_str()), ("red", "closed"));
}

#[test]
fn stored_events_keep_their_bincode_variant_indices() {
    use courtside::store::codec::{decode, encode};
    // Challenge is variant 4, None is 0, and the closed review is the status once named
    // `Cancelled` (index 4): stores written before the rename decode to `Closed`.
    let bytes = encode(&ch(None, ChallengeStatus::Closed), "event").unwrap();
    assert_eq!(bytes, [4, 0, 4]);
    assert_eq!(
        decode::<Event>(&[4, 0, 4], "event").unwrap(),
        ch(None, ChallengeStatus::Closed)
    );
    // New variants come after Malformed (26).
    assert_eq!(encode(&Event::MatchTie, "event").unwrap(), [27]);
    assert_eq!(encode(&Event::RoundStatsEnd, "event").unwrap(), [29]);
    // JSON written with the old name still reads.
    let old: ChallengeStatus = serde_json::from_str("\"Cancelled\"").unwrap();
    assert_eq!(old, ChallengeStatus::Closed);
}

#[test]
fn empty_officials_read_as_no_officials_listed() {
    let events = parse_text("ref;;;ju1;;;ju2;;;ta;;;");
    assert_eq!(events[0].label(), "No officials listed");
    assert_eq!(parse_text("ref\r\n")[0].label(), "No officials listed");
    assert_eq!(
        parse_text("ref;KIM Min;KOR;ju1;;;ju2;LEE;JPN;ta;;;")[0].label(),
        "Officials: referee KIM Min (KOR) · ju2 LEE (JPN)"
    );
}
