//! Drawing. One file per panel; panels draw `AppState` and push `Command`s — no I/O here.

pub mod about;
pub mod advanced;
pub mod big_text;
pub mod event_table;
pub mod flag_widget;
pub mod flags;
pub mod hub_court_ui;
pub mod hub_ui;
pub mod live_data;
pub mod match_panel;
pub mod monitor;
pub mod obs;
pub mod review_ui;
pub mod scoreboard;
pub mod settings;
pub mod status_bar;
pub mod support;
pub mod theme;
pub mod tournament_ui;
pub mod web_ui;

use crate::model::{AppState, Command, SettingsCommand};
use egui::{Key, KeyboardShortcut, Modifiers};

/// Ctrl+P: pause / resume the live data log.
pub const PAUSE_LOG: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
/// F2: open / close the scoreboard window.
pub const TOGGLE_SCOREBOARD: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F2);
/// F11: scoreboard fullscreen on / off.
pub const FULLSCREEN_SCOREBOARD: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::NONE, Key::F11);
/// Ctrl+Shift+D (Cmd+Shift+D on macOS): the same as F2. macOS laptops need Fn for F-keys.
pub const TOGGLE_SCOREBOARD_ALT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::D);
/// Ctrl+Shift+F (Cmd+Shift+F): the same as F11, which macOS takes for "Show Desktop".
/// Consumed before Ctrl+F ([`FOLLOW_TABLE`]), which would match it too (egui ignores an extra
/// Shift when matching).
pub const FULLSCREEN_SCOREBOARD_ALT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::F);
/// Ctrl+F: follow the newest event in the table on / off.
pub const FOLLOW_TABLE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
/// Ctrl+, : settings.
pub const SETTINGS: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Comma);

/// Ctrl+Shift+A: pause / resume OBS automation.
pub const PAUSE_AUTOMATION: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::A);
/// F9: save the replay buffer (instant replay) on every connected OBS.
pub const SAVE_REPLAY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F9);
/// Ctrl+Shift+I (Cmd+Shift+I): the same as F9 ("instant replay").
pub const SAVE_REPLAY_ALT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::I);
/// Ctrl+Shift+R: start / stop recording on every connected OBS.
pub const TOGGLE_RECORDING: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::R);
/// Ctrl+Shift+B: start / stop the replay buffer on every connected OBS.
pub const TOGGLE_REPLAY: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::B);
/// Ctrl+Shift+S: start / stop streaming on every connected OBS.
pub const TOGGLE_STREAMING: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
/// Ctrl+Shift+O: the OBS window.
pub const OBS_WINDOW: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::O);

/// Consume either shortcut of an action (its F-key or its alternative); true when pressed.
pub fn consume_either(
    i: &mut egui::InputState,
    key: &KeyboardShortcut,
    alt: &KeyboardShortcut,
) -> bool {
    // Both consumed when both are pressed in one frame, so neither fires twice later.
    i.consume_shortcut(key) | i.consume_shortcut(alt)
}

/// "F2 or Ctrl+Shift+D" for tooltips (egui writes ⌘ and ⇧ on macOS).
pub fn either_text(ctx: &egui::Context, key: &KeyboardShortcut, alt: &KeyboardShortcut) -> String {
    format!(
        "{} or {}",
        ctx.format_shortcut(key),
        ctx.format_shortcut(alt)
    )
}

/// Handle the keyboard shortcuts of the frequent actions.
pub fn shortcuts(ctx: &egui::Context, s: &mut AppState) {
    let typing = ctx.egui_wants_keyboard_input();
    ctx.input_mut(|i| {
        if i.consume_shortcut(&PAUSE_LOG) {
            live_data::toggle_pause(&mut s.live);
        }
        if consume_either(i, &TOGGLE_SCOREBOARD, &TOGGLE_SCOREBOARD_ALT) {
            s.commands.push(Command::ToggleScoreboard);
        }
        if consume_either(i, &FULLSCREEN_SCOREBOARD, &FULLSCREEN_SCOREBOARD_ALT) {
            s.commands
                .push(Command::ScoreboardFullscreen(!s.scoreboard_fullscreen));
        }
        if i.consume_shortcut(&FOLLOW_TABLE) {
            s.table.follow = !s.table.follow;
        }
        if i.consume_shortcut(&SETTINGS) {
            s.prefs.show_settings = !s.prefs.show_settings;
        }
        obs_shortcuts(i, s);
        review_ui::shortcuts(i, s, typing);
    });
}

#[cfg(test)]
#[path = "shortcut_tests.rs"]
mod shortcut_tests;

