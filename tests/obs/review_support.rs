//! Helpers of the video review tests: a review service with a fake UI on its update channel, an
//! independent websocket client to act on OBS and read it back, coloured "scoring events", and
//! frame colours decoded from a recorded file with Debian's ffmpeg/ffprobe.

#![allow(dead_code)]

use crate::obs_process::ObsProcess;
use crate::obs_ui::connection;
use courtside::obs::review::{MediaStatus, ReviewLink};
use courtside::obs::secrets::SystemKeyring;
use courtside::obs::{ObsConnection, review_setup::ReviewNames};
use courtside::review::{ReviewConfig, ReviewRequest, ReviewService, ReviewState, ReviewUpdate};
use courtside::store::WriteRequest;
use crossbeam_channel::{Receiver, Sender, bounded};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest wait for a review request.
pub const DEADLINE: Duration = Duration::from_secs(40);

/// Distinct colours of the colour source, as OBS stores them (0xAABBGGRR) and as RGB.
pub const PALETTE: [(u32, [u8; 3]); 6] = [
    (0xFF0000FF, [255, 0, 0]),
    (0xFF00FF00, [0, 255, 0]),
    (0xFFFF0000, [0, 0, 255]),
    (0xFFFFFFFF, [255, 255, 255]),
    (0xFF00FFFF, [255, 255, 0]),
    (0xFFFF00FF, [255, 0, 255]),
];

/// A review service on `obs` with a fake UI.
pub struct Review {
    /// The service.
    pub service: ReviewService,
    rx: Receiver<ReviewUpdate>,
    /// Latest state seen.
    pub state: ReviewState,
    /// Preview frames seen.
    pub previews: Vec<Vec<u8>>,
    /// The connection it uses.
    pub conn: ObsConnection,
    /// Outcomes of things not asked for (chapter files), in order.
    pub other_done: Vec<(String, Result<String, String>)>,
}

impl Review {
    /// Start the service on `rt` for `obs`.
    pub fn start(
        rt: &tokio::runtime::Runtime,
        obs: &ObsProcess,
        store_writer: Option<Sender<WriteRequest>>,
        store: Option<courtside::store::Store>,
    ) -> Review {
        let conn = connection("review", obs.port, &obs.password);
        Review::start_with(rt, conn, store_writer, store)
    }

    /// Start the service on `rt` for `conn` (the same connection an OBS worker uses, as in the
    /// app: the video index rows of both then name one connection).
    pub fn start_with(
        rt: &tokio::runtime::Runtime,
        conn: ObsConnection,
        store_writer: Option<Sender<WriteRequest>>,
        store: Option<courtside::store::Store>,
    ) -> Review {
        let (tx, rx) = bounded(1024);
        let service = ReviewService::spawn_with_credentials(
            rt.handle(),
            ReviewConfig {
                connection: conn.clone(),
                names: ReviewNames::default(),
                pre_roll_ms: courtside::review::DEFAULT_PRE_ROLL_MS,
                store_writer,
                store,
                updates: tx,
                repaint: Box::new(|| {}),
            },
            Arc::new(SystemKeyring),
        );
        Review {
            service,
            rx,
            state: ReviewState::default(),
            previews: Vec::new(),
            conn,
            other_done: Vec::new(),
        }
    }

    /// Send `r` and wait for its outcome.
    pub fn ask(&mut self, r: ReviewRequest) -> Result<String, String> {
        let what = r.label();
        self.service.request(r).expect("queued");
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(ReviewUpdate::State(s)) => self.state = *s,
                Ok(ReviewUpdate::Preview(p)) => self.previews.push(p),
                Ok(ReviewUpdate::Done { what: w, result }) if w == what => return result,
                Ok(ReviewUpdate::Done { what: w, result }) => self.other_done.push((w, result)),
                Err(e) => panic!("no outcome of '{what}' within {DEADLINE:?}: {e}"),
            }
        }
    }

    /// Wait for an outcome of something not asked for, whose label starts with `what`.
    pub fn unasked(&mut self, what: &str) -> Result<String, String> {
        let end = Instant::now() + DEADLINE;
        loop {
            if let Some(i) = self
                .other_done
                .iter()
                .position(|(w, _)| w.starts_with(what))
            {
                return self.other_done.remove(i).1;
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(ReviewUpdate::State(s)) => self.state = *s,
                Ok(ReviewUpdate::Preview(p)) => self.previews.push(p),
                Ok(ReviewUpdate::Done { what: w, result }) => self.other_done.push((w, result)),
                Err(e) => panic!("no '{what}' within {DEADLINE:?}: {e}"),
            }
        }
    }

    /// [`Review::ask`] that must succeed.
    pub fn must(&mut self, r: ReviewRequest) -> String {
        let what = r.label();
        self.ask(r)
            .unwrap_or_else(|e| panic!("'{what}' failed: {e}"))
    }
}

