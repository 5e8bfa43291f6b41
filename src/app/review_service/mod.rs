//! [`ReviewAppService`]: the video review in the app. It runs [`ReviewService`] on the app's
//! runtime against the court's OBS (the connection the OBS service uses: the first enabled one
//! that records, restarted when the connections change), loads the current match's scoring events
//! and the video index off the UI thread, decodes preview frames off the UI thread, reacts to
//! challenges (open the panel, preselect and cue the disputed moment; back to live on the
//! outcome) and runs the Review panel's commands.

use super::services::Shared;

mod automation;
mod commands;
mod segments;
mod show;
use crate::model::review::{NO_CONNECTION, ReviewLoad, ReviewView};
use crate::model::state::Level;
use crate::obs::ObsConnection;
use crate::obs::review_setup::ReviewNames;
use crate::review::{
    DEFAULT_PRE_ROLL_MS, ReviewConfig, ReviewRequest, ReviewService, ReviewUpdate,
};
use crate::store::{Store, WriteRequest};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::time::{Duration, Instant};

/// Updates the review service may queue before the UI drains them.
const UPDATE_CAPACITY: usize = 256;
/// Preview frames asked for per second while the panel is open (one at a time).
const PREVIEW_EVERY: Duration = Duration::from_millis(250);
/// A preview unanswered this long is asked again.
const PREVIEW_STALE: Duration = Duration::from_secs(5);
/// While the panel is open and OBS is not connected, try again this often.
const RECONNECT_EVERY: Duration = Duration::from_secs(5);
/// Width of preview frames, px.
pub const PREVIEW_WIDTH: u32 = 480;
/// Largest preview accepted, px per side (OBS sends what was asked; this bounds a bad answer).
const PREVIEW_MAX_SIDE: u32 = 4096;

/// Both ends of a channel the service keeps (its workers get clones of the sender).
pub(super) type Channel<T> = (Sender<T>, Receiver<T>);

/// The review parts of the app.
pub(super) struct ReviewAppService {
    service: Option<ReviewService>,
    /// The connection the service runs on.
    conn: Option<ObsConnection>,
    runtime: Option<tokio::runtime::Handle>,
    store: Option<Store>,
    writer: Option<Sender<WriteRequest>>,
    updates: (Sender<ReviewUpdate>, Receiver<ReviewUpdate>),
    loads: Channel<Result<ReviewLoad, String>>,
    frames: Channel<Result<egui::ColorImage, String>>,
    /// A preview frame asked for and not answered yet (when).
    preview_asked: Option<Instant>,
    /// When the last preview request was answered (frame or error).
    preview_answered: Option<Instant>,
    /// A frame is being decoded.
    decoding: bool,
    /// Reads of the video index for the event table.
    segments: segments::SegmentsChannel,
    /// When to read it again.
    refresh: segments::SegmentsRefresh,
    /// The automation rules' review actions (from the automation thread).
    calls: automation::CallsChannel,
    /// Those in flight.
    auto: automation::AutoReview,
}

impl Default for ReviewAppService {
    fn default() -> Self {
        ReviewAppService {
            service: None,
            conn: None,
            runtime: None,
            store: None,
            writer: None,
            updates: bounded(UPDATE_CAPACITY),
            loads: bounded(8),
            frames: bounded(2),
            preview_asked: None,
            preview_answered: None,
            decoding: false,
            segments: bounded(2),
            refresh: Default::default(),
            calls: bounded(automation::CALLS_CAPACITY),
            auto: Default::default(),
        }
    }
}

/// The connection that plays reviews: the first enabled one that records (the court's OBS);
/// the OBS worker picks it the same way (see [`crate::obs::review_connection`]).
pub(super) fn review_connection(all: &[ObsConnection]) -> Option<&ObsConnection> {
    crate::obs::review_connection(all)
}

impl ReviewAppService {
    /// Keep what the service needs; it starts at the first poll that sees an OBS connection.
    pub(super) fn start(
        &mut self,
        runtime: std::io::Result<tokio::runtime::Handle>,
        store: &Store,
        writer: Sender<WriteRequest>,
        state: &mut crate::model::AppState,
    ) {
        match runtime {
            Ok(rt) => self.runtime = Some(rt),
            Err(e) => state.notices.push(
                Level::Error,
                "Video review did not start",
                &e.to_string(),
                "Scores are received and stored as usual; restart courtside to review video.",
            ),
        }
        self.store = Some(store.clone());
        self.writer = Some(writer);
    }

