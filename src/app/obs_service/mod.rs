//! [`ObsService`]: the OBS parts the app owns (dispatcher worker on the app's runtime, automation
//! thread, password vault, their channels): starting them, taking their updates each frame,
//! running the panel's commands (`commands.rs`, through the worker and the store writer, whose
//! confirmations the job registry waits for) and connection saves through the vault
//! (`keyring.rs`), and how they stop. The UI thread never waits on any of them.

mod commands;
mod keyring;

pub(super) use commands::{ObsDeps, PendingKind};

use crate::model::AppState;
use crate::model::obs::FIRING_LOG_LEN;
use crate::model::state::Level;
use crate::obs::secrets::SystemKeyring;
use crate::obs::store as obs_store;
use crate::obs::vault::{Vault, VaultDone};
use crate::obs::{
    Automation, AutomationHandle, ObsCommand, ObsConnection, ObsUpdate, ObsWorker, ObsWorkerConfig,
    Rule,
};
use crate::store::writer::Persisted;
use crate::store::{Store, WriteRequest};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::Arc;
use std::time::Duration;

/// Updates the worker may queue before the UI drains them.
const UPDATE_CAPACITY: usize = 1024;
/// Most updates handled per frame (the rest wait for the next one).
const UPDATES_PER_FRAME: usize = 512;
/// Vault results the app may have waiting.
const VAULT_CAPACITY: usize = 64;

/// The OBS service: the dispatcher worker (sessions on the app's runtime), the automation
/// thread, the password vault, and the channels they answer on; stopped in
/// [`ObsService::stop`]'s order.
#[derive(Default)]
pub(super) struct ObsService {
    /// The automation thread.
    pub(super) automation: Option<AutomationHandle>,
    /// The dispatcher (sessions run on the app's runtime).
    pub(super) worker: Option<ObsWorker>,
    /// Statuses, firings and notices from the worker.
    pub(super) updates: Option<Receiver<ObsUpdate>>,
    /// The password vault (system keyring).
    pub(super) vault: Option<Vault>,
    /// The vault's answers.
    pub(super) vault_done: Option<Receiver<VaultDone>>,
}

/// Why a command did not reach the OBS worker.
pub(super) enum ObsNotSent {
    /// The worker did not start.
    NotRunning,
    /// Its command queue is full.
    Busy,
}

/// What starting OBS control needs from the app: the store (settings), the writer's sender, the
/// display channel automation follows, and the shared runtime (or why it did not start).
pub(super) struct ObsStart<'a> {
    /// The open store.
    pub(super) store: &'a Store,
    /// The store writer's queue.
    pub(super) writer: Sender<WriteRequest>,
    /// Records as the writer hands them to the display (automation's early subscriber).
    pub(super) persisted: Receiver<Persisted>,
    /// The app's runtime.
    pub(super) runtime: std::io::Result<tokio::runtime::Handle>,
    /// Where automation sends the review actions (the review service's channel).
    pub(super) review_calls: Sender<crate::obs::ReviewCall>,
}

impl ObsService {
    /// The automation thread's and the OBS worker's counters (what automation has seen and
    /// sent, what the worker did with it); `None` when the OBS parts did not start.
    pub(super) fn counters(
        &self,
    ) -> Option<(Arc<crate::obs::AutomationStats>, Arc<crate::obs::HubStats>)> {
        let automation = self.automation.as_ref()?.stats();
        Some((automation, self.worker.as_ref()?.stats()))
    }

