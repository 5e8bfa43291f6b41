//! The video index: which file of which OBS holds which stretch of courtside's clock, and the pure
//! mapping from a stored event's receive time to `(file, offset)`.
//!
//! Segments are anchored on what OBS reports, never on settings: a recording's start is the local
//! time of a `GetRecordStatus` answer minus its `outputDuration`; a saved replay's **end** is the
//! moment the save was asked for (or, when someone else saved it, the `ReplayBufferSaved` event),
//! and its start is that end minus the file's real duration once OBS has read it (a replay starts
//! on a keyframe, so it is longer than the set replay time).

use serde::{Deserialize, Serialize};

/// What kind of file a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VideoKind {
    /// A recording (`StartRecord` … `StopRecord`).
    Recording,
    /// A saved replay buffer.
    Replay,
}

/// How a segment's times were learnt, best last (a better anchor replaces a worse one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Anchor {
    /// From an event's arrival only (a replay saved by someone else: the file is written before
    /// the event comes, so its end is a little earlier than stored).
    Event,
    /// From OBS's own clock (`outputDuration`) or from courtside's save request.
    Reported,
}

/// One video file on one OBS, placed on courtside's clock (Unix ns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSegment {
    /// OBS connection id.
    pub connection_id: u64,
    /// OBS connection name when it was recorded (for messages once the connection is gone).
    pub connection: String,
    /// Recording or replay.
    pub kind: VideoKind,
    /// Path of the file on the OBS machine.
    pub path: String,
    /// Time of the file's first frame; `None` for a replay whose duration is not known yet.
    pub start_ns: Option<i64>,
    /// Time of its last frame; `None` while a recording runs.
    pub end_ns: Option<i64>,
    /// The file's duration as OBS reported it, ms (replays: from `GetMediaInputStatus`).
    pub duration_ms: Option<u64>,
    /// How the times were learnt.
    pub anchor: Anchor,
}

/// Where an event is on video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSpot {
    /// The segment that holds it.
    pub segment: VideoSegment,
    /// Offset from the file's start, ms.
    pub offset_ms: u64,
}

/// Which file to prefer when several hold a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// The recording (whole match, for exports and chapters), else the newest replay.
    Recording,
    /// The newest replay (a review right after a challenge), else the recording.
    Replay,
}

const NS_PER_MS: i64 = 1_000_000;

/// A recording's start from one `GetRecordStatus` reading: the request was sent at `sent_ns`, the
/// answer came at `answered_ns` and said the output had run `output_ms`. The midpoint of the round
/// trip is when OBS read its duration.
pub fn recording_start(sent_ns: i64, answered_ns: i64, output_ms: u64) -> i64 {
    let mid = sent_ns + answered_ns.saturating_sub(sent_ns).max(0) / 2;
    mid.saturating_sub(ms_to_ns(output_ms))
}

/// A replay's start from its anchored end and its real duration.
pub fn replay_start(end_ns: i64, duration_ms: u64) -> i64 {
    end_ns.saturating_sub(ms_to_ns(duration_ms))
}

fn ms_to_ns(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX / NS_PER_MS) * NS_PER_MS
}

impl VideoSegment {
    /// The key that identifies a file: the same file seen twice (by the session's tracker and by
    /// the review service) is one segment.
    pub fn key(&self) -> (u64, &str) {
        (self.connection_id, self.path.as_str())
    }

    /// Offset of `at_ns` in this file, ms, if the file holds that moment (a running recording
    /// holds everything after its start).
    pub fn offset_of(&self, at_ns: i64) -> Option<u64> {
        let start = self.start_ns?;
        if at_ns < start || self.end_ns.is_some_and(|end| at_ns > end) {
            return None;
        }
        u64::try_from((at_ns - start) / NS_PER_MS).ok()
    }

    /// Combine what two sightings of the same file know: the better anchor's times win, a known
    /// duration is kept, a known end is never forgotten.
    pub fn merged(self, newer: VideoSegment) -> VideoSegment {
        let (mut best, other) = if newer.anchor >= self.anchor {
            (newer, self)
        } else {
            (self, newer)
        };
        best.duration_ms = best.duration_ms.or(other.duration_ms);
        best.end_ns = best.end_ns.or(other.end_ns);
        if best.start_ns.is_none() {
            best.start_ns = match (best.kind, best.end_ns, best.duration_ms) {
                (VideoKind::Replay, Some(end), Some(d)) => Some(replay_start(end, d)),
                _ => other.start_ns,
            };
        }
        best
    }
}

/// Where `at_ns` is on video, among `segments`, or `None` when no file holds it.
pub fn locate(segments: &[VideoSegment], at_ns: i64, prefer: Prefer) -> Option<VideoSpot> {
    let holding = segments
        .iter()
        .filter_map(|s| s.offset_of(at_ns).map(|o| (s, o)));
    let rank = |s: &VideoSegment| {
        let kind_first = match (prefer, s.kind) {
            (Prefer::Recording, VideoKind::Recording) | (Prefer::Replay, VideoKind::Replay) => 1,
            _ => 0,
        };
        (kind_first, s.anchor, s.end_ns.unwrap_or(i64::MAX))
    };
    holding
        .max_by_key(|(s, _)| rank(s))
        .map(|(s, offset_ms)| VideoSpot {
            segment: s.clone(),
            offset_ms,
        })
}

