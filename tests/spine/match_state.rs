//! MatchState: the example match replays to a final state written by hand from the stream, and
//! focused tests of each rule (pre resets, sc is the truth, injury, challenge, break, winner).

use courtside::match_state::MatchState;
use courtside::protocol::Athlete;
use courtside::protocol::parse_text;
use courtside::stream_file;
use serde_json::{Value, json};

/// Apply each line (one datagram each) to a fresh state.
pub fn state_of(lines: &[&str]) -> MatchState {
    let mut s = MatchState::new();
    for l in lines {
        for e in parse_text(l) {
            s.apply(&e);
        }
    }
    s
}

/// Replay a stream file's datagrams.
pub fn replay_file(bytes: &[u8]) -> MatchState {
    let mut s = MatchState::new();
    for line in stream_file::datagrams(bytes) {
        for e in courtside::protocol::parse_datagram(&line.bytes) {
            s.apply(&e);
        }
    }
    s
}

/// The final state of `example-match.pss`, worked out by hand from the stream:
/// - `Udp Port 6000 connected;` comes before `pre`, so the reset wipes its count;
/// - from `pre` on there are 81 messages (paired lines count each message: at 2, wg 2, s.. 6,
///   sc 2), none unknown or malformed;
/// - scores come from the last `sc1;6;sc2;5;` and `s11;3;…;s13;3;s23;0;`, penalties from
///   `wg1;0;wg2;1;`, rounds won from `wrd;rd1;1;rd2;2;rd3;1;`;
/// - points by type: blue `pt1;2` (body) and `pt1;3` (head), red `pt2;5` (turning head);
/// - the challenge `ch1;1;0;` (blue, accepted, lost) in round 2 is over: round 3's clock started
///   after it, so no challenge is shown; breaks ended with `stopEnd`.
pub fn example_final_state() -> Value {
    let no_points = json!({"punch": 0, "body": 0, "head": 0, "tech_body": 0, "tech_head": 0});
    let mut blue_points = no_points.clone();
    blue_points["body"] = 1.into();
    blue_points["head"] = 1.into();
    let mut red_points = no_points;
    red_points["tech_head"] = 1.into();
    json!({
        "match": {
            "number": "204",
            "phase": "Quarterfinal",
            "weight": "M- 68 kg",
            "division": "Senior",
            "match_id": "9f3e21aa",
            "total_rounds": 3,
            "round_seconds": 120,
            "colors": {
                "blue_bg": "#0000ff", "blue_fg": "#FFFFFF",
                "red_bg": "#ff0000", "red_fg": "#FFFFFF",
            },
        },
        "round": 3,
        "clock": "0:00",
        "clock_running": false,
        "break_clock": null,
        "injury": null,
        "round_winners": [1, 2, 1],
        "winner": "blue",
        "decision": "2-1 PTF",
        "blue": {
            "short_name": "K. TANAKA",
            "long_name": "Kenji TANAKA",
            "country": "JPN",
            "score": 6,
            "round_scores": [3, 0, 3],
            "penalties": 0,
            "rounds_won": 2,
            "points": blue_points,
            "last_hit_level": 72,
        },
        "red": {
            "short_name": "L. MOREAU",
            "long_name": "Lucas MOREAU",
            "country": "FRA",
            "score": 5,
            "round_scores": [0, 5, 0],
            "penalties": 1,
            "rounds_won": 1,
            "points": red_points,
            "last_hit_level": 88,
        },
        "challenge": null,
        "timeout": null,
        "ready": true,
        "counts": {"messages": 81, "unknown": 0, "malformed": 0},
        // Added later (additions only): the example match ends with a winner and its stream
        // has no round statistics.
        "tie": false,
        "round_stats": [],
    })
}

#[test]
fn example_match_replays_to_the_hand_written_state() {
    let bytes = std::fs::read(crate::support::example_stream()).expect("example stream");
    let state = replay_file(&bytes);
    assert_eq!(serde_json::to_value(&state).unwrap(), example_final_state());
    // The pretty JSON printed by `courtside replay --json` is the same document.
    let pretty: Value = serde_json::from_str(&state.to_json_pretty()).unwrap();
    assert_eq!(pretty, example_final_state());
}

#[test]
fn match_id_is_null_when_sent_as_null_or_empty() {
    for id in ["null", ""] {
        let s = state_of(&[&format!(
            "mch;9;Final;+80 kg;;#00f;#fff;#f00;#fff;{id};Senior;3;120;cntDown;18;1;"
        )]);
        assert_eq!(
            serde_json::to_value(&s).unwrap()["match"]["match_id"],
            Value::Null
        );
    }
}

