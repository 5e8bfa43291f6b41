//! System & support in the app: system history and pipeline diagnostics, log level, advanced mode,
//! the licence, and the data jobs (export, backup, restore, match report) — each job on its own
//! named thread, with a file dialog when no path was given; the UI thread never waits.

use super::jobs_glue::{JobKind, JobOutput};
use super::services::Shared;
use super::support_jobs::Job;
use crate::advanced::{AdvancedConfig, AdvancedEvent, AdvancedMode};
use crate::license;
use crate::model::diagnostics::{PipelineCounts, PipelineDiagnostics};
use crate::model::state::Level;
use crate::model::support::{ReportView, SupportCommand, TIME_RECORD_EVERY, TaskState};
use crate::store::Store;
use crate::store::writer::now_ns;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The System & support service: advanced mode, the log control, the system monitor and the
/// hourly time record of the licence clock check. Its data jobs and store writes run through
/// the app's job registry.
pub(super) struct SupportService {
    /// Advanced mode, when it could be loaded.
    pub(super) advanced: Option<AdvancedMode>,
    /// The log file's control, when `main` set up file logging.
    pub(super) log: Option<Arc<crate::logging::LogControl>>,
    /// The system monitor (CPU, memory), when it started.
    pub(super) sysmon: Option<crate::sysmon::Sysmon>,
    last_time_record: Option<Instant>,
}

impl SupportService {
    /// The service before the store opened (`start` loads advanced mode and the licence).
    pub(super) fn new(log: Option<Arc<crate::logging::LogControl>>) -> SupportService {
        SupportService {
            advanced: None,
            log,
            sysmon: None,
            last_time_record: None,
        }
    }

    /// Whether advanced mode is unlocked now (locked when it did not start).
    pub(super) fn advanced_unlocked(&mut self) -> bool {
        let now = Instant::now();
        self.advanced.as_mut().is_some_and(|a| a.is_unlocked(now))
    }
}

impl SupportService {
    /// Advanced mode, licence, diagnostics, log state (after the store and writer started).
    pub(super) fn start(&mut self, app: &mut Shared<'_>, store: &Store) {
        let v = &mut app.state.support;
        v.diagnostics = Some(PipelineDiagnostics::new(
            Duration::from_secs(5),
            Duration::from_millis(50),
        ));
        match &self.log {
            Some(l) => {
                v.log_level = Some(l.level());
                v.log_dir = Some(l.dir().to_path_buf());
            }
            None => v.log_problem = Some("file logging is off (see the notices)".into()),
        }
        let config = AdvancedConfig {
            inactivity: lock_time(app.state.settings.advanced_lock_minutes),
            ..AdvancedConfig::default()
        };
        match AdvancedMode::load(store, config) {
            Ok(m) => self.advanced = Some(m),
            Err(e) => app.state.notices.push(
                Level::Error,
                "Advanced mode unavailable",
                &e.to_string(),
                "Expert actions stay locked; check the store.",
            ),
        }
        self.check_license(app, store.clone());
    }

    /// Use the lock time from the settings (after they changed).
    pub(super) fn apply_lock_time(&mut self, settings: &crate::model::settings::AppSettings) {
        let inactivity = lock_time(settings.advanced_lock_minutes);
        if let Some(a) = &mut self.advanced {
            a.set_config(AdvancedConfig {
                inactivity,
                ..a.config().clone()
            });
        }
    }

