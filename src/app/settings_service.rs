//! The settings service: saving (validated here, stored in one transaction whose confirmation
//! the job registry waits for, applied once confirmed), the store-location dialog (a job), and
//! what the Settings window needs between frames.

use super::CourtsideApp;
use super::jobs_glue::{JobKind, JobOutput};
use super::reader::ReadRequest;
use super::services::Shared;
use super::support::SupportService;
use crate::model::settings::{AppSettings, validate_listeners};
use crate::model::state::{Level, SettingsDraft};
use crate::store::WriteRequest;

/// What the settings service keeps between frames (its saves are jobs of the registry).
#[derive(Default)]
pub(super) struct SettingsService {
    /// Settings was open last frame (interfaces are re-read when it opens).
    pub(super) were_open: bool,
}

impl SettingsService {
    /// Run a command of the Settings window.
    pub(super) fn handle(
        &mut self,
        app: &mut Shared<'_>,
        support: &mut SupportService,
        c: crate::model::SettingsCommand,
    ) {
        use crate::model::SettingsCommand;
        match c {
            SettingsCommand::Save(s) => self.save(app, support, *s),
            SettingsCommand::LoadHistory => {
                app.data.request(ReadRequest::History);
            }
            SettingsCommand::PickStorePath => self.pick_store_path(app),
        }
    }

    fn pick_store_path(&mut self, app: &mut Shared<'_>) {
        // The native dialog blocks its thread; never the UI thread.
        app.jobs
            .spawn("store location dialog", JobKind::StorePicked, |_| {
                let picked = rfd::FileDialog::new()
                    .set_title("Store location")
                    .set_file_name("courtside.redb")
                    .add_filter("courtside store", &["redb"])
                    .save_file();
                Ok(JobOutput::Path(picked))
            });
    }

    /// Validate and store settings; they are applied once the store confirms.
    fn save(&mut self, app: &mut Shared<'_>, support: &mut SupportService, new: AppSettings) {
        if let Err(e) = validate_listeners(&new.listeners) {
            app.state.draft.error = Some(e);
            return;
        }
        let expert = new.store_path != app.state.settings.store_path
            || new.advanced_lock_minutes != app.state.settings.advanced_lock_minutes;
        if expert && !support.advanced_unlocked() {
            app.state.draft.error = Some(
                "changing the store location or the advanced-mode lock time needs advanced \
                 mode: unlock it in System & support → Advanced (or revert those fields)"
                    .into(),
            );
            return;
        }
        let Some(writer) = &app.data.writer else {
            app.state.draft.error =
                Some("the store is not open, so settings cannot be saved".into());
            return;
        };
        let old = app.state.settings.to_entries();
        let changed: Vec<(&str, String)> = new
            .to_entries()
            .into_iter()
            .filter(|e| !old.contains(e))
            .collect();
        if changed.is_empty() {
            app.state.draft.status = Some("Nothing changed.".into());
            return;
        }
        let changed = changed
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let mut op = crate::store::write_settings_op(changed, "ui".into());
        if new.store_path != app.state.settings.store_path {
            // Checked, stored and remembered outside the store in one write: a location that
            // cannot be used is refused here, never reported as saved.
            op = crate::store::location::save_location_op(
                new.store_path.clone(),
                crate::store::location::location_file(),
                op,
            );
        }
        let (ack, acked) = crossbeam_channel::bounded(1);
        let req = WriteRequest::Apply {
            what: "settings",
            op,
            ack: Some(ack),
        };
        // try_send: the UI never waits for the writer.
        if writer.sender().try_send(req).is_err() {
            app.state.draft.error = Some("the store is busy; try again".into());
            return;
        }
        app.state.draft.saving = true;
        app.state.draft.error = None;
        app.state.draft.status = None;
        let kind = JobKind::SettingsSaved(Box::new(new));
        app.jobs.await_store("settings", kind, acked);
    }
}

impl CourtsideApp {
    /// The store answered the settings write: every changed key stored (these settings), or
    /// none.
    pub(super) fn on_settings_saved(&mut self, saved: Result<AppSettings, String>) {
        self.state.draft.saving = false;
        let settings = match saved {
            Ok(s) => s,
            Err(e) => {
                self.state.draft.error = Some(format!("not saved: {e}"));
                return;
            }
        };
        self.apply_settings(settings);
        self.state.draft.status = Some("Saved and applied.".into());
        self.request(ReadRequest::History);
    }

    fn apply_settings(&mut self, new: AppSettings) {
        let old = std::mem::replace(&mut self.state.settings, new.clone());
        // A hub neither listens for a scoring system nor publishes (see `start`).
        let hub = self.services.hub.is_hub();
        if old.listeners != new.listeners && !hub {
            self.services.ingest.start(&mut shared!(self));
        }
        if old.tournament != new.tournament && !hub {
            self.services.tournament.restart(&mut shared!(self));
        }
        if old.theme != new.theme {
            crate::ui::theme::apply_theme(&self.ctx, new.theme);
        }
        if old.web != new.web || old.listeners != new.listeners {
            // A new listener's court is offered by the pages before its first datagram.
            self.services.web.apply(&new.web, &mut self.state);
        }
        if old.advanced_lock_minutes != new.advanced_lock_minutes {
            self.services.support.apply_lock_time(&self.state.settings);
        }
        if old.store_path != new.store_path {
            self.state.notices.push(
                Level::Info,
                "Store location changed",
                "The new location is used from the next start.",
                "Restart courtside when convenient; the current store stays as it is.",
            );
        }
        self.state.draft = SettingsDraft::from_settings(&self.state.settings);
        self.sync_scoreboard_settings();
        self.follow_current_match();
    }
}
