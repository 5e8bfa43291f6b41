//! Integration tests against a real OBS Studio (Debian's 29.0.2 with obs-websocket 5.1), started
//! headless under Xvfb by the harness in `support/obs_process.rs`. Needs the apt packages
//! `obs-studio xvfb` (Mesa's llvmpipe renders); see the harness for the generated config.

#[path = "support/obs_process.rs"]
mod obs_process;
#[path = "support/obs_ui.rs"]
mod obs_ui;

use courtside::ingest::{self, Listener, ListenerConfig};
use courtside::obs::store as obs_store;
use courtside::obs::{
    Automation, FiringResult, LinkProblem, LinkState, ObsAction, ObsCommand, OutputPhase, Target,
    Visibility, current_states,
};
use courtside::store::{Store, Writer, WriterConfig};
use obs_process::{ObsProcess, SCENES, SOURCE, is_mkv_with_data, random_password};
use obs_ui::{TestUi, connection, direct_client, must_succeed, named_file, runtime};

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
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
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

/// Sends PSS datagrams to a UDP listener like the scoring program would.
struct Pss {
    socket: std::net::UdpSocket,
    to: std::net::SocketAddr,
}

impl Pss {
    fn send(&self, lines: &[&str]) {
        for l in lines {
            self.socket
                .send_to(l.as_bytes(), self.to)
                .expect("send datagram");
        }
    }

    fn new_match(&self, number: &str) {
        self.send(&[
            "pre;FightLoaded",
            "at1;J. KIM;Jun KIM;KOR;at2;A. SILVA;Ana SILVA;BRA",
            &format!("mch;{number};Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1"),
            "rnd;1",
            "rdy;FightReady",
        ]);
    }
}

fn firing<'a>(
    seen: &'a obs_ui::Seen,
    after: usize,
    action: &str,
) -> Option<&'a courtside::obs::FiringRecord> {
    seen.firings
        .iter()
        .skip(after)
        .find(|f| f.action.starts_with(action))
}

/// Wait for the firing of `action` after firing number `after`; returns its success detail.
fn fired_ok(ui: &mut TestUi, after: usize, action: &str) -> String {
    ui.wait(&format!("automation: {action}"), |s| {
        firing(s, after, action).is_some()
    });
    let f = firing(&ui.seen, after, action)
        .cloned()
        .expect("waited for it");
    assert!(f.latency_us.is_some() && f.round_trip_us.is_some(), "{f:?}");
    match f.result {
        FiringResult::Done(detail) => detail,
        FiringResult::Failed(e) => panic!("'{action}' failed: {e}"),
    }
}

#[test]
fn automation_drives_obs_and_fires_again_after_obs_is_killed_and_restarted() {
    let mut obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("court.redb")).expect("store");
    let (persisted_tx, persisted_rx) = crossbeam_channel::bounded(1024);
    let writer =
        Writer::spawn(store.clone(), WriterConfig::default(), vec![persisted_tx]).expect("writer");
    let (ack, acked) = crossbeam_channel::bounded(1);
    let conn = connection("court OBS", obs.port, &obs.password);
    writer
        .sender()
        .send(obs_store::save_connection(conn, Some(ack)))
        .expect("queue");
    acked.recv().expect("ack").expect("connection stored");
    let connections = obs_store::load_connections(&store).expect("load");
    let id = connections[0].id;
    // The default rules, as a fresh install has them; no cooldown so the restarted match fires
    // whatever the timing.
    let mut rules = obs_store::load_rules(&store).expect("rules");
    rules.iter_mut().for_each(|r| r.cooldown_ms = 0);
    let (worker, mut ui) = TestUi::spawn(&rt, connections, Some(writer.sender()));
    let states = current_states(&store).expect("states");
    let automation = Automation::new(rules, false, worker.commands())
        .with_states(states)
        .spawn(persisted_rx)
        .expect("automation");
    let socket = ingest::bind(&ListenerConfig {
        bind: [127, 0, 0, 1].into(),
        port: 0,
        court: "1".into(),
        allow: None,
    })
    .expect("bind");
    let to = socket.local_addr().expect("addr");
    let cfg = ListenerConfig {
        port: to.port(),
        ..ListenerConfig::new(to.port(), "1")
    };
    let listener = Listener::spawn(cfg, Some(socket), writer.sender()).expect("listener");
    let pss = Pss {
        socket: std::net::UdpSocket::bind("127.0.0.1:0").expect("udp"),
        to,
    };
    ui.wait("connected", |s| {
        s.status.get(&id).is_some_and(|st| st.link.is_connected())
    });

    // Fight ready: replay buffer on, recording named after the match.
    pss.new_match("101");
    fired_ok(&mut ui, 0, "start replay buffer");
    let rec = fired_ok(&mut ui, 0, "start recording");
    assert!(ui.status(id).recording.phase.is_on(), "{rec}");
    let f0 = ui.seen.firings.len();
    pss.send(&["ch1"]);
    let saved = fired_ok(&mut ui, f0, "save replay");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Winner: the stop waits 30 s, but the next match's start runs it first.
    let f0 = ui.seen.firings.len();
    pss.send(&["win;BLUE"]);
    pss.new_match("102");
    let stopped = fired_ok(&mut ui, f0, "stop recording");
    let first = named_file(&stopped);
    let first_name = first.file_name().map(|n| n.to_string_lossy().into_owned());
    assert!(
        first_name.is_some_and(|n| n.starts_with("Match 101 - Jun KIM (KOR) vs Ana SILVA (BRA)")),
        "{stopped}"
    );
    assert!(is_mkv_with_data(first));
    fired_ok(&mut ui, f0, "start recording 'Match 102");

    // OBS dies: reconnecting, and an action meanwhile fails (logged, not lost).
    obs.kill_obs();
    ui.wait("lost", |s| {
        matches!(
            s.status[&id].link,
            LinkState::Waiting {
                problem: LinkProblem::Lost(_),
                ..
            }
        )
    });
    let label = ui.status(id).link.label(std::time::Instant::now());
    assert!(label.contains("reconnecting in"), "{label}");
    let f0 = ui.seen.firings.len();
    pss.send(&["ch2"]);
    ui.wait("failed save", |s| firing(s, f0, "save replay").is_some());
    let failed = firing(&ui.seen, f0, "save replay")
        .cloned()
        .expect("waited");
    assert!(
        matches!(&failed.result, FiringResult::Failed(e) if e.contains("not connected")),
        "{failed:?}"
    );

    obs.restart_obs().expect("restart OBS");
    ui.wait("reconnected", |s| s.status[&id].link.is_connected());
    let f0 = ui.seen.firings.len();
    pss.new_match("103");
    fired_ok(&mut ui, f0, "start replay buffer");
    fired_ok(&mut ui, f0, "start recording 'Match 103");
    pss.send(&["ch1"]);
    let saved = fired_ok(&mut ui, f0, "save replay");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Every firing is in the store's automation log, newest first.
    writer.flush().expect("flush");
    let logged = obs_store::load_firings(&store, 100).expect("log");
    assert_eq!(logged.len(), ui.seen.firings.len());
    assert!(logged.windows(2).all(|w| w[0].id > w[1].id));
    assert!(
        logged
            .iter()
            .any(|f| f.result == failed.result && f.latency_us.is_none())
    );
    assert!(logged.iter().all(|f| f.court == "1" && f.event_seq > 0));
    listener.stop();
    automation.stop();
    worker.shutdown();
    writer.shutdown();
}