    /// Per frame: samples, diagnostics, advanced-mode outcomes, finished jobs, the hourly time
    /// record for the licence clock check.
    pub(super) fn poll(
        &mut self,
        app: &mut Shared<'_>,
        listeners: &[crate::ingest::Listener],
        now: Instant,
    ) {
        let active = app.ctx.input(|i| !i.events.is_empty());
        if let Some(a) = &mut self.advanced {
            if active {
                a.touch(now);
            }
            if let Some(outcome) = a.poll(now) {
                app.state.support.advanced_panel.message = match outcome {
                    Ok(AdvancedEvent::Unlocked) => None,
                    Ok(AdvancedEvent::PasswordSet) => Some("Password set; unlocked.".into()),
                    Err(e) => Some(e.to_string()),
                };
            }
            app.state.support.lock = Some(a.state(now));
            app.state.support.advanced_busy = a.is_busy();
        }
        if let Some(l) = &self.log {
            // Two atomic loads a frame: the panel shows a log that is losing lines as it happens.
            app.state.support.log_dropped = l.dropped_lines();
            app.state.support.log_undeletable = l.undeletable_files();
        }
        if let Some(d) = &mut app.state.support.diagnostics
            && let Some(w) = &app.data.writer
        {
            let full = self.sysmon.as_ref().map_or(0, |m| m.channel_full());
            d.update(now, &pipeline_counts(listeners, w, full));
        }
        let due = self
            .last_time_record
            .is_none_or(|t| now.duration_since(t) >= TIME_RECORD_EVERY);
        if due && let Some(w) = &app.data.writer {
            self.last_time_record = Some(now);
            // A full writer queue skips this hour's record: the next one is an hour away and
            // the clock check needs only the highest time seen, not every hour.
            if w.sender()
                .try_send(license::record_time_request(now_ns()))
                .is_err()
            {
                tracing::info!("licence time record skipped: the store writer is busy");
            }
        }
    }

    /// Run one command of the window.
    pub(super) fn handle(&mut self, app: &mut Shared<'_>, command: SupportCommand) {
        match command {
            SupportCommand::SetLogLevel(level) => self.set_log_level(app, level),
            SupportCommand::OpenLogFolder => {
                if let Some(dir) = &app.state.support.log_dir
                    && let Err(e) = crate::logging::open_folder(dir)
                {
                    let dir = dir.display().to_string();
                    app.state.notices.push(
                        Level::Warning,
                        "Log folder could not be opened",
                        &e.to_string(),
                        &format!("Open it by hand: {dir}"),
                    );
                }
            }
            SupportCommand::SetPassword { new, confirm } => {
                self.begin_set_password(app, new, confirm)
            }
            SupportCommand::Unlock(password) => {
                let wake = self.waker(app);
                let now = Instant::now();
                if let Some(a) = &mut self.advanced
                    && let Err(e) = a.begin_unlock(password, now, wake)
                {
                    app.state.support.advanced_panel.message = Some(e.to_string());
                }
            }
            SupportCommand::Lock => {
                if let Some(a) = &mut self.advanced {
                    a.lock();
                }
            }
            SupportCommand::ApplyLicense(token) => self.apply_license(app, token),
            SupportCommand::ResetLicenseMark { reason } => self.reset_license_mark(app, &reason),
            SupportCommand::DeleteMatch(key) => self.delete_match(app, key),
            command => self.run_job(app, command),
        }
    }

    fn waker(&self, app: &Shared<'_>) -> crate::sysmon::Wake {
        let ctx = app.ctx.clone();
        Box::new(move || ctx.request_repaint())
    }

    fn set_log_level(&mut self, app: &mut Shared<'_>, level: crate::logging::LogLevel) {
        let Some(l) = &self.log else { return };
        match l.set_level(level) {
            Ok(()) => app.state.support.log_level = Some(level),
            Err(e) => app.state.notices.push(
                Level::Warning,
                "Log level not changed",
                &e.to_string(),
                "Try again; the previous level stays in force.",
            ),
        }
    }

    fn begin_set_password(
        &mut self,
        app: &mut Shared<'_>,
        new: crate::logging::Secret,
        confirm: crate::logging::Secret,
    ) {
        let wake = self.waker(app);
        let Some(w) = app.data.writer.as_ref().map(|w| w.sender()) else {
            return;
        };
        let now = Instant::now();
        if let Some(a) = &mut self.advanced
            && let Err(e) = a.begin_set_password(new, &confirm, w, now, wake)
        {
            app.state.support.advanced_panel.message = Some(e.to_string());
        }
    }

