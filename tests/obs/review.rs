//! Video review against a real OBS 29 (headless, see `obs_process.rs`): the video index's offsets
//! checked against the decoded video, a challenge cueing the disputed moment, the review controls
//! read back from OBS, chapters read by ffprobe, and OBS killed mid-review. Needs Debian's
//! `ffmpeg` (ffmpeg + ffprobe) besides OBS. Linux only.

#![cfg(target_os = "linux")]

use crate::obs_process::{ObsProcess, SCENES};
use crate::obs_ui::{TestUi, connection, runtime};
use crate::review_support::{
    PALETTE, Review, call, colour_at, colour_event, direct, first_shown, frames, media, pace,
    wait_active,
};
use courtside::obs::review::MediaState;
use courtside::obs::review_setup::{KeyframePolicy, ReviewNames};
use courtside::protocol::{Athlete, Event, PointKind};
use courtside::review::index::{Prefer, VideoKind, locate};
use courtside::review::store::load_segments;
use courtside::review::{DEFAULT_PRE_ROLL_MS, ReviewRequest, VideoSegment};
use courtside::store::writer::Incoming;
use courtside::store::{Store, Writer, WriterConfig};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// Colour events this far apart (ms): well beyond a frame (100 ms at the test's 10 fps).
const EVENT_GAP: Duration = Duration::from_millis(1200);
/// How far after a stored offset the colour is checked (the issue's +200 ms).
const CHECK_AFTER_MS: u64 = 200;

/// Check each event's colour at its stored offset + 200 ms in `seg`'s file; returns the largest
/// difference between the offset and the first frame that shows the colour, ms.
fn check_offsets(seg: &VideoSegment, events: &[(usize, i64)]) -> i64 {
    let f = frames(Path::new(&seg.path));
    assert!(!f.is_empty(), "{} has frames", seg.path);
    let mut worst = 0i64;
    for &(colour, at_ns) in events {
        let offset = seg
            .offset_of(at_ns)
            .unwrap_or_else(|| panic!("event at {at_ns} not in {seg:?}"));
        let shown = colour_at(&f, offset + CHECK_AFTER_MS);
        assert_eq!(
            shown,
            Some(colour),
            "{:?} file {}: at offset {} + {CHECK_AFTER_MS} ms the colour is {shown:?}, \
             expected {colour}",
            seg.kind,
            seg.path,
            offset
        );
        let first = first_shown(&f, colour, offset).expect("colour shown") as i64;
        let error = first - offset as i64;
        eprintln!(
            "{:?}: event colour {colour} stored offset {offset} ms, first frame {first} ms, \
             error {error:+} ms",
            seg.kind
        );
        if error.abs() > worst.abs() {
            worst = error;
        }
    }
    worst
}

/// Store a datagram holding `event`, received at `at_ns`.
fn store_event(writer: &Writer, at_ns: i64, event: Event) {
    let raw = courtside::protocol::encode_event(&event).into_bytes();
    let incoming = Incoming {
        received_at_ns: at_ns,
        received: Instant::now(),
        source: "127.0.0.1:6000".into(),
        court: "1".into(),
        raw,
        events: vec![event],
    };
    writer
        .sender()
        .send(courtside::store::WriteRequest::Datagram(incoming))
        .expect("queued");
}

