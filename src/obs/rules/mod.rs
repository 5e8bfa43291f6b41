//! Automation rules: when a PSS event happens, do OBS actions.
//!
//! A [`Rule`] names a [`Trigger`], optional [`Conditions`] (round, athlete), a cooldown, the
//! instances it targets and its actions (each with an optional delay). The [`RuleEngine`] is pure:
//! given the rules, one parsed event, the match state after it and `now`, it returns the
//! [`Decision`]s — no I/O, no clock of its own — so it is tested on event streams alone.

mod defaults;
mod engine;

pub use defaults::{DEFAULT_RECORDING_NAME, default_rules};
pub use engine::{Decision, RuleEngine};

use super::command::{ObsAction, Target};
use crate::match_state::MatchState;
use crate::protocol::{Athlete, PointKind};
use serde::{Deserialize, Serialize};

/// The PSS happening a rule reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Trigger {
    /// `pre;FightLoaded`.
    FightLoaded,
    /// `rdy;FightReady`.
    FightReady,
    /// Match clock started (`clk;…;start`).
    ClockStart,
    /// Match clock stopped (`clk;…;stop` or `stopEnd`).
    ClockStop,
    /// A point was scored; `None` = any type.
    Point {
        /// Only this technique.
        kind: Option<PointKind>,
    },
    /// A video-review challenge was requested (bare `ch1`/`ch2`/`ch0`).
    ChallengeRequested,
    /// A challenge was decided (won or lost).
    ChallengeDecided,
    /// A break between rounds began (first `brk` of a break).
    BreakStart,
    /// The break ended (`brk;…;stopEnd`, or the clock started again).
    BreakEnd,
    /// A round got its winner (`wrd` with a newly decided round).
    RoundWinner,
    /// The match winner was declared (`win`).
    MatchWinner,
}

impl Trigger {
    /// Every trigger kind, for pickers (`Point` stands for any type).
    pub const ALL: [Trigger; 11] = [
        Trigger::FightLoaded,
        Trigger::FightReady,
        Trigger::ClockStart,
        Trigger::ClockStop,
        Trigger::Point { kind: None },
        Trigger::ChallengeRequested,
        Trigger::ChallengeDecided,
        Trigger::BreakStart,
        Trigger::BreakEnd,
        Trigger::RoundWinner,
        Trigger::MatchWinner,
    ];

    /// Human label.
    pub fn label(&self) -> String {
        match self {
            Trigger::FightLoaded => "fight loaded".into(),
            Trigger::FightReady => "fight ready".into(),
            Trigger::ClockStart => "clock start".into(),
            Trigger::ClockStop => "clock stop".into(),
            Trigger::Point { kind: None } => "point (any)".into(),
            Trigger::Point { kind: Some(k) } => format!("point: {}", k.label()),
            Trigger::ChallengeRequested => "challenge requested".into(),
            Trigger::ChallengeDecided => "challenge decided".into(),
            Trigger::BreakStart => "break start".into(),
            Trigger::BreakEnd => "break end".into(),
            Trigger::RoundWinner => "round winner".into(),
            Trigger::MatchWinner => "match winner".into(),
        }
    }
}

/// Extra conditions; empty means "always".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    /// Only in these rounds (for a round winner: the round that was decided). Empty = any.
    pub rounds: Vec<u32>,
    /// Only when this athlete is concerned (scorer, challenger, winner). Events without an athlete
    /// never match a rule that names one.
    pub athlete: Option<Athlete>,
}

/// One action of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAction {
    /// What to do.
    pub action: ObsAction,
    /// Wait this long after the event, in milliseconds.
    pub delay_ms: u64,
}

impl RuleAction {
    /// An action without delay.
    pub fn now(action: ObsAction) -> RuleAction {
        RuleAction {
            action,
            delay_ms: 0,
        }
    }
}

/// An automation rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id.
    pub id: u64,
    /// Operator's name for it.
    pub name: String,
    /// Whether it fires.
    pub enabled: bool,
    /// What it reacts to.
    pub trigger: Trigger,
    /// Extra conditions.
    pub conditions: Conditions,
    /// Which OBS instances its actions go to.
    pub target: Target,
    /// What it does, in order.
    pub actions: Vec<RuleAction>,
    /// After firing, ignore further matches on the same court for this long (ms). Also swallows
    /// duplicated datagrams.
    pub cooldown_ms: u64,
}

impl Rule {
    /// A new enabled rule with a fresh id, no conditions, all instances, no cooldown.
    pub fn new(name: &str, trigger: Trigger, actions: Vec<RuleAction>) -> Rule {
        Rule {
            id: super::config::new_id(),
            name: name.to_string(),
            enabled: true,
            trigger,
            conditions: Conditions::default(),
            target: Target::All,
            actions,
            cooldown_ms: 0,
        }
    }
}

