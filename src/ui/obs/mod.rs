//! The OBS window: status and control per instance, connections, automation rules, and the
//! automation log. Draws `AppState::obs` and pushes `Command::Obs` commands; no I/O here.

mod connections;
mod log;
mod review_setup;
mod rule_action;
mod rules;

pub use connections::connections_ui;
pub use log::firing_log_ui;
pub use review_setup::{all_intra_label, review_setup_ui};
pub use rules::rules_ui;

use crate::model::obs::{ObsCommand, ObsTab, ObsView};
use crate::model::{AppState, Command};
use crate::obs::{
    LinkProblem, LinkState, ObsAction, ObsStatus, OutputPhase, OutputStatus, Target, Visibility,
};
use egui::{Color32, RichText};
use std::time::Instant;

pub(crate) const OK: Color32 = Color32::from_rgb(0x3C, 0xB3, 0x71);
pub(crate) const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);
pub(crate) const WARN: Color32 = Color32::from_rgb(0xE8, 0xA0, 0x20);
pub(crate) const REC: Color32 = Color32::from_rgb(0xD0, 0x20, 0x20);

/// The OBS window (when open).
pub fn obs_window(ctx: &egui::Context, s: &mut AppState) {
    let mut open = s.prefs.show_obs;
    egui::Window::new("OBS")
        .open(&mut open)
        .default_width(780.0)
        .default_height(520.0)
        .vscroll(true)
        .show(ctx, |ui| obs_ui(ui, s));
    s.prefs.show_obs = open;
}

/// The OBS panel's content (also used directly by tests).
pub fn obs_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let unlocked = s.support.unlocked();
    let commands = &mut s.commands;
    let view = &mut s.obs;
    ui.horizontal(|ui| {
        for (tab, label, tip) in [
            (
                ObsTab::Control,
                "Control",
                "Status of each OBS and its buttons",
            ),
            (
                ObsTab::Connections,
                "Connections",
                "Add, edit, delete and test OBS connections",
            ),
            (
                ObsTab::Automation,
                "Automation",
                "Rules: PSS event → OBS actions",
            ),
            (
                ObsTab::Log,
                "Automation log",
                "Every action automation ran, with its result",
            ),
        ] {
            ui.selectable_value(&mut view.tab, tab, label)
                .on_hover_text(tip);
        }
        ui.separator();
        pause_toggle(ui, view, commands);
    });
    if !view.available {
        ui.colored_label(BAD, "OBS control is not running (see the notices).");
    }
    ui.separator();
    match view.tab {
        ObsTab::Control => control_ui(ui, view, commands),
        ObsTab::Connections => connections_ui(ui, view, commands),
        ObsTab::Automation => rules_ui(ui, view, commands, unlocked),
        ObsTab::Log => firing_log_ui(ui, view),
    }
}

/// The master automation switch.
pub fn pause_toggle(ui: &mut egui::Ui, view: &ObsView, commands: &mut Vec<Command>) {
    let (text, color) = if view.paused {
        ("Automation PAUSED", WARN)
    } else {
        ("Automation on", OK)
    };
    let shortcut = ui.ctx().format_shortcut(&crate::ui::PAUSE_AUTOMATION);
    if ui
        .selectable_label(view.paused, RichText::new(text).color(color).strong())
        .on_hover_text(format!(
            "Pause or resume every automation rule at once ({shortcut}). Buttons and shortcuts \
             still work while paused."
        ))
        .clicked()
    {
        commands.push(Command::Obs(ObsCommand::SetPaused(!view.paused)));
    }
}

fn control_ui(ui: &mut egui::Ui, view: &mut ObsView, commands: &mut Vec<Command>) {
    if view.statuses.is_empty() {
        ui.label("No OBS connection yet.");
        if ui
            .button("Add an OBS connection…")
            .on_hover_text("Open the Connections tab with a new connection to this machine's OBS")
            .clicked()
        {
            view.tab = ObsTab::Connections;
            view.editing = Some(crate::model::obs::ConnectionDraft::new_local(0));
        }
        return;
    }
    let now = Instant::now();
    let statuses = view.statuses.clone();
    for st in &statuses {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            status_block(ui, st, now);
            if st.link.is_connected() {
                buttons_ui(ui, view, st, commands);
            } else if !matches!(st.link, LinkState::Disabled) {
                let retry = ui
                    .button("Reconnect now")
                    .on_hover_text("Try to connect again without waiting");
                if retry.clicked() {
                    commands.push(Command::Obs(ObsCommand::Reconnect(st.connection_id)));
                }
            }
        });
    }
    review_setup_ui(ui, view, commands);
}

