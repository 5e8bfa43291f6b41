//! Starting, restarting and watching the workers (store writer, UDP listeners, store readers).

use super::CourtsideApp;
use super::listeners::interfaces;
use super::reader::{ReadRequest, Reader};
use crate::model::settings::AppSettings;
use crate::model::state::{Level, SettingsDraft};
use crate::store::{Store, Writer, WriterConfig};
use crossbeam_channel::bounded;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

impl CourtsideApp {
    /// Open the store, load settings, rebuild live state and start every worker.
    pub(super) fn start(&mut self, db: &Path) {
        self.state.store.path = db.display().to_string();
        self.state.interfaces = interfaces();
        let ctx = self.ctx.clone();
        // The monitor wakes the UI only when a displayed (rounded) value changes.
        match crate::sysmon::Sysmon::spawn(
            crate::sysmon::SysmonConfig::default(),
            Box::new(move || ctx.request_repaint()),
        ) {
            Ok(m) => self.services.support.sysmon = Some(m),
            Err(e) => self.state.notices.push(
                Level::Warning,
                "System monitor did not start",
                &e.to_string(),
                "CPU and memory are not shown; everything else works.",
            ),
        }
        // How `main` chose the store (an unreachable saved location, a store moved out of the
        // roaming profile) is told here, where the operator sees it.
        for n in crate::store::location::take_startup_notices() {
            self.state.notices.push(
                Level::Warning,
                "Store location",
                &n,
                "Check Settings → Store location.",
            );
        }
        // A restore staged in an earlier run replaces the store before it is opened.
        match crate::backup::apply_pending_restore(db) {
            Ok(Some(kept)) => self.state.notices.push(
                Level::Info,
                "Store restored from the backup",
                &format!("the previous store was kept as {}", kept.display()),
                "Check the match list; delete the kept file once you no longer need it.",
            ),
            Ok(None) => {}
            Err(e) => self.state.notices.push(
                Level::Error,
                "The staged restore was not applied",
                &e.to_string(),
                "The store is unchanged. If another courtside has it open, close that one and \
                 restart; otherwise stage the restore again (System & support → Data).",
            ),
        }
        let store = match Store::open(db) {
            Ok(s) => s,
            Err(e) => {
                self.state.notices.push(
                    Level::Error,
                    "Store not open: nothing is received or stored",
                    &e.to_string(),
                    "Close the other program using the store, or start courtside with another \
                     store (--db PATH, or Settings → Store location, then restart).",
                );
                self.state.draft = SettingsDraft::from_settings(&self.state.settings);
                return;
            }
        };
        self.state.store.open = true;
        self.state.store.events = store.stats().map(|st| st.events).unwrap_or(0);
        self.load_settings(&store);
        self.rebuild_courts(&store);
        let ctx = self.ctx.clone();
        let wake: crate::store::writer::Waker =
            Arc::new(move || ctx.request_repaint_after(std::time::Duration::from_millis(10)));
        // The display takes each datagram before its commit's fsync (the scoreboard does not
        // wait for the disk); OBS automation acts only on stored datagrams.
        let (automation_tx, automation_rx) = bounded(16_384);
        // The web pages follow the same early records as the display, on their own channel.
        let (web_tx, web_rx) = bounded(crate::web::FEED_QUEUE);
        // The tournament publisher's subscription, made whether it is on or not (see
        // `TournamentAppService::start`).
        let (tournament_tx, tournament_rx) = bounded(16_384);
        let subscribers = crate::store::writer::Subscribers {
            early: vec![self.services.data.persisted_tx.clone(), web_tx],
            durable: vec![automation_tx, tournament_tx],
        };
        match Writer::spawn_with(
            store.clone(),
            WriterConfig::default(),
            subscribers,
            Some(wake.clone()),
        ) {
            Ok(w) => self.services.data.writer = Some(w),
            Err(e) => self.state.notices.push(
                Level::Error,
                "Store writer did not start: nothing is stored",
                &e.to_string(),
                "Restart courtside; if it persists, check the disk and the store file.",
            ),
        }
        let (reply_tx, reply_rx) = bounded(1024);
        self.services.data.reply_rx = reply_rx;
        match Reader::spawn(store.clone(), reply_tx, wake) {
            Ok(r) => self.services.data.reader = Some(r),
            Err(e) => self.state.notices.push(
                Level::Error,
                "Store reader did not start",
                &e.to_string(),
                "Restart courtside.",
            ),
        }
        if let Some(w) = &self.services.data.writer {
            let ctx = self.ctx.clone();
            let service = crate::flags::FlagsService::new(
                store.clone(),
                w.sender(),
                std::sync::Arc::new(move || ctx.request_repaint()),
            );
            self.state.flag_resolver = service.resolver();
            self.state.flags = service.state().clone();
            self.state.flags_available = true;
            self.services.flags = Some(service);
        }
        if let Some(writer) = self.services.data.writer.as_ref().map(|w| w.sender()) {
            let start = super::obs_service::ObsStart {
                store: &store,
                writer: writer.clone(),
                persisted: automation_rx,
                runtime: self.services.runtime_handle(),
                review_calls: self.services.review.automation_calls(),
            };
            self.services.obs.start(start, &mut self.state, &self.ctx);
            // Video review: its service starts once an OBS connection is known (each frame).
            let rt = self.services.runtime_handle();
            let review = &mut self.services.review;
            review.start(rt, &store, writer, &mut self.state);
        }
        self.services.support.start(&mut shared!(self), &store);
        let web = super::web_service::WebStart {
            store: &store,
            records: web_rx,
            runtime: self.services.runtime_handle(),
            ctx: self.ctx.clone(),
        };
        self.services.web.start(web, &mut self.state);
        let writer = self.services.data.writer.as_ref().map(|w| w.sender());
        if let (Some(writer), true) = (writer.clone(), self.services.hub.is_hub()) {
            // A hub takes the subscription a court's publisher would: it publishes nothing.
            let start = super::hub_service::HubStart {
                store: store.clone(),
                writer,
                durable: tournament_rx,
                runtime: self.services.runtime_handle(),
            };
            let hub = &mut self.services.hub;
            hub.start(start, &mut shared!(self));
        } else if let Some(writer) = writer {
            let start = super::tournament_service::TournamentStart {
                store: store.clone(),
                writer,
                durable: tournament_rx,
                runtime: self.services.runtime_handle(),
            };
            let tournament = &mut self.services.tournament;
            tournament.start(start, &mut shared!(self));
        }
        self.services.data.store = Some(store);
        if !self.services.hub.is_hub() {
            // A hub stores the courts' datagrams from the tournament server only: a scoring
            // system broadcasting on the hub's network must not become a court of its own in
            // the tournament's record.
            self.services.ingest.start(&mut shared!(self));
        }
        self.request(ReadRequest::Matches);
        self.follow_current_match();
    }

