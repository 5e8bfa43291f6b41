//! Rule sets stored before the review actions existed. Then the review service saved its own
//! replay on every challenge and went back to live on the outcome by itself, while the default
//! challenge rule saved the replay too: two replays per challenge. Now both are rule actions, so
//! such a set is updated once, when it is first loaded (the store then keeps a mark, so an
//! operator who later removes the review actions is not overruled):
//! - each rule on "challenge requested" that saves the replay within the replay buffer's reach
//!   saves it through "review: save and cue the disputed moment" instead (one save, and the
//!   disputed moment cued as before);
//! - without any "review: back to live" in the set, the default "challenge over → back to live"
//!   rule is added (the Review panel did that by itself before).
//!
//! A set that already uses a review action is left as it is.

use super::{MAX_REVIEW_SAVE_DELAY_MS, Rule, RuleAction, Trigger, back_to_live_rule};
use crate::obs::command::ObsAction;

/// Update a rule set stored before the review actions; returns it with one message per change
/// (empty: nothing changed).
pub fn migrate_for_review(mut rules: Vec<Rule>) -> (Vec<Rule>, Vec<String>) {
    let uses = |rules: &[Rule], action: &ObsAction| {
        rules
            .iter()
            .any(|r| r.actions.iter().any(|a| a.action == *action))
    };
    let mut changes = Vec::new();
    if !uses(&rules, &ObsAction::ReviewSaveAndCue) {
        for r in rules
            .iter_mut()
            .filter(|r| r.trigger == Trigger::ChallengeRequested)
        {
            if replace_save(&mut r.actions) {
                changes.push(format!(
                    "automation rule '{}': 'save replay' became 'review: save and cue the \
                     disputed moment' (one replay per challenge, cued in the Review panel)",
                    r.name
                ));
            }
        }
    }
    if !uses(&rules, &ObsAction::ReviewBackToLive) {
        let back = back_to_live_rule();
        changes.push(format!(
            "automation rule '{}' added: going back to live when a challenge is over is now a \
             rule you can change or switch off",
            back.name
        ));
        rules.push(back);
    }
    (rules, changes)
}

/// Replace the first save within the buffer's reach by the review's save-and-cue and drop the
/// other such saves (they would be second replays); true when something changed.
fn replace_save(actions: &mut Vec<RuleAction>) -> bool {
    let near = |a: &RuleAction| {
        a.action == ObsAction::SaveReplay && a.delay_ms <= MAX_REVIEW_SAVE_DELAY_MS
    };
    let Some(first) = actions.iter().position(near) else {
        return false;
    };
    actions[first].action = ObsAction::ReviewSaveAndCue;
    let mut i = 0;
    actions.retain(|a| {
        let keep = i == first || !near(a);
        i += 1;
        keep
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old_defaults() -> Vec<Rule> {
        let mut challenge = Rule::new(
            "Challenge requested: save replay",
            Trigger::ChallengeRequested,
            vec![RuleAction::now(ObsAction::SaveReplay)],
        );
        challenge.cooldown_ms = 3_000;
        let other = Rule::new(
            "Point: save replay",
            Trigger::Point { kind: None },
            vec![RuleAction::now(ObsAction::SaveReplay)],
        );
        vec![challenge, other]
    }

    #[test]
    fn an_old_challenge_save_becomes_the_review_save_and_back_to_live_is_added() {
        let (rules, changes) = migrate_for_review(old_defaults());
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(
            rules[0].actions,
            vec![RuleAction::now(ObsAction::ReviewSaveAndCue)]
        );
        assert_eq!(rules[0].cooldown_ms, 3_000, "the rest of the rule is kept");
        assert_eq!(
            rules[1].actions,
            vec![RuleAction::now(ObsAction::SaveReplay)],
            "a save on another trigger is not a challenge's"
        );
        assert_eq!(rules[2].trigger, Trigger::ChallengeOver);
        assert_eq!(
            rules[2].actions,
            vec![RuleAction::now(ObsAction::ReviewBackToLive)]
        );
        for r in &rules {
            r.validate().expect("the migrated set is valid");
        }
        let (again, none) = migrate_for_review(rules.clone());
        assert_eq!(again, rules, "migrating twice changes nothing");
        assert!(none.is_empty());
    }

    #[test]
    fn a_second_near_save_is_dropped_and_a_late_one_kept() {
        let late = RuleAction {
            action: ObsAction::SaveReplay,
            delay_ms: 20_000,
        };
        let mut rules = old_defaults();
        rules[0].actions = vec![
            RuleAction::now(ObsAction::SaveReplay),
            RuleAction::now(ObsAction::SaveReplay),
            late.clone(),
        ];
        let (rules, _) = migrate_for_review(rules);
        assert_eq!(
            rules[0].actions,
            vec![RuleAction::now(ObsAction::ReviewSaveAndCue), late]
        );
        rules[0].validate().expect("valid");
    }

    #[test]
    fn a_set_that_already_uses_review_actions_is_left_alone() {
        let rules = crate::obs::rules::default_rules();
        let (same, changes) = migrate_for_review(rules.clone());
        assert_eq!(same, rules);
        assert!(changes.is_empty());
    }
}