    /// A data job finished: its task line, and a notice when it failed.
    pub(super) fn task_done(
        &mut self,
        app: &mut Shared<'_>,
        what: &str,
        outcome: Result<JobOutput, String>,
    ) {
        let state = match outcome {
            Ok(JobOutput::Text(d)) => TaskState::Done(d),
            Ok(_) => TaskState::Done(String::new()),
            Err(e) => {
                app.state.notices.push(
                    Level::Error,
                    &format!("{what} failed"),
                    &e,
                    "Check the file location and free space, then try again; nothing in the \
                     store was changed.",
                );
                TaskState::Failed(e)
            }
        };
        app.state.support.task(what, state);
    }

    /// A report page was rendered (or not): show it in the report window.
    pub(super) fn report_done(
        &mut self,
        app: &mut Shared<'_>,
        key: u64,
        what: &str,
        outcome: Result<JobOutput, String>,
    ) {
        app.state.support.report_loading = None;
        let (title, page) = match outcome {
            Ok(JobOutput::Page(title, page)) => (title, page),
            Ok(_) => return,
            Err(e) => {
                app.state.support.task(what, TaskState::Failed(e.clone()));
                app.state.notices.push(
                    Level::Error,
                    "Match report could not be made",
                    &e,
                    "The match's events are in the store; try again or export them.",
                );
                return;
            }
        };
        let size = [page.width as usize, page.height as usize];
        let image = egui::ColorImage::from_rgba_unmultiplied(size, &page.pixels);
        let texture = app
            .ctx
            .load_texture(format!("report-{key}"), image, Default::default());
        app.state.support.report = Some(ReportView {
            key,
            title,
            texture,
            size,
        });
        let shown = TaskState::Done("shown in the report window".into());
        app.state.support.task(what, shown);
    }

    /// Export, backup, restore, report: on a named thread, asking for the file first when no
    /// path was given.
    fn run_job(&mut self, app: &mut Shared<'_>, command: SupportCommand) {
        if matches!(command, SupportCommand::Restore { .. }) && !self.advanced_unlocked() {
            app.state.notices.push(
                Level::Warning,
                "Restore needs advanced mode",
                "restoring replaces every event in the store",
                "Unlock advanced mode (System & support → Advanced), then restore.",
            );
            return;
        }
        let Some(store) = app.data.store.clone() else {
            return;
        };
        if let SupportCommand::OpenReport(key) = command {
            app.state.support.report_loading = Some(key);
        }
        let job = Job {
            store,
            store_path: PathBuf::from(&app.state.store.path),
            command,
        };
        let what = job.label();
        let kind = match job.command {
            SupportCommand::OpenReport(key) => JobKind::Report(key),
            _ => JobKind::Task,
        };
        app.state
            .support
            .task(&what, TaskState::Running("working…".into()));
        app.jobs.spawn(&what, kind, move |_| job.run());
    }
}

/// The pipeline's counters now: the listeners' and the writer's, plus the full-channel count
/// the app keeps itself (`extra_full`).
fn pipeline_counts(
    listeners: &[crate::ingest::Listener],
    writer: &crate::store::Writer,
    extra_full: u64,
) -> PipelineCounts {
    use crate::ingest::ListenerStats;
    use std::sync::atomic::Ordering;
    let stats: Vec<_> = listeners.iter().map(|l| l.stats().clone()).collect();
    let sum = |f: &dyn Fn(&ListenerStats) -> u64| stats.iter().map(|s| f(s)).sum::<u64>();
    let w = writer.stats();
    PipelineCounts {
        datagrams: sum(&|s| ListenerStats::get(&s.datagrams)),
        parse_errors: sum(&|s| ListenerStats::get(&s.unknown) + ListenerStats::get(&s.malformed)),
        channel_full: sum(&|s| ListenerStats::get(&s.writer_full))
            + w.subscriber_full.load(Ordering::Relaxed)
            + extra_full,
        commits: w.commits.load(Ordering::Relaxed),
        last_commit_micros: w.last_commit_micros.load(Ordering::Relaxed),
        last_commit_at_ns: w.last_commit_at_ns.load(Ordering::Relaxed),
        writer_queue_depth: writer.queue_depth(),
    }
}

fn lock_time(minutes: u32) -> Duration {
    Duration::from_secs(u64::from(minutes) * 60)
}
