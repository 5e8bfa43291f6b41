//! Venue operation in the app: system history and pipeline diagnostics, log level, advanced mode,
//! the licence, and the data jobs (export, backup, restore, match report) — each job on its own
//! named thread, with a file dialog when no path was given; the UI thread never waits.

use super::CourtsideApp;
use super::state::Level;
use super::venue_state::{ReportFormat, ReportView, TIME_RECORD_EVERY, TaskState, VenueIntent};
use crate::advanced::{AdvancedConfig, AdvancedEvent, AdvancedMode};
use crate::diagnostics::PipelineDiagnostics;
use crate::license;
use crate::report::{MatchReport, font::Font, png};
use crate::store::Store;
use crate::store::writer::now_ns;
use crossbeam_channel::{Receiver, Sender, bounded};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a job thread sends back.
pub(super) enum VenueDone {
    /// A job finished.
    Task {
        what: String,
        result: Result<String, String>,
    },
    /// A report page is rendered.
    Report {
        key: u64,
        result: Result<(String, png::RgbaPage), String>,
    },
    /// The store answered the licence key write.
    LicenseStored(Result<(), String>),
}

/// The app's venue parts.
pub(super) struct VenueParts {
    pub(super) advanced: Option<AdvancedMode>,
    pub(super) log: Option<Arc<crate::logging::LogControl>>,
    tx: Sender<VenueDone>,
    rx: Receiver<VenueDone>,
    last_time_record: Option<Instant>,
    deletes: Vec<PendingDelete>,
}

/// A match deletion the writer has not answered yet.
struct PendingDelete {
    key: u64,
    ack: Receiver<Result<(), String>>,
    count: Receiver<u64>,
}

impl VenueParts {
    pub(super) fn new(log: Option<Arc<crate::logging::LogControl>>) -> VenueParts {
        let (tx, rx) = bounded(64);
        VenueParts {
            advanced: None,
            log,
            tx,
            rx,
            last_time_record: None,
            deletes: Vec::new(),
        }
    }
}

/// Render scale of the report page in the viewer (1.5 px per point ≈ 890 × 1260 px).
const REPORT_SCALE: f32 = 1.5;

impl CourtsideApp {
    /// Advanced mode, licence, diagnostics, log state (after the store and writer started).
    pub(super) fn start_venue(&mut self, store: &Store) {
        let v = &mut self.state.venue;
        v.diagnostics = Some(PipelineDiagnostics::new(
            Duration::from_secs(5),
            Duration::from_millis(50),
        ));
        match &self.venue.log {
            Some(l) => {
                v.log_level = Some(l.level());
                v.log_dir = Some(l.dir().to_path_buf());
            }
            None => v.log_problem = Some("file logging is off (see the notices)".into()),
        }
        let config = AdvancedConfig {
            inactivity: lock_time(self.state.settings.advanced_lock_minutes),
            ..AdvancedConfig::default()
        };
        match AdvancedMode::load(store, config) {
            Ok(m) => self.venue.advanced = Some(m),
            Err(e) => self.state.notices.push(
                Level::Error,
                "Advanced mode unavailable",
                &e.to_string(),
                "Expert actions stay locked; check the store.",
            ),
        }
        self.check_license(store);
    }

    /// Use the lock time from the settings (after they changed).
    pub(super) fn apply_lock_time(&mut self) {
        let inactivity = lock_time(self.state.settings.advanced_lock_minutes);
        if let Some(a) = &mut self.venue.advanced {
            a.set_config(AdvancedConfig {
                inactivity,
                ..a.config().clone()
            });
        }
    }

