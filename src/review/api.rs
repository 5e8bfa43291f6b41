//! What the app and the review service say to each other: requests in, state and outcomes out.

use crate::obs::review::MediaStatus;
use crate::obs::review_setup::KeyframePolicy;

/// What the app can ask of the review.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewRequest {
    /// A challenge: save the replay when the buffer runs and cue the disputed moment in it; with
    /// no buffer running, cue it in `fallback` (the recording that holds it, from the index).
    Challenge {
        /// Receive time of the disputed event (Unix ns, courtside's clock).
        disputed_ns: i64,
        /// File and offset of the moment from the video index, when one holds it.
        fallback: Option<(String, u64)>,
    },
    /// Play `path` from `offset_ms` minus the pre-roll (an earlier match's recording).
    Cue {
        /// File on the OBS machine.
        path: String,
        /// The moment, ms from the file's start.
        offset_ms: u64,
    },
    /// "Show on video" (any event of any match): play `path` from `offset_ms` minus the
    /// pre-roll, after checking that the file is still there (when OBS runs on this computer)
    /// and that OBS can open it; a failure names the file and the cause.
    Show {
        /// File on the OBS computer (from the video index).
        path: String,
        /// The moment, ms from the file's start.
        offset_ms: u64,
        /// A recording OBS was still writing when the index was read.
        running: bool,
    },
    /// Play.
    Play,
    /// Pause.
    Pause,
    /// Playback speed, percent (100, 50, 25).
    Speed(u32),
    /// Step whole frames (negative: back).
    StepFrames(i32),
    /// Step by milliseconds (negative: back).
    StepMs(i64),
    /// Loop between two positions (ms), or stop looping.
    Loop(Option<(u64, u64)>),
    /// Put the review scene on air, remembering the program scene.
    OnAir,
    /// Return to the remembered program scene.
    BackToLive,
    /// One preview frame of the review source (PNG, `width` px wide).
    Preview {
        /// Width in pixels.
        width: u32,
    },
    /// Short keyframes in this OBS's recordings and replays (outputs must be stopped).
    SetupKeyframes(KeyframePolicy),
    /// Add a chapter to the running recording now (`CreateRecordChapter`, obs-websocket ≥ 5.5
    /// with a hybrid MP4 recording; refused, saying so, where OBS lacks it).
    Chapter {
        /// Chapter name ("R2 1:13 Blue Head kick +3").
        title: String,
    },
}

impl ReviewRequest {
    /// Short label for notices.
    pub fn label(&self) -> String {
        match self {
            ReviewRequest::Challenge { .. } => "review: save and cue the disputed moment".into(),
            ReviewRequest::Cue { path, .. } => format!("review: show {path}"),
            ReviewRequest::Show { .. } => "review: show on video".into(),
            ReviewRequest::Play => "review: play".into(),
            ReviewRequest::Pause => "review: pause".into(),
            ReviewRequest::Speed(p) => format!("review: speed {p} %"),
            ReviewRequest::StepFrames(n) => format!("review: step {n:+} frame(s)"),
            ReviewRequest::StepMs(ms) => format!("review: step {ms:+} ms"),
            ReviewRequest::Loop(Some((a, b))) => format!("review: loop {a}–{b} ms"),
            ReviewRequest::Loop(None) => "review: stop looping".into(),
            ReviewRequest::OnAir => "review: on air".into(),
            ReviewRequest::BackToLive => "review: back to live".into(),
            ReviewRequest::Preview { .. } => "review: preview".into(),
            ReviewRequest::SetupKeyframes(_) => "review: keyframe set-up".into(),
            ReviewRequest::Chapter { title } => format!("review: chapter '{title}'"),
        }
    }
}

/// What the Review panel shows, as last read from OBS.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewState {
    /// Connected to the review OBS.
    pub connected: bool,
    /// The file in the review source.
    pub file: Option<String>,
    /// The source's state, position and duration (read back from OBS).
    pub media: Option<MediaStatus>,
    /// Where the disputed moment is in the file, ms.
    pub moment_ms: Option<u64>,
    /// Speed, percent.
    pub speed_percent: u32,
    /// The loop window, ms.
    pub loop_window: Option<(u64, u64)>,
    /// The review scene is the program scene.
    pub on_air: bool,
    /// The scene "Back to live" returns to.
    pub return_scene: Option<String>,
    /// Duration of one frame, ms (for steps).
    pub frame_ms: Option<f64>,
    /// This OBS adds chapters to a running recording ([`ReviewRequest::Chapter`]).
    pub live_chapters: bool,
}

/// A message from the review service.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewUpdate {
    /// New state.
    State(Box<ReviewState>),
    /// A request finished: what, and its success detail or failure reason.
    Done {
        /// The request's label.
        what: String,
        /// Outcome.
        result: Result<String, String>,
    },
    /// A preview frame (PNG).
    Preview(Vec<u8>),
}
