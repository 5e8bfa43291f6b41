//! "Show on video" for any event of any match, the pure parts: where the event is on video (the
//! match's recording first, as the event table's video column shows it) and, when no file of the
//! video index holds it, why — in words the operator can act on ("the recording stopped at
//! 12:31:04, the event came at 12:33:10").

use crate::review::{Prefer, VideoKind, VideoSegment, locate};

/// An event the operator asked to see on video, waiting for its match to be loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingShow {
    /// The event's match.
    pub match_key: u64,
    /// The event's record sequence.
    pub seq: u64,
    /// Its receive time, once the match's records were read (`None` until then, or when the
    /// store does not hold that record).
    pub received_at_ns: Option<i64>,
}

/// Where an event is on video, as the review service is asked to play it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowPlan {
    /// The file on the OBS computer.
    pub path: String,
    /// The moment, ms from the file's start.
    pub offset_ms: u64,
    /// Recording or saved replay.
    pub kind: VideoKind,
    /// A recording that was still running when the index was last read (OBS is writing it).
    pub running: bool,
}

/// Where the event received at `at_ns` is on video (the recording first, else the newest saved
/// replay; a saved replay before a recording still being written, which OBS cannot cue), or why
/// no file holds it.
pub fn plan_show(segments: &[VideoSegment], at_ns: i64) -> Result<ShowPlan, String> {
    let running = |s: &VideoSegment| s.kind == VideoKind::Recording && s.end_ns.is_none();
    let spot = match locate(segments, at_ns, Prefer::Recording) {
        Some(s) if running(&s.segment) => locate(segments, at_ns, Prefer::Replay),
        other => other,
    };
    match spot {
        Some(spot) => Ok(ShowPlan {
            running: running(&spot.segment),
            kind: spot.segment.kind,
            path: spot.segment.path,
            offset_ms: spot.offset_ms,
        }),
        None => Err(why_no_video(segments, at_ns)),
    }
}

/// "no recording or replay holds this moment: …", naming the nearest files before and after.
pub fn why_no_video(segments: &[VideoSegment], at_ns: i64) -> String {
    const HEAD: &str = "no recording or replay holds this moment";
    let placed = || segments.iter().filter(|s| s.start_ns.is_some());
    let before = placed()
        .filter_map(|s| Some((s, s.end_ns?)))
        .filter(|(_, end)| *end < at_ns)
        .max_by_key(|(_, end)| *end);
    let after = placed()
        .filter_map(|s| Some((s, s.start_ns?)))
        .filter(|(_, start)| *start > at_ns)
        .min_by_key(|(_, start)| *start);
    let came = format!("the event came at {}", clock(at_ns, at_ns));
    match (before, after) {
        (None, None) => format!(
            "{HEAD}: the video index has no file around it — OBS was not recording (nor was its \
             replay buffer saved) while courtside was connected to it; {came}"
        ),
        (Some((s, end)), next) => {
            let mut m = format!("{HEAD}: {} {}, {came}", ended(s), clock(end, at_ns));
            if let Some((n, start)) = next {
                m.push_str(&format!("; {} {}", started(n), clock(start, at_ns)));
            }
            m
        }
        (None, Some((n, start))) => {
            format!("{HEAD}: {came}; {} {}", started(n), clock(start, at_ns))
        }
    }
}

fn ended(s: &VideoSegment) -> String {
    match s.kind {
        VideoKind::Recording => format!("the recording {} stopped at", file_name(&s.path)),
        VideoKind::Replay => format!("the saved replay {} ends at", file_name(&s.path)),
    }
}

fn started(s: &VideoSegment) -> String {
    match s.kind {
        VideoKind::Recording => format!("the next recording ({}) started at", file_name(&s.path)),
        VideoKind::Replay => format!("the next saved replay ({}) starts at", file_name(&s.path)),
    }
}

/// The last part of a path written on any OS (OBS may run on another computer).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Local time of `ns` to the second; with the date when it is not on `near`'s day.
pub fn clock(ns: i64, near: i64) -> String {
    let local = |t: i64| chrono::DateTime::from_timestamp_nanos(t).with_timezone(&chrono::Local);
    let (t, n) = (local(ns), local(near));
    if t.date_naive() == n.date_naive() {
        t.format("%H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

#[cfg(test)]
#[path = "review_show_tests.rs"]
mod tests;
