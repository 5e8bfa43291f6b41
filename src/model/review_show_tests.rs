use super::*;
use crate::review::Anchor;

const S: i64 = 1_000_000_000;

fn segment(kind: VideoKind, path: &str, start: i64, end: Option<i64>) -> VideoSegment {
    VideoSegment {
        connection_id: 1,
        connection: "court".into(),
        kind,
        path: path.into(),
        start_ns: Some(start),
        end_ns: end,
        duration_ms: None,
        anchor: Anchor::Reported,
    }
}

/// A day in 2026 at 12:00 UTC: every offset used below stays on that local day in any zone
/// whose offset is within ±11 h.
const NOON: i64 = 1_796_040_000 * S;

#[test]
fn an_event_inside_the_recording_plays_from_the_recording_even_when_a_replay_holds_it() {
    let all = [
        segment(
            VideoKind::Recording,
            "/v/match.mkv",
            NOON,
            Some(NOON + 600 * S),
        ),
        segment(
            VideoKind::Replay,
            "/v/replay.mkv",
            NOON + 100 * S,
            Some(NOON + 115 * S),
        ),
    ];
    let plan = plan_show(&all, NOON + 110 * S).expect("held");
    assert_eq!(plan.path, "/v/match.mkv");
    assert_eq!(plan.offset_ms, 110_000);
    assert_eq!(plan.kind, VideoKind::Recording);
    assert!(!plan.running, "the recording had stopped");
}

#[test]
fn an_event_only_in_a_saved_replay_plays_from_the_replay() {
    let all = [segment(
        VideoKind::Replay,
        "C:\\OBS\\Replay 12-30.mkv",
        NOON,
        Some(NOON + 15 * S),
    )];
    let plan = plan_show(&all, NOON + 12 * S).expect("held");
    assert_eq!((plan.kind, plan.offset_ms), (VideoKind::Replay, 12_000));
}

#[test]
fn a_running_recording_is_marked_running_and_gives_way_to_a_saved_replay() {
    let live = segment(VideoKind::Recording, "/v/live.mkv", NOON, None);
    let plan = plan_show(std::slice::from_ref(&live), NOON + 30 * S).expect("held");
    assert!(plan.running);
    assert_eq!(plan.offset_ms, 30_000);
    let replay = segment(
        VideoKind::Replay,
        "/v/replay.mkv",
        NOON + 20 * S,
        Some(NOON + 35 * S),
    );
    let plan = plan_show(&[live, replay], NOON + 30 * S).expect("held");
    assert_eq!(plan.path, "/v/replay.mkv");
    assert_eq!((plan.offset_ms, plan.running), (10_000, false));
}

#[test]
fn an_event_after_the_recording_stopped_says_when_it_stopped_and_when_the_event_came() {
    let stop = NOON + 600 * S;
    let at = stop + 126 * S;
    let all = [segment(
        VideoKind::Recording,
        "/v/court1 12-00.mkv",
        NOON,
        Some(stop),
    )];
    let why = plan_show(&all, at).unwrap_err();
    assert_eq!(
        why,
        format!(
            "no recording or replay holds this moment: the recording court1 12-00.mkv stopped at \
             {}, the event came at {}",
            clock(stop, at),
            clock(at, at)
        )
    );
}

#[test]
fn an_event_between_two_recordings_names_both() {
    let at = NOON + 700 * S;
    let all = [
        segment(VideoKind::Recording, "/v/a.mkv", NOON, Some(NOON + 600 * S)),
        segment(VideoKind::Recording, "D:\\v\\b.mkv", NOON + 800 * S, None),
    ];
    let why = why_no_video(&all, at);
    assert!(why.contains("the recording a.mkv stopped at"), "{why}");
    assert!(
        why.ends_with(&format!(
            "; the next recording (b.mkv) started at {}",
            clock(NOON + 800 * S, at)
        )),
        "{why}"
    );
}

#[test]
fn an_event_before_any_video_says_when_the_first_started() {
    let all = [segment(
        VideoKind::Replay,
        "/v/r.mkv",
        NOON + 50 * S,
        Some(NOON + 65 * S),
    )];
    let why = why_no_video(&all, NOON);
    assert!(
        why.contains("the next saved replay (r.mkv) starts at"),
        "{why}"
    );
    assert!(why.contains(&format!("the event came at {}", clock(NOON, NOON))));
}

#[test]
fn with_no_video_at_all_it_says_obs_was_not_recording() {
    let why = why_no_video(&[], NOON);
    assert!(why.contains("OBS was not recording"), "{why}");
    // A replay whose duration was never learnt places nothing and is no "file around it".
    let unplaced = VideoSegment {
        start_ns: None,
        ..segment(VideoKind::Replay, "/v/r.mkv", 0, Some(NOON + S))
    };
    assert_eq!(why_no_video(&[unplaced], NOON), why);
}

#[test]
fn a_moment_on_another_day_carries_its_date() {
    let day = 86_400 * S;
    assert_eq!(clock(NOON, NOON).len(), "12:00:00".len());
    assert_eq!(clock(NOON - day, NOON).len(), "2026-11-30 12:00:00".len());
}