    /// Stop the service (its OBS connection closes).
    pub(super) fn stop(&mut self) {
        if let Some(s) = self.service.take() {
            s.shutdown();
        }
        self.conn = None;
    }

    /// Run the service on the court's OBS connection; restart it when that connection changed.
    fn sync_connection(&mut self, app: &mut Shared<'_>) {
        let want = review_connection(&app.state.obs.connections).cloned();
        if want == self.conn {
            return;
        }
        self.stop();
        let view = &mut app.state.review;
        view.obs = Default::default();
        view.available = false;
        view.connection = Err(NO_CONNECTION.into());
        let (Some(conn), Some(rt)) = (want, &self.runtime) else {
            return;
        };
        let ctx = app.ctx.clone();
        let config = ReviewConfig {
            connection: conn.clone(),
            names: ReviewNames::default(),
            pre_roll_ms: DEFAULT_PRE_ROLL_MS,
            store_writer: self.writer.clone(),
            store: self.store.clone(),
            updates: self.updates.0.clone(),
            repaint: Box::new(move || ctx.request_repaint()),
        };
        // The password comes from the system keyring (or the store's fallback), as for the OBS
        // worker; it is never logged.
        self.service = Some(ReviewService::spawn(rt, config));
        view.available = true;
        view.connection = Ok(format!("{} ({}:{})", conn.name, conn.host, conn.port));
        self.conn = Some(conn);
    }

    /// Ask the service; a refusal (queue full, not running) becomes a notice.
    fn ask(
        &self,
        r: ReviewRequest,
        view: &mut ReviewView,
        notices: &mut crate::model::state::Notices,
    ) {
        let what = r.label();
        let sent = match &self.service {
            Some(s) => s.request(r),
            None => Err(format!(
                "{what}: OBS is not connected — {}",
                view.connection.clone().err().unwrap_or_default()
            )),
        };
        if let Err(e) = sent {
            view.last = Some((what, Err(e.clone())));
            notices.push(
                Level::Error,
                "Video review",
                &e,
                "Set up and connect the court's OBS in the OBS window.",
            );
        }
    }

    /// Each frame: follow the connection, take the service's updates, loads and decoded frames,
    /// load the current match while the panel is open, ask for preview frames.
    pub(super) fn poll(&mut self, app: &mut Shared<'_>) {
        self.sync_connection(app);
        self.refresh_segments(app);
        for u in self.updates.1.clone().try_iter().take(UPDATE_CAPACITY) {
            self.absorb(u, app);
        }
        self.poll_automation(app);
        for load in self.loads.1.clone().try_iter() {
            self.loaded(load, app);
        }
        for frame in self.frames.1.clone().try_iter() {
            self.decoding = false;
            let view = &mut app.state.review;
            match frame {
                Ok(img) => {
                    view.preview_error = None;
                    match &mut view.preview {
                        Some(t) => t.set(img, egui::TextureOptions::LINEAR),
                        None => {
                            let t = app.ctx.load_texture(
                                "review preview",
                                img,
                                egui::TextureOptions::LINEAR,
                            );
                            view.preview = Some(t);
                        }
                    }
                }
                Err(e) => view.preview_error = Some(e),
            }
        }
        if !app.state.prefs.show_review {
            return;
        }
        let current = current_match(app.state);
        let view = &app.state.review;
        // An earlier match shown by "Show on video" stays listed until the operator goes back
        // or a challenge comes.
        if let Some(key) = current
            && view.match_key != Some(key)
            && view.loading.is_none()
            && !view.earlier
        {
            self.load(app, key);
        }
        self.preview(app);
    }

    /// Ask for the next preview frame when it is due: a few a second while a review is loaded,
    /// one every few seconds otherwise (which also reconnects a lost OBS). One at a time.
    fn preview(&mut self, app: &mut Shared<'_>) {
        let Some(s) = &self.service else {
            return;
        };
        let now = Instant::now();
        let obs = &app.state.review.obs;
        let live = obs.connected && obs.file.is_some() && app.state.review.preview_error.is_none();
        let every = if live { PREVIEW_EVERY } else { RECONNECT_EVERY };
        let due = match (self.preview_asked, self.preview_answered) {
            (Some(asked), _) => now.duration_since(asked) >= PREVIEW_STALE,
            (None, Some(answered)) => now.duration_since(answered) >= every,
            (None, None) => true,
        };
        if due && !self.decoding {
            // A full queue: the next due frame asks again.
            let r = ReviewRequest::Preview {
                width: PREVIEW_WIDTH,
            };
            if s.request(r).is_ok() {
                self.preview_asked = Some(now);
            }
        }
        app.ctx.request_repaint_after(every);
    }