#[test]
fn pre_resets_everything() {
    let s = state_of(&[
        "at1;A;Anna A;KOR;at2;B;Bo B;CHN;",
        "sc1;7;sc2;3;",
        "wg1;2;wg2;0;",
        "ij1;1:00;show;",
        "win;BLUE;",
        "xyz;1;",
        "pre;FightLoaded;",
    ]);
    let mut fresh = MatchState::new();
    fresh.counts.messages = 1;
    assert_eq!(s, fresh, "only the pre itself is counted after the reset");
}

#[test]
fn sc_is_the_truth_and_points_never_add_to_the_score() {
    let mut s = state_of(&["sc1;4;sc2;1;", "pt1;3;", "pt1;3;", "pt2;1;"]);
    assert_eq!(
        (s.blue.score, s.red.score),
        (4, 1),
        "pt leaves the score alone"
    );
    assert_eq!(
        (s.blue.points.head, s.red.points.punch),
        (2, 1),
        "pt is counted by type"
    );
    for e in parse_text("sc1;2;") {
        s.apply(&e);
    }
    assert_eq!(
        s.blue.score, 2,
        "a lower sc (a correction) is taken as it is"
    );
    for e in parse_text("s12;5;") {
        s.apply(&e);
    }
    assert_eq!((s.blue.round_scores, s.blue.score), ([0, 5, 0], 2));
}

#[test]
fn injury_show_hide_reset() {
    let mut s = MatchState::new();
    let mut step = |line: &str| {
        for e in parse_text(line) {
            s.apply(&e);
        }
        serde_json::to_value(&s).unwrap()["injury"].clone()
    };
    assert_eq!(
        step("ij1;1:00;show;"),
        json!({"athlete": "blue", "clock": "1:00", "visible": true})
    );
    assert_eq!(
        step("ij1;0:59;"),
        json!({"athlete": "blue", "clock": "0:59", "visible": true}),
        "a tick keeps it shown"
    );
    assert_eq!(
        step("ij1;0:58;hide;"),
        json!({"athlete": "blue", "clock": "0:58", "visible": false})
    );
    assert_eq!(
        step("ij1;0:57;"),
        json!({"athlete": "blue", "clock": "0:57", "visible": false}),
        "a tick keeps it hidden"
    );
    assert_eq!(
        step("ij0;0:40;show;"),
        json!({"athlete": null, "clock": "0:40", "visible": true})
    );
    assert_eq!(step("ij2;0:00;reset;"), Value::Null);
    assert_eq!(
        step("ij2;1:00;"),
        json!({"athlete": "red", "clock": "1:00", "visible": true}),
        "a new injury clock without a word is shown"
    );
}

#[test]
fn challenge_states() {
    let cases = [
        ("ch1;", "blue", "requested"),
        ("ch1;1;", "blue", "accepted"),
        ("ch2;1;1;", "red", "won"),
        ("ch2;1;0;", "red", "lost"),
        ("ch0;0;", "referee", "rejected"),
        ("ch0;-1;", "referee", "closed"),
    ];
    let mut s = MatchState::new();
    for (line, by, status) in cases {
        for e in parse_text(line) {
            s.apply(&e);
        }
        assert_eq!(
            serde_json::to_value(&s).unwrap()["challenge"],
            json!({"by": by, "status": status}),
            "{line}"
        );
    }
}

#[test]
fn a_challenge_is_shown_until_the_fight_resumes_or_the_round_changes() {
    let challenge = |s: &MatchState| serde_json::to_value(s).unwrap()["challenge"].clone();
    let mut s = state_of(&[
        "rnd;2;",
        "clk;1:59;start;",
        "clk;1:59;stop;",
        "ch1;",
        "ch1;1;0;",
    ]);
    assert_eq!(challenge(&s), json!({"by": "blue", "status": "lost"}));
    // A clock correction or a repeated round number while stopped changes nothing.
    for line in ["clk;1:58;corr;", "rnd;2;", "clk;1:58;"] {
        s.apply(&parse_text(line)[0]);
        assert_eq!(challenge(&s)["status"], "lost", "{line}");
    }
    s.apply(&parse_text("clk;1:58;start;")[0]);
    assert_eq!(challenge(&s), Value::Null, "cleared when the fight resumes");

    let mut s = state_of(&["rnd;2;", "clk;0:00;stopEnd;", "ch2;", "ch2;1;1;"]);
    assert_eq!(challenge(&s), json!({"by": "red", "status": "won"}));
    s.apply(&parse_text("rnd;3;")[0]);
    assert_eq!(challenge(&s), Value::Null, "cleared when the round changes");
}

