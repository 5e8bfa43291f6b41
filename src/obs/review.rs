//! Video review through OBS: a connection of its own to the OBS that plays the review, and the
//! media requests the review needs (load a file into the review source, seek, play, pause, speed,
//! step, read the real position back, screenshots).
//!
//! Requests go over the lenient link by name with JSON data: obws's typed media and scene
//! requests need UUIDs that OBS 29 (websocket 5.1) does not send. Seen on OBS 29:
//! - a media source plays only while its scene is shown (program or preview); otherwise its state
//!   is NONE and `SetMediaInputCursor` is refused (604), so [`ReviewLink::show`] puts the review
//!   scene in the preview (studio mode) when it is not on air;
//! - a seek lands on the keyframe at or before the target (on the next frame with all-intra video):
//!   every position returned here is read back from OBS, never computed;
//! - changing the source's settings (file, `speed_percent`) reopens the media from its start, so a
//!   speed change seeks back to where it was.

use super::config::ObsConnection;
use super::error::ObsError;
use super::link::{self, LinkEvent, Output, Requester};
use super::secrets::{self, CredentialStore};
use super::status::OutputPhase;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Longest wait for a media source to open a file or land a seek.
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a newly loaded file must play on before it counts as loaded.
const SETTLE_MS: u64 = 250;
/// How long a settings change is watched for the media's reopen. OBS 29 always reopens, so the
/// wait normally ends at its first sign; the bound is for an OBS that does not. 1 s was too short
/// on a loaded machine: the reopen came after the position was put back and undid it.
const REOPEN_EVIDENCE: Duration = Duration::from_millis(3000);
/// A seek whose position has not moved after this long is sent again.
const SEEK_RETRY: Duration = Duration::from_millis(400);
/// Seeks sent before the unchanged position is taken as where it landed.
const SEEK_TRIES: u32 = 2;
/// A position this close to the target is where a seek landed (one frame at 10 fps).
const NEAR_MS: u64 = 110;
/// How often a speed change puts a paused review back after the first try.
const PUT_BACK_TRIES: u32 = 2;

/// State of a media source as OBS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaState {
    /// Nothing loaded, or the source's scene is not shown.
    None,
    /// Playing.
    Playing,
    /// Opening the file.
    Opening,
    /// Buffering.
    Buffering,
    /// Paused.
    Paused,
    /// Stopped.
    Stopped,
    /// Reached the end.
    Ended,
    /// The file could not be played.
    Error,
}

impl MediaState {
    fn parse(s: &str) -> MediaState {
        match s.strip_prefix("OBS_MEDIA_STATE_").unwrap_or(s) {
            "PLAYING" => MediaState::Playing,
            "OPENING" => MediaState::Opening,
            "BUFFERING" => MediaState::Buffering,
            "PAUSED" => MediaState::Paused,
            "STOPPED" => MediaState::Stopped,
            "ENDED" => MediaState::Ended,
            "ERROR" => MediaState::Error,
            _ => MediaState::None,
        }
    }

    /// Whether the media is open (a position can be read and set).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            MediaState::Playing | MediaState::Paused | MediaState::Ended
        )
    }
}

/// What `GetMediaInputStatus` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaStatus {
    /// State.
    pub state: MediaState,
    /// Position, ms (`None` when nothing is open).
    pub cursor_ms: Option<u64>,
    /// Duration, ms (`None` when nothing is open).
    pub duration_ms: Option<u64>,
}

/// Something the review link heard from OBS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewEvent {
    /// A replay was saved (by anyone) to this path.
    ReplaySaved(String),
    /// The recording changed phase (path when OBS gives it).
    Recording {
        /// New phase.
        phase: OutputPhase,
        /// File path.
        path: Option<String>,
    },
    /// The program scene changed.
    ProgramScene(String),
}

/// An open connection to the review OBS.
pub struct ReviewLink {
    req: Requester,
    events: mpsc::Receiver<LinkEvent>,
    /// The connection's name (for messages).
    pub name: String,
    /// obs-websocket's version.
    pub websocket: String,
    /// Requests this OBS knows (from `GetVersion`), to detect features instead of assuming them.
    pub available: Vec<String>,
}