/// OBS shortcuts act on every connected OBS; a toggle stops what any of them runs.
fn obs_shortcuts(i: &mut egui::InputState, s: &mut AppState) {
    use crate::model::obs::{ObsCommand, Toggle};
    use crate::obs::{ObsAction, Target};
    if i.consume_shortcut(&OBS_WINDOW) {
        s.prefs.show_obs = !s.prefs.show_obs;
    }
    if i.consume_shortcut(&PAUSE_AUTOMATION) {
        s.commands
            .push(Command::Obs(ObsCommand::SetPaused(!s.obs.paused)));
    }
    let mut actions = Vec::new();
    if consume_either(i, &SAVE_REPLAY, &SAVE_REPLAY_ALT) {
        actions.push(ObsAction::SaveReplay);
    }
    for (k, t) in [
        (&TOGGLE_RECORDING, Toggle::Recording),
        (&TOGGLE_REPLAY, Toggle::ReplayBuffer),
        (&TOGGLE_STREAMING, Toggle::Streaming),
    ] {
        if i.consume_shortcut(k) {
            actions.push(s.obs.toggle(t));
        }
    }
    for a in actions {
        s.commands
            .push(Command::Obs(ObsCommand::Run(Target::All, a)));
    }
}

/// The main window.
pub fn main_ui(ui: &mut egui::Ui, s: &mut AppState) {
    egui::Panel::top("status").show(ui, |ui| {
        status_bar::status_bar_ui(ui, s);
        toolbar_ui(ui, s);
        status_bar::notices_ui(ui, &mut s.notices);
    });
    if s.prefs.show_match {
        egui::Panel::right("match")
            .resizable(true)
            .default_size(340.0)
            .show(ui, |ui| match_panel::match_panel_ui(ui, s));
    }
    if s.prefs.show_live {
        egui::Panel::bottom("live")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| {
                live_data::live_data_ui(ui, &mut s.live, &mut s.commands)
            });
    }
    egui::CentralPanel::default_margins().show(ui, |ui| event_table::event_table_ui(ui, s));
    settings::settings_window(ui.ctx(), s);
    obs::obs_window(ui.ctx(), s);
    review_ui::review_window(ui.ctx(), s);
    support::support_windows(ui.ctx(), s);
    flags::flags_window(ui.ctx(), s);
    hub_ui::hub_window(ui.ctx(), s);
}

fn toolbar_ui(ui: &mut egui::Ui, s: &mut AppState) {
    ui.horizontal(|ui| {
        let ctx = ui.ctx().clone();
        let fmt = |k: &KeyboardShortcut| ctx.format_shortcut(k);
        ui.toggle_value(&mut s.prefs.show_live, "Live data")
            .on_hover_text("Show the raw datagram log at the bottom");
        ui.toggle_value(&mut s.prefs.show_match, "Match")
            .on_hover_text("Show the match panel (state at a glance, match history)");
        ui.toggle_value(&mut s.prefs.show_flags, "Flags")
            .on_hover_text(
                "Flags manager: import (or drop files on the window), mapping, missing flags",
            );
        ui.toggle_value(&mut s.prefs.show_obs, "OBS")
            .on_hover_text(format!(
                "OBS: status and control, connections, automation rules and log ({})",
                fmt(&OBS_WINDOW)
            ));
        ui.toggle_value(&mut s.prefs.show_review, "Review")
            .on_hover_text(format!(
                "Video review: the match's scoring events on video, played in OBS ({})",
                either_text(
                    &ctx,
                    &review_ui::REVIEW_WINDOW,
                    &review_ui::REVIEW_WINDOW_ALT
                )
            ));
        if s.hub.status.is_some() {
            ui.toggle_value(&mut s.prefs.show_tournament, "Tournament")
                .on_hover_text(
                    "The hub's Tournament window: every court, its scoreboard and records, the \
                     finished matches and their export",
                );
        }
        ui.toggle_value(&mut s.prefs.show_support, "System & support")
            .on_hover_text(
                "System monitor, diagnostics, logs, export/backup/restore, match reports, \
                 advanced mode, licence",
            );
        let board = s.prefs.scoreboard_open;
        if ui
            .selectable_label(board, "Scoreboard window")
            .on_hover_text(format!(
                "Open or close the live scoreboard window ({})",
                either_text(&ctx, &TOGGLE_SCOREBOARD, &TOGGLE_SCOREBOARD_ALT)
            ))
            .clicked()
        {
            s.commands.push(Command::ToggleScoreboard);
        }
        if ui
            .add_enabled(board, egui::Button::new("Fullscreen scoreboard"))
            .on_hover_text(format!(
                "Scoreboard window fullscreen on/off ({})",
                either_text(&ctx, &FULLSCREEN_SCOREBOARD, &FULLSCREEN_SCOREBOARD_ALT)
            ))
            .clicked()
        {
            s.commands
                .push(Command::ScoreboardFullscreen(!s.scoreboard_fullscreen));
        }
        if ui
            .button("Reset scoreboard position")
            .on_hover_text(
                "Bring the scoreboard window back at its default size inside this window, \
                 e.g. when it was on a projector that is unplugged or set up differently",
            )
            .clicked()
        {
            s.commands.push(Command::ResetScoreboardPlace);
        }
        if ui
            .selectable_label(s.prefs.show_settings, "Settings")
            .on_hover_text(format!(
                "Listeners, scoreboard appearance, theme, store ({})",
                fmt(&SETTINGS)
            ))
            .clicked()
        {
            s.prefs.show_settings = !s.prefs.show_settings;
            if s.prefs.show_settings {
                s.commands
                    .push(Command::Settings(SettingsCommand::LoadHistory));
            }
        }
    });
}