/// The chapters ffprobe reads from an FFMETADATA file: (start in s, title).
fn ffprobe_chapters(path: &Path) -> Vec<(f64, String)> {
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-f",
            "ffmetadata",
            "-show_chapters",
            "-of",
            "json",
            "-i",
        ])
        .arg(path)
        .output()
        .expect("ffprobe");
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .map(|c| {
            let start = c["start_time"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(-1.0);
            (start, c["tags"]["title"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn offsets_in_a_recording_and_a_saved_replay_match_the_video_and_a_challenge_cues_the_moment() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&dir.path().join("s.redb")).expect("store");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let conn = connection("rec", obs.port, &obs.password);
    let id = conn.id;
    let (worker, mut ui) = TestUi::spawn(&rt, vec![conn.clone()], Some(writer.sender()));
    ui.wait("connected", |s| {
        s.status.get(&id).is_some_and(|st| st.link.is_connected())
    });
    let mut review = Review::start_with(&rt, conn, Some(writer.sender()), Some(store.clone()));
    let link = direct(&rt, &obs);
    // 30 fps: a frame (the resolution of this check) is 33 ms, not the profile's 100 ms.
    call(
        &rt,
        &link,
        "SetVideoSettings",
        serde_json::json!({ "fpsNumerator": 30, "fpsDenominator": 1 }),
    );
    let setup = review.must(ReviewRequest::SetupKeyframes(KeyframePolicy::AllIntra));
    assert!(setup.contains("every 1 frame(s) at 30 fps"), "{setup}");
    let x264 = call(
        &rt,
        &link,
        "GetProfileParameter",
        serde_json::json!({ "parameterCategory": "SimpleOutput", "parameterName": "x264Settings" }),
    );
    assert_eq!(x264["parameterValue"], "keyint=1 min-keyint=1 scenecut=0");

    call(&rt, &link, "StartReplayBuffer", Value::Null);
    wait_active(&rt, &link, "GetReplayBufferStatus");
    call(&rt, &link, "StartRecord", Value::Null);
    wait_active(&rt, &link, "GetRecordStatus");
    store_event(
        &writer,
        courtside::store::writer::now_ns(),
        Event::Round { round: 1 },
    );
    pace(EVENT_GAP);
    let mut events = Vec::new();
    for colour in 1..PALETTE.len() {
        let at = colour_event(&rt, &link, colour);
        store_event(
            &writer,
            at,
            Event::Point {
                athlete: Athlete::Blue,
                kind: PointKind::Head,
            },
        );
        events.push((colour, at));
        pace(EVENT_GAP);
    }
    // The challenge disputes the last event.
    let (_, disputed_ns) = *events.last().expect("events");
    let asked = Instant::now();
    let cued = review.must(ReviewRequest::Challenge {
        disputed_ns,
        fallback: None,
    });
    let cue_took = asked.elapsed();
    let st = media(&rt, &link);
    let moment = review.state.moment_ms.expect("moment");
    let target = moment.saturating_sub(DEFAULT_PRE_ROLL_MS);
    let cursor = st.cursor_ms.expect("cursor");
    eprintln!(
        "challenge → playing in {cue_took:?}: {cued}; OBS cursor {cursor} ms, cue {target} ms"
    );
    assert_eq!(st.state, MediaState::Playing, "{st:?}");
    assert!(
        cursor + 150 >= target && cursor <= target + 150 + cue_took.as_millis() as u64,
        "cursor {cursor} ms, cue at {target} ms"
    );
    let replay_file = review.state.file.clone().expect("file");
    let input = call(
        &rt,
        &link,
        "GetInputSettings",
        serde_json::json!({ "inputName": ReviewNames::default().source }),
    );
    assert_eq!(input["inputSettings"]["local_file"], replay_file.as_str());

    call(&rt, &link, "StopRecord", Value::Null);
    crate::obs_process::wait_until(Duration::from_secs(30), "recording stopped", || {
        rt.block_on(link.request("GetRecordStatus", Value::Null))
            .is_ok_and(|v| v["outputActive"] == false)
    })
    .expect("stopped");
    ui.wait("recording off in the status", |s| {
        s.status[&id].recording.phase == courtside::obs::OutputPhase::Off
    });
    writer.flush().expect("flush");
    let segments = load_segments(&store).expect("index");
    let recording = segments
        .iter()
        .find(|s| s.kind == VideoKind::Recording)
        .expect("recording indexed");
    assert!(recording.end_ns.is_some(), "{recording:?}");
    let replay = segments
        .iter()
        .find(|s| s.kind == VideoKind::Replay)
        .expect("replay indexed");
    assert_eq!(replay.path, replay_file);
    assert!(replay.duration_ms.is_some_and(|d| d > 5_000), "{replay:?}");
    let spot = locate(&segments, disputed_ns, Prefer::Replay).expect("located");
    assert_eq!(
        (spot.segment.path.as_str(), spot.offset_ms),
        (replay_file.as_str(), moment)
    );

    let written = review
        .unasked("review: chapter file")
        .expect("chapter file written");
    let chapters = Path::new(&recording.path).with_extension("chapters.txt");
    assert!(written.contains(&*chapters.to_string_lossy()), "{written}");
    let starts = ffprobe_chapters(&chapters);
    assert_eq!(starts.len(), 1 + events.len(), "{starts:?}");
    assert!(starts[0].1.ends_with("start"), "{starts:?}");
    for ((start, title), (_, at)) in starts[1..].iter().zip(&events) {
        let offset = recording.offset_of(*at).expect("inside") as f64 / 1000.0;
        assert!(
            (start - offset).abs() < 0.002,
            "chapter '{title}' at {start} s, event at {offset} s"
        );
        assert!(title.ends_with("Blue Head kick +3"), "{title}");
    }
    let worst_rec = check_offsets(recording, &events);
    let worst_replay = check_offsets(replay, &events);
    eprintln!("largest offset error: recording {worst_rec:+} ms, saved replay {worst_replay:+} ms");
    for worst in [worst_rec, worst_replay] {
        assert!(worst.abs() <= 100, "offset error {worst} ms");
    }
    review.service.shutdown();
    worker.shutdown();
    writer.shutdown();
}

#[test]
fn review_controls_change_obs_and_are_read_back_from_it() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let mut review = Review::start(&rt, &obs, None, None);
    review.must(ReviewRequest::SetupKeyframes(KeyframePolicy::AllIntra));
    let link = direct(&rt, &obs);
    call(&rt, &link, "StartReplayBuffer", Value::Null);
    wait_active(&rt, &link, "GetReplayBufferStatus");
    pace(Duration::from_secs(6));
    let disputed_ns = courtside::store::writer::now_ns();
    pace(Duration::from_secs(1));
    review.must(ReviewRequest::Challenge {
        disputed_ns,
        fallback: None,
    });
    let source = ReviewNames::default();
    // The cue holds: OBS plays on from it (a reopen of the file would start over at 0).
    let cued = media(&rt, &link).cursor_ms.expect("cursor");
    pace(Duration::from_millis(500));
    let later = media(&rt, &link).cursor_ms.expect("cursor");
    assert!(
        later >= cued && later <= cued + 900,
        "cue at {cued} ms, then {later} ms"
    );

    review.must(ReviewRequest::Pause);
    let paused = media(&rt, &link);
    assert_eq!(paused.state, MediaState::Paused);
    let before = paused.cursor_ms.expect("cursor");
    let stepped = review.must(ReviewRequest::StepFrames(1));
    let after = media(&rt, &link).cursor_ms.expect("cursor");
    eprintln!("step +1 frame: {before} → {after} ms ({stepped})");
    assert!(
        after > before && after <= before + 150,
        "{before} → {after}"
    );
    review.must(ReviewRequest::StepMs(-1000));
    let back = media(&rt, &link).cursor_ms.expect("cursor");
    assert!(
        back + 1100 >= after && back + 900 <= after,
        "{after} → {back}"
    );

    review.must(ReviewRequest::Speed(25));
    let speed = call(
        &rt,
        &link,
        "GetInputSettings",
        serde_json::json!({ "inputName": source.source }),
    );
    assert_eq!(speed["inputSettings"]["speed_percent"], 25);
    let kept = media(&rt, &link);
    assert_eq!(
        kept.state,
        MediaState::Paused,
        "a paused review stays paused"
    );
    let kept_at = kept.cursor_ms.expect("cursor");
    assert!(
        kept_at.abs_diff(back) <= 150,
        "speed change kept {back} → {kept_at}"
    );

    review.must(ReviewRequest::OnAir);
    let program = rt.block_on(link.program_scene()).expect("program");
    assert_eq!(program, source.scene);
    review.must(ReviewRequest::BackToLive);
    let program = rt.block_on(link.program_scene()).expect("program");
    assert_eq!(program, SCENES[0]);
    assert!(
        review.ask(ReviewRequest::BackToLive).is_err(),
        "nothing to return to"
    );

    // OBS 29 (websocket 5.1) has no CreateRecordChapter: detected, not assumed.
    let live = review.ask(ReviewRequest::Chapter {
        title: "R1 0:42 Blue Head kick +3".into(),
    });
    assert!(
        live.as_ref().is_err_and(|e| e.contains("not available")),
        "{live:?}"
    );

    review.must(ReviewRequest::Preview { width: 160 });
    let png = review.previews.last().expect("preview");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");

    review.must(ReviewRequest::Loop(Some((1000, 1600))));
    let mut wrapped = false;
    let mut last = 0;
    crate::obs_process::wait_until(Duration::from_secs(20), "the loop to wrap", || {
        let c = media(&rt, &link).cursor_ms.unwrap_or(0);
        wrapped |= c + 300 < last;
        last = c;
        wrapped
    })
    .expect("loop wraps");
    review.must(ReviewRequest::Loop(None));
    review.service.shutdown();
}

#[test]
fn obs_killed_mid_review_gives_an_error_and_review_works_again_after_reconnect() {
    let mut obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let mut review = Review::start(&rt, &obs, None, None);
    let link = direct(&rt, &obs);
    call(&rt, &link, "StartReplayBuffer", Value::Null);
    wait_active(&rt, &link, "GetReplayBufferStatus");
    pace(Duration::from_secs(5));
    let disputed_ns = courtside::store::writer::now_ns();
    pace(Duration::from_millis(500));
    review.must(ReviewRequest::Challenge {
        disputed_ns,
        fallback: None,
    });
    let file = review.state.file.clone().expect("file");
    drop(link);
    obs.kill_obs();
    let err = review.ask(ReviewRequest::Pause).expect_err("OBS is gone");
    assert!(err.contains("OBS"), "{err}");
    assert!(!review.state.connected);
    assert!(Path::new(&file).exists(), "the saved replay is kept");
    obs.restart_obs().expect("restart OBS");
    // The next request reconnects; the saved replay plays again.
    review.must(ReviewRequest::Cue {
        path: file.clone(),
        offset_ms: 4000,
    });
    assert!(review.state.connected);
    let link = direct(&rt, &obs);
    let st = media(&rt, &link);
    assert!(st.state.is_open(), "{st:?}");
    review.service.shutdown();
}