    fn load_settings(&mut self, store: &Store) {
        let (entries, unreadable) = match store.settings_checked() {
            Ok(checked) => checked,
            Err(e) => {
                self.state.notices.push(
                    Level::Warning,
                    "Settings could not be read; defaults are used",
                    &e.to_string(),
                    "Check the settings and save them again.",
                );
                (Vec::new(), Vec::new())
            }
        };
        let (settings, warnings) = AppSettings::from_entries(&entries);
        for w in unreadable.into_iter().chain(warnings) {
            self.state.notices.push(
                Level::Warning,
                "A stored setting was invalid",
                &w,
                "Open Settings, check the value and save.",
            );
        }
        self.state.settings = settings;
        self.state.draft = SettingsDraft::from_settings(&self.state.settings);
        self.sync_scoreboard_settings();
    }

    fn rebuild_courts(&mut self, store: &Store) {
        let current = store.current_matches().unwrap_or_default();
        for (court, key) in current {
            // The writer keeps each match's state in its record, committed together with the
            // events, so start-up costs the same for a 10-event and a million-event match.
            // Replaying the events is the fallback when the record is missing.
            let stored = store.match_record(key).ok().flatten().map(|m| m.state);
            match stored.map_or_else(|| store.rebuild_state(key), Ok) {
                Ok(state) => {
                    self.state.courts.insert(court.clone(), state);
                    self.state.court_keys.insert(court, key);
                }
                Err(e) => self.state.notices.push(
                    Level::Error,
                    "Live state could not be rebuilt",
                    &e.to_string(),
                    "The events are in the store; check the store file.",
                ),
            }
        }
        let court = self.state.scoreboard_court();
        let state = self.state.courts.get(&court).cloned().unwrap_or_default();
        if let Ok(mut sb) = self.board.shared.lock() {
            sb.court = court;
            sb.state = Some(state);
        }
    }