/// Colour of an instance's link.
pub fn link_color(link: &LinkState) -> Color32 {
    match link {
        LinkState::Connected => OK,
        LinkState::Disabled => Color32::GRAY,
        LinkState::Connecting => WARN,
        LinkState::Waiting {
            problem: LinkProblem::AuthFailed,
            ..
        } => BAD,
        LinkState::Waiting { .. } => WARN,
    }
}

/// "REC 1:23" etc. for an output.
pub fn output_text(name: &str, o: &OutputStatus, now: Instant) -> Option<String> {
    match o.phase {
        OutputPhase::On => Some(match o.elapsed(now) {
            Some(d) => format!("{name} {}", clock(d.as_secs())),
            None => name.to_string(),
        }),
        OutputPhase::Starting => Some(format!("{name} starting…")),
        OutputPhase::Stopping => Some(format!("{name} stopping…")),
        _ => None,
    }
}

fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

fn status_block(ui: &mut egui::Ui, st: &ObsStatus, now: Instant) {
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(link_color(&st.link), "●");
        ui.strong(&st.name);
        ui.label(RichText::new(format!("{} · {}", st.role.label(), st.addr)).weak());
        ui.label(st.link.label(now));
        if let Some(v) = &st.obs_version {
            let ws = st.websocket_version.as_deref().unwrap_or("?");
            ui.label(RichText::new(format!("OBS {v}, websocket {ws}")).weak());
        }
        if st.older_obs {
            ui.colored_label(WARN, "older OBS")
                .on_hover_text(older_obs_text(st));
        }
    });
    if !st.link.is_connected() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        let rec = output_text("REC", &st.recording, now);
        match &rec {
            Some(t) => ui.colored_label(REC, RichText::new(t).strong()),
            None => ui.label(RichText::new("not recording").weak()),
        };
        if let Some(f) = &st.recording.file {
            ui.label(RichText::new(f).weak().small())
                .on_hover_text("Current recording file");
        }
        ui.separator();
        let stream = output_text("LIVE", &st.streaming, now);
        ui.label(stream.unwrap_or_else(|| "not streaming".into()));
        ui.separator();
        let replay = match st.replay_buffer.phase {
            OutputPhase::On => "replay buffer on".to_string(),
            OutputPhase::Unavailable => "replay buffer unavailable".to_string(),
            _ => "replay buffer off".to_string(),
        };
        ui.label(replay);
        ui.separator();
        let scene = st.program_scene.as_deref().unwrap_or("?");
        ui.label(format!("scene: {scene}"));
    });
}

/// Why an older OBS shows a notice, and what it lacks.
pub fn older_obs_text(st: &ObsStatus) -> String {
    let mut t = "This OBS is older than obs-websocket 5.5 / OBS 30.2. courtside connects without \
                 the version check and uses only what this version has."
        .to_string();
    if !st.unavailable.is_empty() {
        t.push_str("\nNot available here: ");
        t.push_str(&st.unavailable.join(", "));
    }
    t
}