    /// Load the OBS settings into the panel's model, start the worker, the vault and the
    /// automation thread; a notice says why when they could not start.
    pub(super) fn start(&mut self, start: ObsStart<'_>, state: &mut AppState, ctx: &egui::Context) {
        let ObsStart {
            store,
            writer,
            persisted,
            runtime,
            review_calls,
        } = start;
        let (connections, rules, paused) = load_settings(store, state, &writer);
        let firings = obs_store::load_firings(store, FIRING_LOG_LEN).unwrap_or_default();
        // The live states were just rebuilt for the scoreboard; automation starts from the same.
        let states = state
            .courts
            .iter()
            .map(|(c, s)| (c.clone(), s.clone()))
            .collect();
        let view = &mut state.obs;
        view.connections = connections.clone();
        view.rules = rules.clone();
        view.paused = paused;
        view.firings = firings.into();
        let spawned = runtime.and_then(|rt| {
            self.spawn(
                rt,
                ctx,
                Settings {
                    connections,
                    rules,
                    paused,
                },
                states,
                writer,
                (persisted, review_calls),
            )
        });
        match spawned {
            Ok(()) => state.obs.available = true,
            Err(e) => state.notices.push(
                Level::Error,
                "OBS control did not start",
                &e.to_string(),
                "Scores are received and stored as usual; restart courtside to control OBS.",
            ),
        }
    }

    fn spawn(
        &mut self,
        rt: tokio::runtime::Handle,
        ctx: &egui::Context,
        settings: Settings,
        states: std::collections::HashMap<String, crate::match_state::MatchState>,
        writer: Sender<WriteRequest>,
        (persisted, review_calls): (Receiver<Persisted>, Sender<crate::obs::ReviewCall>),
    ) -> std::io::Result<()> {
        let (tx, rx) = bounded(UPDATE_CAPACITY);
        let repaint = ctx.clone();
        let connections_now = settings.connections.clone();
        let worker = ObsWorker::spawn(
            rt,
            ObsWorkerConfig {
                connections: settings.connections,
                updates: tx,
                repaint: Box::new(move || repaint.request_repaint()),
                store_writer: Some(writer.clone()),
            },
        )?;
        let (done_tx, done_rx) = bounded(VAULT_CAPACITY);
        let repaint = ctx.clone();
        let vault = Vault::spawn(
            Arc::new(SystemKeyring),
            writer,
            done_tx,
            Box::new(move || repaint.request_repaint()),
        )?;
        // Probes the system keyring (the Connections tab says where each password is) and moves
        // passwords an older courtside or a keyring-less start left in the store.
        if let Err(e) = vault.move_stored(connections_now) {
            // The vault thread is gone: passwords stay where they are (still usable), and the
            // Connections tab shows where each one is.
            tracing::warn!("OBS passwords not moved to the system keyring: {e}");
        }
        let wake = ctx.clone();
        let review = crate::obs::ReviewRoute {
            calls: review_calls,
            wake: Box::new(move || wake.request_repaint()),
        };
        let automation = Automation::new(settings.rules, settings.paused, worker.commands())
            .with_states(states)
            .with_review(review)
            .spawn(persisted)?;
        *self = ObsService {
            automation: Some(automation),
            worker: Some(worker),
            updates: Some(rx),
            vault: Some(vault),
            vault_done: Some(done_rx),
        };
        Ok(())
    }

