//! Rule definitions: file name templates and validation of what the operator enters.

use courtside::match_state::MatchState;
use courtside::obs::rules::{DEFAULT_RECORDING_NAME, default_rules, expand_template};
use courtside::obs::{ObsAction, RuleAction, RuleError, Target, Visibility};
use courtside::protocol::parse_text;

#[test]
fn template_values_cannot_break_the_file_name() {
    let mut state = MatchState::new();
    for l in [
        "at1;A/B;Ann %d/..\\x;K:R;at2;;;;",
        "mch;12.A;Final;M- 68 kg;;;;;;null;Senior;3;120;cntDown;18;1;",
    ] {
        for e in parse_text(l) {
            state.apply(&e);
        }
    }
    let name = expand_template(DEFAULT_RECORDING_NAME, &state, "court 1");
    assert_eq!(
        name,
        "Match 12.A - Ann d .. x (K R) vs - (-) %CCYY-%MM-%DD %hh-%mm-%ss"
    );
    // A separator in an older stored template cannot make a folder.
    assert_eq!(
        expand_template("{court}/{weight}", &state, "c:1"),
        "c 1-M- 68 kg"
    );
}

fn start_recording_named(template: &str) -> courtside::obs::Rule {
    let mut r = default_rules().remove(0);
    r.actions = vec![RuleAction::now(ObsAction::StartRecording {
        file_name: Some(template.into()),
    })];
    r
}

#[test]
fn windows_invalid_file_name_templates_are_refused_when_the_rule_is_saved() {
    for (template, cause) in [
        ("%hh:%mm {match}", "':'"),
        ("{court} <final>", "'<'"),
        ("what?", "'?'"),
        ("a|b", "'|'"),
        ("\"quoted\"", "'\"'"),
        ("star*", "'*'"),
        ("a/b", "'/'"),
        ("a\\b", "'\\'"),
        ("tab\there", "control character"),
        ("CON", "device name"),
        ("con.{match}", "device name"),
        ("COM1", "device name"),
        ("lpt9.{court} {match}", "device name"),
        ("AUX", "device name"),
        ("NUL.x", "device name"),
        ("PRN", "device name"),
        ("match {match}.", "dot or a space"),
        ("", "empty"),
    ] {
        let err = start_recording_named(template)
            .validate()
            .expect_err(template);
        let text = err.to_string();
        assert!(matches!(err, RuleError::BadFileName { .. }), "{text}");
        assert!(text.contains(cause), "{template:?}: {text}");
    }
    for ok in [
        DEFAULT_RECORDING_NAME,
        "{court} {match}",
        "CONTEST {match}",
        "COM10",
    ] {
        assert_eq!(start_recording_named(ok).validate(), Ok(()), "{ok}");
    }
}

#[test]
fn expanded_file_names_are_valid_on_windows_whatever_the_match_data() {
    let mut state = MatchState::new();
    for l in [
        "at1;CON;CON;AUX;at2;nul.;PRN <x>;LPT1",
        "mch;12:03;Final|A;M- 68 kg?;;;;;;null;Senior;3;120;cntDown;18;1;",
    ] {
        for e in parse_text(l) {
            state.apply(&e);
        }
    }
    for court in ["CON", "com1", "Court: 1", "", "..", "a\u{7}b"] {
        for template in [
            "{court}",
            "{court}.{match}",
            "{blue}",
            "{red_country}.{blue_country}",
            "{match}",
            DEFAULT_RECORDING_NAME,
            // Older stores may hold templates the check now refuses.
            "%hh:%mm {court}",
            "CON",
            "{court} ",
        ] {
            let name = expand_template(template, &state, court);
            assert_eq!(
                courtside::fsname::check_file_name(&name),
                Ok(()),
                "{template:?} with court {court:?} gave {name:?}"
            );
        }
    }
    assert_eq!(expand_template("{court}", &state, "CON"), "CON_");
    assert_eq!(expand_template("{match}", &state, "x"), "12 03");
}

