//! The rules a new installation starts with: what operators want without configuring anything.

use super::{Rule, RuleAction, Trigger};
use crate::obs::command::ObsAction;

/// Recording file name used by the default rule: match number, athletes and countries, then OBS's
/// date and time codes so two recordings never share a name.
pub const DEFAULT_RECORDING_NAME: &str =
    "Match {match} - {blue} ({blue_country}) vs {red} ({red_country}) %CCYY-%MM-%DD %hh-%mm-%ss";

/// The default rule set:
/// - fight ready → make sure the replay buffer runs, start recording named after the match;
/// - challenge requested → save the replay buffer once and cue the disputed moment in the
///   review (the review service saves it: no second save);
/// - challenge over (decided, rejected or closed) → back to live;
/// - match winner → stop recording 30 s later (the celebration and the decision are kept).
pub fn default_rules() -> Vec<Rule> {
    let mut ready = Rule::new(
        "Fight ready: replay buffer on, start recording",
        Trigger::FightReady,
        vec![
            RuleAction::now(ObsAction::StartReplayBuffer),
            RuleAction::now(ObsAction::StartRecording {
                file_name: Some(DEFAULT_RECORDING_NAME.into()),
            }),
        ],
    );
    // `rdy` can be re-sent (TkStrike answers queries by repeating its last message).
    ready.cooldown_ms = 10_000;
    let mut challenge = Rule::new(
        "Challenge requested: save replay and cue the disputed moment",
        Trigger::ChallengeRequested,
        vec![RuleAction::now(ObsAction::ReviewSaveAndCue)],
    );
    challenge.cooldown_ms = 3_000;
    let mut winner = Rule::new(
        "Match winner: stop recording after 30 s",
        Trigger::MatchWinner,
        vec![RuleAction {
            action: ObsAction::StopRecording,
            delay_ms: 30_000,
        }],
    );
    winner.cooldown_ms = 60_000;
    vec![ready, challenge, back_to_live_rule(), winner]
}

/// The default "challenge over → back to live" rule (what the Review panel did by itself
/// before the review actions were rules). `ch1;1;1` is often followed by `ch1;-1`: the second
/// finds the review off air, which is a success with nothing to do.
pub fn back_to_live_rule() -> Rule {
    let mut r = Rule::new(
        "Challenge over: back to live",
        Trigger::ChallengeOver,
        vec![RuleAction::now(ObsAction::ReviewBackToLive)],
    );
    r.cooldown_ms = 2_000;
    r
}
