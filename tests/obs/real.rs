//! Integration tests against a real OBS Studio (Debian's 29.0.2 with obs-websocket 5.1), started
//! headless under Xvfb by the harness in `obs_process.rs`, one OBS per test (own
//! display, HOME, port and random password). Needs the apt packages
//! `obs-studio obs-plugins xvfb libgl1-mesa-dri` (obs-plugins holds obs-websocket and is only a
//! Recommends of obs-studio; Mesa's llvmpipe renders). Linux only: OBS runs under Xvfb.

#![cfg(target_os = "linux")]

use crate::obs_court;
use crate::obs_process;
use crate::obs_ui;

use courtside::obs::store as obs_store;
use courtside::obs::{
    FiringResult, LinkProblem, LinkState, ObsAction, ObsCommand, ObsWorker, OutputPhase, Target,
    Visibility,
};
use obs_court::Court;
use obs_process::{ObsProcess, SCENES, SOURCE, is_mkv_with_data, random_password};
use obs_ui::{TestUi, connection, direct_client, must_succeed, named_file, runtime};
use std::time::Instant;

/// One OBS, a worker with one connection to it, connected.
fn connected() -> (ObsProcess, tokio::runtime::Runtime, ObsWorker, TestUi, u64) {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let conn = connection("rec", obs.port, &obs.password);
    let id = conn.id;
    let (worker, mut ui) = TestUi::spawn(&rt, vec![conn], None);
    ui.wait("connected with scenes", |s| {
        s.status
            .get(&id)
            .is_some_and(|st| st.link.is_connected() && !st.scenes.is_empty())
    });
    (obs, rt, worker, ui, id)
}

fn run(worker: &ObsWorker, action: ObsAction) {
    let cmd = ObsCommand::operator(Target::All, action);
    worker.commands().send(cmd).expect("send");
}

#[test]
fn connects_with_password_and_reads_the_status_of_obs_29() {
    let (_obs, _rt, worker, ui, id) = connected();
    let st = ui.status(id);
    assert!(st.older_obs, "OBS 29 must be flagged as older: {st:?}");
    assert!(
        st.obs_version
            .as_deref()
            .is_some_and(|v| v.starts_with("29."))
    );
    assert!(
        st.websocket_version
            .as_deref()
            .is_some_and(|v| v.starts_with("5."))
    );
    assert_eq!(st.scenes, SCENES.map(String::from).to_vec());
    assert_eq!(st.program_scene.as_deref(), Some(SCENES[0]));
    assert_eq!(st.recording.phase, OutputPhase::Off);
    assert_eq!(st.streaming.phase, OutputPhase::Off);
    assert_eq!(st.replay_buffer.phase, OutputPhase::Off);
    assert!(st.unavailable.is_empty(), "{:?}", st.unavailable);
    worker.shutdown();
}

#[test]
fn wrong_password_and_unreachable_are_told_apart_and_no_password_is_shown() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let wrong_secret = random_password();
    let bad = connection("wrong password", obs.port, &wrong_secret);
    // A port nobody answers on, held for the whole test: bound (port 0, read back) but not
    // listening, so a connection is refused and no other process can take the port meanwhile.
    let closed =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    closed
        .bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    let closed_port = (closed.local_addr().ok())
        .and_then(|a| a.as_socket())
        .expect("addr")
        .port();
    let nobody = connection("nobody", closed_port, "x");
    let good = connection("good", obs.port, &obs.password);
    let (bad_id, nobody_id) = (bad.id, nobody.id);
    let (worker, mut ui) = TestUi::spawn(&rt, vec![bad.clone(), nobody], None);
    ui.wait("wrong password and unreachable reported", |s| {
        let problem = |id| match s.status.get(&id).map(|st| &st.link) {
            Some(LinkState::Waiting { problem, .. }) => Some(problem.clone()),
            _ => None,
        };
        problem(bad_id) == Some(LinkProblem::AuthFailed)
            && matches!(problem(nobody_id), Some(LinkProblem::Unreachable(_)))
    });
    let label = ui.status(bad_id).link.label(Instant::now());
    assert!(
        label.contains("authentication failed") && label.contains("reconnecting in"),
        "{label}"
    );

    let n0 = ui.seen.notices.len();
    worker.commands().send(ObsCommand::Test(bad)).expect("send");
    let err = ui
        .notice(n0, "test connection")
        .result
        .expect_err("wrong password");
    assert!(err.contains("refused the password"), "{err}");
    let n0 = ui.seen.notices.len();
    worker
        .commands()
        .send(ObsCommand::Test(good))
        .expect("send");
    let ok = must_succeed(&ui.notice(n0, "test connection"));
    assert!(ok.contains("OBS 29") && ok.contains("older OBS"), "{ok}");

    let everything = format!(
        "{:?}",
        (&ui.seen.history, &ui.seen.notices, worker.statuses())
    );
    assert!(!everything.contains(&obs.password) && !everything.contains(&wrong_secret));
    worker.shutdown();
}