#[test]
fn break_clock_counts_down_and_ends() {
    let mut s = state_of(&["clk;2:00;start;", "clk;0:00;stopEnd;", "brk;0:59;"]);
    assert_eq!(s.break_clock.as_deref(), Some("0:59"));
    assert!(!s.clock_running);
    for (line, expected) in [
        ("brk;0:58;", Some("0:58")),
        ("brk;0:30;stop;", Some("0:30")),
        ("brk;0:00;stopEnd;", None),
        ("brk;45;", Some("0:45")),
        ("clk;2:00;start;", None),
    ] {
        for e in parse_text(line) {
            s.apply(&e);
        }
        assert_eq!(s.break_clock.as_deref(), expected, "{line}");
    }
    assert!(s.clock_running, "the round started and ended the break");
}

#[test]
fn winner_and_decision() {
    let names = "at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;";
    let s = state_of(&[names, "wmh;Lucas MOREAU;2-0 PTF;"]);
    assert_eq!(
        (s.winner, s.decision.as_deref()),
        (Some(Athlete::Red), Some("2-0 PTF")),
        "wmh alone names the winner by long name"
    );
    let s = state_of(&[names, "wmh;K. TANAKA;"]);
    assert_eq!(
        (s.winner, s.decision),
        (Some(Athlete::Blue), None),
        "or by short name"
    );
    let s = state_of(&[names, "win;RED;", "wmh;Kenji TANAKA;2-1 SUP;"]);
    assert_eq!(
        (s.winner, s.decision.as_deref()),
        (Some(Athlete::Red), Some("2-1 SUP")),
        "win is authoritative; wmh only adds the decision"
    );
    let s = state_of(&[names, "wmh;Somebody Else;DSQ;"]);
    assert_eq!((s.winner, s.decision.as_deref()), (None, Some("DSQ")));
    let s = state_of(&[names, "wmh;Lucas MOREAU;", "win;BLUE;"]);
    assert_eq!(s.winner, Some(Athlete::Blue), "a later win overrides");
}

#[test]
fn rounds_won_follow_each_wrd() {
    let s = state_of(&["wrd;rd1;1;rd2;2;rd3;1;", "wrd;rd1;1;rd2;1;rd3;0;"]);
    assert_eq!(
        (s.round_winners, s.blue.rounds_won, s.red.rounds_won),
        ([1, 1, 0], 2, 0)
    );
}

#[test]
fn unknown_and_malformed_are_counted() {
    let s = state_of(&["pre;FightLoaded;", "qqq;1;", "sc1;x;sc2;3;", ""]);
    assert_eq!(
        serde_json::to_value(s.counts).unwrap(),
        json!({"messages": 5, "unknown": 1, "malformed": 2})
    );
    assert_eq!(s.red.score, 3, "the good half of a datagram still counts");
}

#[test]
fn clock_and_timeout() {
    let s = state_of(&["clk;2:00;start;", "clk;1:59;", "clk;1:30;corr;"]);
    assert_eq!((s.clock.as_str(), s.clock_running), ("1:30", true));
    let s = state_of(&["clk;1:10;start;", "clk;1:09;stop;", "to2;1:00;start;"]);
    assert_eq!((s.clock.as_str(), s.clock_running), ("1:09", false));
    assert_eq!(
        serde_json::to_value(&s).unwrap()["timeout"],
        json!({"athlete": "red", "clock": "1:00"})
    );
    let s = state_of(&["to2;1:00;start;", "to2;0:00;stopEnd;"]);
    assert_eq!(s.timeout, None);
}

