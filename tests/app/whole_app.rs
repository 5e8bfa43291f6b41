//! Whole-app tests: the real `CourtsideApp` (built with `build_eframe`) fed by a real loopback
//! UDP listener and `courtside simulate`, over a temp store.

use courtside::app::CourtsideApp;
use courtside::match_state::{Colors, Counts, MatchInfo, MatchState, PointCounts, Side};
use courtside::model::settings::keys;
use courtside::store::Store;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::{Ipv4Addr, UdpSocket};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/example-match.pss"
);

pub use crate::app_support::{app, configure, free_port};

/// Longest wait between two frames when nothing asks for a repaint: a condition a worker does
/// not wake the UI for (a counter) is still seen soon after it turns true.
const FRAME_WAIT: Duration = Duration::from_millis(50);

/// Step the app until `done` holds, failing after a deadline (no fixed sleeps). Between frames
/// the test thread blocks until something asks for a repaint (a worker with news wakes the UI
/// this way) or [`FRAME_WAIT`] passes, instead of spinning on the 2 cores the workers need.
pub fn step_until(
    h: &mut Harness<'_, CourtsideApp>,
    what: &str,
    done: impl Fn(&CourtsideApp) -> bool,
) {
    let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
    h.ctx.set_request_repaint_callback(move |_| {
        let _ = wake.try_send(());
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(h.state()) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for: {what}");
        h.step();
        if done(h.state()) {
            break;
        }
        let _ = woken.recv_timeout(left.min(FRAME_WAIT));
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

/// Set the advanced-mode password (first use, a fresh one per run) and wait until unlocked.
pub fn unlock_advanced(h: &mut Harness<'_, CourtsideApp>) {
    let password =
        courtside::logging::Secret::new(format!("pw-{}", courtside::store::writer::now_ns()));
    h.state_mut()
        .state
        .commands
        .push(courtside::model::Command::Support(
            courtside::model::support::SupportCommand::SetPassword {
                new: password.clone(),
                confirm: password,
            },
        ));
    step_until(h, "unlocked", |a| a.state.support.unlocked());
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

/// The final state of tests/fixtures/example-match.pss, read off the stream by hand (not by
/// `MatchState::apply`): the last `sc`, `wg`, `s..`, `wrd`, `rnd`, `clk` of each kind, the points
/// counted by type, and 81 messages since `pre` (48 datagrams; the link status line before it is
/// reset away).
fn expected_final_state() -> MatchState {
    let side = |short: &str, long: &str, country: &str| Side {
        short_name: short.into(),
        long_name: long.into(),
        country: country.into(),
        ..Side::default()
    };
    MatchState {
        info: MatchInfo {
            number: "204".into(),
            phase: "Quarterfinal".into(),
            weight: "M- 68 kg".into(),
            division: "Senior".into(),
            match_id: Some("9f3e21aa".into()),
            total_rounds: Some(3),
            round_seconds: Some(120),
            colors: Colors {
                blue_bg: "#0000ff".into(),
                blue_fg: "#FFFFFF".into(),
                red_bg: "#ff0000".into(),
                red_fg: "#FFFFFF".into(),
            },
        },
        // rnd;3 then clk;0:00;stopEnd; the break ended with brk;0:00;stopEnd.
        round: 3,
        clock: "0:00".into(),
        clock_running: false,
        break_clock: None,
        injury: None,
        round_winners: [1, 2, 1],
        winner: Some(courtside::protocol::Athlete::Blue),
        decision: Some("2-1 PTF".into()),
        blue: Side {
            // sc1;6, s11;3 s12;0 s13;3, wg1;0, pt1;2 (body) and pt1;3 (head), hl1;72.
            score: 6,
            round_scores: [3, 0, 3],
            penalties: 0,
            rounds_won: 2,
            points: PointCounts {
                body: 1,
                head: 1,
                ..PointCounts::default()
            },
            last_hit_level: Some(72),
            ..side("K. TANAKA", "Kenji TANAKA", "JPN")
        },
        red: Side {
            // sc2;5, s22;5, wg2;1, pt2;5 (turning head kick), hl2;88.
            score: 5,
            round_scores: [0, 5, 0],
            penalties: 1,
            rounds_won: 1,
            points: PointCounts {
                tech_head: 1,
                ..PointCounts::default()
            },
            last_hit_level: Some(88),
            ..side("L. MOREAU", "Lucas MOREAU", "FRA")
        },
        // ch1 was decided in round 2; rnd;3 ended it.
        challenge: None,
        timeout: None,
        ready: true,
        counts: Counts {
            messages: 81,
            unknown: 0,
            malformed: 0,
        },
        tie: false,
        round_stats: Vec::new(),
    }
}

#[test]
fn replay_json_prints_the_hand_written_final_state() {
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["replay", EXAMPLE, "--json"])
        .output()
        .expect("replay runs");
    assert!(
        out.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state: MatchState = serde_json::from_slice(&out.stdout).expect("replay prints JSON");
    assert_eq!(state, expected_final_state());
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
    // Absence is only meaningful once automation has run every datagram through the rules and
    // the worker has handled every action it sent (here: none had an OBS to go to).
    let (auto, hub) = h.state().obs_counters().expect("OBS parts running");
    step_until(
        &mut h,
        "automation saw all 49 datagrams, worker handled its actions",
        |_| {
            let sent = auto.actions_sent.load(Ordering::Relaxed);
            auto.datagrams_seen.load(Ordering::Relaxed) == 49
                && hub.automation_without_obs.load(Ordering::Relaxed) == sent
        },
    );
    // rdy fired the default "fight ready" rule (replay buffer, recording): proof the rules ran.
    assert!(auto.actions_sent.load(Ordering::Relaxed) >= 2);
    assert_eq!(auto.actions_dropped.load(Ordering::Relaxed), 0);
    h.run_steps(3);
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
    // The header may be below the window's fold (a click there does not reach it).
    h.get_by_label("History").scroll_to_me();
    h.run_steps(3);
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
    // The Dismiss on the port notice's line (the licence notice, checked off the UI thread at
    // start, may come before or after it).
    let line = h.get_by_label(&title).rect().center().y;
    h.get_all_by_label("Dismiss")
        .min_by(|a, b| {
            let d = |n: &egui_kittest::Node<'_>| (n.rect().center().y - line).abs();
            d(a).total_cmp(&d(b))
        })
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
