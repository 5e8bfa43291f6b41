//! What the app's background jobs are ([`JobKind`]) and produce ([`JobOutput`]), and the one
//! place a finished job is handed to the subsystem that started it. The registry itself is
//! [`crate::jobs::Jobs`].

use super::CourtsideApp;
use super::obs_service::PendingKind;
use crate::jobs::Finished;
use crate::license::LicenseReport;
use crate::model::settings::AppSettings;
use crate::model::state::Level;
use crate::report::png::RgbaPage;
use crossbeam_channel::Receiver;
use std::path::PathBuf;

/// What a job is, and what finishing it needs.
pub(super) enum JobKind {
    /// Settings written in one transaction: apply these once confirmed.
    SettingsSaved(Box<AppSettings>),
    /// The store-location file dialog.
    StorePicked,
    /// The web control token's hash stored: show the token once.
    WebToken,
    /// A file dialog of Settings → Tournament.
    TournamentFile(crate::model::tournament::TournamentFile),
    /// A save of the OBS panel (connection delete, rules, pause).
    Obs(PendingKind),
    /// A licence write (key stored, mark reset): the text to show once confirmed.
    LicenseStored(String),
    /// The licence read from the store and checked.
    LicenseChecked,
    /// A match deletion; the writer says how many datagrams went on `count`.
    MatchDeleted {
        /// The match.
        key: u64,
        /// Datagrams removed (sent before the confirmation).
        count: Receiver<u64>,
    },
    /// A data job of the System & support window (export, backup, restore, saved report): its
    /// name is the task line's text.
    Task,
    /// A match report rendered for the viewer.
    Report(u64),
    /// A read or export of the hub's Tournament window.
    Hub(super::hub_service::HubJob),
}

/// What a job thread produces.
#[derive(Default)]
pub(super) enum JobOutput {
    /// Nothing (store confirmations).
    #[default]
    Nothing,
    /// A detail to show ("49 datagrams written to …").
    Text(String),
    /// A rendered report page and its title.
    Page(String, RgbaPage),
    /// A file dialog's answer (`None`: cancelled).
    Path(Option<PathBuf>),
    /// The licence status.
    License(LicenseReport),
    /// What the hub's Tournament window read from the store.
    Hub(super::hub_service::HubRead),
}

/// The app's job registry, with its kinds and outputs.
pub(super) type AppJobs = crate::jobs::Jobs<JobKind, JobOutput>;

impl CourtsideApp {
    /// Hand every finished job to its subsystem; look again soon while store confirmations are
    /// outstanding.
    pub(super) fn poll_jobs(&mut self) {
        for f in self.jobs.poll() {
            self.job_finished(f);
        }
        if let Some(after) = self.jobs.next_poll() {
            self.ctx.request_repaint_after(after);
        }
    }

    fn job_finished(&mut self, f: Finished<JobKind, JobOutput>) {
        let Finished {
            name,
            kind,
            took,
            outcome,
            ..
        } = f;
        match kind {
            JobKind::SettingsSaved(s) => self.on_settings_saved(outcome.map(|_| *s)),
            JobKind::StorePicked => match outcome {
                Ok(JobOutput::Path(Some(path))) => {
                    self.state.draft.store_path = path.display().to_string();
                }
                Ok(_) => {}
                Err(e) => self.state.notices.push(
                    Level::Error,
                    "File dialog could not open",
                    &e,
                    "Type the path into the field instead.",
                ),
            },
            JobKind::TournamentFile(which) => {
                use super::tournament_service::TournamentAppService;
                TournamentAppService::file_picked(which, outcome, &mut shared!(self));
            }
            JobKind::WebToken => {
                let stored = outcome.map(|_| ());
                self.services.web.token_stored(stored, &mut self.state);
            }
            JobKind::Obs(kind) => {
                let outcome = outcome.map(|_| ());
                self.services.obs.saved(kind, outcome, &mut self.state);
            }
            JobKind::LicenseStored(done) => {
                let stored = outcome.map(|_| done);
                self.services
                    .support
                    .license_stored(&mut shared!(self), stored);
            }
            JobKind::LicenseChecked => self
                .services
                .support
                .license_checked(&mut shared!(self), outcome),
            JobKind::MatchDeleted { key, count } => {
                self.match_deleted(key, outcome.map(|_| count.try_recv().unwrap_or(0)))
            }
            JobKind::Task => {
                self.record_operation(&name, took);
                let support = &mut self.services.support;
                support.task_done(&mut shared!(self), &name, outcome);
            }
            JobKind::Hub(job) => {
                let hub = &mut self.services.hub;
                hub.job_done(job, &name, outcome, &mut shared!(self));
            }
            JobKind::Report(key) => {
                self.record_operation(&name, took);
                let support = &mut self.services.support;
                support.report_done(&mut shared!(self), key, &name, outcome);
            }
        }
    }

    /// Exports, backups, restores and reports are listed among the slow operations of the
    /// diagnostics tab when they take longer than its threshold.
    fn record_operation(&mut self, name: &str, took: std::time::Duration) {
        if let Some(d) = &mut self.state.support.diagnostics {
            d.record_operation(name, took, crate::store::writer::now_ns());
        }
    }
}
