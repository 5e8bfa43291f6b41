//! The review service: one task on the app's tokio runtime with its own connection to the OBS that
//! plays reviews. The app sends [`ReviewRequest`]s (non-blocking `try_send` from the UI thread);
//! every outcome comes back as [`ReviewUpdate`]s on a bounded channel, each followed by the
//! repaint callback. States are read back from OBS after every control, never assumed.
//!
//! The connection opens at start and again on the next request after it was lost (an OBS killed
//! mid-review gives an error for the request that found it dead; nothing is lost: the video index
//! is in the store, and the next request reconnects).

pub use super::api::{ReviewRequest, ReviewState, ReviewUpdate};
use super::index::{Anchor, VideoKind, VideoSegment, replay_start};
use super::store::save_segment;
use crate::obs::Repaint;
use crate::obs::config::ObsConnection;
use crate::obs::error::ObsError;
use crate::obs::review::{MediaState, ReviewEvent, ReviewLink};
use crate::obs::review_setup::{ReviewNames, ensure_review_source, frame_rate};
use crate::obs::secrets::{CredentialStore, SystemKeyring};
use crate::obs::status::OutputPhase;
use crate::store::{Store, WriteRequest};
use crossbeam_channel::{Sender, TrySendError};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Capacity of the request channel.
pub const REQUEST_CAPACITY: usize = 64;
/// Default pre-roll: a cue starts this long before the disputed moment.
pub const DEFAULT_PRE_ROLL_MS: u64 = 3_000;
/// How often a loop window is checked while it plays.
const LOOP_CHECK: Duration = Duration::from_millis(50);

/// What the service needs.
pub struct ReviewConfig {
    /// The OBS that runs the replay buffer and plays the review.
    pub connection: ObsConnection,
    /// Review scene and media source names.
    pub names: ReviewNames,
    /// Pre-roll before the disputed moment, ms.
    pub pre_roll_ms: u64,
    /// The store writer, for the video index (`None`: not indexed, e.g. benches).
    pub store_writer: Option<Sender<WriteRequest>>,
    /// The store, read when a recording of this OBS stops to write its chapter file and
    /// highlights playlist beside it (`None`: no chapter files).
    pub store: Option<Store>,
    /// Where updates go (the UI drains it).
    pub updates: Sender<ReviewUpdate>,
    /// Wakes the UI after each update.
    pub repaint: Repaint,
}

/// Handle to the running service.
pub struct ReviewService {
    requests: mpsc::Sender<ReviewRequest>,
    task: tokio::task::JoinHandle<()>,
    dropped: Arc<AtomicU64>,
}

impl ReviewService {
    /// Start the service on `rt`; passwords from the system credential store.
    pub fn spawn(rt: &tokio::runtime::Handle, config: ReviewConfig) -> ReviewService {
        ReviewService::spawn_with_credentials(rt, config, Arc::new(SystemKeyring))
    }

    /// [`ReviewService::spawn`] reading passwords from `creds`.
    pub fn spawn_with_credentials(
        rt: &tokio::runtime::Handle,
        config: ReviewConfig,
        creds: Arc<dyn CredentialStore>,
    ) -> ReviewService {
        let (tx, rx) = mpsc::channel(REQUEST_CAPACITY);
        let dropped = Arc::new(AtomicU64::new(0));
        let (done_tx, done_rx) = mpsc::channel(8);
        let worker = Worker {
            config,
            creds,
            link: None,
            state: ReviewState {
                speed_percent: 100,
                ..ReviewState::default()
            },
            dropped: dropped.clone(),
            chapters_done: done_tx,
        };
        let task = rt.spawn(worker.run(rx, done_rx));
        ReviewService {
            requests: tx,
            task,
            dropped,
        }
    }

    /// Ask for something; never blocks. A full queue is an error naming it.
    pub fn request(&self, r: ReviewRequest) -> Result<(), String> {
        self.requests.try_send(r).map_err(|e| {
            format!(
                "{}: the review queue is full or closed",
                e.into_inner().label()
            )
        })
    }

    /// Updates not delivered because the UI channel was full.
    pub fn updates_dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Stop the service (its connection closes).
    pub fn shutdown(self) {
        self.task.abort();
    }
}