    fn check_license(&mut self, store: &Store) {
        let token = license::stored_token(store).ok().flatten();
        let max_seen = license::stored_max_seen(store).ok().flatten();
        let report = match license::public_key() {
            Ok(key) => license::check(
                token.as_ref().map(|t| t.expose()),
                &key,
                now_ns(),
                max_seen,
                license::CLOCK_MARGIN,
            ),
            Err(e) => license::LicenseReport {
                status: license::LicenseStatus::Invalid {
                    reason: e.to_string(),
                },
                clock_set_back: None,
            },
        };
        const TITLE: &str = "Licence";
        self.state.notices.items.retain(|n| n.title != TITLE);
        if let Some(n) = license::notice(&report) {
            self.state
                .notices
                .push(Level::Warning, TITLE, &n.cause, &n.action);
        }
        self.state.venue.license = Some(report);
    }

    /// Per frame: samples, diagnostics, advanced-mode outcomes, finished jobs, the hourly time
    /// record for the licence clock check.
    pub(super) fn poll_venue(&mut self, now: Instant) {
        let active = self.ctx.input(|i| !i.events.is_empty());
        if let Some(a) = &mut self.venue.advanced {
            if active {
                a.touch(now);
            }
            if let Some(outcome) = a.poll(now) {
                self.state.venue.advanced_panel.message = match outcome {
                    Ok(AdvancedEvent::Unlocked) => None,
                    Ok(AdvancedEvent::PasswordSet) => Some("Password set; unlocked.".into()),
                    Err(e) => Some(e.to_string()),
                };
            }
            self.state.venue.lock = Some(a.state(now));
            self.state.venue.advanced_busy = a.is_busy();
        }
        if let Some(d) = &mut self.state.venue.diagnostics
            && let Some(w) = &self.writer
        {
            let stats: Vec<_> = self.listeners.iter().map(|l| l.stats()).collect();
            let refs: Vec<_> = stats.iter().map(|s| s.as_ref()).collect();
            let full = self.sysmon.as_ref().map_or(0, |m| m.channel_full());
            d.update(now, &refs, &w.stats(), w.queue_depth(), full);
        }
        while let Ok(done) = self.venue.rx.try_recv() {
            self.venue_done(done);
        }
        self.poll_deletes();
        let due = self
            .venue
            .last_time_record
            .is_none_or(|t| now.duration_since(t) >= TIME_RECORD_EVERY);
        if due && let Some(w) = &self.writer {
            self.venue.last_time_record = Some(now);
            let _ = w.sender().try_send(license::record_time_request(now_ns()));
        }
    }

    /// Whether expert actions are allowed now.
    pub(super) fn advanced_unlocked(&mut self) -> bool {
        let now = Instant::now();
        self.venue
            .advanced
            .as_mut()
            .is_some_and(|a| a.is_unlocked(now))
    }

    /// Run one intent of the window.
    pub(super) fn handle_venue(&mut self, intent: VenueIntent) {
        match intent {
            VenueIntent::SetLogLevel(level) => self.set_log_level(level),
            VenueIntent::OpenLogFolder => {
                if let Some(dir) = &self.state.venue.log_dir
                    && let Err(e) = crate::logging::open_folder(dir)
                {
                    let dir = dir.display().to_string();
                    self.state.notices.push(
                        Level::Warning,
                        "Log folder could not be opened",
                        &e.to_string(),
                        &format!("Open it by hand: {dir}"),
                    );
                }
            }
            VenueIntent::SetPassword { new, confirm } => self.begin_set_password(new, confirm),
            VenueIntent::Unlock(password) => {
                let wake = self.waker();
                let now = Instant::now();
                if let Some(a) = &mut self.venue.advanced
                    && let Err(e) = a.begin_unlock(password, now, wake)
                {
                    self.state.venue.advanced_panel.message = Some(e.to_string());
                }
            }
            VenueIntent::Lock => {
                if let Some(a) = &mut self.venue.advanced {
                    a.lock();
                }
            }
            VenueIntent::ApplyLicense(token) => self.apply_license(token),
            VenueIntent::DeleteMatch(key) => self.delete_match(key),
            intent => self.run_job(intent),
        }
    }

