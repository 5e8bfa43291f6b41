//! Automation rules: when a PSS event happens, do OBS actions.
//!
//! A [`Rule`] names a [`Trigger`], optional [`Conditions`] (round, athlete), a cooldown, the
//! instances it targets and its actions (each with an optional delay). The [`RuleEngine`] is pure:
//! given the rules, one parsed event, the match state after it and `now`, it returns the
//! [`Decision`]s — no I/O, no clock of its own — so it is tested on event streams alone.

mod defaults;
mod engine;
mod loaded;
mod migrate;
mod template;

pub use defaults::{DEFAULT_RECORDING_NAME, back_to_live_rule, default_rules};
pub use engine::{Decision, RuleEngine};
pub use loaded::{LoadedRule, check_loaded};
pub use migrate::migrate_for_review;
pub use template::{TEMPLATE_FIELDS, check_template, expand_template};

use super::command::{ObsAction, Target};
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
    /// The match ended: a winner was declared (`win;BLUE`/`win;RED`) or a tie (`win;TIE`, with
    /// no athlete, so rules naming an athlete do not fire on it).
    MatchWinner,
    /// A challenge ended: decided (won or lost), rejected, or its review closed (`ch1;…;-1`).
    /// Appended last: stored rules keep their encoding.
    ChallengeOver,
}

impl Trigger {
    /// Every trigger kind, for pickers (`Point` stands for any type).
    pub const ALL: [Trigger; 12] = [
        Trigger::FightLoaded,
        Trigger::FightReady,
        Trigger::ClockStart,
        Trigger::ClockStop,
        Trigger::Point { kind: None },
        Trigger::ChallengeRequested,
        Trigger::ChallengeDecided,
        Trigger::ChallengeOver,
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
            Trigger::ChallengeOver => "challenge over (decided, rejected or closed)".into(),
            Trigger::BreakStart => "break start".into(),
            Trigger::BreakEnd => "break end".into(),
            Trigger::RoundWinner => "round winner".into(),
            Trigger::MatchWinner => "match winner (or tie)".into(),
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

/// Longest delay a rule action may have.
pub const MAX_DELAY_MS: u64 = 10 * 60 * 1000;
/// Longest delay of "review: save and cue": the replay buffer keeps only its last seconds (10 s
/// by default), so a later save no longer holds the disputed moment.
pub const MAX_REVIEW_SAVE_DELAY_MS: u64 = 5_000;

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
    /// A file name template OBS could not record to on Windows (a folder separator, a character
    /// Windows refuses, a device name such as `CON`); folders are set with the record folder.
    #[error("rule '{rule}': file name '{template}' cannot be used: {cause}")]
    BadFileName {
        /// Rule name.
        rule: String,
        /// The template (control characters shown escaped).
        template: String,
        /// Why, from [`crate::fsname`].
        cause: String,
    },
    /// "review: save and cue" on a trigger that is not a challenge request: there is no
    /// disputed moment to cue.
    #[error(
        "rule '{rule}': 'review: save and cue the disputed moment' needs the trigger \
         'challenge requested' (it has '{trigger}')"
    )]
    ReviewNeedsChallenge {
        /// Rule name.
        rule: String,
        /// The rule's trigger label.
        trigger: String,
    },
    /// "review: save and cue" delayed so long the moment has left the replay buffer.
    #[error(
        "rule '{rule}': 'review: save and cue the disputed moment' after {secs} s — the replay \
         buffer would no longer hold the moment (at most {max} s)"
    )]
    ReviewTooLate {
        /// Rule name.
        rule: String,
        /// The delay, seconds (rounded up).
        secs: u64,
        /// The allowed delay, seconds.
        max: u64,
    },
    /// "save replay" next to "review: save and cue" in one rule, both within the replay buffer's
    /// reach ([`MAX_REVIEW_SAVE_DELAY_MS`]): two replays of one moment.
    #[error(
        "rule '{rule}': 'save replay' and 'review: save and cue the disputed moment' together \
         would save two replays — the review action saves the replay itself; remove 'save replay'"
    )]
    DoubleSave {
        /// Rule name.
        rule: String,
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
        self.check_review(&rule)
    }

    /// The review actions' own rules: save-and-cue only on a challenge request, soon enough to
    /// find the moment in the replay buffer, never next to a plain save of the same rule.
    fn check_review(&self, rule: &str) -> Result<(), RuleError> {
        let rule = rule.to_string();
        let saves_and_cues = |a: &&RuleAction| a.action == ObsAction::ReviewSaveAndCue;
        let Some(review) = self.actions.iter().find(saves_and_cues) else {
            return Ok(());
        };
        if self.trigger != Trigger::ChallengeRequested {
            let trigger = self.trigger.label();
            return Err(RuleError::ReviewNeedsChallenge { rule, trigger });
        }
        if review.delay_ms > MAX_REVIEW_SAVE_DELAY_MS {
            return Err(RuleError::ReviewTooLate {
                rule,
                secs: review.delay_ms.div_ceil(1000),
                max: MAX_REVIEW_SAVE_DELAY_MS / 1000,
            });
        }
        let near = |a: &RuleAction| a.delay_ms <= MAX_REVIEW_SAVE_DELAY_MS;
        if (self.actions.iter()).any(|a| a.action == ObsAction::SaveReplay && near(a)) {
            return Err(RuleError::DoubleSave { rule });
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
        ObsAction::StartRecording { file_name: Some(t) } => {
            check_template(t).map_err(|cause| RuleError::BadFileName {
                rule: rule.into(),
                template: t.escape_default().to_string(),
                cause: cause.to_string(),
            })
        }
        _ => Ok(()),
    }
}
