//! What the scoreboard shows: its texts are pure functions of a `MatchState` built here from
//! real datagrams, so each test reads what the audience would read.

use courtside::match_state::MatchState;
use courtside::protocol::parse_datagram;
use courtside::ui::scoreboard::{
    BannerPart, banner_parts, banner_text, clock_face, fit_contain, side_texts, top_texts,
};
use egui::{Rect, pos2, vec2};

/// The start of a match as TkStrike sends it: loaded, athletes, configuration, clock set.
const LOADED: &[&str] = &[
    "pre;FightLoaded;",
    "at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;",
    "mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1;",
    "wg1;0;wg2;0;",
    "clk;2:00;",
    "rnd;1;",
];

/// Apply `lines` (one datagram each) to `s`.
fn feed(s: &mut MatchState, lines: &[&str]) {
    for l in lines {
        for e in parse_datagram(l.as_bytes()) {
            s.apply(&e);
        }
    }
}

/// A loaded match with `lines` applied after it.
fn state(lines: &[&str]) -> MatchState {
    let mut s = MatchState::new();
    feed(&mut s, LOADED);
    feed(&mut s, lines);
    s
}

fn texts(s: &MatchState) -> Vec<String> {
    banner_parts(s).iter().map(BannerPart::text).collect()
}

#[test]
fn a_loaded_match_has_no_banner_and_shows_names_and_round() {
    let s = state(&[]);
    assert!(banner_parts(&s).is_empty(), "{:?}", banner_parts(&s));
    let blue = side_texts(&s.blue);
    assert_eq!(blue.short_name, "K. TANAKA");
    assert_eq!(blue.country, "JPN");
    assert_eq!(blue.score, "0");
    assert_eq!(side_texts(&s.red).short_name, "L. MOREAU");
    let (line, round) = top_texts(&s);
    assert_eq!(line, "Match 204 · Quarterfinal · M- 68 kg");
    assert_eq!(round, "ROUND 1");
    assert_eq!(top_texts(&state(&["rnd;4;"])).1, "GOLDEN ROUND");
}

#[test]
fn break_countdown_shows_while_running_and_goes_at_its_end() {
    let mut s = state(&["clk;2:00;start;", "clk;0:00;stop;", "brk;0:59;"]);
    assert_eq!(texts(&s), ["BREAK 0:59"]);
    feed(&mut s, &["brk;0:58;"]);
    assert_eq!(texts(&s), ["BREAK 0:58"]);
    feed(&mut s, &["brk;0:00;stopEnd;"]);
    assert!(banner_parts(&s).is_empty());
}

#[test]
fn injury_clock_is_shown_only_while_the_scoring_program_shows_it() {
    let mut s = state(&["clk;1:30;stop;", "ij1;1:00;show;"]);
    assert_eq!(
        banner_parts(&s),
        [BannerPart::Injury {
            athlete: Some("blue".into()),
            clock: "1:00".into()
        }]
    );
    assert_eq!(texts(&s), ["INJURY BLUE 1:00"]);
    feed(&mut s, &["ij1;0:59;"]);
    assert_eq!(texts(&s), ["INJURY BLUE 0:59"]);
    // Hidden: the clock keeps running in the scoring program but leaves the board.
    feed(&mut s, &["ij1;0:58;hide;"]);
    assert!(banner_parts(&s).is_empty(), "{:?}", texts(&s));
    feed(&mut s, &["ij1;0:57;"]);
    assert!(banner_parts(&s).is_empty(), "still hidden");
    feed(&mut s, &["ij0;0:40;show;"]);
    assert_eq!(texts(&s), ["INJURY 0:40"], "athlete not identified");
}

#[test]
fn a_timeout_clock_shows_until_it_ends() {
    let mut s = state(&["clk;1:30;stop;", "to2;0:30;start;"]);
    assert_eq!(
        banner_parts(&s),
        [BannerPart::Timeout {
            athlete: "red".into(),
            clock: "0:30".into()
        }]
    );
    feed(&mut s, &["to2;0:29;"]);
    assert_eq!(texts(&s), ["TIMEOUT RED 0:29"]);
    feed(&mut s, &["to2;0:00;stopEnd;"]);
    assert!(banner_parts(&s).is_empty(), "{:?}", texts(&s));
}

#[test]
fn challenge_indicator_follows_request_and_decision() {
    let mut s = state(&["clk;1:10;stop;", "ch2;"]);
    assert_eq!(
        banner_parts(&s),
        [BannerPart::Challenge {
            by: "red".into(),
            status: "requested".into()
        }]
    );
    assert_eq!(texts(&s), ["CHALLENGE RED: REQUESTED"]);
    feed(&mut s, &["ch2;1;"]);
    assert_eq!(texts(&s), ["CHALLENGE RED: ACCEPTED"]);
    feed(&mut s, &["ch2;1;1;"]);
    assert_eq!(texts(&s), ["CHALLENGE RED: WON"]);
    let lost = state(&["clk;1:10;stop;", "ch1;", "ch1;1;0;"]);
    assert_eq!(texts(&lost), ["CHALLENGE BLUE: LOST"]);
    let referee = state(&["ch0;"]);
    assert_eq!(texts(&referee), ["CHALLENGE REFEREE: REQUESTED"]);
}

