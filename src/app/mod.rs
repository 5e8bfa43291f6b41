//! The eframe application: owns the services (which own the workers), drains their channels in
//! `logic`, draws in `ui`, runs the panels' commands at the end of the frame.

/// The [`services::Shared`] parts of the app, borrowed field by field, so that a service in
/// `self.services` can be borrowed mutably at the same time: `svc.handle(&mut shared!(self), ..)`.
macro_rules! shared {
    ($app:expr) => {
        $crate::app::services::Shared {
            state: &mut $app.state,
            jobs: &mut $app.jobs,
            data: &$app.services.data,
            ctx: &$app.ctx,
        }
    };
}

mod commands;
mod events;
mod flags_glue;
mod hub_export;
mod hub_service;
mod jobs_glue;
pub mod listeners;
pub mod memory;
mod obs_service;
mod reader;
mod review_service;
mod services;
mod settings_service;
mod support;
mod support_jobs;
mod support_license;
mod tournament_service;
mod web_service;
mod workers;

pub use crate::model::scoreboard::{ScoreboardView, SharedScoreboard};
pub use crate::model::{AppState, Command};

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the app is started.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// Store file.
    pub db: PathBuf,
    /// Render this many frames, then close (smoke test).
    pub smoke_frames: Option<u32>,
    /// Where the smoke test reports the frames each window drew.
    pub smoke_report: Option<Arc<Mutex<SmokeReport>>>,
    /// The log file's control (level, folder), when `main` set up file logging.
    pub log: Option<Arc<crate::logging::LogControl>>,
}

/// Frames drawn during a smoke test, read by `main` after the window closed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SmokeReport {
    /// Frames of the main window.
    pub main_frames: u64,
    /// Frames of the scoreboard window.
    pub scoreboard_frames: u64,
    /// Every error notice raised during the run ("title: cause"): a worker that failed (store,
    /// listener, writer) fails the smoke test even though the windows drew.
    pub errors: Vec<String>,
}

/// The courtside desktop app: the model, the services that own the workers, the job registry,
/// and the frame loop. Subsystem code lives on the services (`services::Services`: `obs_service`,
/// `support*`, `settings_service`, `listeners`); what spans them stays here (`events`, `workers`,
/// `commands`, `jobs_glue`, `flags_glue`'s scoreboard flags). A new service is a field of
/// `Services`, never of this struct (README "Architecture", "Adding a service").
pub struct CourtsideApp {
    /// What the panels draw.
    pub state: AppState,
    /// The egui context (repaint requests, viewport commands, the clipboard).
    ctx: egui::Context,
    /// Every background job and store confirmation the app waits for.
    jobs: jobs_glue::AppJobs,
    /// Every service, the runtime they share, their shutdown order.
    services: services::Services,
    /// The scoreboard window.
    board: services::Board,
    /// Frame counting and the smoke test.
    frame: services::FrameLoop,
}

/// Longest `logic` spends draining channels per frame.
const DRAIN_BUDGET: Duration = Duration::from_millis(5);

impl CourtsideApp {
    /// Build the app: open the store, rebuild live state, start the workers.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        options: AppOptions,
    ) -> CourtsideApp {
        CourtsideApp::with_hub(ctx, storage, options, None)
    }

    /// Build the app as a tournament hub (`courtside hub` with a window) when `hub` is given:
    /// it consumes every court into its store and opens the Tournament window; the court
    /// publisher does not run (a hub publishes nothing).
    pub fn with_hub(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        options: AppOptions,
        hub: Option<crate::tournament::HubConfig>,
    ) -> CourtsideApp {
        crate::ui::theme::install_fonts(ctx);
        let wake_ctx = ctx.clone();
        let mut app = CourtsideApp {
            state: AppState::default(),
            ctx: ctx.clone(),
            jobs: crate::jobs::Jobs::new(Arc::new(move || wake_ctx.request_repaint())),
            services: services::Services::new(options.log.clone()),
            board: services::Board::default(),
            frame: services::FrameLoop {
                frames: 0,
                smoke: options.smoke_frames,
                smoke_report: options.smoke_report.clone(),
            },
        };
        if let Some(prefs) = storage.and_then(|s| eframe::get_value(s, PREFS_KEY)) {
            app.state.prefs = prefs;
        }
        if let Some(hub) = hub {
            app.services.hub.configure(hub);
            // A hub has no court of its own: each court's scoreboard is in the Tournament
            // window (F2 still opens the scoreboard window).
            app.state.prefs.scoreboard_open = false;
        }
        app.board.start = app.state.prefs.scoreboard_place;
        if let Ok(mut v) = app.board.shared.lock() {
            v.placing = crate::ui::scoreboard::start_target(app.board.start);
        }
        if app.frame.smoke.is_some() {
            app.state.prefs.scoreboard_open = true;
        }
        app.start(&options.db);
        crate::ui::theme::apply_theme(ctx, app.state.settings.theme);
        app
    }

    /// The automation thread's and the OBS worker's counters (what automation has seen and
    /// sent, what the worker did with it); `None` when the OBS parts did not start.
    pub fn obs_counters(
        &self,
    ) -> Option<(Arc<crate::obs::AutomationStats>, Arc<crate::obs::HubStats>)> {
        self.services.obs.counters()
    }

    /// The shared scoreboard view (tests read it).
    pub fn scoreboard(&self) -> SharedScoreboard {
        self.board.shared.clone()
    }

    /// The scoreboard window's settings: the same for the whole run (egui resizes the window
    /// whenever they change), from the rect remembered at the last exit.
    pub fn scoreboard_builder(&self) -> egui::ViewportBuilder {
        crate::ui::scoreboard::viewport_builder(self.board.start)
    }

    /// Block until the store writer has made everything durable (tests only need this).
    pub fn flush_store(&self) {
        if let Some(w) = &self.services.data.writer
            && let Err(e) = w.flush()
        {
            // The writer is gone: its own error notice says why; nothing more to wait for.
            tracing::warn!("flush: {e}");
        }
    }

    /// Stop all workers, storing everything received (order: [`services::Services::shutdown`]).
    pub fn shutdown(&mut self) {
        self.services.shutdown();
    }
}