    fn delete_match(&mut self, key: u64) {
        self.state.venue.confirm_delete = None;
        let what = format!("Delete match {key}");
        if !self.advanced_unlocked() {
            self.venue_done(VenueDone::Task {
                what,
                result: Err("deleting a match needs advanced mode (Advanced tab)".into()),
            });
            return;
        }
        let (ack, acked) = bounded(1);
        let (req, count) = crate::store::delete::delete_match_request(key, ack);
        let sent = self
            .writer
            .as_ref()
            .is_some_and(|w| w.sender().try_send(req).is_ok());
        if !sent {
            self.venue_done(VenueDone::Task {
                what,
                result: Err("the store is not open or is busy; try again".into()),
            });
            return;
        }
        self.state
            .venue
            .task(&what, TaskState::Running("deleting…".into()));
        self.venue.deletes.push(PendingDelete {
            key,
            ack: acked,
            count,
        });
    }

    fn poll_deletes(&mut self) {
        for p in std::mem::take(&mut self.venue.deletes) {
            let result = match p.ack.try_recv() {
                Ok(r) => r,
                Err(crossbeam_channel::TryRecvError::Empty) => {
                    self.venue.deletes.push(p);
                    continue;
                }
                Err(_) => Err("the store writer stopped".into()),
            };
            let what = format!("Delete match {}", p.key);
            let result = result.map(|()| {
                let n = p.count.try_recv().unwrap_or(0);
                format!("{n} datagrams removed")
            });
            if result.is_ok() {
                if self.state.table.chosen == Some(p.key) {
                    self.handle(super::Command::SelectMatch(None));
                }
                if self
                    .state
                    .venue
                    .report
                    .as_ref()
                    .is_some_and(|r| r.key == p.key)
                {
                    self.state.venue.report = None;
                }
                self.state.venue.data_match = None;
                self.handle(super::Command::LoadMatches);
            }
            self.venue_done(VenueDone::Task { what, result });
        }
        if !self.venue.deletes.is_empty() {
            self.ctx.request_repaint_after(Duration::from_millis(20));
        }
    }

    fn waker(&self) -> crate::sysmon::Wake {
        let ctx = self.ctx.clone();
        Box::new(move || ctx.request_repaint())
    }

    fn set_log_level(&mut self, level: crate::logging::LogLevel) {
        let Some(l) = &self.venue.log else { return };
        match l.set_level(level) {
            Ok(()) => self.state.venue.log_level = Some(level),
            Err(e) => self.state.notices.push(
                Level::Warning,
                "Log level not changed",
                &e.to_string(),
                "Try again; the previous level stays in force.",
            ),
        }
    }

    fn begin_set_password(&mut self, new: crate::logging::Secret, confirm: crate::logging::Secret) {
        let wake = self.waker();
        let Some(w) = self.writer.as_ref().map(|w| w.sender()) else {
            return;
        };
        let now = Instant::now();
        if let Some(a) = &mut self.venue.advanced
            && let Err(e) = a.begin_set_password(new, &confirm, w, now, wake)
        {
            self.state.venue.advanced_panel.message = Some(e.to_string());
        }
    }

    fn apply_license(&mut self, token: crate::logging::Secret) {
        let verified = license::public_key()
            .map_err(|e| e.to_string())
            .and_then(|k| license::verify(token.expose().trim(), &k).map_err(|e| e.to_string()));
        let claims = match verified {
            Ok(c) => c,
            Err(why) => {
                self.state.venue.license_message = Some(Err(format!("key not accepted: {why}")));
                return;
            }
        };
        let Some(w) = &self.writer else { return };
        let (ack, acked) = bounded(1);
        let tx = self.venue.tx.clone();
        let ctx = self.ctx.clone();
        if w.sender()
            .try_send(license::store_token_request(&token, Some(ack)))
            .is_err()
        {
            self.state.venue.license_message = Some(Err("the store is busy; try again".into()));
            return;
        }
        // The ack comes from the writer thread; forward it so the UI wakes up.
        let spawned = std::thread::Builder::new()
            .name("licence-store".into())
            .spawn(move || {
                let r = acked
                    .recv()
                    .unwrap_or(Err("the store writer stopped".into()));
                let _ = tx.send(VenueDone::LicenseStored(r));
                ctx.request_repaint();
            });
        self.state.venue.license_message = Some(match spawned {
            Ok(_) => Ok(format!("key for {} accepted; storing…", claims.licensee)),
            Err(e) => Err(e.to_string()),
        });
    }