/// An independent client: acts on OBS as another tool would and reads it back.
pub fn direct(rt: &tokio::runtime::Runtime, obs: &ObsProcess) -> ReviewLink {
    let conn = connection("direct", obs.port, &obs.password);
    rt.block_on(ReviewLink::connect(&conn, Arc::new(SystemKeyring)))
        .expect("direct link")
}

/// Send a request on `link`, which must succeed.
pub fn call(
    rt: &tokio::runtime::Runtime,
    link: &ReviewLink,
    request: &str,
    data: serde_json::Value,
) -> serde_json::Value {
    rt.block_on(link.request(request, data))
        .unwrap_or_else(|e| panic!("{request}: {e}"))
}

/// Pace the simulated match: the video needs real time to pass between events.
pub fn pace(d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end {
        std::thread::park_timeout(end - Instant::now());
    }
}

/// Set the test collection's colour source to `PALETTE[i]`; returns the "receive time" of the
/// scoring event the colour stands for on courtside's clock: the midpoint of the request's round
/// trip, as the index anchors a recording's start (OBS applies the colour somewhere between the
/// request and its answer; stamping the request alone charged OBS's answer latency, which grows
/// on a loaded machine, to the index's offset error).
pub fn colour_event(rt: &tokio::runtime::Runtime, link: &ReviewLink, i: usize) -> i64 {
    let sent = courtside::store::writer::now_ns();
    call(
        rt,
        link,
        "SetInputSettings",
        json!({ "inputName": crate::obs_process::SOURCE,
                "inputSettings": { "color": PALETTE[i].0 }, "overlay": true }),
    );
    let answered = courtside::store::writer::now_ns();
    eprintln!(
        "colour {i}: OBS answered the change in {} ms",
        (answered - sent) / 1_000_000
    );
    sent + (answered - sent) / 2
}

/// Wait until `output` (`GetRecordStatus`, `GetReplayBufferStatus`) is active.
pub fn wait_active(rt: &tokio::runtime::Runtime, link: &ReviewLink, status: &str) {
    crate::obs_process::wait_until(DEADLINE, status, || {
        rt.block_on(link.request(status, serde_json::Value::Null))
            .is_ok_and(|v| v["outputActive"] == true)
    })
    .expect("output active");
}

/// The review source's status, read from OBS.
pub fn media(rt: &tokio::runtime::Runtime, link: &ReviewLink) -> MediaStatus {
    rt.block_on(link.media_status(&ReviewNames::default().source))
        .expect("GetMediaInputStatus")
}

/// Every video frame of `path`: (time in the file, ms; mean RGB).
pub fn frames(path: &Path) -> Vec<(u64, [u8; 3])> {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["frame=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe (apt-get install ffmpeg)");
    assert!(probe.status.success(), "ffprobe {}", path.display());
    let times: Vec<u64> = String::from_utf8_lossy(&probe.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse::<f64>().ok())
        .map(|s| (s * 1000.0).round() as u64)
        .collect();
    let raw = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v:0",
            "-fps_mode",
            "passthrough",
            "-vf",
            "scale=1:1",
        ])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    assert!(raw.status.success(), "ffmpeg {}", path.display());
    let pixels: Vec<[u8; 3]> = raw
        .stdout
        .chunks_exact(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    assert_eq!(times.len(), pixels.len(), "one time per decoded frame");
    times.into_iter().zip(pixels).collect()
}

/// The palette index nearest to `rgb`.
pub fn colour_of(rgb: [u8; 3]) -> usize {
    let dist = |p: [u8; 3]| {
        (0..3)
            .map(|i| (i32::from(p[i]) - i32::from(rgb[i])).pow(2))
            .sum::<i32>()
    };
    (0..PALETTE.len())
        .min_by_key(|&i| dist(PALETTE[i].1))
        .unwrap_or(0)
}

/// The colour shown at `ms` in the file (the last frame at or before it).
pub fn colour_at(frames: &[(u64, [u8; 3])], ms: u64) -> Option<usize> {
    frames
        .iter()
        .take_while(|(t, _)| *t <= ms)
        .last()
        .map(|(_, rgb)| colour_of(*rgb))
}

/// When colour `i` first shows at or after `from_ms`, ms in the file.
pub fn first_shown(frames: &[(u64, [u8; 3])], i: usize, from_ms: u64) -> Option<u64> {
    frames
        .iter()
        .find(|(t, rgb)| *t + 1000 >= from_ms && colour_of(*rgb) == i)
        .map(|(t, _)| *t)
}
