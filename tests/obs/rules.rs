//! The automation rule engine on PSS event streams (no OBS involved).

use courtside::match_state::MatchState;
use courtside::obs::rules::default_rules;
use courtside::obs::{Conditions, Decision, ObsAction, Rule, RuleAction, RuleEngine, Trigger};
use courtside::protocol::{Athlete, PointKind, parse_text};
use std::time::{Duration, Instant};

/// One court fed line by line, as the automation does.
struct Court {
    engine: RuleEngine,
    state: MatchState,
    rules: Vec<Rule>,
    paused: bool,
    t0: Instant,
}

impl Court {
    fn new(rules: Vec<Rule>) -> Court {
        Court {
            engine: RuleEngine::new(),
            state: MatchState::new(),
            rules,
            paused: false,
            t0: Instant::now(),
        }
    }

    /// Feed one datagram at `secs` after the start; the decisions it caused.
    fn feed(&mut self, line: &str, secs: u64) -> Vec<Decision> {
        let now = self.t0 + Duration::from_secs(secs);
        let mut out = Vec::new();
        for e in parse_text(line) {
            self.state.apply(&e);
            let d = self
                .engine
                .evaluate(&self.rules, self.paused, "1", &e, &self.state, now);
            out.extend(d);
        }
        out
    }

    /// Feed lines one second apart from `start`; (line index, action) of every decision.
    fn run(&mut self, lines: &[&str], start: u64) -> Vec<(usize, ObsAction, Duration)> {
        let mut out = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            for d in self.feed(l, start + i as u64) {
                out.push((i, d.action, d.delay));
            }
        }
        out
    }
}

/// The example match of the shared stream file, as sent on the wire.
const MATCH: &[&str] = &[
    "Udp Port 6000 connected;",
    "pre;FightLoaded;",
    "at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA;",
    "mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1;",
    "wrd;rd1;0;rd2;0;rd3;0;",
    "clk;2:00;",
    "rnd;1;",
    "rdy;FightReady;",
    "clk;2:00;start;",
    "hl1;72;",
    "pt1;2;",
    "sc1;2;sc2;0;",
    "clk;1:56;stop;",
    "clk;0:00;stopEnd;",
    "wrd;rd1;1;rd2;0;rd3;0;",
    "brk;0:59;",
    "brk;0:58;",
    "brk;0:00;stopEnd;",
    "rnd;2;",
    "clk;2:00;start;",
    "pt2;5;",
    "ch1;",
    "ch1;1;1;",
    "clk;0:00;stopEnd;",
    "wrd;rd1;1;rd2;2;rd3;0;",
    "win;RED;",
    "wmh;Lucas MOREAU;1-1 PTF;",
];

fn index_of(line: &str) -> usize {
    MATCH
        .iter()
        .position(|l| *l == line)
        .expect("line in match")
}

#[test]
fn default_rules_record_the_match_review_the_challenge_and_stop_30s_after_the_winner() {
    let mut court = Court::new(default_rules());
    let got = court.run(MATCH, 0);
    let name = "Match 204 - Kenji TANAKA (JPN) vs Lucas MOREAU (FRA) %CCYY-%MM-%DD %hh-%mm-%ss";
    let ready = index_of("rdy;FightReady;");
    let expected = vec![
        (ready, ObsAction::StartReplayBuffer, Duration::ZERO),
        (
            ready,
            ObsAction::StartRecording {
                file_name: Some(name.into()),
            },
            Duration::ZERO,
        ),
        // One save per challenge: the review's save-and-cue, no plain "save replay" beside it.
        (
            index_of("ch1;"),
            ObsAction::ReviewSaveAndCue,
            Duration::ZERO,
        ),
        (
            index_of("ch1;1;1;"),
            ObsAction::ReviewBackToLive,
            Duration::ZERO,
        ),
        (
            index_of("win;RED;"),
            ObsAction::StopRecording,
            Duration::from_secs(30),
        ),
    ];
    assert_eq!(got, expected);
}

