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
    assert_eq!(
        expand_template("{court}/{weight}", &state, "c:1"),
        "c 1/M- 68 kg"
    );
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