impl ReviewLink {
    /// Connect and identify. The password is read like the OBS worker's (system keyring or store).
    pub async fn connect(
        conn: &ObsConnection,
        creds: Arc<dyn CredentialStore>,
    ) -> Result<ReviewLink, ObsError> {
        let c = conn.clone();
        let password = tokio::task::spawn_blocking(move || secrets::resolve(creds.as_ref(), &c))
            .await
            .map_err(|e| ObsError::Password(format!("reading the password failed: {e}")))?
            .map_err(ObsError::Password)?;
        let (host, addr) = (conn.uri_host(), conn.addr());
        let l = link::connect(
            &host,
            conn.port,
            &addr,
            password.expose(),
            super::CONNECT_TIMEOUT,
        )
        .await?;
        let version = l.requester.request("GetVersion", Value::Null).await?;
        let available = version["availableRequests"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ReviewLink {
            req: l.requester,
            events: l.events,
            name: conn.name.clone(),
            websocket: version["obsWebSocketVersion"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            available,
        })
    }

    /// Whether this OBS knows `request` (e.g. `CreateRecordChapter`, websocket ≥ 5.5).
    pub fn has(&self, request: &str) -> bool {
        self.available.iter().any(|r| r == request)
    }

    /// Send any request by name; the answer's `responseData`.
    pub async fn request(&self, request: &str, data: Value) -> Result<Value, ObsError> {
        self.req.request(request, data).await
    }

    /// The next event the review cares about; `None` once the connection is gone. Cancel-safe.
    pub async fn next_event(&mut self) -> Option<ReviewEvent> {
        loop {
            let ev = self.events.recv().await?;
            let out = match ev {
                LinkEvent::ReplaySaved(p) => ReviewEvent::ReplaySaved(p),
                LinkEvent::OutputState {
                    output: Output::Record,
                    phase: Some(phase),
                    path,
                } => ReviewEvent::Recording { phase, path },
                LinkEvent::ProgramScene(s) => ReviewEvent::ProgramScene(s),
                _ => continue,
            };
            return Some(out);
        }
    }

    /// Read the media source's state, position and duration.
    pub async fn media_status(&self, source: &str) -> Result<MediaStatus, ObsError> {
        let v = self
            .request("GetMediaInputStatus", json!({ "inputName": source }))
            .await?;
        Ok(MediaStatus {
            state: MediaState::parse(v["mediaState"].as_str().unwrap_or("")),
            cursor_ms: v["mediaCursor"].as_u64(),
            duration_ms: v["mediaDuration"].as_u64().filter(|d| *d > 0),
        })
    }

    /// Wait (polling) until the source's status satisfies `pred`.
    pub async fn wait_media(
        &self,
        source: &str,
        what: &str,
        mut pred: impl FnMut(&MediaStatus) -> bool,
    ) -> Result<MediaStatus, ObsError> {
        let end = Instant::now() + MEDIA_TIMEOUT;
        loop {
            let st = self.media_status(source).await?;
            if pred(&st) {
                return Ok(st);
            }
            if st.state == MediaState::Error {
                return Err(ObsError::Refused {
                    request: what.into(),
                    code: 0,
                    reason: format!("OBS could not play the file in '{source}'"),
                });
            }
            if Instant::now() >= end {
                return Err(ObsError::Timeout {
                    what: format!("{what} (media state {:?})", st.state),
                    secs: MEDIA_TIMEOUT.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Press a media button: `PLAY`, `PAUSE`, `STOP`, `RESTART`.
    pub async fn media_action(&self, source: &str, action: &str) -> Result<(), ObsError> {
        let a = format!("OBS_WEBSOCKET_MEDIA_INPUT_ACTION_{action}");
        self.request(
            "TriggerMediaInputAction",
            json!({ "inputName": source, "mediaAction": a }),
        )
        .await
        .map(drop)
    }

    /// Point the source at `path` (from its start, paused once open) and wait until OBS has
    /// opened it; returns its status (with the file's real duration).
    pub async fn load(&self, source: &str, path: &str) -> Result<MediaStatus, ObsError> {
        let settings = json!({
            "is_local_file": true, "local_file": path, "looping": false,
            "restart_on_activate": false, "close_when_inactive": false,
            "clear_on_media_end": false, "speed_percent": 100,
        });
        self.request(
            "SetInputSettings",
            json!({ "inputName": source, "inputSettings": settings, "overlay": true }),
        )
        .await?;
        // OBS 29 opened a freshly loaded file a second time ~0.1 s after it first played (a
        // deferred settings update), undoing a seek made in between: the file counts as loaded
        // once it has played on for a moment without starting over.
        let mut since: Option<u64> = None;
        self.wait_media(source, "opening the file", |s| {
            let playing = s.state == MediaState::Playing && s.duration_ms.is_some();
            match (playing, s.cursor_ms, since) {
                (true, Some(c), Some(first)) if c >= first => c >= first + SETTLE_MS,
                (true, Some(c), _) => {
                    since = Some(c);
                    false
                }
                _ => {
                    since = None;
                    s.state.is_open() && s.state != MediaState::Playing && s.duration_ms.is_some()
                }
            }
        })
        .await
    }

    /// Seek to `ms` and read back where OBS landed (the keyframe at or before it, or the next
    /// frame with all-intra video).
    pub async fn seek(&self, source: &str, ms: u64) -> Result<MediaStatus, ObsError> {
        let before = self.media_status(source).await?;
        self.seek_from(source, before, ms).await
    }

    /// Move by `delta_ms` from the position OBS reports (negative: back) and read back where it
    /// landed.
    pub async fn offset(&self, source: &str, delta_ms: i64) -> Result<MediaStatus, ObsError> {
        let before = self.media_status(source).await?;
        let now = before.cursor_ms.unwrap_or(0);
        let target = now.saturating_add_signed(delta_ms);
        let target = before.duration_ms.map_or(target, |d| target.min(d));
        self.seek_from(source, before, target).await
    }

    /// Send the seek and wait until OBS's decoder has moved: it answers a seek before the frame
    /// is decoded, and a seek sent while the file is still opening can be dropped (seen on OBS
    /// 29), so the seek is sent again when the position has not moved after [`SEEK_RETRY`].
    async fn seek_from(
        &self,
        source: &str,
        before: MediaStatus,
        target: u64,
    ) -> Result<MediaStatus, ObsError> {
        let from = before.cursor_ms;
        let mut latest = before;
        for _ in 0..SEEK_TRIES {
            self.request(
                "SetMediaInputCursor",
                json!({ "inputName": source, "mediaCursor": target }),
            )
            .await?;
            let retry_at = Instant::now() + SEEK_RETRY;
            let (mut last, mut same) = (None, 0);
            while Instant::now() < retry_at {
                tokio::time::sleep(Duration::from_millis(15)).await;
                latest = self.media_status(source).await?;
                let Some(c) = latest.cursor_ms.filter(|_| latest.state.is_open()) else {
                    continue;
                };
                same = if last == Some(c) { same + 1 } else { 0 };
                last = Some(c);
                // Only a position that left the old one proves the seek was decoded; while it
                // decodes OBS reports 0 for a moment, so 0 counts only near the target.
                let moved = from != Some(c);
                let near = c.abs_diff(target) <= NEAR_MS;
                let stable = c != 0 && (same >= 4 || latest.state == MediaState::Playing);
                if moved && (near || stable) {
                    return Ok(latest);
                }
            }
        }
        // The position did not move in any try: the seek landed where it was (the keyframe at or
        // before the target can be the current frame).
        if latest.state.is_open() {
            Ok(latest)
        } else {
            Err(ObsError::Timeout {
                what: format!("the seek of '{source}' to {target} ms"),
                secs: (SEEK_RETRY * SEEK_TRIES).as_secs(),
            })
        }
    }

    /// Set the playback speed (percent of normal). OBS 29 reopens the media when a setting
    /// changes (it then plays from the start), so the position and the play/pause state are put
    /// back afterwards.
    pub async fn set_speed(
        &self,
        source: &str,
        percent: u32,
        frame_ms: f64,
    ) -> Result<MediaStatus, ObsError> {
        let before = self.media_status(source).await?;
        self.request(
            "SetInputSettings",
            json!({ "inputName": source, "inputSettings": { "speed_percent": percent },
                    "overlay": true }),
        )
        .await?;
        let Some(at) = before.cursor_ms.filter(|_| before.state.is_open()) else {
            return self.media_status(source).await;
        };
        // Evidence of the reopen: another state, or the position left where it was paused.
        let deadline = Instant::now() + REOPEN_EVIDENCE;
        let mut now = self.media_status(source).await?;
        while Instant::now() < deadline
            && now.state == before.state
            && (before.state != MediaState::Paused || now.cursor_ms == before.cursor_ms)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
            now = self.media_status(source).await?;
        }
        now = self
            .wait_media(source, "reopening at the new speed", |s| s.state.is_open())
            .await?;
        // A paused seek shows the first frame after its target: aim half a frame short so the
        // frame on screen is the one that was (as a frame step does).
        let aim = at.saturating_sub((frame_ms / 2.0).round() as u64);
        let mut landed = self.put_back(source, before.state, aim, now.state).await?;
        // A reopen that finished late (a loaded machine) can still move a paused review on after
        // the first put-back: check what OBS reports and put it back again (bounded).
        for _ in 0..PUT_BACK_TRIES {
            if before.state != MediaState::Paused
                || (landed.state == MediaState::Paused
                    && landed.cursor_ms.is_some_and(|c| c.abs_diff(at) <= NEAR_MS))
            {
                break;
            }
            landed = self
                .put_back(source, before.state, aim, landed.state)
                .await?;
        }
        Ok(landed)
    }

    /// Pause again if the review was paused before (`was`) and is not now (`now`), then seek
    /// back to `at`.
    async fn put_back(
        &self,
        source: &str,
        was: MediaState,
        at: u64,
        now: MediaState,
    ) -> Result<MediaStatus, ObsError> {
        if was == MediaState::Paused && now != MediaState::Paused {
            self.media_action(source, "PAUSE").await?;
            self.wait_media(source, "pausing", |s| s.state == MediaState::Paused)
                .await?;
        }
        self.seek(source, at).await
    }
}