#[test]
fn a_tie_ends_the_match_for_automation_but_not_for_a_rule_naming_an_athlete() {
    // A withdrawal sends `win;TIE`: the default rule must still stop the recording.
    let mut court = Court::new(default_rules());
    court.run(&MATCH[..index_of("win;RED;")], 0);
    let got: Vec<_> = court
        .feed("win;TIE", 500)
        .into_iter()
        .map(|d| (d.action, d.delay))
        .collect();
    assert_eq!(
        got,
        vec![(ObsAction::StopRecording, Duration::from_secs(30))]
    );
    let blue_only = Conditions {
        rounds: Vec::new(),
        athlete: Some(Athlete::Blue),
    };
    let mut court = Court::new(vec![rule(Trigger::MatchWinner, blue_only, "Blue wins")]);
    court.run(&MATCH[..index_of("win;RED;")], 0);
    assert!(court.feed("win;TIE", 500).is_empty());
    assert_eq!(court.feed("win;BLUE", 600).len(), 1);
}

#[test]
fn cooldown_swallows_repeats_until_it_has_passed() {
    let mut court = Court::new(default_rules());
    court.run(&MATCH[..index_of("rdy;FightReady;")], 0);
    assert_eq!(court.feed("rdy;FightReady;", 100).len(), 2);
    // Re-sent within the 10 s cooldown (TkStrike repeats on request): nothing.
    assert!(court.feed("rdy;FightReady;", 105).is_empty());
    assert_eq!(court.feed("rdy;FightReady;", 111).len(), 2);
    // A duplicated challenge datagram within 3 s saves once.
    assert_eq!(court.feed("ch2;", 200).len(), 1);
    assert!(court.feed("ch2;", 202).is_empty());
    assert_eq!(court.feed("ch2;", 204).len(), 1);
}

fn rule(trigger: Trigger, conditions: Conditions, scene: &str) -> Rule {
    let mut r = Rule::new(
        scene,
        trigger,
        vec![RuleAction::now(ObsAction::SetScene {
            scene: scene.into(),
        })],
    );
    r.conditions = conditions;
    r
}

fn named(expected: &[(usize, &str)]) -> Vec<(usize, String)> {
    expected.iter().map(|(i, s)| (*i, s.to_string())).collect()
}