#[test]
fn scene_switches_arrive_as_events_and_a_source_can_be_toggled() {
    let (obs, rt, worker, mut ui, id) = connected();
    let n0 = ui.seen.notices.len();
    run(
        &worker,
        ObsAction::SetScene {
            scene: SCENES[1].into(),
        },
    );
    must_succeed(&ui.notice(n0, "switch to scene"));
    ui.wait("program scene B", |s| {
        s.status[&id].program_scene.as_deref() == Some(SCENES[1])
    });
    // A switch by another client is seen too: the status follows OBS's events.
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
    rt.block_on(direct.scenes().set_current_program_scene(SCENES[0]))
        .expect("switch");
    ui.wait("program scene A", |s| {
        s.status[&id].program_scene.as_deref() == Some(SCENES[0])
    });

    let n0 = ui.seen.notices.len();
    let toggle = |visible| ObsAction::SetSourceVisibility {
        scene: SCENES[0].into(),
        source: SOURCE.into(),
        visible,
    };
    run(&worker, toggle(Visibility::Toggle));
    assert!(must_succeed(&ui.notice(n0, "toggle")).contains("hidden"));
    let scene = obws::requests::scenes::SceneId::Name(SCENES[0]);
    let items = direct.scene_items();
    let id_of = obws::requests::scene_items::Id {
        scene,
        source: SOURCE,
        search_offset: None,
    };
    let item = rt.block_on(items.id(id_of)).expect("item id");
    assert!(!rt.block_on(items.enabled(scene, item)).expect("enabled"));
    let n0 = ui.seen.notices.len();
    run(&worker, toggle(Visibility::Show));
    assert!(must_succeed(&ui.notice(n0, "show")).contains("shown"));
    assert!(rt.block_on(items.enabled(scene, item)).expect("enabled"));
    let n0 = ui.seen.notices.len();
    run(
        &worker,
        ObsAction::SetScene {
            scene: "No such scene".into(),
        },
    );
    let err = ui
        .notice(n0, "switch to scene")
        .result
        .expect_err("unknown scene");
    assert!(err.contains("SetCurrentProgramScene"), "{err}");
    worker.shutdown();
}

#[test]
fn replay_buffer_saves_a_file_even_right_after_its_start() {
    let (_obs, _rt, worker, mut ui, id) = connected();
    // Sent back to back: OBS 29 answers the start before its UI thread starts the buffer.
    let n0 = ui.seen.notices.len();
    run(&worker, ObsAction::StartReplayBuffer);
    run(&worker, ObsAction::SaveReplay);
    must_succeed(&ui.notice(n0, "start replay buffer"));
    let saved = must_succeed(&ui.notice(n0, "save replay"));
    assert!(is_mkv_with_data(named_file(&saved)), "replay file: {saved}");
    assert_eq!(ui.status(id).replay_buffer.phase, OutputPhase::On);
    assert!(
        ui.status(id)
            .replay_buffer
            .file
            .as_deref()
            .is_some_and(|f| saved.contains(f))
    );

    let n0 = ui.seen.notices.len();
    run(&worker, ObsAction::StopReplayBuffer);
    must_succeed(&ui.notice(n0, "stop replay buffer"));
    ui.wait("buffer off", |s| {
        s.status[&id].replay_buffer.phase == OutputPhase::Off
    });
    let n0 = ui.seen.notices.len();
    run(&worker, ObsAction::SaveReplay);
    let err = ui
        .notice(n0, "save replay")
        .result
        .expect_err("buffer is off");
    assert!(err.contains("start it first"), "{err}");
    worker.shutdown();
}

