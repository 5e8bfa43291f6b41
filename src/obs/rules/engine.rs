//! The rule engine: events in, decisions out. It remembers only what a single event cannot tell
//! (whether a break was already running, which rounds were already decided, when each rule last
//! fired), per court.

use super::{Conditions, Rule, Trigger, expand_template};
use crate::match_state::MatchState;
use crate::obs::command::{ObsAction, Target};
use crate::protocol::{Athlete, ChallengeStatus, ClockAction, Event};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One action a rule decided to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The rule's id.
    pub rule_id: u64,
    /// The rule's name.
    pub rule_name: String,
    /// What fired it.
    pub trigger: Trigger,
    /// Instances to run it on.
    pub target: Target,
    /// The action, with its file name template already filled in.
    pub action: ObsAction,
    /// Wait before running it.
    pub delay: Duration,
}

/// A happening recognised in one event.
#[derive(Debug, Clone, Copy)]
struct Fired {
    trigger: Trigger,
    round: Option<u32>,
    athlete: Option<Athlete>,
}

/// What the engine remembers about a court between events.
#[derive(Debug, Clone, Copy, Default)]
struct CourtMemory {
    in_break: bool,
    round_winners: [u8; 3],
}

/// Evaluates rules against events. Keep one per automation; feed it every event in order.
#[derive(Debug, Default)]
pub struct RuleEngine {
    courts: HashMap<String, CourtMemory>,
    last_fired: HashMap<(u64, String), Instant>,
}

impl RuleEngine {
    /// An engine with no memory.
    pub fn new() -> RuleEngine {
        RuleEngine::default()
    }

    /// Start a court's memory from a state rebuilt from the store (after a restart), so a break
    /// or a round decided before the restart does not fire again.
    pub fn prime(&mut self, court: &str, state: &MatchState) {
        self.courts.insert(
            court.to_string(),
            CourtMemory {
                in_break: state.break_clock.is_some(),
                round_winners: state.round_winners,
            },
        );
    }

    /// Decide what to do for one event. `after` is the court's match state with the event
    /// applied. While `paused`, memory is still updated (so nothing fires late on resume) but no
    /// decision is returned and no cooldown starts.
    pub fn evaluate(
        &mut self,
        rules: &[Rule],
        paused: bool,
        court: &str,
        event: &Event,
        after: &MatchState,
        now: Instant,
    ) -> Vec<Decision> {
        let fired = self.observe(court, event, after);
        if paused || fired.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for rule in rules.iter().filter(|r| r.enabled) {
            let Some(f) = fired
                .iter()
                .find(|f| trigger_matches(rule.trigger, f.trigger))
            else {
                continue;
            };
            if !conditions_hold(&rule.conditions, f) || !self.cooled_down(rule, court, now) {
                continue;
            }
            for a in &rule.actions {
                out.push(Decision {
                    rule_id: rule.id,
                    rule_name: rule.name.clone(),
                    trigger: f.trigger,
                    target: rule.target,
                    action: fill(&a.action, after, court),
                    delay: Duration::from_millis(a.delay_ms),
                });
            }
        }
        out
    }

    /// True (and the cooldown restarted) when the rule may fire on this court now.
    fn cooled_down(&mut self, rule: &Rule, court: &str, now: Instant) -> bool {
        let key = (rule.id, court.to_string());
        if let Some(last) = self.last_fired.get(&key)
            && now.saturating_duration_since(*last) < Duration::from_millis(rule.cooldown_ms)
        {
            return false;
        }
        self.last_fired.insert(key, now);
        true
    }

    /// What happened in this event, updating the court's memory.
    fn observe(&mut self, court: &str, event: &Event, after: &MatchState) -> Vec<Fired> {
        let mem = self.courts.entry(court.to_string()).or_default();
        let round = (after.round > 0).then_some(after.round);
        let fired = |trigger, athlete| Fired {
            trigger,
            round,
            athlete,
        };
        let mut out = Vec::new();
        match event {
            Event::FightLoaded => {
                *mem = CourtMemory::default();
                out.push(fired(Trigger::FightLoaded, None));
            }
            Event::FightReady => out.push(fired(Trigger::FightReady, None)),
            Event::Clock {
                action: Some(ClockAction::Start),
                ..
            } => out.push(fired(Trigger::ClockStart, None)),
            Event::Clock {
                action: Some(ClockAction::Stop | ClockAction::StopEnd),
                ..
            } => out.push(fired(Trigger::ClockStop, None)),
            Event::Point { athlete, kind } => {
                out.push(fired(Trigger::Point { kind: Some(*kind) }, Some(*athlete)))
            }
            Event::Challenge { by, status } => match status {
                ChallengeStatus::Requested => out.push(fired(Trigger::ChallengeRequested, *by)),
                ChallengeStatus::Decided { .. } => {
                    out.push(fired(Trigger::ChallengeDecided, *by));
                    out.push(fired(Trigger::ChallengeOver, *by));
                }
                ChallengeStatus::Rejected | ChallengeStatus::Closed => {
                    out.push(fired(Trigger::ChallengeOver, *by))
                }
                ChallengeStatus::Accepted => {}
            },
            Event::RoundWinners { winners } => {
                for (i, (&was, &now)) in mem.round_winners.iter().zip(winners).enumerate() {
                    if was == 0 && now != 0 {
                        out.push(Fired {
                            trigger: Trigger::RoundWinner,
                            round: Some(i as u32 + 1),
                            athlete: Athlete::from_number(now),
                        });
                    }
                }
                mem.round_winners = *winners;
            }
            Event::Winner { athlete } => out.push(fired(Trigger::MatchWinner, Some(*athlete))),
            // A tie (`win;TIE`, sent with a withdrawal) ends the match too: "stop recording after
            // the winner" must run. No athlete, so a rule for one athlete's win does not fire.
            Event::MatchTie => out.push(fired(Trigger::MatchWinner, None)),
            _ => {}
        }
        let in_break = after.break_clock.is_some();
        if in_break != mem.in_break {
            let t = if in_break {
                Trigger::BreakStart
            } else {
                Trigger::BreakEnd
            };
            out.push(fired(t, None));
            mem.in_break = in_break;
        }
        out
    }
}

fn trigger_matches(rule: Trigger, fired: Trigger) -> bool {
    match (rule, fired) {
        (Trigger::Point { kind: None }, Trigger::Point { .. }) => true,
        (a, b) => a == b,
    }
}

fn conditions_hold(c: &Conditions, f: &Fired) -> bool {
    let round_ok = c.rounds.is_empty() || f.round.is_some_and(|r| c.rounds.contains(&r));
    let athlete_ok = c.athlete.is_none() || c.athlete == f.athlete;
    round_ok && athlete_ok
}

fn fill(action: &ObsAction, state: &MatchState, court: &str) -> ObsAction {
    match action {
        ObsAction::StartRecording { file_name: Some(t) } => ObsAction::StartRecording {
            file_name: Some(expand_template(t, state, court)),
        },
        other => other.clone(),
    }
}
