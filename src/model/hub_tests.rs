use super::*;
use crate::match_state::MatchState;
use crate::protocol::parse_datagram;

const SEC: i64 = 1_000_000_000;

fn view(court: &str, raws: &[&[u8]], stored_at: i64) -> CourtView {
    let mut state = MatchState::new();
    for raw in raws {
        for e in parse_datagram(raw) {
            state.apply(&e);
        }
    }
    CourtView {
        court: court.into(),
        match_key: 7,
        state,
        last_received_at_ns: stored_at - SEC,
        last_stored_at_ns: stored_at,
        datagrams: raws.len() as u64,
    }
}

fn rec(seq: u64, key: u64) -> EventRecord {
    EventRecord {
        seq,
        received_at_ns: seq as i64,
        source: String::new(),
        court: "1".into(),
        raw: b"clk;1:00;".to_vec(),
        events: Vec::new(),
        match_key: key,
    }
}

#[test]
fn a_court_row_shows_names_score_round_clock_and_its_age() {
    let v = view(
        "2",
        &[
            b"pre;FightLoaded;",
            b"at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;",
            b"mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1;",
            b"rnd;2;",
            b"clk;1:23;",
            b"sc1;4;sc2;1;",
        ],
        100 * SEC,
    );
    let row = court_row(&v, true, 103 * SEC);
    assert_eq!(row.court, "2");
    assert_eq!(row.blue, ("Kenji TANAKA".into(), "JPN".into()));
    assert_eq!(row.red, ("Lucas MOREAU".into(), "FRA".into()));
    assert_eq!(row.score, (4, 1));
    assert_eq!(row.round, "R2");
    assert_eq!(row.clock, "1:23");
    assert_eq!(row.age, "3 s ago");
    assert_eq!(row.connection, Connection::Live);
    assert!(row.badges.is_empty());
}

#[test]
fn a_court_silent_for_over_a_minute_is_stale_and_every_court_is_down_with_the_hub() {
    let v = view("1", &[b"pre;FightLoaded;"], 100 * SEC);
    assert_eq!(court_row(&v, true, 160 * SEC).connection, Connection::Live);
    let late = court_row(&v, true, 161 * SEC);
    assert_eq!(late.connection, Connection::Stale);
    assert_eq!(late.age, "1 min ago");
    assert_eq!(
        court_row(&v, false, 101 * SEC).connection,
        Connection::HubDown
    );
}

#[test]
fn after_a_hub_restart_the_age_comes_from_the_courts_receive_time() {
    let mut v = view("1", &[b"pre;FightLoaded;"], 100 * SEC);
    v.last_stored_at_ns = 0;
    v.last_received_at_ns = 90 * SEC;
    assert_eq!(court_row(&v, true, 100 * SEC).age, "10 s ago");
    v.last_received_at_ns = 0;
    let row = court_row(&v, true, 100 * SEC);
    assert_eq!(
        (row.age.as_str(), row.connection),
        ("never", Connection::Stale)
    );
}

#[test]
fn the_winner_and_an_injury_show_as_badges() {
    let v = view(
        "1",
        &[
            b"pre;FightLoaded;",
            b"ij1;0:42;show;",
            b"win;BLUE;",
            b"wmh;Kenji TANAKA;2-1 PTF;",
        ],
        SEC,
    );
    let texts: Vec<String> = court_row(&v, true, SEC)
        .badges
        .iter()
        .map(Badge::text)
        .collect();
    assert!(texts.iter().any(|t| t.starts_with("Injury")), "{texts:?}");
    assert!(
        texts.contains(&"Winner blue (2-1 PTF)".to_string()),
        "{texts:?}"
    );
}

#[test]
fn ages_read_as_a_person_says_them() {
    assert_eq!(age_text(0, 5 * SEC), "never");
    assert_eq!(age_text(5 * SEC, 5 * SEC), "just now");
    assert_eq!(age_text(SEC, 5 * SEC), "4 s ago");
    assert_eq!(age_text(SEC, 3_725 * SEC + SEC), "1 h 2 min ago");
    // A court clock ahead of the hub's: never a negative age.
    assert_eq!(age_text(10 * SEC, 5 * SEC), "just now");
}

#[test]
fn events_are_read_on_from_the_last_record_and_start_again_for_a_new_match() {
    let mut e = CourtEvents::default();
    let mut v = view("1", &[b"pre;FightLoaded;", b"clk;1:00;"], SEC);
    let w = e.wanted("1", &v).unwrap();
    assert_eq!(w.from_seq, 0);
    e.take(&w, vec![rec(3, 7), rec(4, 7)]);
    assert_eq!(e.wanted("1", &v), None, "everything read");
    v.datagrams = 3;
    let w = e.wanted("1", &v).unwrap();
    assert_eq!(w.from_seq, 5);
    // A retried page overlapping what is kept adds only the new record.
    e.take(&w, vec![rec(4, 7), rec(9, 7)]);
    let seqs: Vec<u64> = e.records.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [3, 4, 9]);
    assert_eq!(e.read, 3);
    v.match_key = 12;
    let w = e.wanted("1", &v).unwrap();
    assert_eq!((w.match_key, w.from_seq), (12, 0));
    e.take(&w, vec![rec(12, 12)]);
    assert_eq!((e.records.len(), e.read, e.match_key), (1, 1, 12));
    // Another court starts from its match's beginning.
    assert_eq!(e.wanted("2", &v).unwrap().from_seq, 0);
}

#[test]
fn only_the_newest_records_are_kept() {
    let mut e = CourtEvents::default();
    let w = EventsWanted {
        court: "1".into(),
        match_key: 7,
        from_seq: 0,
    };
    let page: Vec<EventRecord> = (1..=EVENTS_KEPT as u64 + 10).map(|s| rec(s, 7)).collect();
    e.take(&w, page);
    assert_eq!(e.records.len(), EVENTS_KEPT);
    assert_eq!(e.records[0].seq, 11);
    assert_eq!(e.read, EVENTS_KEPT as u64 + 10);
}

#[test]
fn a_refused_login_reads_as_a_fault_with_its_cause_and_advice() {
    let (text, fault) = link_text(&Link::WrongCredentials {
        cause: "authorization violation".into(),
        advice: "check the user and password".into(),
    });
    assert!(fault);
    assert!(text.contains("authorization violation") && text.contains("check the user"));
    assert!(!link_text(&Link::Connected).1);
}

#[test]
fn a_result_reads_with_its_winner_and_round_scores() {
    use crate::tournament::results::{Athlete, RoundScore};
    let a = |n: &str| Athlete {
        name: n.into(),
        country: "JPN".into(),
    };
    let r = MatchResult {
        court: "3".into(),
        match_key: 2,
        number: "204".into(),
        phase: String::new(),
        weight: String::new(),
        blue: a("Kenji TANAKA"),
        red: a("Lucas MOREAU"),
        winner: Some("red".into()),
        decision: None,
        round_winners: vec![Some("blue"), Some("red")],
        round_scores: vec![
            RoundScore {
                round: 1,
                blue: 3,
                red: 0,
            },
            RoundScore {
                round: 2,
                blue: 0,
                red: 5,
            },
        ],
    };
    assert_eq!(winner_text(&r), "red: Lucas MOREAU");
    assert_eq!(round_scores_text(&r), "3–0 · 0–5");
}
