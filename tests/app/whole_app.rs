//! Whole-app tests: the real `CourtsideApp` (built with `build_eframe`) fed by a real loopback
//! UDP listener and `courtside simulate`, over a temp store.

use courtside::app::CourtsideApp;
use courtside::app::settings::keys;
use courtside::match_state::MatchState;
use courtside::store::Store;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::{Ipv4Addr, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/example-match.pss"
);

pub use crate::app_support::{app, configure, free_port};

/// Step the app until `done` holds, failing after a deadline (no fixed sleeps).
pub fn step_until(
    h: &mut Harness<'_, CourtsideApp>,
    what: &str,
    done: impl Fn(&CourtsideApp) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(h.state()) {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        h.step();
        std::thread::yield_now();
    }
}

/// Step until the court's listener is receiving.
pub fn wait_listening(h: &mut Harness<'_, CourtsideApp>) {
    step_until(h, "listener up", |a| {
        a.state
            .listeners
            .first()
            .is_some_and(|l| l.status == "listening")
    });
}

pub fn simulate(port: u16) {
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["simulate", EXAMPLE, "--to", &format!("127.0.0.1:{port}")])
        .output()
        .expect("simulate runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn expected_final_state() -> MatchState {
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["replay", EXAMPLE, "--json"])
        .output()
        .expect("replay runs");
    serde_json::from_slice(&out.stdout).expect("replay JSON")
}

#[test]
fn live_stream_reaches_table_log_and_scoreboard_and_survives_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db.clone());
    wait_listening(&mut h);
    simulate(port);
    let expected = expected_final_state();
    step_until(&mut h, "every datagram shown", |a| {
        a.state.live.lines.len() == 49
    });
    step_until(&mut h, "table follows the match", |a| {
        a.state.table.rows.len() == 81 && a.state.table.loading.is_none()
    });
    assert_eq!(h.state().state.courts.get("Court 1"), Some(&expected));
    let board = h.state().scoreboard();
    assert_eq!(board.lock().expect("lock").state.as_ref(), Some(&expected));
    // JPN and FRA resolve to built-in flags, rasterised into textures for the scoreboard.
    step_until(&mut h, "scoreboard flags", |a| {
        let b = a.scoreboard();
        let b = b.lock().expect("lock");
        b.blue_flag.is_some() && b.red_flag.is_some()
    });
    // Workers wake the UI on their own (commits, samples): a fixed number of frames, not run().
    h.run_steps(3);
    // The status bar names the listener and the match panel shows the names.
    h.get_by_label_contains(&format!("Court 1 127.0.0.1:{port}"));
    h.get_by_label("Kenji TANAKA");
    h.get_by_label("Winner: blue (2-1 PTF)");
    // No OBS is set up: the default automation rules stay quiet instead of failing per match.
    let obs_notices: Vec<_> = h
        .state()
        .state
        .notices
        .items
        .iter()
        .filter(|n| n.title.contains("OBS"))
        .map(|n| n.title.clone())
        .collect();
    assert!(obs_notices.is_empty(), "{obs_notices:?}");
    assert!(h.state().state.obs.firings.is_empty());
    // Restart: the store rebuilds the same scoreboard.
    h.state_mut().flush_store();
    drop(h);
    let mut h = app(db);
    h.run_steps(3);
    let rebuilt = h.state().scoreboard().lock().expect("lock").state.clone();
    assert_eq!(rebuilt, Some(expected));
    step_until(&mut h, "table reloaded from the store", |a| {
        a.state.table.rows.len() == 81 && a.state.table.loading.is_none()
    });
}

#[test]
fn good_settings_edit_is_stored_applied_and_in_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db.clone());
    h.state_mut().state.prefs.show_settings = true;
    wait_listening(&mut h);
    let new_port = free_port();
    h.state_mut().state.draft.listeners[0].port = new_port.to_string();
    h.state_mut().state.draft.listeners[0].court = "Mat A".into();
    h.run_steps(3);
    h.get_by_label("Save and apply").click();
    step_until(&mut h, "saved", |a| {
        a.state.draft.status.as_deref() == Some("Saved and applied.")
    });
    step_until(&mut h, "listener moved", |a| {
        a.state.listeners.first().is_some_and(|l| {
            l.status == "listening"
                && l.addr == format!("127.0.0.1:{new_port}")
                && l.court == "Mat A"
        })
    });
    step_until(&mut h, "history loaded", |a| {
        a.state
            .history
            .iter()
            .any(|c| c.key == keys::LISTENERS && c.source == "ui")
    });
    h.get_by_label("History").click();
    h.run_steps(3);
    h.get_by_label_contains(&format!("\"port\":{new_port}"));
    drop(h);
    let store = Store::open(&db).expect("reopen");
    let stored = store.setting(keys::LISTENERS).expect("read").expect("set");
    assert!(stored.contains("Mat A") && stored.contains(&new_port.to_string()));
    let hist = store.settings_history(10).expect("history");
    let change = hist
        .iter()
        .find(|c| c.key == keys::LISTENERS && c.source == "ui");
    let change = change.expect("ui change in history");
    assert!(
        change
            .old
            .as_deref()
            .is_some_and(|o| o.contains(&port.to_string()))
    );
}

#[test]
fn port_in_use_shows_a_notice_and_the_app_keeps_working() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let taken = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = taken.local_addr().expect("addr").port();
    configure(&db, port);
    let mut h = app(db);
    step_until(&mut h, "notice", |a| {
        a.state
            .notices
            .items
            .iter()
            .any(|n| n.title.contains("is not receiving"))
    });
    h.run_steps(2);
    let title = format!("UDP 127.0.0.1:{port} (Court 1) is not receiving");
    h.get_by_label(&title);
    assert!(h.get_all_by_label_contains("address in use").count() >= 1);
    // Dismiss hides it; the rest of the app still works (settings open with F-keys etc.).
    // The embedded scoreboard window would sit on top of the notice in this harness.
    h.state_mut().state.prefs.scoreboard_open = false;
    h.run_steps(2);
    // The port notice is the newest (the licence notice came at start): its Dismiss is last.
    h.get_all_by_label("Dismiss")
        .last()
        .expect("dismiss button")
        .click();
    h.run_steps(2);
    assert!(h.query_by_label(&title).is_none());
    // Free the port: the listener recovers on its own (retry with backoff).
    drop(taken);
    step_until(&mut h, "listener recovers", |a| {
        a.state
            .listeners
            .first()
            .is_some_and(|l| l.status == "listening")
    });
}

#[test]
fn shortcuts_toggle_scoreboard_log_pause_and_follow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure(&db, free_port());
    let mut h = app(db);
    h.run_steps(2);
    let open = h.state().state.prefs.scoreboard_open;
    h.key_press(egui::Key::F2);
    h.run_steps(2);
    assert_eq!(h.state().state.prefs.scoreboard_open, !open);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run_steps(2);
    assert!(h.state().state.live.paused_at.is_some());
    let follow = h.state().state.table.follow;
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run_steps(2);
    assert_eq!(h.state().state.table.follow, !follow);
}

#[test]
fn store_already_open_elsewhere_is_a_visible_notice_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let _held = Store::open(&db).expect("first open");
    let mut h = app(db);
    h.run_steps(3);
    assert!(!h.state().state.store.open);
    h.get_by_label("Store not open: nothing is received or stored");
    h.get_by_label_contains("already open");
}
