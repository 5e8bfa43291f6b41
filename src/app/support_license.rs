//! The licence in the app: checking the stored key and time mark (on a job thread: the UI
//! thread reads no store), applying a new key and resetting the time mark (store writes whose
//! confirmation the job registry waits for).

use super::jobs_glue::{JobKind, JobOutput};
use super::services::Shared;
use super::support::SupportService;
use crate::license;
use crate::model::state::Level;
use crate::store::Store;
use crate::store::writer::now_ns;
use crossbeam_channel::bounded;

impl SupportService {
    /// Read the stored key and time mark and check them, on a job thread (the UI thread does no
    /// store reads); [`CourtsideApp::license_checked`] shows the outcome.
    pub(super) fn check_license(&mut self, app: &mut Shared<'_>, store: Store) {
        app.jobs
            .spawn("licence check", JobKind::LicenseChecked, move |_| {
                Ok(JobOutput::License(license_report(&store)))
            });
    }

    /// The licence check finished: show its status and its notice.
    pub(super) fn license_checked(
        &mut self,
        app: &mut Shared<'_>,
        outcome: Result<JobOutput, String>,
    ) {
        let report = match outcome {
            Ok(JobOutput::License(r)) => r,
            Ok(_) => return,
            Err(reason) => license::LicenseReport {
                status: license::LicenseStatus::Invalid { reason },
                clock_set_back: None,
            },
        };
        const TITLE: &str = "Licence";
        app.state.notices.items.retain(|n| n.title != TITLE);
        if let Some(n) = license::notice(&report) {
            app.state
                .notices
                .push(Level::Warning, TITLE, &n.cause, &n.action);
        }
        app.state.support.license = Some(report);
    }

    pub(super) fn apply_license(&mut self, app: &mut Shared<'_>, token: crate::logging::Secret) {
        let verified = license::public_key()
            .map_err(|e| e.to_string())
            .and_then(|k| license::verify(token.expose().trim(), &k).map_err(|e| e.to_string()));
        let claims = match verified {
            Ok(c) => c,
            Err(why) => {
                app.state.support.license_message = Some(Err(format!("key not accepted: {why}")));
                return;
            }
        };
        let Some(w) = &app.data.writer else { return };
        let (ack, acked) = bounded(1);
        if w.sender()
            .try_send(license::store_token_request(&token, Some(ack)))
            .is_err()
        {
            app.state.support.license_message = Some(Err("the store is busy; try again".into()));
            return;
        }
        app.state.support.license_message = Some(Ok(format!(
            "key for {} accepted; storing…",
            claims.licensee
        )));
        let kind = JobKind::LicenseStored("licence key stored".into());
        app.jobs.await_store("licence key", kind, acked);
    }

    /// Reset the licence's latest time seen (advanced mode only); the store's answer finishes a
    /// [`JobKind::LicenseStored`] job.
    pub(super) fn reset_license_mark(&mut self, app: &mut Shared<'_>, reason: &str) {
        if !self.advanced_unlocked() {
            app.state.support.license_message = Some(Err(
                "resetting the latest time seen needs advanced mode: unlock it first".into(),
            ));
            return;
        }
        let Some(w) = &app.data.writer else { return };
        let (ack, acked) = bounded(1);
        let req = match license::reset_mark_request(now_ns(), reason, Some(ack)) {
            Ok(r) => r,
            Err(e) => {
                app.state.support.license_message = Some(Err(e.to_string()));
                return;
            }
        };
        if w.sender().try_send(req).is_err() {
            app.state.support.license_message = Some(Err("the store is busy; try again".into()));
            return;
        }
        let kind = JobKind::LicenseStored("latest time seen reset".into());
        app.jobs.await_store("licence mark reset", kind, acked);
    }

    /// A licence write was confirmed (or not).
    pub(super) fn license_stored(&mut self, app: &mut Shared<'_>, r: Result<String, String>) {
        match r {
            Ok(done) => {
                if let Some(store) = app.data.store.clone() {
                    self.check_license(app, store);
                }
                app.state.support.license_message = Some(Ok(done));
            }
            Err(e) => app.state.support.license_message = Some(Err(format!("not stored: {e}"))),
        }
    }
}

/// The licence status from the stored key and time mark (read on a job thread).
fn license_report(store: &Store) -> license::LicenseReport {
    let token = license::stored_token(store).ok().flatten();
    let max_seen = license::stored_max_seen(store).ok().flatten();
    match license::public_key() {
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
    }
}