/// The service's task state (the request handlers live in [`super::control`]).
pub(super) struct Worker {
    config: ReviewConfig,
    creds: Arc<dyn CredentialStore>,
    link: Option<ReviewLink>,
    state: ReviewState,
    dropped: Arc<AtomicU64>,
    /// Where the chapter writers report.
    chapters_done: mpsc::Sender<Result<String, String>>,
}

impl Worker {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<ReviewRequest>,
        mut chapters: mpsc::Receiver<Result<String, String>>,
    ) {
        // OBS may start after courtside: a failed first connect leaves `connected` false and
        // each request connects again (and reports its own failure).
        if let Err(e) = self.connect().await {
            tracing::info!("review: OBS not reachable yet ({e}); connecting on the next request");
        }
        let mut tick = tokio::time::interval(LOOP_CHECK);
        loop {
            let looping = self.state.loop_window.is_some() && self.link.is_some();
            tokio::select! {
                r = rx.recv() => match r {
                    Some(r) => self.handle(r).await,
                    None => return,
                },
                ev = next_event(&mut self.link) => self.on_event(ev),
                Some(result) = chapters.recv() => self.send(ReviewUpdate::Done {
                    what: "review: chapter file".into(),
                    result,
                }),
                _ = tick.tick(), if looping => {
                    if let Err(e) = self.check_loop().await {
                        self.failed("review: loop", e);
                    }
                }
            }
        }
    }

    fn send(&self, u: ReviewUpdate) {
        if let Err(TrySendError::Full(_)) = self.config.updates.try_send(u) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        (self.config.repaint)();
    }

    fn publish(&self) {
        self.send(ReviewUpdate::State(Box::new(self.state.clone())));
    }

    async fn connect(&mut self) -> Result<(), ObsError> {
        let link = ReviewLink::connect(&self.config.connection, self.creds.clone()).await?;
        self.state.connected = true;
        self.state.frame_ms = frame_rate(&link).await.ok().map(|fps| 1000.0 / fps);
        self.state.live_chapters = link.has("CreateRecordChapter");
        self.state.on_air =
            link.program_scene().await.ok() == Some(self.config.names.scene.clone());
        self.link = Some(link);
        self.publish();
        Ok(())
    }

    fn on_event(&mut self, ev: Option<ReviewEvent>) {
        match ev {
            None => {
                self.link = None;
                self.state.connected = false;
                self.state.media = None;
                self.publish();
            }
            Some(ReviewEvent::ProgramScene(s)) => {
                self.state.on_air = s == self.config.names.scene;
                self.publish();
            }
            Some(ReviewEvent::Recording {
                phase: OutputPhase::Off,
                path: Some(path),
            }) => self.write_chapters(path),
            Some(_) => {}
        }
    }

    fn failed(&mut self, what: &str, e: ObsError) {
        if matches!(e, ObsError::Lost { .. } | ObsError::Timeout { .. }) {
            self.link = None;
            self.state.connected = false;
            self.state.media = None;
        }
        self.publish();
        self.send(ReviewUpdate::Done {
            what: what.into(),
            result: Err(e.to_string()),
        });
    }

    async fn handle(&mut self, r: ReviewRequest) {
        let what = r.label();
        if self.link.is_none()
            && let Err(e) = self.connect().await
        {
            return self.failed(&what, e);
        }
        match super::control::run(self, r).await {
            Ok(detail) => {
                self.publish();
                self.send(ReviewUpdate::Done {
                    what,
                    result: Ok(detail),
                });
            }
            Err(e) => self.failed(&what, e),
        }
    }

    async fn check_loop(&mut self) -> Result<(), ObsError> {
        let (Some(link), Some((from, to))) = (&self.link, self.state.loop_window) else {
            return Ok(());
        };
        let st = link.media_status(&self.config.names.source).await?;
        let past = st.cursor_ms.is_some_and(|c| c >= to) || st.state == MediaState::Ended;
        if past {
            let landed = link.seek(&self.config.names.source, from).await?;
            if landed.state != MediaState::Playing {
                link.media_action(&self.config.names.source, "PLAY").await?;
            }
            self.state.media = Some(landed);
            self.publish();
        }
        Ok(())
    }

    /// Index a replay this service saved and loaded: its end is the save request, its start that
    /// end minus the real duration OBS read from the file.
    fn index_replay(&self, path: &str, end_ns: i64, duration_ms: u64) -> VideoSegment {
        let seg = VideoSegment {
            connection_id: self.config.connection.id,
            connection: self.config.connection.name.clone(),
            kind: VideoKind::Replay,
            path: path.into(),
            start_ns: Some(replay_start(end_ns, duration_ms)),
            end_ns: Some(end_ns),
            duration_ms: Some(duration_ms),
            anchor: Anchor::Reported,
        };
        if let Some(w) = &self.config.store_writer
            && w.try_send(save_segment(seg.clone())).is_err()
        {
            tracing::warn!("video index: the store queue is full; replay {path} not indexed");
        }
        seg
    }
}

