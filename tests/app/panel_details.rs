//! Small panel details: the settings history shows dates, controls explain themselves on hover.

use courtside::advanced::LockState;
use courtside::model::AppState;
use courtside::store::SettingChange;
use courtside::ui::advanced::{AdvancedPanel, advanced_ui};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::Duration;

/// Hover a control long enough for its tooltip (egui waits before showing one).
fn hover_and_wait<S>(h: &mut Harness<'_, S>, label: &str) {
    h.get_by_label(label).hover();
    h.run_steps(6);
}

#[test]
fn settings_history_shows_date_and_time() {
    // Two changes on different days at the same time of day: a time alone would not tell them
    // apart.
    let day_ns = 86_400 * 1_000_000_000i64;
    let first = 1_790_000_000 * 1_000_000_000i64;
    let change = |id: u64, at_ns: i64| SettingChange {
        id,
        key: "theme".into(),
        old: None,
        new: format!("\"Dark{id}\""),
        at_ns,
        source: "ui".into(),
    };
    let state = AppState {
        history: vec![change(1, first), change(2, first + day_ns)],
        ..Default::default()
    };
    let mut h = Harness::builder()
        .with_size([1200.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(courtside::ui::settings::settings_ui, state);
    h.run();
    h.get_by_label("History").click();
    h.run();
    for ns in [first, first + day_ns] {
        // Formatted here with chrono directly, in the machine's time zone as the app shows it.
        let local = chrono::DateTime::from_timestamp_nanos(ns).with_timezone(&chrono::Local);
        h.get_by_label(&local.format("%Y-%m-%d %H:%M:%S").to_string());
    }
}

#[test]
fn settings_history_header_has_a_tooltip() {
    let mut h = Harness::builder()
        .with_size([1200.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(courtside::ui::settings::settings_ui, AppState::default());
    h.run();
    hover_and_wait(&mut h, "History");
    h.get_by_label_contains("Every settings change");
}

#[test]
fn advanced_mode_buttons_have_tooltips() {
    let mut h = Harness::builder().with_size([800.0, 400.0]).build_ui_state(
        |ui, p: &mut AdvancedPanel| {
            let unlocked = LockState::Unlocked {
                locks_in: Duration::from_secs(300),
            };
            advanced_ui(ui, p, unlocked, false);
        },
        AdvancedPanel::default(),
    );
    h.run();
    hover_and_wait(&mut h, "Lock now");
    h.get_by_label_contains("Lock advanced mode now");
    let mut h = Harness::builder().with_size([800.0, 400.0]).build_ui_state(
        |ui, p: &mut AdvancedPanel| {
            advanced_ui(ui, p, LockState::Locked, false);
        },
        AdvancedPanel::default(),
    );
    h.run();
    hover_and_wait(&mut h, "Unlock");
    h.get_by_label_contains("Unlock advanced mode with this password");
}

#[test]
fn the_last_commit_age_wakes_the_ui_exactly_when_its_text_changes() {
    use courtside::ui::status_bar::{age_changes_in, human_age};
    const S: i64 = 1_000_000_000;
    for ns in [
        0,
        1,
        S / 2,
        59 * S + 7,
        60 * S,
        61 * S + 3,
        3599 * S,
        3600 * S,
        5 * 3600 * S + 9,
    ] {
        let d = age_changes_in(ns).as_nanos() as i64;
        assert!(d > 0, "{ns}");
        assert_eq!(
            human_age(ns),
            human_age(ns + d - 1),
            "unchanged just before, {ns}"
        );
        assert_ne!(
            human_age(ns),
            human_age(ns + d),
            "changed at the wake-up, {ns}"
        );
    }
    // Idle for an hour after the last commit: about one wake-up a minute, not one a frame.
    assert_eq!(age_changes_in(10 * 60 * S).as_secs(), 60);
}