const PREFS_KEY: &str = "courtside.prefs";

/// Widest font atlas egui may make. egui makes the atlas as wide as the GPU allows (16 384
/// pixels on most drivers) and doubles its height as glyphs arrive, so the scoreboard's large
/// digits alone grew it to 16 384 x 256 (16.8 MB in RAM, the same again as a texture). 4096 holds
/// several rows of full-screen 4K score digits.
pub const FONT_ATLAS_SIDE: usize = 4096;

impl eframe::App for CourtsideApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let started = Instant::now();
        let more = self.drain(started);
        self.poll_workers();
        self.services.obs.poll(&mut self.state, ctx);
        let listeners = &self.services.ingest.listeners;
        let support = &mut self.services.support;
        support.poll(&mut shared!(self), listeners, started);
        self.poll_jobs();
        let review = &mut self.services.review;
        review.poll(&mut shared!(self));
        self.services.tournament.poll(&mut shared!(self));
        self.services.hub.poll(&mut shared!(self));
        if let Some(f) = &mut self.services.flags
            && f.poll()
        {
            self.state.flag_resolver = f.resolver();
            self.state.flags = f.state().clone();
            // The pages resolve flags as the app does: same imports, same mapping.
            self.services.web.set_flags(f.resolver());
        }
        self.poll_web();
        self.state.table.refilter();
        if more {
            ctx.request_repaint();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = Instant::now();
        self.frame.frames += 1;
        crate::ui::shortcuts(ui.ctx(), &mut self.state);
        crate::ui::main_ui(ui, &mut self.state);
        let flags = self.services.flags.as_mut();
        self.board.update_flags(flags, &mut self.state, ui.ctx());
        self.show_scoreboard(ui.ctx());
        let commands = std::mem::take(&mut self.state.commands);
        for c in commands {
            self.handle(c);
        }
        if let Some(d) = &mut self.state.support.diagnostics {
            d.record_frame(started.elapsed());
        }
        self.smoke_step(ui.ctx());
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // Same value for every viewport: egui rebuilds its fonts when it changes.
        raw_input.max_texture_side = Some(
            raw_input
                .max_texture_side
                .map_or(FONT_ATLAS_SIDE, |s| s.min(FONT_ATLAS_SIDE)),
        );
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Ok(sb) = self.board.shared.lock() {
            self.state.prefs.scoreboard_place = sb.place.or(self.state.prefs.scoreboard_place);
        }
        eframe::set_value(storage, PREFS_KEY, &self.state.prefs);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}

impl Drop for CourtsideApp {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl CourtsideApp {
    fn smoke_step(&mut self, ctx: &egui::Context) {
        let Some(target) = self.frame.smoke else {
            return;
        };
        let board_frames = self.board.shared.lock().map(|s| s.frames).unwrap_or(0);
        if let Some(r) = &self.frame.smoke_report
            && let Ok(mut r) = r.lock()
        {
            r.main_frames = self.frame.frames;
            r.scoreboard_frames = board_frames;
            for n in &self.state.notices.items {
                let line = format!("{}: {}", n.title, n.cause);
                if n.level == crate::model::state::Level::Error && !r.errors.contains(&line) {
                    r.errors.push(line);
                }
            }
        }
        // Give the scoreboard window a fair chance to appear, but never hang the smoke test.
        let waited_enough = self.frame.frames >= u64::from(target) + 600;
        if self.frame.frames >= u64::from(target) && (board_frames > 0 || waited_enough) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint();
        }
    }

    /// Frames drawn by the main window.
    pub fn frames(&self) -> u64 {
        self.frame.frames
    }
}