impl Worker {
    /// Write the stopped recording's chapter file and highlights beside it, once the session's
    /// tracker has stored its end (a blocking task: store reads and file writes).
    fn write_chapters(&self, path: String) {
        let Some(store) = self.config.store.clone() else {
            return;
        };
        let (id, done) = (self.config.connection.id, self.chapters_done.clone());
        tokio::task::spawn_blocking(move || {
            let result = finished_segment(&store, id, &path).and_then(|seg| {
                super::chapters::write_for_recording(&store, &seg)
                    .map(|(c, e)| format!("wrote {} and {}", c.display(), e.display()))
            });
            // Err: the service is shutting down and no longer waits for the result.
            let _ = done.blocking_send(result);
        });
    }
}

/// The indexed recording `path` of connection `id` once its end is stored (waits up to 10 s:
/// the tracker's row goes through the store writer).
fn finished_segment(store: &Store, id: u64, path: &str) -> Result<VideoSegment, String> {
    let end = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let all = super::store::load_segments(store).map_err(|e| e.to_string())?;
        let found = all
            .into_iter()
            .find(|s| s.connection_id == id && s.path == path && s.end_ns.is_some());
        if let Some(seg) = found {
            return Ok(seg);
        }
        if std::time::Instant::now() >= end {
            return Err(format!(
                "no chapters for {path}: the video index holds no finished recording of it \
                 (is this OBS connected in courtside's OBS settings?)"
            ));
        }
        std::thread::park_timeout(Duration::from_millis(100));
    }
}

/// The next event of the link, or never when there is none (so `select!` waits on the others).
async fn next_event(link: &mut Option<ReviewLink>) -> Option<ReviewEvent> {
    match link {
        Some(l) => l.next_event().await,
        None => std::future::pending().await,
    }
}

/// What the request handlers ([`super::control`]) may touch.
pub(super) struct Parts<'a> {
    pub link: &'a mut ReviewLink,
    pub names: &'a ReviewNames,
    pub pre_roll_ms: u64,
    pub state: &'a mut ReviewState,
}

impl Worker {
    /// The parts of a connected worker, or `None` when the link is gone.
    pub(super) fn parts(&mut self) -> Option<Parts<'_>> {
        Some(Parts {
            link: self.link.as_mut()?,
            names: &self.config.names,
            pre_roll_ms: self.config.pre_roll_ms,
            state: &mut self.state,
        })
    }

    /// Index a replay (see [`Worker::index_replay`]).
    pub(super) fn indexed(&self, path: &str, end_ns: i64, duration_ms: u64) -> VideoSegment {
        self.index_replay(path, end_ns, duration_ms)
    }

    /// The review OBS's host as configured (where its file paths are).
    pub(super) fn obs_host(&self) -> &str {
        &self.config.connection.host
    }

    /// Send a preview frame.
    pub(super) fn preview(&self, png: Vec<u8>) {
        self.send(ReviewUpdate::Preview(png));
    }

    /// Make sure the review scene and source exist (cheap when they do).
    pub(super) async fn ensure_source(&mut self) -> Result<(), ObsError> {
        let names = self.config.names.clone();
        match &self.link {
            Some(l) => ensure_review_source(l, &names).await,
            None => Err(ObsError::NotConnected {
                name: self.config.connection.name.clone(),
            }),
        }
    }
}