    /// Read the match's records and the video index on a blocking thread of the runtime.
    pub(super) fn load(&mut self, app: &mut Shared<'_>, key: u64) {
        let generation = app.state.review.begin_load(key);
        // The display gets records before their commit: the newest ones of the match may not be
        // in the store yet when it is read. The live log (in memory) has them; merged after the
        // load, each once.
        let recent = (app.state.live.lines.iter())
            .filter(|l| l.record.match_key == key)
            .map(|l| l.record.clone());
        app.state.review.waiting.extend(recent);
        let (Some(rt), Some(store)) = (&self.runtime, self.store.clone()) else {
            app.state.review.loading = None;
            return;
        };
        let tx = self.loads.0.clone();
        let ctx = app.ctx.clone();
        rt.spawn_blocking(move || {
            let read = || -> Result<ReviewLoad, String> {
                let records = store.match_events(key).map_err(|e| e.to_string())?;
                let segments =
                    crate::review::store::load_segments(&store).map_err(|e| e.to_string())?;
                Ok(ReviewLoad {
                    generation,
                    match_key: key,
                    records,
                    segments,
                })
            };
            let _ = tx.send(read());
            ctx.request_repaint();
        });
    }

    fn loaded(&mut self, load: Result<ReviewLoad, String>, app: &mut Shared<'_>) {
        match load {
            Ok(l) => {
                if app.state.review.apply_load(l) {
                    self.cue_challenge(app);
                    self.play_pending(app);
                }
            }
            Err(e) => {
                app.state.review.loading = None;
                app.state.notices.push(
                    Level::Error,
                    "Video review: reading the match failed",
                    &e,
                    "The Review panel may be incomplete; stored events are not affected.",
                );
            }
        }
    }

    /// One review update into the panel's model.
    fn absorb(&mut self, u: ReviewUpdate, app: &mut Shared<'_>) {
        let view = &mut app.state.review;
        match u {
            ReviewUpdate::State(s) => {
                if s.file != view.obs.file || s.connected != view.obs.connected {
                    // A new file or connection: preview at once, whatever failed before.
                    view.preview_error = None;
                    self.preview_answered = None;
                }
                view.obs = *s;
            }
            ReviewUpdate::Preview(png) => self.decode(png, app.ctx),
            ReviewUpdate::Done { what, result } if what == "review: preview" => {
                self.preview_asked = None;
                self.preview_answered = Some(Instant::now());
                if let Err(e) = result {
                    view.preview_error = Some(e);
                }
            }
            ReviewUpdate::Done { what, result } => {
                self.automation_answer(&what, &result, app);
                commands::setup_done(&what, &result, app.state);
                let view = &mut app.state.review;
                if let Err(e) = &result {
                    app.state.notices.push(
                        Level::Error,
                        &format!("{what} failed"),
                        e,
                        "Check OBS and its connection in the OBS window.",
                    );
                }
                let cued = what.starts_with("review: save and cue") && result.is_ok();
                view.last = Some((what, result));
                // A saved replay is now in the video index: list the offsets it gives.
                if cued && let Some(key) = view.match_key {
                    self.load(app, key);
                }
            }
        }
    }

    /// Decode a preview PNG on a blocking thread of the runtime.
    fn decode(&mut self, png: Vec<u8>, ctx: &egui::Context) {
        let Some(rt) = &self.runtime else {
            return;
        };
        self.decoding = true;
        let tx = self.frames.0.clone();
        let ctx = ctx.clone();
        rt.spawn_blocking(move || {
            let _ = tx.send(decode_png(&png));
            ctx.request_repaint();
        });
    }
}

/// The match the panel lists: the current match of the scoreboard's court.
pub(super) fn current_match(state: &crate::model::AppState) -> Option<u64> {
    state.court_keys.get(&state.scoreboard_court()).copied()
}

/// A preview frame (PNG) as an egui image; a bad frame is an error naming the cause.
pub(super) fn decode_png(png: &[u8]) -> Result<egui::ColorImage, String> {
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(PREVIEW_MAX_SIDE);
    limits.max_image_height = Some(PREVIEW_MAX_SIDE);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("the preview frame from OBS is not a usable PNG: {e}"))?
        .to_rgba8();
    let size = [img.width() as usize, img.height() as usize];
    Ok(egui::ColorImage::from_rgba_unmultiplied(size, img.as_raw()))
}
