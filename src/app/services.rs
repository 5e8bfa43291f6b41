//! The app's smaller services and frame-loop parts: each owns its workers and channels, so
//! `CourtsideApp` holds one field per subsystem. The larger services have their own files
//! (`obs_glue::ObsService`, `support::SupportService`, `settings_service::SettingsService`,
//! `crate::flags::FlagsService`).

use super::SmokeReport;
use super::listeners::RateMeter;
use super::reader::{ReadReply, Reader};
use crate::model::placement::BoardPlace;
use crate::model::scoreboard::SharedScoreboard;
use crate::store::writer::Persisted;
use crate::store::{Store, Writer};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Records the writer may hand the display before the UI drains them.
const PERSISTED_CAPACITY: usize = 16_384;

/// The store and its workers: the file, the writer (every write), the reader (table pages,
/// match list, history), and the channel on which the writer hands records to the display.
pub(super) struct DataService {
    /// The open store (`None`: it could not be opened).
    pub(super) store: Option<Store>,
    /// The store writer.
    pub(super) writer: Option<Writer>,
    /// The store reader.
    pub(super) reader: Option<Reader>,
    /// Records for the display, before their commit's fsync.
    pub(super) persisted_rx: Receiver<Persisted>,
    /// The writer's side of `persisted_rx` (its early subscriber).
    pub(super) persisted_tx: Sender<Persisted>,
    /// The reader's answers.
    pub(super) reply_rx: Receiver<ReadReply>,
    /// The store writer's error as last followed (see `Notices::follow_store_error`).
    pub(super) writer_error_seen: Option<String>,
    /// A match-list reload to ask again for (when, tries so far): see `check_match_list`.
    pub(super) matches_again: (Option<Instant>, u8),
}

impl Default for DataService {
    fn default() -> Self {
        let (persisted_tx, persisted_rx) = bounded(PERSISTED_CAPACITY);
        DataService {
            store: None,
            writer: None,
            reader: None,
            persisted_rx,
            persisted_tx,
            reply_rx: bounded(1).1,
            writer_error_seen: None,
            matches_again: (None, 0),
        }
    }
}

impl DataService {
    /// Ask the reader for something; false when it is gone or its queue is full (ask again
    /// later).
    pub(super) fn request(&self, req: super::reader::ReadRequest) -> bool {
        self.reader.as_ref().is_some_and(|r| r.request(req))
    }

    /// Stop the reader, then the writer, which stores everything queued first.
    pub(super) fn stop(&mut self) {
        self.reader = None;
        if let Some(w) = self.writer.take() {
            w.shutdown();
        }
    }
}

/// The UDP listeners, one per configured court, with their rate meters and last statuses.
#[derive(Default)]
pub(super) struct IngestService {
    /// Running listeners.
    pub(super) listeners: Vec<crate::ingest::Listener>,
    /// Answers once the listeners replaced by a settings save have stopped.
    pub(super) stopping: Option<Receiver<()>>,
    /// Datagram rate per listener.
    pub(super) rates: Vec<RateMeter>,
    /// Status texts the notices follow, per listener.
    pub(super) last_statuses: Vec<String>,
}

impl IngestService {
    /// Stop every listener (nothing new arrives); listeners replaced by a settings save must
    /// have handed over everything they received before the writer stops, so wait for them
    /// (bounded).
    pub(super) fn stop(&mut self) {
        self.listeners.clear();
        if let Some(stopping) = self.stopping.take()
            && stopping
                .recv_timeout(std::time::Duration::from_secs(5))
                .is_err()
        {
            tracing::error!(
                "listeners replaced by a settings save did not stop within 5 s; the writer stops \
                 anyway"
            );
        }
    }
}

/// The scoreboard window: the view shared with its viewport, and its place and state as the app
/// last saw them.
#[derive(Default)]
pub(super) struct Board {
    /// What the scoreboard window draws.
    pub(super) shared: SharedScoreboard,
    /// The window's place remembered from the last run, fixed for this run.
    pub(super) start: Option<BoardPlace>,
    /// The window's fullscreen state as it last reported it.
    pub(super) fullscreen_seen: bool,
}

/// Frame counting and the smoke test.
pub(super) struct FrameLoop {
    /// Frames drawn by the main window.
    pub(super) frames: u64,
    /// Close after this many frames (smoke test).
    pub(super) smoke: Option<u32>,
    /// Where the smoke test reports.
    pub(super) smoke_report: Option<Arc<Mutex<SmokeReport>>>,
}