fn buttons_ui(ui: &mut egui::Ui, view: &mut ObsView, st: &ObsStatus, commands: &mut Vec<Command>) {
    let target = Target::Connection(st.connection_id);
    let mut run = |a: ObsAction| commands.push(Command::Obs(ObsCommand::Run(target, a)));
    ui.horizontal_wrapped(|ui| {
        let recording = st.recording.phase.is_on();
        let (label, action) = if recording {
            ("Stop recording", ObsAction::StopRecording)
        } else {
            (
                "Start recording",
                ObsAction::StartRecording { file_name: None },
            )
        };
        let tip = shortcut_tip(ui, "Start or stop recording", &crate::ui::TOGGLE_RECORDING);
        if ui.button(label).on_hover_text(tip).clicked() {
            run(action);
        }
        let (label, action) = if st.streaming.phase.is_on() {
            ("Stop streaming", ObsAction::StopStreaming)
        } else {
            ("Start streaming", ObsAction::StartStreaming)
        };
        let tip = shortcut_tip(ui, "Start or stop streaming", &crate::ui::TOGGLE_STREAMING);
        if ui.button(label).on_hover_text(tip).clicked() {
            run(action);
        }
        let replay_on = st.replay_buffer.phase.is_on();
        let (label, action) = if replay_on {
            ("Stop replay buffer", ObsAction::StopReplayBuffer)
        } else {
            ("Start replay buffer", ObsAction::StartReplayBuffer)
        };
        let tip = shortcut_tip(
            ui,
            "Start or stop the replay buffer",
            &crate::ui::TOGGLE_REPLAY,
        );
        if ui.button(label).on_hover_text(tip).clicked() {
            run(action);
        }
        let tip = shortcut_tip(
            ui,
            "Save the last seconds of the replay buffer to a file (instant replay)",
            &crate::ui::SAVE_REPLAY,
        );
        if ui
            .add_enabled(replay_on, egui::Button::new("Save replay"))
            .on_hover_text(tip)
            .on_disabled_hover_text("Start the replay buffer first")
            .clicked()
        {
            run(ObsAction::SaveReplay);
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Program scene:");
        for scene in &st.scenes {
            let current = st.program_scene.as_deref() == Some(scene.as_str());
            if ui
                .selectable_label(current, scene)
                .on_hover_text(format!("Switch OBS's program scene to '{scene}'"))
                .clicked()
                && !current
            {
                run(ObsAction::SetScene {
                    scene: scene.clone(),
                });
            }
        }
    });
    source_toggle_ui(ui, view, st, &mut run);
}

fn source_toggle_ui(
    ui: &mut egui::Ui,
    view: &mut ObsView,
    st: &ObsStatus,
    run: &mut impl FnMut(ObsAction),
) {
    let id = st.connection_id;
    if !view.source_input.iter().any(|(c, _, _)| *c == id) {
        let scene = st.program_scene.clone().unwrap_or_default();
        view.source_input.push((id, scene, String::new()));
    }
    let Some((_, scene, source)) = view.source_input.iter_mut().find(|(c, _, _)| *c == id) else {
        return;
    };
    ui.horizontal_wrapped(|ui| {
        ui.label("Source");
        ui.add(egui::TextEdit::singleline(source).desired_width(140.0))
            .on_hover_text("Name of the source (scene item) to show or hide");
        ui.label("in scene");
        egui::ComboBox::from_id_salt(("source-scene", id))
            .selected_text(scene.as_str())
            .show_ui(ui, |ui| {
                for s in &st.scenes {
                    ui.selectable_value(scene, s.clone(), s);
                }
            })
            .response
            .on_hover_text("Scene that holds the source");
        let ready = !source.trim().is_empty() && !scene.is_empty();
        for (label, visible, tip) in [
            (
                "Toggle",
                Visibility::Toggle,
                "Show the source if hidden, hide it if shown",
            ),
            ("Show", Visibility::Show, "Make the source visible"),
            ("Hide", Visibility::Hide, "Hide the source"),
        ] {
            if ui
                .add_enabled(ready, egui::Button::new(label))
                .on_hover_text(tip)
                .on_disabled_hover_text("Type a source name and choose its scene first")
                .clicked()
            {
                run(ObsAction::SetSourceVisibility {
                    scene: scene.clone(),
                    source: source.trim().to_string(),
                    visible,
                });
            }
        }
    });
}

fn shortcut_tip(ui: &egui::Ui, what: &str, k: &egui::KeyboardShortcut) -> String {
    // F9 has a Cmd-based alternative for macOS laptops (F-keys need Fn there).
    let keys = if *k == crate::ui::SAVE_REPLAY {
        crate::ui::either_text(ui.ctx(), k, &crate::ui::SAVE_REPLAY_ALT)
    } else {
        ui.ctx().format_shortcut(k)
    };
    format!("{what} on this OBS. Shortcut ({keys}) acts on every connected OBS.")
}