#[test]
fn recording_makes_a_named_file_and_the_folder_can_be_changed_on_websocket_5_1() {
    let (obs, rt, worker, mut ui, id) = connected();
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
    let record = |ui: &mut TestUi, file_name: Option<&str>| {
        let n0 = ui.seen.notices.len();
        let file_name = file_name.map(String::from);
        run(&worker, ObsAction::StartRecording { file_name });
        must_succeed(&ui.notice(n0, "start recording"));
        assert!(ui.status(id).recording.elapsed(Instant::now()).is_some());
        wait_for_recorded_frames(&rt, &direct);
        run(&worker, ObsAction::StopRecording);
        let done = must_succeed(&ui.notice(n0, "stop recording"));
        assert!(
            is_mkv_with_data(named_file(&done)),
            "recording file: {done}"
        );
        named_file(&done).to_path_buf()
    };
    let file = record(&mut ui, Some("courtside test %hh-%mm-%ss"));
    assert!(file.starts_with(&obs.record_dir), "{file:?}");
    let name = file.file_name().map(|f| f.to_string_lossy().into_owned());
    assert!(
        name.is_some_and(|n| n.starts_with("courtside test ")),
        "{file:?}"
    );

    // No SetRecordDirectory on websocket 5.1: the profile parameter must take effect.
    let other = obs.home().join("elsewhere");
    std::fs::create_dir_all(&other).expect("mkdir");
    let n0 = ui.seen.notices.len();
    run(
        &worker,
        ObsAction::SetRecordDirectory {
            path: other.display().to_string(),
        },
    );
    must_succeed(&ui.notice(n0, "record to folder"));
    assert!(record(&mut ui, None).starts_with(&other));
    let n0 = ui.seen.notices.len();
    run(&worker, ObsAction::StopRecording);
    assert_eq!(
        must_succeed(&ui.notice(n0, "stop recording")),
        "was not recording"
    );
    worker.shutdown();
}

/// Let the recording take in a couple of seconds of frames before stopping it.
fn wait_for_recorded_frames(rt: &tokio::runtime::Runtime, direct: &obws::Client) {
    obs_process::wait_until(obs_ui::DEADLINE, "two recorded seconds", || {
        rt.block_on(direct.recording().status())
            .is_ok_and(|s| s.bytes > 0 && s.duration.whole_milliseconds() >= 2000)
    })
    .expect("recording runs");
}

#[test]
fn automation_drives_obs_and_fires_again_after_obs_is_killed_and_restarted() {
    let mut obs = ObsProcess::start().expect("start OBS");
    let mut court = Court::start(&obs);
    let id = court.id;
    court.ui.wait("connected", |s| {
        s.status.get(&id).is_some_and(|st| st.link.is_connected())
    });

    // Fight ready: replay buffer on, recording named after the match; a challenge saves.
    court.pss.new_match("101");
    court.fired_ok(0, "start replay buffer");
    court.fired_ok(0, "start recording 'Match 101");
    let f0 = court.mark();
    court.pss.send(&["ch1"]);
    let saved = court.fired_ok(f0, "save replay");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Winner: the stop waits 30 s, but the next match's start runs it first.
    let f0 = court.mark();
    court.pss.send(&["win;BLUE"]);
    court.pss.new_match("102");
    let stopped = court.fired_ok(f0, "stop recording");
    let name = named_file(&stopped)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let expected = "Match 101 - Jun KIM (KOR) vs Ana SILVA (BRA) ";
    assert!(name.is_some_and(|n| n.starts_with(expected)), "{stopped}");
    assert!(is_mkv_with_data(named_file(&stopped)));
    court.fired_ok(f0, "start recording 'Match 102");

    // OBS dies: reconnecting, and an action meanwhile fails (logged, not lost).
    obs.kill_obs();
    court.ui.wait("lost", |s| {
        matches!(
            s.status[&id].link,
            LinkState::Waiting {
                problem: LinkProblem::Lost(_),
                ..
            }
        )
    });
    let label = court.ui.status(id).link.label(Instant::now());
    assert!(label.contains("reconnecting in"), "{label}");
    let f0 = court.mark();
    court.pss.send(&["ch2"]);
    let failed = court.fired(f0, "save replay");
    assert!(matches!(&failed.result, FiringResult::Failed(e) if e.contains("not connected")));

    obs.restart_obs().expect("restart OBS");
    court
        .ui
        .wait("reconnected", |s| s.status[&id].link.is_connected());
    let f0 = court.mark();
    court.pss.new_match("103");
    court.fired_ok(f0, "start replay buffer");
    court.fired_ok(f0, "start recording 'Match 103");
    court.pss.send(&["ch1"]);
    let saved = court.fired_ok(f0, "save replay");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Every firing is in the store's automation log, newest first.
    court.stop();
    let logged = obs_store::load_firings(&court.store, 100).expect("log");
    assert_eq!(logged.len(), court.ui.seen.firings.len());
    assert!(logged.windows(2).all(|w| w[0].id > w[1].id));
    assert!(
        logged
            .iter()
            .any(|f| f.result == failed.result && f.latency_us.is_none())
    );
    assert!(
        logged
            .iter()
            .all(|f| f.cause.court == "1" && f.cause.event_seq > 0)
    );
}
