//! The hub service (issue 17, `courtside hub` with a window): runs the tournament hub
//! ([`crate::tournament::HubService`]) on the app's one tokio runtime, fed by the store writer's
//! durable subscription (the one a court's publisher takes: a hub publishes nothing), and
//! copies its status into `model::hub` when it changes. What the Tournament window shows from
//! the store — the chosen court's records, the finished matches — and the results export are
//! read and written by jobs of the app's registry, never on the UI thread.

use super::jobs_glue::{JobKind, JobOutput};
use super::services::Shared;
use crate::export::ExportFormat;
use crate::model::hub::{EVENTS_PAGE, EventsWanted, HubCommand};
use crate::model::state::Level;
use crate::model::support::TaskState;
use crate::store::writer::Persisted;
use crate::store::{EventRecord, Store, WriteRequest};
use crate::tournament::results::{self, MatchResult};
use crate::tournament::{HubConfig, HubService, HubStatus, Link};
use crossbeam_channel::{Receiver, Sender};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the window's "3 s ago" ages are redrawn while it is open.
const AGE_REFRESH: Duration = Duration::from_secs(1);

/// What starting the hub needs once the store and its writer run.
pub(super) struct HubStart {
    /// The hub's store.
    pub(super) store: Store,
    /// Its writer's queue (the hub stores every court's datagrams through it).
    pub(super) writer: Sender<WriteRequest>,
    /// The writer's durable subscription (each court's live view follows it).
    pub(super) durable: Receiver<Persisted>,
    /// The app's runtime.
    pub(super) runtime: std::io::Result<tokio::runtime::Handle>,
}

/// The jobs of the Tournament window.
pub(super) enum HubJob {
    /// A page of the chosen court's records.
    Events(EventsWanted),
    /// The finished matches.
    Results,
    /// The results written to a file.
    Export,
}

/// What those jobs read.
pub(super) enum HubRead {
    /// Records of the chosen court's match.
    Events(Vec<EventRecord>),
    /// Finished matches.
    Results(Vec<MatchResult>),
}

/// The app's hub: its configuration (given on the command line), the running hub, and the
/// reads in flight.
#[derive(Default)]
pub(super) struct HubAppService {
    config: Option<HubConfig>,
    hub: Option<HubService>,
    store: Option<Store>,
    /// Set by the hub's waker: its status changed.
    changed: Arc<AtomicBool>,
    /// The refusal of the credentials was told (reset by a connection).
    refusal_told: bool,
    /// A records read in flight.
    events_reading: bool,
    /// A results read in flight; `results_again`: something finished meanwhile.
    results_reading: bool,
    results_again: bool,
    /// Each court's match and whether it is over, when the results were last read.
    results_for: Vec<(String, u64, bool)>,
}

impl HubAppService {
    /// Run as a hub with `config` (before `start`).
    pub(super) fn configure(&mut self, config: HubConfig) {
        self.config = Some(config);
    }

    /// Whether this app is a hub (the court publisher then does not run).
    pub(super) fn is_hub(&self) -> bool {
        self.config.is_some()
    }

    /// Start the hub on the store's writer; its status shows in the Tournament window.
    pub(super) fn start(&mut self, start: HubStart, app: &mut Shared<'_>) {
        let Some(config) = self.config.clone() else {
            return;
        };
        app.state.hub.status = Some(HubStatus::default());
        let runtime = match start.runtime {
            Ok(rt) => rt,
            Err(e) => {
                let cause = format!("no async runtime: {e}");
                app.state.notices.push(
                    Level::Error,
                    "Tournament hub did not start",
                    &cause,
                    "Restart courtside hub.",
                );
                app.state.hub.status = Some(HubStatus {
                    link: Link::Misconfigured { cause },
                    ..HubStatus::default()
                });
                return;
            }
        };
        let (changed, ctx) = (self.changed.clone(), app.ctx.clone());
        let waker: crate::store::writer::Waker = Arc::new(move || {
            changed.store(true, Ordering::Release);
            // Merge a burst of batches into one frame.
            ctx.request_repaint_after(Duration::from_millis(10));
        });
        let hub = HubService::spawn(
            config,
            &runtime,
            start.store.clone(),
            start.writer,
            start.durable,
            Some(waker),
        );
        app.state.hub.status = Some(hub.status());
        self.hub = Some(hub);
        self.store = Some(start.store);
        self.read_results(app);
    }

    /// Each frame: the hub's status when it changed, the reads it calls for, the ages' refresh.
    pub(super) fn poll(&mut self, app: &mut Shared<'_>) {
        let Some(hub) = &self.hub else { return };
        if self.changed.swap(false, Ordering::AcqRel) {
            let status = hub.status();
            self.follow(&status.link, app);
            app.state.hub.status = Some(status);
        }
        self.read_events(app);
        if self.results_changed(app) {
            self.read_results(app);
        }
        let courts = app
            .state
            .hub
            .status
            .as_ref()
            .is_some_and(|s| !s.courts.is_empty());
        if app.state.prefs.show_tournament && courts {
            app.ctx.request_repaint_after(AGE_REFRESH);
        }
    }

    /// One notice when the server refuses the hub's credentials, not one per retry.
    fn follow(&mut self, link: &Link, app: &mut Shared<'_>) {
        match link {
            Link::WrongCredentials { cause, advice } if !self.refusal_told => {
                self.refusal_told = true;
                app.state.notices.push(
                    Level::Error,
                    "Tournament server refused the hub's credentials",
                    cause,
                    &format!(
                        "{advice}, then start courtside hub again. Courts keep their datagrams \
                         until the hub reads them."
                    ),
                );
            }
            Link::Connected => self.refusal_told = false,
            _ => {}
        }
    }

