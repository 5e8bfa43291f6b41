//! The whole app (`CourtsideApp` under egui_kittest) driving a real OBS Studio: the status bar,
//! the OBS window's buttons, automation fired by PSS datagrams through the app's own listener,
//! the automation log, the shortcuts, and the password never shown anywhere.

#![cfg(target_os = "linux")]

use crate::app_support::{app, configure_with, free_port};
use crate::obs_process::{ObsProcess, is_mkv_with_data};
use crate::obs_ui::{connection, named_file};
use crate::wait::Repaints;
use courtside::app::CourtsideApp;
use courtside::model::state::Level;
use courtside::obs::store as obs_store;
use courtside::obs::{FiringResult, OutputPhase};
use courtside::store::Store;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

/// A store with one loopback listener and one OBS connection, as an operator would have saved.
fn configure(db: &Path, udp_port: u16, obs: &ObsProcess) {
    configure_with(db, udp_port, |writer| {
        let (ack, acked) = crossbeam_channel::bounded(1);
        let conn = connection("court OBS", obs.port, &obs.password);
        writer
            .sender()
            .send(obs_store::save_connection(conn, Some(ack)))
            .expect("queue");
        acked.recv().expect("ack").expect("connection stored");
    });
}

/// Step the app until `done` holds; fails after a deadline with `what` (no fixed sleeps). Between
/// frames it blocks until the app is asked for a repaint or a frame wait passes.
fn step_until(h: &mut Harness<'_, CourtsideApp>, what: &str, done: impl Fn(&CourtsideApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    let repaints = Repaints::on(&h.ctx);
    while !done(h.state()) {
        let notices: Vec<String> = h
            .state()
            .state
            .notices
            .items
            .iter()
            .map(|n| format!("{}: {}", n.title, n.cause))
            .collect();
        assert!(
            Instant::now() < deadline,
            "timed out waiting for: {what}; notices: {notices:?}"
        );
        h.step();
        if !done(h.state()) {
            repaints.wait(deadline, what);
        }
    }
}

fn status(a: &CourtsideApp) -> Option<&courtside::obs::ObsStatus> {
    a.state.obs.statuses.first()
}

fn notice_done(a: &CourtsideApp, what: &str) -> Option<String> {
    a.state
        .notices
        .items
        .iter()
        .find(|n| n.level == Level::Info && n.title.contains(&format!("{what} — done")))
        .map(|n| n.cause.clone())
}

fn send(udp_port: u16, lines: &[&str]) {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("udp");
    for l in lines {
        s.send_to(l.as_bytes(), (Ipv4Addr::LOCALHOST, udp_port))
            .expect("send");
    }
}

#[test]
fn the_app_controls_a_real_obs_and_its_automation_fires() {
    let obs = ObsProcess::start().expect("start OBS");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    configure(&db, udp, &obs);
    let mut h = app(db.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    step_until(&mut h, "OBS connected", |a| {
        status(a).is_some_and(|s| s.link.is_connected() && !s.scenes.is_empty())
    });
    assert!(
        status(h.state()).is_some_and(|s| s.older_obs),
        "OBS 29 is older"
    );
    h.run_steps(2);
    h.get_by_label_contains("OBS court OBS");
    h.get_by_label("older OBS");

    // The control buttons, in the OBS window.
    h.state_mut().state.prefs.show_obs = true;
    h.run_steps(2);
    h.get_by_label("Start replay buffer").click();
    step_until(&mut h, "replay buffer on", |a| {
        status(a).is_some_and(|s| s.replay_buffer.phase == OutputPhase::On)
    });
    h.run_steps(2);
    h.get_by_label("Save replay").click();
    step_until(&mut h, "replay saved", |a| {
        notice_done(a, "save replay").is_some()
    });
    let saved = notice_done(h.state(), "save replay").expect("notice");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Automation: the default "fight ready" rule starts a recording named after the match.
    send(
        udp,
        &[
            "pre;FightLoaded",
            "at1;J. KIM;Jun KIM;KOR;at2;A. SILVA;Ana SILVA;BRA",
            "mch;101;Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1",
            "rdy;FightReady",
        ],
    );
    step_until(&mut h, "automation started recording", |a| {
        a.state.obs.firings.iter().any(|f| {
            f.action.starts_with("start recording") && matches!(f.result, FiringResult::Done(_))
        }) && status(a).is_some_and(|s| s.recording.phase == OutputPhase::On)
    });
    let firing = h
        .state()
        .state
        .obs
        .firings
        .front()
        .cloned()
        .expect("firing");
    assert!(firing.latency_us.is_some(), "latency is measured");
    assert_eq!(firing.cause.court, "Court 1");
    h.state_mut().state.obs.tab = courtside::model::obs::ObsTab::Log;
    h.run_steps(2);
    assert!(h.query_all_by_label(&firing.cause.rule_name).count() >= 1);

    // Ctrl+Shift+R stops the recording on every OBS (once it holds a few frames); the file is
    // there, named after the match.
    step_until(&mut h, "two recorded seconds", |a| {
        status(a)
            .and_then(|s| s.recording.elapsed(Instant::now()))
            .is_some_and(|d| d >= Duration::from_secs(2))
    });
    h.key_press_modifiers(CTRL_SHIFT, Key::R);
    step_until(&mut h, "recording stopped", |a| {
        notice_done(a, "stop recording").is_some()
            && status(a).is_some_and(|s| !s.recording.phase.is_on())
    });
    let stopped = notice_done(h.state(), "stop recording").expect("notice");
    assert!(is_mkv_with_data(named_file(&stopped)), "{stopped}");
    assert!(
        named_file(&stopped).to_string_lossy().contains("KIM"),
        "named after the match: {stopped}"
    );

    // The password is shown nowhere: not in the Connections tab, not in the editor.
    h.state_mut().state.obs.tab = courtside::model::obs::ObsTab::Connections;
    h.run_steps(2);
    h.get_by_label("Edit").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(&obs.password).is_none());
    assert!(h.query_by_value(&obs.password).is_none());
    // Where the password is: the system keyring, or the store where none answers.
    assert!(
        h.query_by_label("system keyring").is_some()
            || h.query_by_label("password kept in the store: no system keyring reachable")
                .is_some()
    );

    // Ctrl+Shift+A pauses automation at once and the pause is stored.
    h.key_press_modifiers(CTRL_SHIFT, Key::A);
    step_until(&mut h, "paused", |a| a.state.obs.paused);
    h.run_steps(2);
    h.get_by_label("automation paused");
    h.state_mut().flush_store();
    drop(h);
    let store = Store::open_existing(&db).expect("reopen");
    assert!(obs_store::load_paused(&store).expect("paused"));
    let logged = obs_store::load_firings(&store, 100).expect("firings");
    assert!(
        logged
            .iter()
            .any(|f| f.at_ns == firing.at_ns && f.action == firing.action),
        "the firing shown is the one stored"
    );
}
