//! Chapters and highlights of a finished recording, written beside it: an FFmpeg `;FFMETADATA1`
//! chapter file (ffmpeg and mpv read it: `ffmpeg -i rec.mkv -i rec.chapters.txt -map_metadata 1
//! -c copy out.mkv`, `mpv --chapters-file=`) with one chapter per scoring event and round start
//! ("R2 1:13 Blue Head kick +3"), and an mpv EDL playlist of the highlights (each point, penalty
//! and challenge from 4 s before to 2 s after, overlapping windows joined).

use super::index::VideoSegment;
use crate::match_state::MatchState;
use crate::protocol::{Athlete, Event};
use crate::store::EventRecord;
use std::path::{Path, PathBuf};

/// Highlight window before an event, ms.
pub const HIGHLIGHT_BEFORE_MS: u64 = 4_000;
/// Highlight window after an event, ms.
pub const HIGHLIGHT_AFTER_MS: u64 = 2_000;

/// One chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// Start, ms from the file's start.
    pub start_ms: u64,
    /// Title.
    pub title: String,
}

fn side(a: Athlete) -> &'static str {
    match a {
        Athlete::Blue => "Blue",
        Athlete::Red => "Red",
    }
}

/// A chapter title for `e` in state `s` (after `e` was applied), or `None` for events that are
/// not chapters.
fn title(e: &Event, s: &MatchState) -> Option<String> {
    let at = format!("R{} {}", s.round, s.clock);
    match e {
        Event::Point { athlete, kind } => Some(format!(
            "{at} {} {} +{}",
            side(*athlete),
            kind.label(),
            kind.number()
        )),
        Event::Penalties { athlete, count } => {
            Some(format!("{at} {} gam-jeom ({count})", side(*athlete)))
        }
        Event::Round { round } => Some(format!("R{round} start")),
        _ => None,
    }
}

/// The chapters of `seg` from a match's records (in sequence order): each chapter-worthy event
/// the file holds, at its offset.
pub fn chapters(records: &[EventRecord], seg: &VideoSegment) -> Vec<Chapter> {
    let mut state = MatchState::new();
    let mut out = Vec::new();
    for rec in records {
        for e in &rec.events {
            state.apply(e);
            if let (Some(t), Some(at)) = (title(e, &state), seg.offset_of(rec.received_at_ns)) {
                out.push(Chapter {
                    start_ms: at,
                    title: t,
                });
            }
        }
    }
    out
}

/// A value in an FFMETADATA file: `=`, `;`, `#`, `\` and line breaks are escaped with `\`.
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(c, '=' | ';' | '#' | '\\' | '\n') {
            out.push('\\');
        }
        if c != '\r' {
            out.push(c);
        }
    }
    out
}

/// The `;FFMETADATA1` text of `chapters`; each ends where the next starts, the last at `end_ms`.
pub fn ffmetadata(chapters: &[Chapter], end_ms: u64) -> String {
    let mut out = String::from(";FFMETADATA1\n");
    for (i, c) in chapters.iter().enumerate() {
        let end = chapters
            .get(i + 1)
            .map_or(end_ms, |n| n.start_ms)
            .max(c.start_ms);
        out.push_str(&format!(
            "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART={}\nEND={end}\ntitle={}\n",
            c.start_ms,
            escape(&c.title)
        ));
    }
    out
}

