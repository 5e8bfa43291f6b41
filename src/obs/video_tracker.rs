//! Follows one connected OBS's recordings and saved replays and writes them to the video index
//! ([`crate::review::store`]), anchored on what OBS reports: a recording's start from
//! `GetRecordStatus`'s `outputDuration` when it starts and every [`REREAD_EVERY`] while it runs
//! (the newest reading wins: they agree to a few ms, and a late one also covers a start missed
//! while disconnected), its end at `RecordStateChanged` STOPPED; a replay saved by anyone at its
//! `ReplayBufferSaved` event (the review service, which saves replays itself, replaces that with
//! its save request time and the file's real duration).

use super::hub::Hub;
use super::link::{LinkEvent, Output, Requester};
use super::status::OutputPhase;
use crate::review::index::{Anchor, VideoKind, VideoSegment, recording_start};
use crate::review::store::save_segment;
use crate::store::writer::now_ns;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// How often a running recording's duration is read again.
pub(crate) const REREAD_EVERY: Duration = Duration::from_secs(30);

/// The tracker of one session.
pub(crate) struct VideoTracker {
    connection_id: u64,
    connection: String,
    /// The running recording's file.
    recording: Option<String>,
    reread: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for VideoTracker {
    fn drop(&mut self) {
        if let Some(t) = self.reread.take() {
            t.abort();
        }
    }
}

impl VideoTracker {
    /// A tracker for the connection `id` named `name`.
    pub(crate) fn new(id: u64, name: &str) -> VideoTracker {
        VideoTracker {
            connection_id: id,
            connection: name.to_string(),
            recording: None,
            reread: None,
        }
    }

    fn segment(&self, kind: VideoKind, path: &str) -> VideoSegment {
        VideoSegment {
            connection_id: self.connection_id,
            connection: self.connection.clone(),
            kind,
            path: path.to_string(),
            start_ns: None,
            end_ns: None,
            duration_ms: None,
            anchor: Anchor::Reported,
        }
    }

    /// Index what `ev` says about a file.
    pub(crate) async fn on_event(&mut self, ev: &LinkEvent, req: &Requester, hub: &Arc<Hub>) {
        match ev {
            LinkEvent::OutputState {
                output: Output::Record,
                phase: Some(OutputPhase::On),
                path,
            } => {
                let Some(path) = path.clone() else { return };
                self.recording = Some(path.clone());
                let seg = self.segment(VideoKind::Recording, &path);
                if let Some(s) = read_start(req, seg.clone()).await {
                    hub.store(save_segment(s));
                }
                if let Some(t) = self.reread.take() {
                    t.abort();
                }
                let (req, hub) = (req.clone(), hub.clone());
                self.reread = Some(tokio::spawn(reread(req, hub, seg)));
            }
            LinkEvent::OutputState {
                output: Output::Record,
                phase: Some(OutputPhase::Off),
                path,
            } => {
                if let Some(t) = self.reread.take() {
                    t.abort();
                }
                let Some(path) = path.clone().or(self.recording.take()) else {
                    return;
                };
                self.recording = None;
                let mut seg = self.segment(VideoKind::Recording, &path);
                seg.end_ns = Some(now_ns());
                hub.store(save_segment(seg));
            }
            LinkEvent::ReplaySaved(path) => {
                let mut seg = self.segment(VideoKind::Replay, path);
                seg.end_ns = Some(now_ns());
                seg.anchor = Anchor::Event;
                hub.store(save_segment(seg));
            }
            _ => {}
        }
    }
}

/// `seg` with its start read from OBS, or `None` when the recording is not running (any more).
async fn read_start(req: &Requester, mut seg: VideoSegment) -> Option<VideoSegment> {
    let sent = now_ns();
    let v: Value = req.request("GetRecordStatus", Value::Null).await.ok()?;
    let answered = now_ns();
    if v["outputActive"].as_bool() != Some(true) {
        return None;
    }
    let ran_ms = v["outputDuration"].as_u64()?;
    seg.start_ns = Some(recording_start(sent, answered, ran_ms));
    Some(seg)
}

/// Read the running recording's start again every [`REREAD_EVERY`] until it stops.
async fn reread(req: Requester, hub: Arc<Hub>, seg: VideoSegment) {
    loop {
        tokio::time::sleep(REREAD_EVERY).await;
        match read_start(&req, seg.clone()).await {
            Some(s) => hub.store(save_segment(s)),
            None => return,
        }
    }
}
