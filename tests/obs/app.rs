//! The whole app (`CourtsideApp` under egui_kittest) driving a real OBS Studio: the status bar,
//! the OBS window's buttons, automation fired by PSS datagrams through the app's own listener,
//! the automation log, the shortcuts, and the password never shown anywhere.

#![cfg(target_os = "linux")]

use crate::app_obs::{configure, notice_done, send, step_until};
use crate::app_support::{app, free_port};
use crate::obs_process::{ObsProcess, is_mkv_with_data};
use crate::obs_ui::named_file;
use courtside::app::CourtsideApp;
use courtside::obs::store as obs_store;
use courtside::obs::{FiringResult, OutputPhase};
use courtside::store::Store;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use std::time::{Duration, Instant};

const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);

fn status(a: &CourtsideApp) -> Option<&courtside::obs::ObsStatus> {
    a.state.obs.statuses.first()
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