    /// Take the worker's updates and the vault's answers into the model.
    pub(super) fn poll(&mut self, state: &mut AppState, ctx: &egui::Context) {
        if let Some(rx) = self.updates.clone() {
            for u in rx.try_iter().take(UPDATES_PER_FRAME) {
                absorb(u, state);
            }
            if !rx.is_empty() {
                ctx.request_repaint();
            }
        }
        if let Some(rx) = self.vault_done.clone() {
            for d in rx.try_iter() {
                self.vault_done(d, state);
            }
        }
        // Countdowns ("reconnecting in 4 s") and recording time tick once a second.
        let ticking = state.obs.statuses.iter().any(|s| {
            matches!(s.link, crate::obs::LinkState::Waiting { .. })
                || s.recording.phase.is_on()
                || s.streaming.phase.is_on()
        });
        if ticking {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    /// Stop automation first (no new actions), then the vault, then the worker (closes the
    /// connections; pending delayed actions are logged as not run). The app's runtime stops
    /// after every service.
    pub(super) fn stop(&mut self) {
        let parts = std::mem::take(self);
        if let Some(a) = parts.automation {
            a.stop();
        }
        if let Some(v) = parts.vault {
            v.shutdown();
        }
        if let Some(w) = parts.worker {
            w.shutdown();
        }
    }

    /// Queue a command for the worker without waiting.
    pub(super) fn send(&self, c: ObsCommand) -> Result<(), ObsNotSent> {
        let w = self.worker.as_ref().ok_or(ObsNotSent::NotRunning)?;
        w.commands().try_send(c).map_err(|_| ObsNotSent::Busy)
    }
}

/// The stored OBS settings automation and the worker start from.
struct Settings {
    connections: Vec<ObsConnection>,
    rules: Vec<Rule>,
    paused: bool,
}

/// Read the stored connections, rules and pause; what cannot be read becomes a notice and a
/// default (no connections, the default rules, not paused).
fn load_settings(
    store: &Store,
    state: &mut AppState,
    writer: &Sender<WriteRequest>,
) -> (Vec<ObsConnection>, Vec<Rule>, bool) {
    let warn = |state: &mut AppState, what: &str, e: &dyn std::fmt::Display| {
        state.notices.push(
            Level::Warning,
            &format!("OBS {what} could not be read"),
            &e.to_string(),
            "Check them in the OBS window and save them again.",
        )
    };
    let connections = obs_store::load_connections(store).unwrap_or_else(|e| {
        warn(state, "connections", &e);
        Vec::new()
    });
    let rules = match obs_store::load_rules_for_start(store) {
        Ok(start) => {
            for p in start.problems {
                state.notices.push(
                    Level::Warning,
                    "A stored automation rule was changed before use",
                    &p,
                    "Check the rule in OBS → Automation and save the rules again.",
                );
            }
            if !start.migrated.is_empty() {
                migrated(&start.rules, &start.migrated, writer, state);
            }
            start.rules
        }
        Err(e) => {
            warn(state, "automation rules", &e);
            crate::obs::rules::default_rules()
        }
    };
    let paused = obs_store::load_paused(store).unwrap_or(false);
    (connections, rules, paused)
}

/// A rule set stored before the review actions was updated for them: store it (once) and say
/// what changed.
fn migrated(
    rules: &[Rule],
    changes: &[String],
    writer: &Sender<WriteRequest>,
    state: &mut AppState,
) {
    let stored = writer
        .try_send(obs_store::save_rules(rules.to_vec(), None))
        .is_ok();
    let next = if stored {
        "Nothing to do; change them in OBS → Automation if the venue works otherwise."
    } else {
        "The store was busy: the update applies now and is made again at the next start."
    };
    state.notices.push(
        Level::Info,
        "Automation rules updated for video review",
        &changes.join("; "),
        next,
    );
}

/// One worker update into the panel's model (and a notice where the operator should see it).
fn absorb(u: ObsUpdate, state: &mut AppState) {
    let view = &mut state.obs;
    match u {
        ObsUpdate::Status(s) => view.set_status(*s),
        ObsUpdate::Removed(id) => view.statuses.retain(|s| s.connection_id != id),
        ObsUpdate::Firing(f) => view.push_firing(*f),
        ObsUpdate::Notice(n) => {
            if n.what == "test connection" {
                view.test_results.retain(|(c, _)| c != &n.connection);
                view.test_results
                    .push((n.connection.clone(), n.result.clone()));
            }
            let who = if n.connection.is_empty() {
                "OBS".to_string()
            } else {
                format!("OBS '{}'", n.connection)
            };
            match (&n.result, n.automation) {
                // Automation successes are in the log; a notice each would drown the rest.
                (Ok(_), true) => {}
                (Ok(detail), false) => state.notices.push(
                    Level::Info,
                    &format!("{who}: {} — done", n.what),
                    detail,
                    "",
                ),
                (Err(why), auto) => state.notices.push(
                    if auto { Level::Warning } else { Level::Error },
                    &format!(
                        "{who}: {}{} failed",
                        if auto { "automation: " } else { "" },
                        n.what
                    ),
                    why,
                    "Check OBS and the connection in the OBS window; the automation log \
                     lists every action.",
                ),
            }
        }
    }
}
