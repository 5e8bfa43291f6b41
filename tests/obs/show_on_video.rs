//! "Show on video" in the whole app (`CourtsideApp` under egui_kittest) against a real OBS 29:
//! a match recorded while simulated PSS datagrams come through the app's own listener, the
//! recording stopped, another match loaded, then the first match chosen in the event table and
//! "Show on video" picked from an event row's context menu — OBS's `GetMediaInputStatus` shows
//! the review source playing the recording at the event's offset minus the pre-roll (read back
//! from OBS). And the file deleted after recording: the panel and a notice name it.

#![cfg(target_os = "linux")]

use crate::app_obs::{configure, send, step_until};
use crate::app_support::{app, free_port};
use crate::obs_process::ObsProcess;
use crate::obs_ui::runtime;
use crate::review_app::prepared_obs;
use crate::review_support::pace;
use crate::review_support::{call, media, wait_active};
use courtside::app::CourtsideApp;
use courtside::model::Command;
use courtside::model::review::ReviewCommand;
use courtside::obs::review::{MediaState, ReviewLink};
use courtside::obs::review_setup::ReviewNames;
use courtside::review::{DEFAULT_PRE_ROLL_MS, Prefer, VideoKind, locate};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The outcome of the last "Show on video".
fn shown(a: &CourtsideApp) -> Option<Result<String, String>> {
    let (what, result) = a.state.review.last.as_ref()?;
    (what == "review: show on video").then(|| result.clone())
}

/// The app on a store that knows `obs`, its review connected and its listener up.
fn court(obs: &ObsProcess, db: &std::path::Path, udp: u16) -> Harness<'static, CourtsideApp> {
    configure(db, udp, obs);
    let mut h = app(db.to_path_buf());
    h.state_mut().state.prefs.scoreboard_open = false;
    step_until(&mut h, "review OBS connected", |a| {
        a.state.review.obs.connected && a.state.listeners.first().is_some_and(|l| l.ok)
    });
    h
}

/// Record a match (a head kick 4 s in, a punch after it), stop the recording, then load another
/// match. Returns the first match's key and the recording's path.
fn record_a_match(
    h: &mut Harness<'_, CourtsideApp>,
    rt: &tokio::runtime::Runtime,
    link: &ReviewLink,
    udp: u16,
) -> (u64, String) {
    call(rt, link, "StartRecord", Value::Null);
    wait_active(rt, link, "GetRecordStatus");
    step_until(h, "the running recording in the video index", |a| {
        (a.state.review.segments.iter()).any(|s| s.kind == VideoKind::Recording)
    });
    pace(Duration::from_secs(4));
    send(udp, &["pre;FightLoaded", "rnd;1", "pt1;3"]);
    pace(Duration::from_secs(2));
    send(udp, &["pt2;1"]);
    pace(Duration::from_secs(2));
    let stopped = call(rt, link, "StopRecord", Value::Null);
    let path = stopped["outputPath"]
        .as_str()
        .expect("outputPath")
        .to_string();
    step_until(h, "the recording's end in the video index", |a| {
        (a.state.review.segments.iter()).any(|s| s.path == path && s.end_ns.is_some())
    });
    let first = h
        .state()
        .state
        .court_keys
        .values()
        .copied()
        .next()
        .expect("a match");
    send(udp, &["pre;FightLoaded", "rnd;1", "pt1;2"]);
    step_until(h, "the next match current", |a| {
        a.state.court_keys.values().any(|k| *k != first) && a.state.match_list.len() >= 2
    });
    (first, path)
}

/// The head kick of match `key` (its sequence and receive time), from the app's live log.
fn kick(h: &Harness<'_, CourtsideApp>, key: u64) -> (u64, i64) {
    let lines = &h.state().state.live.lines;
    let r = (lines.iter().map(|l| &l.record))
        .find(|r| r.match_key == key && r.events.iter().any(|e| e.label() == "Head kick +3"))
        .expect("the kick received");
    (r.seq, r.received_at_ns)
}

