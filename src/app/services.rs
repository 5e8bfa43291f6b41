//! [`Services`]: every service the app runs (each owns its workers and channels), the runtime
//! they share and the order they stop in; and the smaller services and frame-loop parts. The
//! larger services have their own files (`obs_service::ObsService`, `support::SupportService`,
//! `settings_service::SettingsService`, `crate::flags::FlagsService`).

use super::SmokeReport;
use super::listeners::RateMeter;
use super::reader::{ReadReply, Reader};
use crate::model::AppState;
use crate::model::placement::BoardPlace;
use crate::model::scoreboard::SharedScoreboard;
use crate::store::writer::Persisted;
use crate::store::{Store, Writer};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What a service's work reaches besides the service itself: the model it updates, the job
/// registry it starts jobs in, the store (writer, open file) and the egui context (repaints,
/// textures). Built with `shared!(app)`.
pub(super) struct Shared<'a> {
    /// The model the panels draw.
    pub(super) state: &'a mut AppState,
    /// The job registry.
    pub(super) jobs: &'a mut super::jobs_glue::AppJobs,
    /// The store and its writer.
    pub(super) data: &'a DataService,
    /// The egui context.
    pub(super) ctx: &'a egui::Context,
}

/// Every service of the app, the tokio runtime they share, and their shutdown order. A new
/// service is one more field here (and one line in [`Services::shutdown`]), never a field of
/// `CourtsideApp`.
pub(super) struct Services {
    /// The one tokio runtime (started on first use); services get its handle.
    runtime: Option<tokio::runtime::Runtime>,
    /// The store: writer, reader, the display's channel.
    pub(super) data: DataService,
    /// The UDP listeners.
    pub(super) ingest: IngestService,
    /// Settings saves and the Settings window's frame-to-frame state.
    pub(super) settings: super::settings_service::SettingsService,
    /// Flags (library, imports, exports); `None` until the store opened.
    pub(super) flags: Option<crate::flags::FlagsService>,
    /// OBS: dispatcher worker, automation, password vault.
    pub(super) obs: super::obs_service::ObsService,
    /// System & support: advanced mode, log control, system monitor.
    pub(super) support: super::support::SupportService,
    /// Video review: the review service on the court's OBS, the Review panel's loads and
    /// preview frames.
    pub(super) review: super::review_service::ReviewAppService,
    /// The web server: pages, API, control calls.
    pub(super) web: super::web_service::WebAppService,
    /// The tournament link (issue 17): court publisher, its relay and secret.
    pub(super) tournament: super::tournament_service::TournamentAppService,
    /// The tournament hub (`courtside hub` with a window): every court into this store.
    pub(super) hub: super::hub_service::HubAppService,
}

impl Services {
    /// The services before anything started (`start` opens the store and starts them).
    pub(super) fn new(log: Option<Arc<crate::logging::LogControl>>) -> Services {
        Services {
            runtime: None,
            data: DataService::default(),
            ingest: IngestService::default(),
            settings: super::settings_service::SettingsService::default(),
            flags: None,
            obs: super::obs_service::ObsService::default(),
            support: super::support::SupportService::new(log),
            review: Default::default(),
            web: super::web_service::WebAppService::default(),
            tournament: Default::default(),
            hub: Default::default(),
        }
    }

    /// The shared tokio runtime's handle, starting the runtime on first use.
    pub(super) fn runtime_handle(&mut self) -> std::io::Result<tokio::runtime::Handle> {
        if let Some(rt) = &self.runtime {
            return Ok(rt.handle().clone());
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("courtside-rt")
            .enable_all()
            .build()?;
        let handle = rt.handle().clone();
        self.runtime = Some(rt);
        Ok(handle)
    }

    /// Stop every service, storing everything received: the web server (no new clients or
    /// control calls), flags and the system monitor first,
    /// the listeners (nothing new arrives), the review service, then OBS (the worker may still log firings through
    /// the writer), then the reader and the writer (which stores everything queued), the
    /// runtime last (every service that ran async work on it has stopped). Calling it again
    /// does nothing.
    pub(super) fn shutdown(&mut self) {
        self.web.stop();
        self.flags = None;
        if let Some(m) = self.support.sysmon.take() {
            m.stop();
        }
        self.ingest.stop();
        self.review.stop();
        self.obs.stop();
        // Before the writer: the publisher writes its cursor through it.
        self.tournament.stop();
        self.hub.stop();
        self.data.stop();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}

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