#[test]
fn each_invalid_rule_is_refused_with_its_reason() {
    let ok = default_rules().remove(0);
    assert_eq!(ok.validate(), Ok(()));
    let mut r = ok.clone();
    r.name = " ".into();
    assert_eq!(r.validate(), Err(RuleError::EmptyName));
    let mut r = ok.clone();
    r.actions.clear();
    assert!(matches!(r.validate(), Err(RuleError::NoActions { .. })));
    let mut r = ok.clone();
    r.conditions.rounds = vec![1, 5];
    assert!(matches!(
        r.validate(),
        Err(RuleError::BadRound { round: 5, .. })
    ));
    let mut r = ok.clone();
    r.actions[0].delay_ms = 601_000;
    assert!(matches!(
        r.validate(),
        Err(RuleError::DelayTooLong { secs: 601, .. })
    ));
    let mut r = ok.clone();
    r.actions = vec![RuleAction::now(ObsAction::SetScene { scene: "".into() })];
    assert!(matches!(
        r.validate(),
        Err(RuleError::MissingName { field: "scene", .. })
    ));
    r.actions = vec![RuleAction::now(ObsAction::SetSourceVisibility {
        scene: "A".into(),
        source: "".into(),
        visible: Visibility::Show,
    })];
    assert!(matches!(
        r.validate(),
        Err(RuleError::MissingName {
            field: "source",
            ..
        })
    ));
    r.actions = vec![RuleAction::now(ObsAction::StartRecording {
        file_name: Some("a/b".into()),
    })];
    assert!(matches!(r.validate(), Err(RuleError::BadFileName { .. })));
    assert_eq!(ok.target, Target::All);
}

/// The review actions' own checks: each bad use refused with its reason (and the stored rule
/// switched off, never run), a good one accepted.
#[test]
fn review_actions_are_refused_on_a_wrong_trigger_too_late_or_beside_a_second_save() {
    use courtside::obs::rules::{MAX_REVIEW_SAVE_DELAY_MS, check_loaded};
    use courtside::obs::{Rule, Trigger};
    let review = |trigger, actions| Rule::new("review", trigger, actions);
    let cue = || RuleAction::now(ObsAction::ReviewSaveAndCue);
    let ok = review(Trigger::ChallengeRequested, vec![cue()]);
    assert_eq!(ok.validate(), Ok(()));
    let on_point = review(Trigger::Point { kind: None }, vec![cue()]);
    let e = on_point.validate().unwrap_err();
    assert!(matches!(e, RuleError::ReviewNeedsChallenge { .. }), "{e:?}");
    assert!(e.to_string().contains("challenge requested"), "{e}");
    let late = review(
        Trigger::ChallengeRequested,
        vec![RuleAction {
            action: ObsAction::ReviewSaveAndCue,
            delay_ms: MAX_REVIEW_SAVE_DELAY_MS + 1,
        }],
    );
    let e = late.validate().unwrap_err();
    assert!(
        matches!(
            e,
            RuleError::ReviewTooLate {
                secs: 6,
                max: 5,
                ..
            }
        ),
        "{e:?}"
    );
    let twice = review(
        Trigger::ChallengeRequested,
        vec![RuleAction::now(ObsAction::SaveReplay), cue()],
    );
    let e = twice.validate().unwrap_err();
    assert!(matches!(e, RuleError::DoubleSave { .. }), "{e:?}");
    assert!(e.to_string().contains("two replays"), "{e}");
    // A save long after the review's (a second, later replay) is a choice, not a double save.
    let later = review(
        Trigger::ChallengeRequested,
        vec![
            cue(),
            RuleAction {
                action: ObsAction::SaveReplay,
                delay_ms: 30_000,
            },
        ],
    );
    assert_eq!(later.validate(), Ok(()));
    // Back to live fits any trigger.
    let back = review(
        Trigger::ClockStart,
        vec![RuleAction::now(ObsAction::ReviewBackToLive)],
    );
    assert_eq!(back.validate(), Ok(()));
    // A stored rule with a bad review action is switched off, with the reason.
    let loaded = check_loaded(on_point);
    assert!(!loaded.rule.enabled);
    assert!(
        loaded.problems[0].contains("switched off"),
        "{:?}",
        loaded.problems
    );
}