    fn venue_done(&mut self, done: VenueDone) {
        match done {
            VenueDone::Task { what, result } => {
                let state = match result {
                    Ok(d) => TaskState::Done(d),
                    Err(e) => {
                        self.state.notices.push(
                            Level::Error,
                            &format!("{what} failed"),
                            &e,
                            "Check the file location and free space, then try again; nothing \
                             in the store was changed.",
                        );
                        TaskState::Failed(e)
                    }
                };
                self.state.venue.task(&what, state);
            }
            VenueDone::Report { key, result } => {
                self.state.venue.report_loading = None;
                match result {
                    Ok((title, page)) => {
                        let size = [page.width as usize, page.height as usize];
                        let image = egui::ColorImage::from_rgba_unmultiplied(size, &page.pixels);
                        let texture = self.ctx.load_texture(
                            format!("report-{key}"),
                            image,
                            Default::default(),
                        );
                        self.state.venue.report = Some(ReportView {
                            key,
                            title,
                            texture,
                            size,
                        });
                    }
                    Err(e) => self.state.notices.push(
                        Level::Error,
                        "Match report could not be made",
                        &e,
                        "The match's events are in the store; try again or export them.",
                    ),
                }
            }
            VenueDone::LicenseStored(r) => match r {
                Ok(()) => {
                    if let Some(store) = self.store.clone() {
                        self.check_license(&store);
                    }
                    self.state.venue.license_message = Some(Ok("licence key stored".into()));
                }
                Err(e) => self.state.venue.license_message = Some(Err(format!("not stored: {e}"))),
            },
        }
    }

    /// Export, backup, restore, report: on a named thread, asking for the file first when no
    /// path was given.
    fn run_job(&mut self, intent: VenueIntent) {
        if matches!(intent, VenueIntent::Restore { .. }) && !self.advanced_unlocked() {
            self.state.notices.push(
                Level::Warning,
                "Restore needs advanced mode",
                "restoring replaces every event in the store",
                "Unlock advanced mode (System & support → Advanced), then restore.",
            );
            return;
        }
        let Some(store) = self.store.clone() else {
            return;
        };
        if let VenueIntent::OpenReport(key) = intent {
            self.state.venue.report_loading = Some(key);
        }
        let job = Job {
            store,
            store_path: PathBuf::from(&self.state.store.path),
            intent,
        };
        let what = job.label();
        self.state
            .venue
            .task(&what, TaskState::Running("working…".into()));
        let tx = self.venue.tx.clone();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("data-job".into())
            .spawn(move || {
                let _ = tx.send(job.run());
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            self.venue_done(VenueDone::Task {
                what,
                result: Err(e.to_string()),
            });
        }
    }
}

/// One data job, run off the UI thread.
struct Job {
    store: Store,
    store_path: PathBuf,
    intent: VenueIntent,
}

impl Job {
    fn label(&self) -> String {
        match &self.intent {
            VenueIntent::ExportMatch { key, format, .. } => {
                format!("Export of match {key} ({})", format.extension())
            }
            VenueIntent::Backup { .. } => "Backup".into(),
            VenueIntent::Restore { .. } => "Restore".into(),
            VenueIntent::OpenReport(key) => format!("Report of match {key}"),
            VenueIntent::SaveReport { key, format, .. } => {
                format!("Report of match {key} ({})", report_ext(*format))
            }
            _ => "Job".into(),
        }
    }