/// Placeholders understood in a recording file name template.
pub const TEMPLATE_FIELDS: [&str; 8] = [
    "{match}",
    "{phase}",
    "{weight}",
    "{blue}",
    "{blue_country}",
    "{red}",
    "{red_country}",
    "{court}",
];

/// Fill a file name template from the match state. Values are cleaned so they cannot break the
/// file name on any OS or be read as OBS time codes (`%`); missing values become `-`. Text
/// outside placeholders (including OBS codes like `%CCYY`) is kept.
pub fn expand_template(template: &str, state: &MatchState, court: &str) -> String {
    let name = |s: &crate::match_state::Side| {
        if s.long_name.trim().is_empty() {
            s.short_name.clone()
        } else {
            s.long_name.clone()
        }
    };
    let values = [
        state.info.number.clone(),
        state.info.phase.clone(),
        state.info.weight.clone(),
        name(&state.blue),
        state.blue.country.clone(),
        name(&state.red),
        state.red.country.clone(),
        court.to_string(),
    ];
    let mut out = template.to_string();
    for (field, value) in TEMPLATE_FIELDS.iter().zip(values) {
        out = out.replace(field, &clean_value(&value));
    }
    out
}

/// Keep letters, digits and a few safe marks; everything else becomes a space; runs of spaces
/// collapse; at most 40 characters.
fn clean_value(v: &str) -> String {
    let mapped: String = v
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '+' | '\'') {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = mapped.split_whitespace().collect();
    let joined: String = words.join(" ").chars().take(40).collect();
    let joined = joined.trim().trim_matches('.').to_string();
    if joined.is_empty() {
        "-".into()
    } else {
        joined
    }
}

/// Longest delay a rule action may have.
pub const MAX_DELAY_MS: u64 = 10 * 60 * 1000;

/// A rule that cannot be used, named so the operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The name is empty.
    #[error("automation rule needs a name")]
    EmptyName,
    /// Nothing to do.
    #[error("rule '{rule}' has no action")]
    NoActions {
        /// Rule name.
        rule: String,
    },
    /// A scene or source name is empty.
    #[error("rule '{rule}': '{action}' needs a {field} name")]
    MissingName {
        /// Rule name.
        rule: String,
        /// Action label.
        action: String,
        /// "scene" or "source".
        field: &'static str,
    },
    /// A round condition names a round that does not exist.
    #[error("rule '{rule}': round {round} does not exist (1–4; 4 is the golden round)")]
    BadRound {
        /// Rule name.
        rule: String,
        /// The round.
        round: u32,
    },
    /// A delay beyond [`MAX_DELAY_MS`].
    #[error("rule '{rule}': delay of {secs} s is longer than the 600 s allowed")]
    DelayTooLong {
        /// Rule name.
        rule: String,
        /// The delay in seconds.
        secs: u64,
    },
    /// A file name template with a folder separator (folders are set with the record folder).
    #[error(
        "rule '{rule}': file name '{template}' must not contain / or \\ (set the folder in OBS)"
    )]
    BadFileName {
        /// Rule name.
        rule: String,
        /// The template.
        template: String,
    },
}

impl Rule {
    /// Check that the rule can be used.
    pub fn validate(&self) -> Result<(), RuleError> {
        let rule = self.name.trim().to_string();
        if rule.is_empty() {
            return Err(RuleError::EmptyName);
        }
        if self.actions.is_empty() {
            return Err(RuleError::NoActions { rule });
        }
        if let Some(&round) = self
            .conditions
            .rounds
            .iter()
            .find(|r| !(1..=4).contains(*r))
        {
            return Err(RuleError::BadRound { rule, round });
        }
        for a in &self.actions {
            if a.delay_ms > MAX_DELAY_MS {
                let secs = a.delay_ms / 1000;
                return Err(RuleError::DelayTooLong { rule, secs });
            }
            check_action(&rule, &a.action)?;
        }
        Ok(())
    }
}

fn check_action(rule: &str, action: &ObsAction) -> Result<(), RuleError> {
    let empty = |field| RuleError::MissingName {
        rule: rule.into(),
        action: action.label(),
        field,
    };
    match action {
        ObsAction::SetScene { scene } if scene.trim().is_empty() => Err(empty("scene")),
        ObsAction::SetSourceVisibility { scene, .. } if scene.trim().is_empty() => {
            Err(empty("scene"))
        }
        ObsAction::SetSourceVisibility { source, .. } if source.trim().is_empty() => {
            Err(empty("source"))
        }
        ObsAction::StartRecording { file_name: Some(t) } if t.contains(['/', '\\']) => {
            Err(RuleError::BadFileName {
                rule: rule.into(),
                template: t.clone(),
            })
        }
        _ => Ok(()),
    }
}