    /// Run a command of the Tournament window.
    pub(super) fn handle(&mut self, c: HubCommand, app: &mut Shared<'_>) {
        match c {
            HubCommand::SelectCourt(court) => {
                app.state.hub.selected = court;
                self.read_events(app);
            }
            HubCommand::ReloadResults => self.read_results(app),
            HubCommand::ExportResults { format, path } => self.export(format, path, app),
        }
    }

    /// Read what the chosen court has that the window does not (one read at a time).
    fn read_events(&mut self, app: &mut Shared<'_>) {
        if self.events_reading {
            return;
        }
        let hub = &app.state.hub;
        let (Some(court), Some(status), Some(store)) = (&hub.selected, &hub.status, &self.store)
        else {
            return;
        };
        let Some(view) = status.courts.get(court) else {
            return;
        };
        let Some(wanted) = hub.events.wanted(court, view) else {
            return;
        };
        let store = store.clone();
        let (key, from) = (wanted.match_key, wanted.from_seq);
        self.events_reading = true;
        app.jobs.spawn(
            "tournament court records",
            JobKind::Hub(HubJob::Events(wanted)),
            move |_| {
                store
                    .match_events_page(key, from, EVENTS_PAGE)
                    .map(|page| JobOutput::Hub(HubRead::Events(page)))
                    .map_err(|e| e.to_string())
            },
        );
    }

    /// Whether a court's match changed or ended since the results were read.
    fn results_changed(&mut self, app: &Shared<'_>) -> bool {
        let Some(status) = &app.state.hub.status else {
            return false;
        };
        let now: Vec<(String, u64, bool)> = status
            .courts
            .values()
            .map(|v| {
                let over = v.state.winner.is_some() || v.state.tie || v.state.decision.is_some();
                (v.court.clone(), v.match_key, over)
            })
            .collect();
        if now == self.results_for {
            return false;
        }
        self.results_for = now;
        true
    }

    /// Read the finished matches (again once the read in flight is done).
    fn read_results(&mut self, app: &mut Shared<'_>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        if self.results_reading {
            self.results_again = true;
            return;
        }
        self.results_reading = true;
        app.jobs.spawn(
            "tournament results",
            JobKind::Hub(HubJob::Results),
            move |_| {
                results::finished_matches(&store)
                    .map(|r| JobOutput::Hub(HubRead::Results(r)))
                    .map_err(|e| e.to_string())
            },
        );
    }

    /// Write the finished matches as `courtside results` does, to `path` or a file chosen in a
    /// save dialog (on the job's thread: the dialog blocks it, not the UI).
    fn export(&mut self, format: ExportFormat, path: Option<PathBuf>, app: &mut Shared<'_>) {
        let Some(store) = self.store.clone() else {
            return;
        };
        if app.state.hub.exporting.is_some() {
            return;
        }
        let what = format!("Results export ({})", format.extension().to_uppercase());
        app.state.hub.exporting = Some(what.clone());
        app.state
            .support
            .task(&what, TaskState::Running(String::new()));
        app.jobs
            .spawn(&what, JobKind::Hub(HubJob::Export), move |progress| {
                progress.set("reading the finished matches");
                let list = results::finished_matches(&store).map_err(|e| e.to_string())?;
                let name = super::hub_export::results_file_name(format);
                super::support_jobs::with_path(path, &name, format.extension(), |p| {
                    progress.set(format!("writing {}", p.display()));
                    super::hub_export::write_results(&list, format, p).map(|()| {
                        format!("{} finished matches written to {}", list.len(), p.display())
                    })
                })
                .map(JobOutput::Text)
            });
    }

    /// A job of the window finished.
    pub(super) fn job_done(
        &mut self,
        job: HubJob,
        what: &str,
        outcome: Result<JobOutput, String>,
        app: &mut Shared<'_>,
    ) {
        match job {
            HubJob::Events(wanted) => {
                self.events_reading = false;
                match outcome {
                    Ok(JobOutput::Hub(HubRead::Events(page))) => {
                        app.state.hub.events.take(&wanted, page);
                    }
                    Ok(_) => {}
                    Err(e) => app.state.hub.events.error = Some(e),
                }
                self.read_events(app);
            }
            HubJob::Results => {
                self.results_reading = false;
                let list = &mut app.state.hub.results;
                list.loaded = true;
                match outcome {
                    Ok(JobOutput::Hub(HubRead::Results(r))) => {
                        list.items = r;
                        list.error = None;
                    }
                    Ok(_) => {}
                    Err(e) => list.error = Some(e),
                }
                if std::mem::take(&mut self.results_again) {
                    self.read_results(app);
                }
            }
            HubJob::Export => self.exported(what, outcome, app),
        }
    }

    fn exported(&mut self, what: &str, outcome: Result<JobOutput, String>, app: &mut Shared<'_>) {
        app.state.hub.exporting = None;
        let outcome = outcome.map(|o| match o {
            JobOutput::Text(t) => t,
            _ => String::new(),
        });
        match &outcome {
            Ok(done) => {
                app.state
                    .notices
                    .push(Level::Info, &format!("{what} done"), done, "");
                app.state.support.task(what, TaskState::Done(done.clone()));
            }
            Err(e) if e.starts_with("cancelled") => {
                app.state.support.task(what, TaskState::Failed(e.clone()));
            }
            Err(e) => {
                app.state.notices.push(
                    Level::Error,
                    &format!("{what} failed"),
                    e,
                    "Choose a folder you can write to (and a disk with free space), then export \
                     again; the hub's store is unchanged.",
                );
                app.state.support.task(what, TaskState::Failed(e.clone()));
            }
        }
        app.state.hub.last_export = Some(outcome);
    }

    /// Stop the hub (before the writer: it stores through it).
    pub(super) fn stop(&mut self) {
        self.hub = None;
    }
}
