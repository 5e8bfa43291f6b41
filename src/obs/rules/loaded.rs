//! Rules read back from a store are checked again before they run: the store may come from an
//! older build (whose checks were looser), a restored backup or a crafted file. A rule is never
//! dropped silently and never allowed to panic the app: what can be made safe is made safe and
//! kept, the rest is switched off, and each change comes with a message for a notice.

use super::{MAX_DELAY_MS, Rule, check_template};
use crate::obs::command::ObsAction;

/// A stored rule after its check, with what was changed.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRule {
    /// The rule as it will run.
    pub rule: Rule,
    /// What was wrong and what was done about it, for the operator (empty: nothing).
    pub problems: Vec<String>,
}

/// Check one stored rule:
/// - a delay beyond [`MAX_DELAY_MS`] is clamped to it (so `now + delay` can never overflow);
/// - a file name template Windows would refuse is kept (its expansion is always made valid) but
///   reported, so the operator fixes it;
/// - any other invalid rule (no name, no action, a round that does not exist, an empty scene or
///   source name) is disabled.
pub fn check_loaded(mut rule: Rule) -> LoadedRule {
    let mut problems = Vec::new();
    let label = if rule.name.trim().is_empty() {
        format!("#{}", rule.id)
    } else {
        rule.name.trim().to_string()
    };
    for a in &mut rule.actions {
        if a.delay_ms > MAX_DELAY_MS {
            problems.push(format!(
                "automation rule '{label}': its stored delay of {} s for '{}' is longer than the \
                 {} s allowed; it was cut to {} s",
                a.delay_ms / 1000,
                a.action.label(),
                MAX_DELAY_MS / 1000,
                MAX_DELAY_MS / 1000
            ));
            a.delay_ms = MAX_DELAY_MS;
        }
        if let ObsAction::StartRecording { file_name: Some(t) } = &a.action
            && let Err(cause) = check_template(t)
        {
            problems.push(format!(
                "automation rule '{label}': its file name '{}' cannot be used as is ({cause}); \
                 recordings are named with the problem replaced until it is fixed",
                t.escape_default()
            ));
        }
    }
    // Judged without its templates: a template problem alone keeps the rule running.
    let mut bare = rule.clone();
    for a in &mut bare.actions {
        if let ObsAction::StartRecording { file_name } = &mut a.action {
            *file_name = None;
        }
    }
    match bare.validate() {
        Ok(()) => {}
        Err(e) => {
            if rule.enabled {
                problems.push(format!("{e}; the stored rule was switched off"));
            }
            rule.enabled = false;
        }
    }
    LoadedRule { rule, problems }
}
