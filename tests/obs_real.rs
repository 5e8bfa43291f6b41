//! Integration tests against a real OBS Studio (Debian's 29.0.2 with obs-websocket 5.1), started
//! headless under Xvfb by the harness in `support/obs_process.rs`. Needs the apt packages
//! `obs-studio xvfb` (Mesa's llvmpipe renders); see the harness for the generated config.

#[path = "support/obs_process.rs"]
mod obs_process;
#[path = "support/obs_ui.rs"]
mod obs_ui;

use courtside::obs::{
    LinkProblem, LinkState, ObsAction, ObsCommand, ObsConnection, ObsRole, OutputPhase, Password,
    Target, Visibility,
};
use obs_process::{ObsProcess, SCENES, SOURCE, is_mkv_with_data, random_password};
use obs_ui::TestUi;
use std::path::Path;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn connection(name: &str, port: u16, password: &str) -> ObsConnection {
    let mut c = ObsConnection::new(name, "127.0.0.1", port);
    c.password = Password::new(password);
    c.role = ObsRole::Recording;
    c
}

/// A second, independent obs-websocket client, to act on OBS the way another tool would.
async fn direct_client(obs: &ObsProcess) -> obws::Client {
    let config = obws::client::ConnectConfig {
        host: "127.0.0.1",
        port: obs.port,
        password: Some(obs.password.as_str()),
        event_subscriptions: Some(obws::requests::EventSubscription::NONE),
        broadcast_capacity: 16,
        connect_timeout: std::time::Duration::from_secs(10),
        dangerous: Some(obws::client::DangerousConnectConfig {
            skip_studio_version_check: true,
            skip_websocket_version_check: true,
        }),
    };
    obws::Client::connect_with_config(config)
        .await
        .expect("direct client")
}

fn must_succeed(n: &courtside::obs::ObsNotice) -> String {
    match &n.result {
        Ok(detail) => detail.clone(),
        Err(e) => panic!("'{}' failed: {e}", n.what),
    }
}

/// The file a success detail names ("saved /path/x.mkv" → /path/x.mkv).
fn named_file(detail: &str) -> &Path {
    let start = detail
        .find('/')
        .unwrap_or_else(|| panic!("no path in '{detail}'"));
    Path::new(&detail[start..])
}

#[test]
fn connects_with_password_and_tells_wrong_password_and_unreachable_apart() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let good = connection("good", obs.port, &obs.password);
    let wrong_secret = random_password();
    let bad = connection("wrong password", obs.port, &wrong_secret);
    let nobody = connection("nobody", obs_process_free_port(), "x");
    let ids = (good.id, bad.id, nobody.id);
    let (worker, mut ui) = TestUi::spawn(&rt, vec![good.clone(), bad.clone(), nobody], None);

    ui.wait("good connected with scenes", |s| {
        s.status
            .get(&ids.0)
            .is_some_and(|st| st.link.is_connected() && !st.scenes.is_empty())
    });
    let st = ui.status(ids.0).clone();
    assert!(st.older_obs, "OBS 29 must be flagged as older: {st:?}");
    assert_eq!(
        st.obs_version.as_deref().map(|v| v.starts_with("29.")),
        Some(true)
    );
    assert_eq!(
        st.websocket_version.as_deref().map(|v| v.starts_with("5.")),
        Some(true)
    );
    assert_eq!(st.scenes, SCENES.map(String::from).to_vec());
    assert_eq!(st.program_scene.as_deref(), Some(SCENES[0]));
    assert_eq!(st.recording.phase, OutputPhase::Off);
    assert_eq!(st.replay_buffer.phase, OutputPhase::Off);

    ui.wait("wrong password reported", |s| {
        s.status.get(&ids.1).is_some_and(|st| {
            matches!(
                &st.link,
                LinkState::Waiting {
                    problem: LinkProblem::AuthFailed,
                    ..
                }
            )
        })
    });
    ui.wait("unreachable reported", |s| {
        s.status.get(&ids.2).is_some_and(|st| {
            matches!(
                &st.link,
                LinkState::Waiting {
                    problem: LinkProblem::Unreachable(_),
                    ..
                }
            )
        })
    });
    let label = ui.status(ids.1).link.label(std::time::Instant::now());
    assert!(
        label.contains("authentication failed") && label.contains("reconnecting in"),
        "{label}"
    );

    let before = ui.seen.notices.len();
    worker.commands().send(ObsCommand::Test(bad)).expect("send");
    let n = ui.notice(before, "test connection");
    let err = n.result.expect_err("wrong password must fail");
    assert!(err.contains("refused the password"), "{err}");
    let before = ui.seen.notices.len();
    worker
        .commands()
        .send(ObsCommand::Test(good))
        .expect("send");
    let ok = must_succeed(&ui.notice(before, "test connection"));
    assert!(ok.contains("OBS 29") && ok.contains("older OBS"), "{ok}");

    // Neither password shows up anywhere the UI or a log could print.
    let everything = format!(
        "{:?}",
        (&ui.seen.history, &ui.seen.notices, worker.statuses())
    );
    assert!(!everything.contains(&obs.password) && !everything.contains(&wrong_secret));
    worker.shutdown();
}