fn scenes(decisions: &[(usize, ObsAction, Duration)]) -> Vec<(usize, String)> {
    decisions
        .iter()
        .map(|(i, a, _)| match a {
            ObsAction::SetScene { scene } => (*i, scene.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[test]
fn conditions_on_round_athlete_and_point_type() {
    let red_head_r2 = Conditions {
        rounds: vec![2],
        athlete: Some(Athlete::Red),
    };
    let rules = vec![
        rule(
            Trigger::Point {
                kind: Some(PointKind::TechHead),
            },
            red_head_r2,
            "red spin head r2",
        ),
        rule(
            Trigger::Point { kind: None },
            Conditions::default(),
            "any point",
        ),
        rule(
            Trigger::Point { kind: None },
            Conditions {
                rounds: vec![],
                athlete: Some(Athlete::Blue),
            },
            "blue point",
        ),
    ];
    let mut court = Court::new(rules);
    let lines = [
        "rnd;1;", "pt2;5;", "pt1;1;", "rnd;2;", "pt2;3;", "pt2;5;", "pt1;5;",
    ];
    let got = scenes(&court.run(&lines, 0));
    let expected = vec![
        (1, "any point"),
        (2, "any point"),
        (2, "blue point"),
        (4, "any point"),
        (5, "red spin head r2"),
        (5, "any point"),
        (6, "any point"),
        (6, "blue point"),
    ];
    assert_eq!(got, named(&expected));
}

#[test]
fn round_winner_fires_once_per_decided_round_with_that_round_and_winner() {
    let rules = vec![
        rule(Trigger::RoundWinner, Conditions::default(), "any round"),
        rule(
            Trigger::RoundWinner,
            Conditions {
                rounds: vec![2],
                athlete: Some(Athlete::Red),
            },
            "red took round 2",
        ),
    ];
    let mut court = Court::new(rules);
    let lines = [
        "wrd;rd1;0;rd2;0;rd3;0;",
        "wrd;rd1;1;rd2;0;rd3;0;",
        "wrd;rd1;1;rd2;0;rd3;0;", // re-sent: nothing new
        "rnd;3;",
        "wrd;rd1;1;rd2;2;rd3;0;", // round 2 decided while round 3 is on
        "pre;FightLoaded;",
        "wrd;rd1;1;rd2;0;rd3;0;", // new match: round 1 is new again
    ];
    let got = scenes(&court.run(&lines, 0));
    let expected = vec![
        (1, "any round"),
        (4, "any round"),
        (4, "red took round 2"),
        (6, "any round"),
    ];
    assert_eq!(got, named(&expected));
}

#[test]
fn break_start_and_end_fire_once_per_break() {
    let rules = vec![
        rule(Trigger::BreakStart, Conditions::default(), "break"),
        rule(Trigger::BreakEnd, Conditions::default(), "fight"),
        rule(Trigger::ClockStart, Conditions::default(), "clock on"),
        rule(Trigger::ClockStop, Conditions::default(), "clock off"),
    ];
    let mut court = Court::new(rules);
    let lines = [
        "clk;0:00;stopEnd;",
        "brk;0:59;",
        "brk;0:58;",
        "brk;0:00;stopEnd;",
        "brk;0:59;",
        "clk;2:00;start;", // the clock starting also ends a break
        "clk;1:59;",
    ];
    let got = scenes(&court.run(&lines, 0));
    let expected = vec![
        (0, "clock off"),
        (1, "break"),
        (3, "fight"),
        (4, "break"),
        (5, "fight"),
        (5, "clock on"),
    ];
    assert_eq!(got, named(&expected));
}

#[test]
fn challenges_distinguish_requested_decided_and_who() {
    let rules = vec![
        rule(
            Trigger::ChallengeRequested,
            Conditions::default(),
            "requested",
        ),
        rule(Trigger::ChallengeDecided, Conditions::default(), "decided"),
        rule(Trigger::ChallengeOver, Conditions::default(), "over"),
        rule(
            Trigger::ChallengeRequested,
            Conditions {
                rounds: vec![],
                athlete: Some(Athlete::Blue),
            },
            "blue coach",
        ),
    ];
    let mut court = Court::new(rules);
    let lines = ["ch1;", "ch1;1;", "ch1;1;0;", "ch0;", "ch2;-1;", "ch2;0;"];
    let got = scenes(&court.run(&lines, 0));
    // "Over" is every end: decided (`ch1;1;0`), closed (`ch2;-1`), rejected (`ch2;0`); not the
    // acceptance (`ch1;1`).
    let expected = vec![
        (0, "requested"),
        (0, "blue coach"),
        (2, "decided"),
        (2, "over"),
        (3, "requested"),
        (4, "over"),
        (5, "over"),
    ];
    assert_eq!(got, named(&expected));
}

#[test]
fn pause_fires_nothing_and_nothing_late_on_resume() {
    let mut court = Court::new(vec![
        rule(Trigger::BreakStart, Conditions::default(), "break"),
        rule(Trigger::BreakEnd, Conditions::default(), "fight"),
    ]);
    court.paused = true;
    assert!(court.feed("brk;0:59;", 0).is_empty());
    court.paused = false;
    // The break began while paused: a tick does not fire it late; its end does fire.
    assert!(court.feed("brk;0:58;", 1).is_empty());
    let end = court.feed("brk;0:00;stopEnd;", 2);
    assert_eq!(end.len(), 1);
    assert_eq!(
        end[0].action,
        ObsAction::SetScene {
            scene: "fight".into()
        }
    );
}

#[test]
fn disabled_rules_and_unrelated_events_do_nothing() {
    let mut r = rule(Trigger::FightLoaded, Conditions::default(), "loaded");
    r.enabled = false;
    let mut court = Court::new(vec![
        r,
        rule(Trigger::MatchWinner, Conditions::default(), "won"),
    ]);
    let got = court.run(
        &[
            "pre;FightLoaded;",
            "hel;",
            "sc1;3;sc2;1;",
            "garbage;;",
            "win;BLUE;",
        ],
        0,
    );
    assert_eq!(scenes(&got), vec![(4, "won".to_string())]);
}

#[test]
fn a_primed_engine_does_not_refire_what_happened_before_a_restart() {
    let rules = vec![
        rule(Trigger::BreakStart, Conditions::default(), "break"),
        rule(Trigger::RoundWinner, Conditions::default(), "round"),
    ];
    let before: Vec<_> = ["wrd;rd1;1;rd2;0;rd3;0;", "brk;0:59;"]
        .iter()
        .flat_map(|l| parse_text(l))
        .collect();
    let state = MatchState::from_events(&before);
    let mut court = Court::new(rules);
    court.engine.prime("1", &state);
    court.state = state;
    assert!(
        court
            .run(&["brk;0:58;", "wrd;rd1;1;rd2;0;rd3;0;"], 0)
            .is_empty()
    );
}