#[test]
fn show_on_video_plays_an_earlier_matchs_event_from_its_recording_at_the_moment() {
    let rt = runtime();
    let (obs, link) = prepared_obs(&rt);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    let mut h = court(&obs, &db, udp);
    let (first, path) = record_a_match(&mut h, &rt, &link, udp);
    // The operator picks the earlier match in the event table and right-clicks its kick.
    h.state_mut()
        .state
        .commands
        .push(Command::SelectMatch(Some(first)));
    step_until(&mut h, "the earlier match in the table", |a| {
        a.state.table.key == Some(first) && a.state.table.cache.get(first + 2).is_some()
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let repaints = crate::wait::Repaints::on(&h.ctx);
    while h.query_all_by_label("Head kick +3").next().is_none() {
        repaints.wait(deadline, "the kick's row drawn");
        h.step();
    }
    h.get_by_label("Head kick +3").click_secondary();
    h.run_steps(2);
    h.get_by_label("Show on video").click();
    let asked = Instant::now();
    step_until(&mut h, "the moment shown", |a| shown(a).is_some());
    let took = asked.elapsed();
    let st = media(&rt, &link);
    let done = shown(h.state()).expect("shown");
    eprintln!("show on video → {done:?} in {took:?}; OBS {st:?}");
    assert!(done.is_ok(), "{done:?}");
    let segments = h.state().state.review.segments.clone();
    let (seq, at) = kick(&h, first);
    let spot = locate(&segments, at, Prefer::Recording).expect("in the recording");
    assert_eq!(spot.segment.path, path, "the match's recording");
    let target = spot.offset_ms.saturating_sub(DEFAULT_PRE_ROLL_MS);
    let cursor = st.cursor_ms.expect("cursor");
    assert_eq!(st.state, MediaState::Playing, "{st:?}");
    assert!(
        cursor + 150 >= target && cursor <= target + 150 + took.as_millis() as u64,
        "OBS cursor {cursor} ms, the kick at {} ms − pre-roll = {target} ms",
        spot.offset_ms
    );
    let source = ReviewNames::default().source;
    let input = call(
        &rt,
        &link,
        "GetInputSettings",
        json!({ "inputName": source }),
    );
    assert_eq!(input["inputSettings"]["local_file"], path.as_str());
    // The panel lists the earlier match, titled as such, with the kick chosen.
    let review = &h.state().state.review;
    assert!(review.earlier && review.match_key == Some(first));
    assert_eq!(review.selected, Some(seq));
    h.run_steps(2);
    h.get_by_label_contains("Earlier match: ");
    // A challenge in the current match brings the panel back to it.
    send(udp, &["ch1"]);
    step_until(&mut h, "the current match listed on the challenge", |a| {
        !a.state.review.earlier && a.state.review.match_key.is_some_and(|k| k != first)
    });
}

#[test]
fn show_on_video_of_a_deleted_recording_names_the_missing_file() {
    let rt = runtime();
    let obs = ObsProcess::start().expect("start OBS");
    let link = crate::review_support::direct(&rt, &obs);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    let mut h = court(&obs, &db, udp);
    let (first, path) = record_a_match(&mut h, &rt, &link, udp);
    std::fs::remove_file(&path).expect("delete the recording");
    let (seq, _) = kick(&h, first);
    let show = ReviewCommand::ShowEvent {
        match_key: first,
        seq,
    };
    h.state_mut().state.commands.push(Command::Review(show));
    step_until(&mut h, "the show refused", |a| shown(a).is_some());
    let why = shown(h.state())
        .expect("shown")
        .expect_err("the file is gone");
    assert!(
        why.contains(&format!(
            "the file {path} no longer exists on this computer"
        )),
        "{why}"
    );
    let notices = &h.state().state.notices.items;
    assert!(
        notices.iter().any(|n| n.cause.contains(&path)),
        "a notice names the file: {notices:?}"
    );
    // OBS was not asked to play it.
    let source = ReviewNames::default().source;
    let input = rt.block_on(link.request("GetInputSettings", json!({ "inputName": source })));
    let file = input
        .ok()
        .and_then(|v| v["inputSettings"]["local_file"].as_str().map(String::from));
    assert_ne!(file.as_deref(), Some(path.as_str()));
    obs_on_another_computer_says_it_could_not_play(&rt, &obs, &path);
}

/// OBS reached on this machine's network address stands for an OBS on another computer:
/// courtside cannot look at its files, so OBS is asked and its refusal names the file.
fn obs_on_another_computer_says_it_could_not_play(
    rt: &tokio::runtime::Runtime,
    obs: &ObsProcess,
    path: &str,
) {
    // The address a packet to the outside would leave from (nothing is sent).
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").expect("udp");
    probe.connect("192.0.2.250:9").expect("route");
    let ip = probe.local_addr().expect("address").ip();
    assert!(!ip.is_loopback(), "{ip}");
    let mut conn = crate::obs_ui::connection("other PC", obs.port, &obs.password);
    conn.host = ip.to_string();
    let mut review = crate::review_support::Review::start_with(rt, conn, None, None);
    let why = review
        .ask(courtside::review::ReviewRequest::Show {
            path: path.into(),
            offset_ms: 5_000,
            running: false,
        })
        .expect_err("OBS cannot open it");
    assert!(
        why.contains(&format!("OBS on {ip} could not play {path}")),
        "{why}"
    );
    review.service.shutdown();
}