/// Highlight windows `(start_ms, length_ms)` of `seg`: each point, penalty and challenge from
/// [`HIGHLIGHT_BEFORE_MS`] before to [`HIGHLIGHT_AFTER_MS`] after, overlapping windows joined,
/// clipped to `end_ms`.
pub fn highlights(records: &[EventRecord], seg: &VideoSegment, end_ms: u64) -> Vec<(u64, u64)> {
    let mut windows: Vec<(u64, u64)> = Vec::new();
    for rec in records {
        let worth = rec
            .events
            .iter()
            .any(|e| super::disputed::is_scoring(e) || matches!(e, Event::Challenge { .. }));
        let Some(at) = seg.offset_of(rec.received_at_ns).filter(|_| worth) else {
            continue;
        };
        let (from, to) = (
            at.saturating_sub(HIGHLIGHT_BEFORE_MS),
            (at + HIGHLIGHT_AFTER_MS).min(end_ms),
        );
        match windows.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
    windows
        .into_iter()
        .filter(|(a, b)| b > a)
        .map(|(a, b)| (a, b - a))
        .collect()
}

/// An mpv EDL playlist of `windows` in `file` (a name beside the playlist; length-prefixed so any
/// character in it is safe).
pub fn edl(file: &str, windows: &[(u64, u64)]) -> String {
    let mut out = String::from("# mpv EDL v0\n");
    for (start, len) in windows {
        out.push_str(&format!(
            "%{}%{file},{:.3},{:.3}\n",
            file.len(),
            *start as f64 / 1000.0,
            *len as f64 / 1000.0
        ));
    }
    out
}

/// Write `<stem>.chapters.txt` and `<stem>.highlights.edl` beside the recording at `path`
/// (a folder courtside can reach: the OBS machine's, shared or local). Returns both paths.
pub fn write_beside(
    path: &Path,
    records: &[EventRecord],
    seg: &VideoSegment,
) -> Result<(PathBuf, PathBuf), String> {
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or(file);
    let end_ms = match (seg.start_ns, seg.end_ns) {
        (Some(s), Some(e)) => u64::try_from((e - s) / 1_000_000).unwrap_or(0),
        _ => seg.duration_ms.unwrap_or(0),
    };
    let mut written = Vec::new();
    for (suffix, text) in [
        ("chapters.txt", ffmetadata(&chapters(records, seg), end_ms)),
        (
            "highlights.edl",
            edl(file, &highlights(records, seg, end_ms)),
        ),
    ] {
        let name = format!("{stem}.{suffix}");
        crate::fsname::check_file_name(&name)
            .map_err(|e| format!("cannot name the {suffix} file '{name}': {e}"))?;
        let target = path.with_file_name(&name);
        std::fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
        written.push(target);
    }
    let edl_path = written.pop().unwrap_or_default();
    let chapters_path = written.pop().unwrap_or_default();
    Ok((chapters_path, edl_path))
}

/// The stored records received while `seg`'s file was written, in sequence order (paged, so a
/// large store is never held in memory at once).
pub fn records_during(
    store: &crate::store::Store,
    seg: &VideoSegment,
) -> Result<Vec<EventRecord>, crate::store::StoreError> {
    const PAGE: usize = 4096;
    let (Some(start), end) = (seg.start_ns, seg.end_ns.unwrap_or(i64::MAX)) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut from = 0u64;
    loop {
        let page = store.events_page(from, PAGE)?;
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        out.extend(
            page.into_iter()
                .filter(|r| (start..=end).contains(&r.received_at_ns)),
        );
    }
    Ok(out)
}

/// Write the chapters and highlights of the finished recording `seg` beside it, from the events
/// stored while it ran. Runs on a blocking thread (store reads, file writes).
pub fn write_for_recording(
    store: &crate::store::Store,
    seg: &VideoSegment,
) -> Result<(PathBuf, PathBuf), String> {
    let records = records_during(store, seg).map_err(|e| e.to_string())?;
    let path = Path::new(&seg.path);
    if !path.parent().is_some_and(Path::is_dir) {
        return Err(format!(
            "cannot write chapters beside {}: its folder is not reachable from this computer",
            seg.path
        ));
    }
    write_beside(path, &records, seg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PointKind;
    use crate::review::index::{Anchor, VideoKind};

    const S: i64 = 1_000_000_000;

    fn rec(seq: u64, at_s: i64, events: Vec<Event>) -> EventRecord {
        EventRecord {
            seq,
            received_at_ns: at_s * S,
            source: "127.0.0.1:1".into(),
            court: "1".into(),
            raw: Vec::new(),
            events,
            match_key: 1,
        }
    }

    fn seg() -> VideoSegment {
        VideoSegment {
            connection_id: 1,
            connection: "rec".into(),
            kind: VideoKind::Recording,
            path: "/v/m.mkv".into(),
            start_ns: Some(100 * S),
            end_ns: Some(200 * S),
            duration_ms: None,
            anchor: Anchor::Reported,
        }
    }

    fn records() -> Vec<EventRecord> {
        vec![
            rec(1, 90, vec![Event::Round { round: 1 }]),
            rec(2, 110, vec![Event::Round { round: 2 }]),
            rec(
                3,
                120,
                vec![Event::Point {
                    athlete: Athlete::Blue,
                    kind: PointKind::Head,
                }],
            ),
            rec(
                4,
                122,
                vec![Event::Penalties {
                    athlete: Athlete::Red,
                    count: 1,
                }],
            ),
            rec(
                5,
                150,
                vec![Event::Clock {
                    clock: crate::protocol::Clock::from_secs(73),
                    action: None,
                }],
            ),
            rec(
                6,
                198,
                vec![Event::Point {
                    athlete: Athlete::Red,
                    kind: PointKind::Body,
                }],
            ),
        ]
    }

    #[test]
    fn chapters_are_the_scoring_events_and_round_starts_inside_the_file() {
        let ch = chapters(&records(), &seg());
        let got: Vec<(u64, &str)> = ch.iter().map(|c| (c.start_ms, c.title.as_str())).collect();
        assert_eq!(got[0], (10_000, "R2 start"));
        assert_eq!(got[1].0, 20_000);
        assert!(
            got[1].1.starts_with("R2 ") && got[1].1.ends_with("Blue Head kick +3"),
            "{got:?}"
        );
        assert!(got[2].1.ends_with("Red gam-jeom (1)"), "{got:?}");
        assert_eq!(got.len(), 4);
        let text = ffmetadata(&ch, 100_000);
        assert!(text.starts_with(";FFMETADATA1\n"));
        assert!(
            text.contains("START=10000\nEND=20000\ntitle=R2 start\n"),
            "{text}"
        );
        assert!(text.contains("START=98000\nEND=100000\n"), "{text}");
    }

    #[test]
    fn metadata_values_escape_the_format_characters() {
        assert_eq!(escape("a=b;c#d\\e\nf"), "a\\=b\\;c\\#d\\\\e\\\nf");
    }

    #[test]
    fn highlights_join_overlapping_windows_and_stay_inside_the_file() {
        let w = highlights(&records(), &seg(), 100_000);
        assert_eq!(w, vec![(16_000, 8_000), (94_000, 6_000)]);
        let text = edl("m,1.mkv", &w);
        assert_eq!(
            text,
            "# mpv EDL v0\n%7%m,1.mkv,16.000,8.000\n%7%m,1.mkv,94.000,6.000\n"
        );
    }

    #[test]
    fn files_are_written_beside_the_recording_with_checked_names() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("court 1 match.mkv");
        let (c, e) = write_beside(&path, &records(), &seg()).expect("written");
        assert_eq!(
            c.file_name().and_then(|f| f.to_str()),
            Some("court 1 match.chapters.txt")
        );
        assert!(
            std::fs::read_to_string(&c)
                .expect("read")
                .contains("[CHAPTER]")
        );
        assert!(
            std::fs::read_to_string(&e)
                .expect("read")
                .starts_with("# mpv EDL v0")
        );
        let bad = dir.path().join("CON.mkv");
        let err = write_beside(&bad, &records(), &seg()).expect_err("device name");
        assert!(err.contains("CON.chapters.txt"), "{err}");
    }
}
