//! The reference for `MatchState`: each scoreboard field read straight off the events.

use super::under_test::match_state::{MatchState, Side};
use super::under_test::protocol::{Athlete, ClockAction, Event, PointKind};

/// Checks `state` (what `MatchState::apply` made of `events`) against values read straight off
/// the events: since the last `pre`, each score and penalty total is the last `sc`/`wg` sent for
/// that side, each round score the last `s..`, points are counted per type, the round, clock
/// and winner are the last sent, and the counts are the events since (and with) that `pre`.
pub fn check_state(events: &[Event], state: &MatchState) {
    let start = events
        .iter()
        .rposition(|e| matches!(e, Event::FightLoaded))
        .unwrap_or(0);
    let now = &events[start..];
    let last = |f: &dyn Fn(&Event) -> Option<u32>| now.iter().rev().find_map(f).unwrap_or(0);
    for a in [Athlete::Blue, Athlete::Red] {
        check_side(now, a, state.side(a));
    }
    let winners = now.iter().rev().find_map(|e| match e {
        Event::RoundWinners { winners } => Some(*winners),
        _ => None,
    });
    let winners = winners.unwrap_or([0; 3]);
    assert_eq!(
        state.round_winners, winners,
        "round winners are not the last wrd"
    );
    let won = |n: u8| winners.iter().filter(|w| **w == n).count() as u32;
    assert_eq!(state.blue.rounds_won, won(1), "blue rounds won");
    assert_eq!(state.red.rounds_won, won(2), "red rounds won");
    let round = last(&|e| match e {
        Event::Round { round } => Some(*round),
        _ => None,
    });
    assert_eq!(state.round, round, "round is not the last rnd");
    assert_eq!(
        state.ready,
        now.iter().any(|e| matches!(e, Event::FightReady)),
        "ready"
    );
    if let Some(Event::Clock { clock, .. }) =
        now.iter().rev().find(|e| matches!(e, Event::Clock { .. }))
    {
        assert_eq!(state.clock, clock.to_string(), "clock is not the last clk");
    }
    // Running: the last `start` / `stop` / `stopEnd`, or a plain tick one second on (either way)
    // from the clock before it (0:00 after `pre`): a clock heard ticking runs even when its
    // `start` was missed. Walked forward, since a tick depends on the value before it.
    let mut running = None;
    let mut previous = 0u32;
    for e in now {
        if let Event::Clock { clock, action } = e {
            match action {
                Some(ClockAction::Start) => running = Some(true),
                Some(ClockAction::Stop | ClockAction::StopEnd) => running = Some(false),
                None if previous.abs_diff(clock.secs) == 1 => running = Some(true),
                _ => {}
            }
            previous = clock.secs;
        }
    }
    assert_eq!(
        state.clock_running,
        running.unwrap_or(false),
        "clock running"
    );
    let ended = now
        .iter()
        .rev()
        .find(|e| matches!(e, Event::Winner { .. } | Event::MatchTie));
    assert_eq!(
        state.tie,
        matches!(ended, Some(Event::MatchTie)),
        "tie is not the last win"
    );
    if let Some(Event::Winner { athlete }) = ended {
        assert_eq!(state.winner, Some(*athlete), "winner is not the last win");
    } else if matches!(ended, Some(Event::MatchTie))
        || !now.iter().any(|e| matches!(e, Event::WinnerShown { .. }))
    {
        assert_eq!(state.winner, None, "a winner without win or wmh");
    }
    let kind = |unknown: bool| {
        now.iter()
            .filter(|e| match e {
                Event::Unknown { .. } => unknown,
                Event::Malformed { .. } => !unknown,
                _ => false,
            })
            .count() as u64
    };
    assert_eq!(
        state.counts.messages,
        now.len() as u64,
        "messages since pre"
    );
    assert_eq!(state.counts.unknown, kind(true), "unknown since pre");
    assert_eq!(state.counts.malformed, kind(false), "malformed since pre");
}

/// One side: score and gam-jeom total the last `sc`/`wg` sent for it, each round score the last
/// `s..`, points counted by type.
fn check_side(now: &[Event], a: Athlete, s: &Side) {
    let last = |f: &dyn Fn(&Event) -> Option<u32>| now.iter().rev().find_map(f).unwrap_or(0);
    let score = last(&|e| match e {
        Event::Score { athlete, score } if *athlete == a => Some(*score),
        _ => None,
    });
    assert_eq!(s.score, score, "{a:?} score is not the last sc");
    let pen = last(&|e| match e {
        Event::Penalties { athlete, count } if *athlete == a => Some(*count),
        _ => None,
    });
    assert_eq!(s.penalties, pen, "{a:?} penalties are not the last wg");
    for r in 1..=3u8 {
        let rs = last(&|e| match e {
            Event::RoundScore {
                athlete,
                round,
                score,
            } if *athlete == a && *round == r => Some(*score),
            _ => None,
        });
        assert_eq!(
            s.round_scores[usize::from(r - 1)],
            rs,
            "{a:?} round {r} score"
        );
    }
    let count = |k: PointKind| {
        now.iter()
            .filter(|e| matches!(e, Event::Point { athlete, kind } if *athlete == a && *kind == k))
            .count() as u32
    };
    let p = s.points;
    let got = [p.punch, p.body, p.head, p.tech_body, p.tech_head];
    let want = [
        count(PointKind::Punch),
        count(PointKind::Body),
        count(PointKind::Head),
        count(PointKind::TechBody),
        count(PointKind::TechHead),
    ];
    assert_eq!(got, want, "{a:?} points by type");
}