#[test]
fn winner_is_announced_with_the_decision_from_wmh() {
    let s = state(&[
        "wrd;rd1;2;rd2;1;rd3;2;",
        "win;RED;",
        "wmh;Lucas MOREAU;2-1 PTF;",
    ]);
    assert_eq!(
        banner_parts(&s),
        [BannerPart::Winner {
            name: "Lucas MOREAU".into(),
            country: "FRA".into(),
            decision: Some("2-1 PTF".into())
        }]
    );
    assert_eq!(texts(&s), ["WINNER Lucas MOREAU (FRA) — 2-1 PTF"]);
    // `wmh` alone names the winner; without a decision field there is no dash.
    let blue = state(&["wmh;Kenji TANAKA;"]);
    assert_eq!(texts(&blue), ["WINNER Kenji TANAKA (JPN)"]);
}

#[test]
fn a_tie_shows_a_tie_banner_with_its_decision_and_no_winner() {
    // TkStrike sends `win;TIE` with a withdrawal; the scoreboard showed nothing at all for it.
    let s = state(&["win;TIE", "wmh;;1-1 WDR"]);
    assert_eq!(s.winner, None);
    assert_eq!(texts(&s), ["TIE — NO WINNER — 1-1 WDR"]);
    let bare = state(&["win;TIE"]);
    assert_eq!(texts(&bare), ["TIE — NO WINNER"]);
}

#[test]
fn banner_items_keep_their_order_and_the_last_sets_the_colour() {
    let s = state(&["brk;0:30;", "ij2;0:50;show;", "ch1;"]);
    let parts = banner_parts(&s);
    assert_eq!(
        banner_text(&parts),
        "BREAK 0:30   ·   INJURY RED 0:50   ·   CHALLENGE BLUE: REQUESTED"
    );
    assert_ne!(parts[0].color(), parts[2].color());
}

#[test]
fn clock_is_red_when_stopped_and_not_while_running() {
    let mut s = state(&[]);
    let face = clock_face(&s);
    assert_eq!(face.text, "2:00");
    assert!(face.stopped, "a clock not yet started is stopped");
    let red = face.color();
    feed(&mut s, &["clk;2:00;start;", "clk;1:59;"]);
    let face = clock_face(&s);
    assert_eq!(face.text, "1:59");
    assert!(!face.stopped);
    assert_eq!(face.color(), egui::Color32::WHITE);
    assert_ne!(face.color(), red);
    feed(&mut s, &["clk;1:42;stop;"]);
    let face = clock_face(&s);
    assert_eq!((face.text.as_str(), face.stopped), ("1:42", true));
    assert_eq!(face.color(), red);
}

#[test]
fn rounds_won_come_from_wrd() {
    let mut s = state(&["wrd;rd1;1;rd2;0;rd3;0;"]);
    assert_eq!(side_texts(&s.blue).round_dots, 1);
    assert_eq!(side_texts(&s.red).round_dots, 0);
    feed(&mut s, &["wrd;rd1;1;rd2;2;rd3;1;"]);
    assert_eq!(side_texts(&s.blue).round_dots, 2);
    assert_eq!(side_texts(&s.red).round_dots, 1);
}

#[test]
fn per_round_scores_and_total_come_from_s_and_sc() {
    let s = state(&["s11;3;s21;0;s12;0;s22;5;s13;3;s23;1;", "sc1;6;sc2;6;"]);
    let blue = side_texts(&s.blue);
    let red = side_texts(&s.red);
    assert_eq!(blue.round_scores, "R1 3 · R2 0 · R3 3");
    assert_eq!(red.round_scores, "R1 0 · R2 5 · R3 1");
    assert_eq!((blue.score.as_str(), red.score.as_str()), ("6", "6"));
}

#[test]
fn gam_jeom_comes_from_wg() {
    let s = state(&["wg1;2;wg2;1;"]);
    assert_eq!(side_texts(&s.blue).gam_jeom, "GAM-JEOM 2");
    assert_eq!(side_texts(&s.red).gam_jeom, "GAM-JEOM 1");
}

/// Rect equality to a thousandth of a point (the fit divides).
fn same(a: Rect, b: Rect) -> bool {
    (a.min - b.min).length() < 1e-3 && (a.max - b.max).length() < 1e-3
}

#[test]
fn flags_keep_their_aspect_ratio_inside_the_box() {
    // The scoreboard's flag box is 3:2, at (10, 20).
    let bbox = Rect::from_min_size(pos2(10.0, 20.0), vec2(120.0, 80.0));
    let centred = |w: f32, h: f32| Rect::from_center_size(pos2(70.0, 60.0), vec2(w, h));
    // flag-icons are 4:3: full height, narrower, centred.
    let r = fit_contain(bbox, vec2(640.0, 480.0));
    assert!(same(r, centred(80.0 * 4.0 / 3.0, 80.0)), "{r:?}");
    // A wide 2:1 flag: full width, shorter.
    let r = fit_contain(bbox, vec2(200.0, 100.0));
    assert!(same(r, centred(120.0, 60.0)), "{r:?}");
    // Square (Switzerland) and tall (Nepal) flags.
    let r = fit_contain(bbox, vec2(50.0, 50.0));
    assert!(same(r, centred(80.0, 80.0)), "{r:?}");
    let r = fit_contain(bbox, vec2(100.0, 122.0));
    assert!(same(r, centred(80.0 * 100.0 / 122.0, 80.0)), "{r:?}");
    // Already 3:2: the box itself.
    assert!(same(fit_contain(bbox, vec2(300.0, 200.0)), bbox));
    // A texture without size cannot be fitted: the box, never NaN.
    assert_eq!(fit_contain(bbox, vec2(0.0, 0.0)), bbox);
}