/// An offset as the event table shows it: `12:34.5` (minutes may exceed 59: `75:02.0`).
pub fn format_offset(offset_ms: u64) -> String {
    let tenths = offset_ms / 100;
    format!("{}:{:02}.{}", tenths / 600, (tenths / 10) % 60, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn rec(path: &str, start: i64, end: Option<i64>) -> VideoSegment {
        VideoSegment {
            connection_id: 1,
            connection: "rec".into(),
            kind: VideoKind::Recording,
            path: path.into(),
            start_ns: Some(start),
            end_ns: end,
            duration_ms: None,
            anchor: Anchor::Reported,
        }
    }

    #[test]
    fn recording_start_subtracts_the_duration_from_the_round_trip_midpoint() {
        assert_eq!(
            recording_start(100 * S, 100 * S + 20_000_000, 5_000),
            95 * S + 10_000_000
        );
        // An answer stamped before its request (clock step) does not move the start forward.
        assert_eq!(recording_start(100 * S, 99 * S, 0), 100 * S);
    }

    #[test]
    fn offsets_are_measured_from_the_start_and_only_inside_the_file() {
        let r = rec("/v/a.mkv", 100 * S, Some(200 * S));
        assert_eq!(r.offset_of(100 * S), Some(0));
        assert_eq!(r.offset_of(173 * S + 450_000_000), Some(73_450));
        assert_eq!(r.offset_of(99 * S), None);
        assert_eq!(r.offset_of(201 * S), None);
        // A running recording holds everything after its start.
        assert_eq!(
            rec("/v/b.mkv", 100 * S, None).offset_of(900 * S),
            Some(800_000)
        );
    }

    #[test]
    fn a_replay_without_its_duration_places_nothing_until_it_is_learnt() {
        let seen = VideoSegment {
            kind: VideoKind::Replay,
            start_ns: None,
            end_ns: Some(300 * S),
            anchor: Anchor::Event,
            ..rec("/v/replay.mkv", 0, None)
        };
        assert_eq!(seen.offset_of(295 * S), None);
        let loaded = VideoSegment {
            end_ns: Some(299 * S),
            anchor: Anchor::Reported,
            duration_ms: Some(14_500),
            start_ns: None,
            ..seen.clone()
        };
        let m = seen.merged(loaded);
        assert_eq!(m.end_ns, Some(299 * S));
        assert_eq!(m.start_ns, Some(284 * S + 500_000_000));
        assert_eq!(m.offset_of(295 * S), Some(10_500));
    }

    #[test]
    fn merging_keeps_the_better_anchor_and_what_either_knew() {
        let reported = VideoSegment {
            duration_ms: Some(14_000),
            ..rec("/v/a.mkv", 100 * S, None)
        };
        let by_event = VideoSegment {
            anchor: Anchor::Event,
            ..rec("/v/a.mkv", 101 * S, Some(200 * S))
        };
        let m = reported.clone().merged(by_event.clone());
        assert_eq!(m.start_ns, Some(100 * S));
        assert_eq!(m.end_ns, Some(200 * S));
        assert_eq!(m.duration_ms, Some(14_000));
        assert_eq!(by_event.merged(reported).start_ns, Some(100 * S));
    }

    #[test]
    fn locate_prefers_the_asked_kind_then_the_newest_file() {
        let recording = rec("/v/match.mkv", 100 * S, None);
        let old_replay = VideoSegment {
            kind: VideoKind::Replay,
            ..rec("/v/r1.mkv", 150 * S, Some(165 * S))
        };
        let new_replay = VideoSegment {
            kind: VideoKind::Replay,
            ..rec("/v/r2.mkv", 155 * S, Some(170 * S))
        };
        let all = [recording, old_replay, new_replay];
        let spot = locate(&all, 160 * S, Prefer::Replay).expect("held");
        assert_eq!(
            (spot.segment.path.as_str(), spot.offset_ms),
            ("/v/r2.mkv", 5_000)
        );
        let spot = locate(&all, 160 * S, Prefer::Recording).expect("held");
        assert_eq!(
            (spot.segment.path.as_str(), spot.offset_ms),
            ("/v/match.mkv", 60_000)
        );
        // Outside every replay, the recording still holds it.
        let spot = locate(&all, 120 * S, Prefer::Replay).expect("held");
        assert_eq!(spot.segment.path, "/v/match.mkv");
        assert_eq!(locate(&all, 50 * S, Prefer::Replay), None);
    }

    #[test]
    fn offsets_format_as_minutes_seconds_tenths() {
        assert_eq!(format_offset(754_500), "12:34.5");
        assert_eq!(format_offset(0), "0:00.0");
        assert_eq!(format_offset(4_502_049), "75:02.0");
    }
}