#[test]
fn a_truncated_athlete_resend_keeps_the_known_names() {
    // TkStrike counts the datagram length in UTF-16 units: with accented names the end is cut.
    let full = "at1;K. TANAKA;Kenji TANAKA;JPN;at2;Ł. MÜLLER;Łukasz MÜLLER;GER";
    let s = state_of(&[
        full,
        "at1;K. TANAKA;Kenji TANAKA;JPN;at2;Ł. MÜLLER;Łukasz MÜ",
    ]);
    assert_eq!(s.red.long_name, "Łukasz MÜLLER");
    assert_eq!(s.red.country, "GER");
    assert_eq!(s.blue.long_name, "Kenji TANAKA");
    // Cut inside the short name: still the same athlete.
    let s = state_of(&[full, "at1;K. TANAKA;Kenji TANAKA;JPN;at2;Ł. MÜ"]);
    assert_eq!(
        (
            s.red.short_name.as_str(),
            s.red.long_name.as_str(),
            s.red.country.as_str()
        ),
        ("Ł. MÜLLER", "Łukasz MÜLLER", "GER")
    );
    // A different athlete, cut: what arrived is shown, nothing of the previous one.
    let s = state_of(&[full, "at1;K. TANAKA;Kenji TANAKA;JPN;at2;A. SILVA;Ana SIL"]);
    assert_eq!(
        (
            s.red.short_name.as_str(),
            s.red.long_name.as_str(),
            s.red.country.as_str()
        ),
        ("A. SILVA", "Ana SIL", "")
    );
    // A new match resets: a cut name is all there is.
    let s = state_of(&[
        full,
        "pre;FightLoaded",
        "at1;K. TANAKA;Kenji TANAKA;JPN;at2;Ł. MÜ",
    ]);
    assert_eq!(s.red.short_name, "Ł. MÜ");
    assert_eq!(s.red.long_name, "");
    // An untruncated resend replaces everything, even with shorter values.
    let s = state_of(&[
        full,
        "at1;K. TANAKA;Kenji TANAKA;JPN;at2;Ł. MÜLLER;Łukasz M;GER",
    ]);
    assert_eq!(s.red.long_name, "Łukasz M");
}

#[test]
fn a_tie_ends_the_match_with_no_winner_and_keeps_its_decision() {
    let names = "at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;";
    // As TkStrike 2025 sent a withdrawal: `win;TIE`, then `wmh` with an empty name.
    let s = state_of(&[names, "win;TIE", "wmh;;0-0 WDR"]);
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(
        (&v["winner"], &v["tie"], &v["decision"]),
        (&Value::Null, &json!(true), &json!("0-0 WDR"))
    );
    assert_eq!(s.counts.malformed, 0);
    // A winner sent after the tie replaces it, and a tie after a winner clears the winner.
    let s = state_of(&[names, "win;TIE", "win;RED"]);
    assert_eq!((s.winner, s.tie), (Some(Athlete::Red), false));
    let s = state_of(&[names, "win;BLUE", "win;TIE", "wmh;Kenji TANAKA;"]);
    assert_eq!(
        (s.winner, s.tie),
        (None, true),
        "wmh names no winner of a tie"
    );
    // The next match starts without it.
    let s = state_of(&["win;TIE", "pre;FightLoaded"]);
    assert!(!s.tie);
}

#[test]
fn a_tie_marks_the_stored_match_ended() {
    let mut record = courtside::store::MatchRecord::start_at(1, "", 10);
    record.absorb_events(&parse_text("clk;0:00;stopEnd"), 20);
    assert_eq!(record.ended_at_ns, None);
    record.absorb_events(&parse_text("win;TIE"), 30);
    assert_eq!(record.ended_at_ns, Some(30));
    assert!(record.state.tie);
}

#[test]
fn round_statistics_are_kept_per_round_in_round_order() {
    let s = state_of(&[
        "rnd;2;",
        "rst;2;st1;1;0;0;0;0;0;st2;0;1;0;0;0;1;",
        "rsr;",
        "rst;1;st1;2;1;0;0;0;0;st2;0;0;0;0;0;0;",
        "rst;2;st1;1;1;0;0;0;0;st2;0;1;0;0;0;1;",
    ]);
    let v = serde_json::to_value(&s).unwrap();
    let other = json!(["0", "0", "0"]);
    let side = |body: u32, head: u32, gam_jeom: u32| json!({"body": body, "head": head, "other": other, "gam_jeom": gam_jeom});
    assert_eq!(
        v["round_stats"],
        json!([
            {"round": 1, "blue": side(2, 1, 0), "red": side(0, 0, 0)},
            {"round": 2, "blue": side(1, 1, 0), "red": side(0, 1, 1)},
        ]),
        "round 2 sent again replaces its entry"
    );
    assert_eq!(s.counts.messages, 5);
    assert_eq!((s.counts.unknown, s.counts.malformed), (0, 0));
    let s = state_of(&["rst;1;st1;2;1;0;0;0;0;st2;0;0;0;0;0;0;", "pre;FightLoaded;"]);
    assert!(s.round_stats.is_empty(), "a new match starts without them");
}

