//! The listener's trust and recovery settings in the settings panel: bad values are refused
//! beside their field and nothing is saved; good ones are saved canonical, with the lock on for
//! a new listener.

use courtside::model::AppState;
use courtside::model::settings::AppSettings;
use courtside::model::state::SettingsDraft;
use courtside::model::{Command, SettingsCommand};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::IpAddr;

fn harness() -> Harness<'static, AppState> {
    let state = AppState {
        draft: SettingsDraft::from_settings(&AppSettings::default()),
        ..Default::default()
    };
    Harness::builder()
        .with_size([1400.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(courtside::ui::settings::settings_ui, state)
}

#[test]
fn a_bad_pss_address_or_request_port_is_refused_beside_its_field() {
    for (address, port, message) in [
        ("pss.local", "", "'pss.local' is not an IP address"),
        ("", "70000", "port must be 1–65535, not 70000"),
        ("", "0", "port must be 1–65535, not 0"),
        ("", "six", "'six' is not a port number (1–65535)"),
    ] {
        let mut h = harness();
        {
            let l = &mut h.state_mut().draft.listeners[0];
            l.pss_address = address.into();
            l.pss_request_port = port.into();
        }
        h.run();
        h.get_by_label("Save and apply").click();
        h.run();
        h.get_by_label(message);
        h.get_by_label("fix the marked fields; nothing was saved");
        assert!(
            h.state().commands.is_empty(),
            "{address:?} {port:?}: nothing saved"
        );
    }
}

#[test]
fn an_added_listener_locks_and_its_addresses_are_saved_canonical() {
    let mut h = harness();
    h.run();
    h.get_by_label("Add listener").click();
    h.run();
    {
        let l = &mut h.state_mut().draft.listeners[1];
        assert!(l.lock_source, "a new listener locks to its scoring program");
        l.allow = "::ffff:10.0.0.5, 10.0.0.5".into();
        l.pss_address = "::ffff:10.0.0.5".into();
        l.pss_request_port = "6001".into();
    }
    h.run();
    h.get_by_label("Save and apply").click();
    h.run();
    let [Command::Settings(SettingsCommand::Save(saved))] = &h.state().commands[..] else {
        panic!("one save expected");
    };
    let l = &saved.listeners[1];
    let ip: IpAddr = "10.0.0.5".parse().expect("ip");
    assert_eq!(l.allow, vec![ip]);
    assert_eq!((l.pss_address, l.pss_request_port), (Some(ip), Some(6001)));
    assert!(l.lock_source);
}