fn obs_process_free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn scene_switch_source_toggle_recording_and_replay_work_on_obs_29() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let conn = connection("rec", obs.port, &obs.password);
    let id = conn.id;
    let (worker, mut ui) = TestUi::spawn(&rt, vec![conn], None);
    let cmd = worker.commands();
    let run = |action: ObsAction| {
        cmd.send(ObsCommand::operator(Target::All, action))
            .expect("send")
    };
    ui.wait("connected", |s| {
        s.status.get(&id).is_some_and(|st| !st.scenes.is_empty())
    });

    // A switch by courtside and one by another client both arrive as events.
    let n0 = ui.seen.notices.len();
    run(ObsAction::SetScene {
        scene: SCENES[1].into(),
    });
    must_succeed(&ui.notice(n0, "switch to scene"));
    ui.wait("program scene B", |s| {
        s.status[&id].program_scene.as_deref() == Some(SCENES[1])
    });
    let direct = rt.block_on(direct_client(&obs));
    rt.block_on(direct.scenes().set_current_program_scene(SCENES[0]))
        .expect("switch");
    ui.wait("program scene A", |s| {
        s.status[&id].program_scene.as_deref() == Some(SCENES[0])
    });

    let n0 = ui.seen.notices.len();
    run(ObsAction::SetSourceVisibility {
        scene: SCENES[0].into(),
        source: SOURCE.into(),
        visible: Visibility::Toggle,
    });
    assert!(must_succeed(&ui.notice(n0, "toggle")).contains("hidden"));
    let item = rt
        .block_on(direct.scene_items().id(obws::requests::scene_items::Id {
            scene: obws::requests::scenes::SceneId::Name(SCENES[0]),
            source: SOURCE,
            search_offset: None,
        }))
        .expect("item id");
    let shown = rt.block_on(
        direct
            .scene_items()
            .enabled(obws::requests::scenes::SceneId::Name(SCENES[0]), item),
    );
    assert!(!shown.expect("enabled"), "the toggle hid the source");

    // Start and save right away: OBS 29 answers the start before the buffer runs.
    let n0 = ui.seen.notices.len();
    run(ObsAction::StartReplayBuffer);
    run(ObsAction::SaveReplay);
    must_succeed(&ui.notice(n0, "start replay buffer"));
    let saved = must_succeed(&ui.notice(n0, "save replay"));
    assert!(is_mkv_with_data(named_file(&saved)), "replay file: {saved}");
    assert_eq!(ui.status(id).replay_buffer.phase, OutputPhase::On);

    let n0 = ui.seen.notices.len();
    run(ObsAction::StartRecording {
        file_name: Some("courtside test %hh-%mm-%ss".into()),
    });
    must_succeed(&ui.notice(n0, "start recording"));
    assert!(ui.status(id).recording.since.is_some());
    wait_for_recorded_frames(&rt, &direct);
    run(ObsAction::StopRecording);
    let done = must_succeed(&ui.notice(n0, "stop recording"));
    let file = named_file(&done);
    assert!(file.starts_with(&obs.record_dir), "{done}");
    assert!(
        file.file_name()
            .is_some_and(|f| f.to_string_lossy().starts_with("courtside test"))
    );
    assert!(is_mkv_with_data(file), "recording file: {done}");

    // websocket 5.1 has no SetRecordDirectory: the profile parameter path must take effect.
    let other = obs.home().join("elsewhere");
    std::fs::create_dir_all(&other).expect("mkdir");
    let n0 = ui.seen.notices.len();
    run(ObsAction::SetRecordDirectory {
        path: other.display().to_string(),
    });
    must_succeed(&ui.notice(n0, "record to folder"));
    run(ObsAction::StartRecording { file_name: None });
    must_succeed(&ui.notice(n0, "start recording"));
    wait_for_recorded_frames(&rt, &direct);
    run(ObsAction::StopRecording);
    let done = must_succeed(&ui.notice(n0, "stop recording"));
    assert!(named_file(&done).starts_with(&other), "{done}");
    assert!(is_mkv_with_data(named_file(&done)));
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