    /// Ask the readers for something; a full queue is retried by the caller's next frame.
    /// Ask the reader; false when it is gone or its queue is full (ask again later).
    pub(super) fn request(&self, req: ReadRequest) -> bool {
        self.services.data.request(req)
    }

    /// Update listener and store status; raise notices on failures.
    pub(super) fn poll_workers(&mut self) {
        self.services.ingest.poll_restart(&mut shared!(self));
        // Re-read the interfaces each time Settings opens: a laptop joins the court LAN (or gets
        // a new address) after courtside started.
        let settings_open = self.state.prefs.show_settings;
        if settings_open && !self.services.settings.were_open {
            self.state.interfaces = interfaces();
        }
        self.services.settings.were_open = settings_open;
        let ingest = &mut self.services.ingest;
        let (courts, statuses) = ingest.statuses(&mut shared!(self), Instant::now());
        ingest.raise_notices(&mut shared!(self), &courts, &statuses);
        if courts.iter().any(|c| c.rate > 0.0) {
            // Let the rate fall back to zero once traffic stops, then stay idle.
            self.ctx
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
        self.state.listeners = courts;
        self.poll_writer();
    }

    fn poll_writer(&mut self) {
        let Some(w) = &self.services.data.writer else {
            return;
        };
        let stats = w.stats();
        self.state.store.queue = w.queue_depth();
        self.state.store.last_commit_ns = stats.last_commit_at_ns.load(Ordering::Relaxed);
        let error = stats.last_error.lock().ok().and_then(|e| e.clone());
        if error.is_some() {
            // Keep polling while it fails, so the recovery shows without input.
            self.ctx
                .request_repaint_after(std::time::Duration::from_secs(1));
        }
        self.state
            .notices
            .follow_store_error(&mut self.services.data.writer_error_seen, error);
    }

    /// Copy scoreboard settings into the shared view.
    pub(super) fn sync_scoreboard_settings(&mut self) {
        let court = self.state.scoreboard_court();
        let state = self.state.courts.get(&court).cloned();
        if let Ok(mut sb) = self.board.shared.lock() {
            sb.settings = self.state.settings.scoreboard.clone();
            if sb.court != court {
                sb.court = court;
                sb.state = Some(state.unwrap_or_default());
            }
        }
        let id = crate::model::scoreboard::viewport_id();
        self.ctx.request_repaint_of(id);
    }

    /// Show the scoreboard window while it is open.
    pub(super) fn show_scoreboard(&mut self, ctx: &egui::Context) {
        let (closed, fullscreen) = self
            .board
            .shared
            .lock()
            .map(|mut s| (std::mem::take(&mut s.close_requested), s.fullscreen))
            .unwrap_or((false, false));
        // F11 pressed in the scoreboard window itself toggles it there: follow what the window
        // reports when it changes, so the main window's button and F11 toggle the right way.
        if fullscreen != self.board.fullscreen_seen {
            self.board.fullscreen_seen = fullscreen;
            self.state.scoreboard_fullscreen = fullscreen;
        }
        if closed {
            self.state.prefs.scoreboard_open = false;
        }
        if !self.state.prefs.scoreboard_open {
            return;
        }
        let shared = self.board.shared.clone();
        let builder = self.scoreboard_builder();
        ctx.show_viewport_deferred(
            crate::model::scoreboard::viewport_id(),
            builder,
            move |ui, _class| crate::ui::scoreboard::scoreboard_viewport(ui, &shared),
        );
    }

    /// Point the table at the current match of the scoreboard court (when following).
    pub(super) fn follow_current_match(&mut self) {
        if self.state.table.chosen.is_some() {
            return;
        }
        let court = self.state.scoreboard_court();
        let key = self.state.court_keys.get(&court).copied();
        if key != self.state.table.key || key.is_none() {
            let generation = self.state.table.reset(key);
            if let Some(key) = key {
                self.request(ReadRequest::Index { key, generation });
            }
        }
    }
}
