//! The keyboard shortcuts, pressed through a real egui context: each F-key action has a
//! Cmd/Ctrl-based alternative (macOS: F11 is "Show Desktop", F-keys need Fn on laptops), and no
//! alternative also fires another action.
use super::*;
use crate::model::obs::ObsCommand;
use crate::obs::ObsAction;

/// The commands one key press gives, and whether the table's "follow newest" flipped.
fn press(shortcut: &KeyboardShortcut) -> (Vec<Command>, bool) {
    let ctx = egui::Context::default();
    let mut s = AppState::default();
    let follow = s.table.follow;
    let raw = egui::RawInput {
        events: vec![egui::Event::Key {
            key: shortcut.logical_key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers: shortcut.modifiers,
        }],
        ..Default::default()
    };
    let mut out = ctx.run_ui(raw, |ui| shortcuts(ui.ctx(), &mut s));
    // No painter: the font texture upload is dropped, as a backend would apply it.
    out.textures_delta.clear();
    (std::mem::take(&mut s.commands), s.table.follow != follow)
}

fn is_toggle(c: &[Command]) -> bool {
    matches!(c, [Command::ToggleScoreboard])
}

fn is_fullscreen(c: &[Command]) -> bool {
    matches!(c, [Command::ScoreboardFullscreen(true)])
}

fn is_save_replay(c: &[Command]) -> bool {
    matches!(c, [Command::Obs(ObsCommand::Run(_, ObsAction::SaveReplay))])
}

#[test]
fn each_f_key_action_has_a_command_key_alternative_that_does_the_same() {
    for (f_key, alt, check) in [
        (
            &TOGGLE_SCOREBOARD,
            &TOGGLE_SCOREBOARD_ALT,
            is_toggle as fn(&[Command]) -> bool,
        ),
        (
            &FULLSCREEN_SCOREBOARD,
            &FULLSCREEN_SCOREBOARD_ALT,
            is_fullscreen,
        ),
        (&SAVE_REPLAY, &SAVE_REPLAY_ALT, is_save_replay),
    ] {
        assert!(alt.modifiers.command, "{alt:?} uses Cmd (Ctrl elsewhere)");
        let (by_key, _) = press(f_key);
        let (by_alt, follow_flipped) = press(alt);
        assert!(check(&by_key), "{f_key:?} gave {}", by_key.len());
        assert!(check(&by_alt), "{alt:?} gave {} command(s)", by_alt.len());
        assert!(!follow_flipped, "{alt:?} also toggled follow (Ctrl+F)");
    }
}

#[test]
fn ctrl_f_still_toggles_follow_and_nothing_else() {
    let (commands, follow_flipped) = press(&FOLLOW_TABLE);
    assert!(follow_flipped);
    assert!(commands.is_empty());
}

#[test]
fn the_alternatives_collide_with_no_other_shortcut() {
    let others = [
        PAUSE_LOG,
        TOGGLE_SCOREBOARD,
        FULLSCREEN_SCOREBOARD,
        FOLLOW_TABLE,
        SETTINGS,
        PAUSE_AUTOMATION,
        SAVE_REPLAY,
        TOGGLE_RECORDING,
        TOGGLE_REPLAY,
        TOGGLE_STREAMING,
        OBS_WINDOW,
    ];
    for alt in [
        TOGGLE_SCOREBOARD_ALT,
        FULLSCREEN_SCOREBOARD_ALT,
        SAVE_REPLAY_ALT,
    ] {
        assert!(!others.contains(&alt), "{alt:?} is taken");
    }
}