#[test]
fn kpp_period_separator_stops_the_clock_and_link_lines_are_not_unknown() {
    let s = state_of(&[
        "pre;FightLoaded;",
        "clk;1:00;start;",
        "Udp Port 8888 connected;",
        "clk;0.00;stopEnd;",
        "brk;0.59;",
        "disconnected;",
    ]);
    assert_eq!(
        (s.clock.as_str(), s.clock_running, s.break_clock.as_deref()),
        ("0:00", false, Some("0:59"))
    );
    assert_eq!(
        serde_json::to_value(s.counts).unwrap(),
        json!({"messages": 6, "unknown": 0, "malformed": 0})
    );
}

#[test]
fn a_clock_heard_ticking_without_its_start_runs_and_a_reset_or_correction_does_not() {
    // Courtside started mid-round (or the state came from the PSS's answers): `start` was never
    // heard, but the ticks step one second at a time, so the clock runs (not shown stopped/red).
    let mut s = state_of(&["clk;1:23;"]);
    assert!(!s.clock_running, "one value alone says nothing");
    for e in parse_text("clk;1:22;") {
        s.apply(&e);
    }
    assert!(s.clock_running, "a one-second step is a running clock");
    // Stopped, then the next round's clock is set: a reset, not a tick.
    let s = state_of(&["clk;1:22;start;", "clk;0:00;stopEnd", "clk;02:00;"]);
    assert!(!s.clock_running);
    // A correction by one second while stopped is not a tick either.
    let s = state_of(&["clk;1:40;stop;", "clk;1:41;corr;"]);
    assert!(!s.clock_running);
    // Counting up steps the other way.
    let s = state_of(&["clk;0:00;", "clk;0:01;"]);
    assert!(s.clock_running);
}

/// A match record's state as the build before `winner` was typed (`Option<String>`) stored it:
/// the state of [`stored_before_the_typed_winner`]'s lines, bincode-encoded by that build.
const STATE_STORED_BEFORE_TYPED_WINNER: &str = "00000000000000000000000004303a3030000001010372\
656404303a35390100000001037265640107322d3120505446034b494d094b696d204d696e686f034b4f5206000000\
0000000000000000034c4545074c6565204a756e034b4f52050000000000000000000000000104626c756504303a33\
30000900000000";

fn stored_before_the_typed_winner() -> MatchState {
    state_of(&[
        "pre;",
        "at1;KIM;Kim Minho;KOR;at2;LEE;Lee Jun;KOR;",
        "sc1;6;sc2;5;",
        "ij2;0:59;show;",
        "to1;0:30;",
        "win;RED;",
        "wmh;Lee Jun;2-1 PTF;",
    ])
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_state_stored_with_a_text_winner_still_loads_and_is_stored_again_byte_for_byte() {
    use courtside::store::codec;
    let old = unhex(STATE_STORED_BEFORE_TYPED_WINNER);
    let loaded: MatchState = codec::decode(&old, "match").expect("the old record decodes");
    assert_eq!(loaded.winner, Some(Athlete::Red));
    assert_eq!(loaded, stored_before_the_typed_winner());
    // Same bytes: no layout change, so `matches_layout` stays and no store is rebuilt.
    assert_eq!(codec::encode(&loaded, "match").unwrap(), old);
}

#[test]
fn the_winner_is_its_colour_name_in_json() {
    let s = stored_before_the_typed_winner();
    let json = s.to_json_pretty();
    assert!(json.contains("\n  \"winner\": \"red\",\n"), "{json}");
    let back: MatchState = serde_json::from_str(&json).expect("parses back");
    assert_eq!(back, s);
    let none = state_of(&["pre;"]).to_json_pretty();
    assert!(none.contains("\n  \"winner\": null,\n"), "{none}");
}

#[test]
fn a_stored_or_json_winner_other_than_blue_or_red_is_an_error_naming_it() {
    // The stored winner "red" (length 3; the last "red": the injury's comes first) becomes "rex".
    let mut bytes = unhex(STATE_STORED_BEFORE_TYPED_WINNER);
    let at = bytes
        .windows(5)
        .rposition(|w| w == [1, 3, b'r', b'e', b'd'])
        .expect("the winner's bytes");
    bytes[at + 4] = b'x';
    let e = courtside::store::codec::decode::<MatchState>(&bytes, "match")
        .expect_err("not a side")
        .to_string();
    assert!(
        e.contains("decode stored match") && e.contains("side must be blue or red, got 'rex'"),
        "{e}"
    );
    let mut v = serde_json::to_value(stored_before_the_typed_winner()).unwrap();
    v["winner"] = "Green".into();
    let e = serde_json::from_value::<MatchState>(v)
        .expect_err("not a side")
        .to_string();
    assert!(e.contains("side must be blue or red, got 'Green'"), "{e}");
}