    fn run(self) -> VenueDone {
        let what = self.label();
        let result = match self.intent {
            VenueIntent::OpenReport(key) => {
                return VenueDone::Report {
                    key,
                    result: render_report(&self.store, key),
                };
            }
            VenueIntent::ExportMatch { key, format, path } => {
                let name = format!("match-{key}.{}", format.extension());
                with_path(path, &name, format.extension(), |p| {
                    crate::export::export_match_to_file(&self.store, key, format, p)
                        .map(|n| format!("{n} datagrams written to {}", p.display()))
                        .map_err(|e| e.to_string())
                })
            }
            VenueIntent::Backup { path } => {
                let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
                let name = format!("courtside-backup-{stamp}.redb");
                with_path(path, &name, "redb", |p| {
                    crate::backup::backup(&self.store, p)
                        .map(|s| {
                            format!(
                                "{} ({:.1} MB, events up to #{}, {:.1} s)",
                                p.display(),
                                s.bytes as f64 / 1e6,
                                s.last_seq,
                                s.took.as_secs_f64()
                            )
                        })
                        .map_err(|e| e.to_string())
                })
            }
            VenueIntent::Restore { path } => {
                let picked = path.or_else(|| {
                    rfd::FileDialog::new()
                        .set_title("Restore from backup")
                        .add_filter("courtside store", &["redb"])
                        .pick_file()
                });
                match picked {
                    None => Err("cancelled".into()),
                    Some(p) => crate::backup::stage_restore(&p, &self.store_path)
                        .map(|_| {
                            format!(
                                "{} will replace the store at the next start (the current store \
                                 is kept beside it); restart courtside to use it",
                                p.display()
                            )
                        })
                        .map_err(|e| e.to_string()),
                }
            }
            VenueIntent::SaveReport { key, format, path } => {
                let ext = report_ext(format);
                with_path(path, &format!("match-{key}-report.{ext}"), ext, |p| {
                    let report = MatchReport::load(&self.store, key).map_err(|e| e.to_string())?;
                    match format {
                        ReportFormat::Png => crate::report::png::write_png(&report, p),
                        ReportFormat::Pdf => crate::report::pdf::write_pdf(&report, p),
                    }
                    .map(|_| format!("saved {}", p.display()))
                    .map_err(|e| e.to_string())
                })
            }
            _ => Err("not a data job".into()),
        };
        VenueDone::Task { what, result }
    }
}

fn lock_time(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes) * 60)
}

fn report_ext(f: ReportFormat) -> &'static str {
    match f {
        ReportFormat::Png => "png",
        ReportFormat::Pdf => "pdf",
    }
}

/// Run `f` on `path`, or on a file chosen in a save dialog (cancel is reported, not an error
/// notice… but it is a failed task line, so the operator sees nothing was written).
fn with_path(
    path: Option<PathBuf>,
    default_name: &str,
    ext: &str,
    f: impl FnOnce(&Path) -> Result<String, String>,
) -> Result<String, String> {
    let picked = path.or_else(|| {
        rfd::FileDialog::new()
            .set_file_name(default_name)
            .add_filter(ext, &[ext])
            .save_file()
    });
    match picked {
        Some(p) => f(&p),
        None => Err("cancelled: nothing written".into()),
    }
}

fn render_report(store: &Store, key: u64) -> Result<(String, png::RgbaPage), String> {
    let report = MatchReport::load(store, key).map_err(|e| e.to_string())?;
    let font = Font::noto_sans().map_err(|e| e.to_string())?;
    let page = png::render_rgba(&report, &font, REPORT_SCALE).map_err(|e| e.to_string())?;
    let title = format!(
        "Match {} — {} vs {}",
        if report.number.is_empty() {
            "?"
        } else {
            &report.number
        },
        report.blue.name,
        report.red.name
    );
    Ok((title, page))
}
