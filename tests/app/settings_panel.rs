//! The settings panel under egui_kittest: bad listener input is refused with a message beside the
//! field and nothing is saved; a good edit emits one save with the new values.

use courtside::model::AppState;
use courtside::model::settings::AppSettings;
use courtside::model::state::SettingsDraft;
use courtside::model::{Command, SettingsCommand};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn settings_harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size([1200.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(courtside::ui::settings::settings_ui, state)
}

fn settings_state() -> AppState {
    AppState {
        draft: SettingsDraft::from_settings(&AppSettings::default()),
        ..Default::default()
    }
}

#[test]
fn bad_port_is_refused_with_a_message_beside_the_field() {
    let mut h = settings_harness(settings_state());
    h.run();
    h.get_by(|n| n.role() == Role::TextInput && n.value().as_deref() == Some("6000"))
        .focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by(|n| n.role() == Role::TextInput && n.value().as_deref() == Some("6000"))
        .type_text("70000");
    h.run();
    assert_eq!(h.state().draft.listeners[0].port, "70000");
    h.get_by_label("Save and apply").click();
    h.run();
    h.get_by_label("port must be 1–65535, not 70000");
    h.get_by_label("fix the marked fields; nothing was saved");
    assert!(h.state().commands.is_empty(), "nothing is saved");
}

#[test]
fn each_kind_of_bad_listener_input_is_refused() {
    for (field, value, message) in [
        ("port", "abc", "'abc' is not a port number (1–65535)"),
        ("port", "", "enter a port (1–65535)"),
        (
            "allow",
            "10.0.0.1, nonsense",
            "'nonsense' is not an IP address",
        ),
        ("bind", "300.1.1.1", "'300.1.1.1' is not an IP address"),
    ] {
        let mut h = settings_harness(settings_state());
        {
            let l = &mut h.state_mut().draft.listeners[0];
            match field {
                "port" => l.port = value.into(),
                "allow" => l.allow = value.into(),
                _ => l.bind = value.into(),
            }
        }
        h.run();
        h.get_by_label("Save and apply").click();
        h.run();
        h.get_by_label(message);
        assert!(
            h.state().commands.is_empty(),
            "{field}={value:?} must not save"
        );
    }
}

#[test]
fn duplicate_court_or_port_is_refused() {
    let mut s = settings_state();
    let mut second = s.draft.listeners[0].clone();
    second.court = "Court 2".into();
    s.draft.listeners.push(second);
    let mut h = settings_harness(s);
    h.run();
    h.get_by_label("Save and apply").click();
    h.run();
    h.get_by_label_contains("both listen on port 6000");
    assert!(h.state().commands.is_empty());
}

#[test]
fn good_edit_emits_a_save_with_the_new_values() {
    let mut h = settings_harness(settings_state());
    h.run();
    h.get_by_label("Add listener").click();
    h.run();
    assert_eq!(h.state().draft.listeners.len(), 2);
    h.get_by_label("Light").click();
    h.get_by_label("Save and apply").click();
    h.run();
    let saves: Vec<_> = h
        .state()
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Settings(SettingsCommand::Save(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(saves.len(), 1);
    let s = &saves[0];
    assert_eq!(s.listeners.len(), 2);
    assert_eq!(s.listeners[1].port, 6001);
    assert_eq!(s.listeners[1].court, "Court 2");
    assert_eq!(s.theme, courtside::model::settings::Theme::Light);
}
