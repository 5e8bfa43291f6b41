//! OBS in the app: [`ObsService`] (the OBS worker on the app's runtime, the automation thread,
//! the vault) and the panel's commands (run through the worker and the store writer, whose
//! confirmations the job registry waits for; the UI thread never waits on either).

use super::CourtsideApp;
use super::jobs_glue::JobKind;
use super::obs_service::{ObsNotSent, ObsService};
use crate::model::obs::{FIRING_LOG_LEN, ObsCommand as PanelCommand, RulesDraft};
use crate::model::state::Level;
use crate::obs::secrets::SystemKeyring;
use crate::obs::store as obs_store;
use crate::obs::vault::Vault;
use crate::obs::{
    Automation, ObsCommand, ObsConnection, ObsUpdate, ObsWorker, ObsWorkerConfig, Rule,
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

/// A store write the panel waits for (connection saves go through the vault instead); the job
/// registry holds it until the store confirms.
pub(super) enum PendingKind {
    Delete(u64),
    Rules(Vec<Rule>),
    Paused(bool),
}

impl CourtsideApp {
    /// The automation thread's and the OBS worker's counters (what automation has seen and
    /// sent, what the worker did with it); `None` when the OBS parts did not start.
    pub fn obs_counters(
        &self,
    ) -> Option<(
        std::sync::Arc<crate::obs::AutomationStats>,
        std::sync::Arc<crate::obs::HubStats>,
    )> {
        let automation = self.obs.automation.as_ref()?.stats();
        Some((automation, self.obs.worker.as_ref()?.stats()))
    }

    /// Load the OBS settings, start the runtime, the worker and the automation thread.
    pub(super) fn start_obs(&mut self, store: &Store, persisted: Receiver<Persisted>) {
        let Some(writer) = self.data.writer.as_ref().map(|w| w.sender()) else {
            return;
        };
        let warn = |s: &mut Self, what: &str, e: &dyn std::fmt::Display| {
            s.state.notices.push(
                Level::Warning,
                &format!("OBS {what} could not be read"),
                &e.to_string(),
                "Check them in the OBS window and save them again.",
            )
        };
        let connections = obs_store::load_connections(store).unwrap_or_else(|e| {
            warn(self, "connections", &e);
            Vec::new()
        });
        let rules = match obs_store::load_rules_checked(store) {
            Ok((rules, problems)) => {
                for p in problems {
                    self.state.notices.push(
                        Level::Warning,
                        "A stored automation rule was changed before use",
                        &p,
                        "Check the rule in OBS → Automation and save the rules again.",
                    );
                }
                rules
            }
            Err(e) => {
                warn(self, "automation rules", &e);
                crate::obs::rules::default_rules()
            }
        };
        let paused = obs_store::load_paused(store).unwrap_or(false);
        let firings = obs_store::load_firings(store, FIRING_LOG_LEN).unwrap_or_default();
        // The live states were just rebuilt for the scoreboard; automation starts from the same.
        let states = self
            .state
            .courts
            .iter()
            .map(|(c, s)| (c.clone(), s.clone()))
            .collect();
        let view = &mut self.state.obs;
        view.connections = connections.clone();
        view.rules = rules.clone();
        view.paused = paused;
        view.firings = firings.into();
        match self.spawn_obs(connections, rules, paused, states, writer, persisted) {
            Ok(()) => self.state.obs.available = true,
            Err(e) => self.state.notices.push(
                Level::Error,
                "OBS control did not start",
                &e.to_string(),
                "Scores are received and stored as usual; restart courtside to control OBS.",
            ),
        }
    }

    fn spawn_obs(
        &mut self,
        connections: Vec<ObsConnection>,
        rules: Vec<Rule>,
        paused: bool,
        states: std::collections::HashMap<String, crate::match_state::MatchState>,
        writer: Sender<WriteRequest>,
        persisted: Receiver<Persisted>,
    ) -> std::io::Result<()> {
        let rt = self.runtime_handle()?;
        let (tx, rx) = bounded(UPDATE_CAPACITY);
        let ctx = self.ctx.clone();
        let connections_now = connections.clone();
        let worker = ObsWorker::spawn(
            rt,
            ObsWorkerConfig {
                connections,
                updates: tx,
                repaint: Box::new(move || ctx.request_repaint()),
                store_writer: Some(writer.clone()),
            },
        )?;
        let (done_tx, done_rx) = bounded(VAULT_CAPACITY);
        let ctx = self.ctx.clone();
        let vault = Vault::spawn(
            Arc::new(SystemKeyring),
            writer,
            done_tx,
            Box::new(move || ctx.request_repaint()),
        )?;
        // Probes the system keyring (the Connections tab says where each password is) and moves
        // passwords an older courtside or a keyring-less start left in the store.
        if let Err(e) = vault.move_stored(connections_now) {
            // The vault thread is gone: passwords stay where they are (still usable), and the
            // Connections tab shows where each one is.
            tracing::warn!("OBS passwords not moved to the system keyring: {e}");
        }
        let automation = Automation::new(rules, paused, worker.commands())
            .with_states(states)
            .spawn(persisted)?;
        self.obs = ObsService {
            automation: Some(automation),
            worker: Some(worker),
            updates: Some(rx),
            vault: Some(vault),
            vault_done: Some(done_rx),
        };
        Ok(())
    }

    /// Take the worker's updates and the store's answers to the panel's saves.
    pub(super) fn poll_obs(&mut self) {
        if let Some(rx) = self.obs.updates.clone() {
            for u in rx.try_iter().take(UPDATES_PER_FRAME) {
                self.absorb_obs(u);
            }
            if !rx.is_empty() {
                self.ctx.request_repaint();
            }
        }
        if let Some(rx) = self.obs.vault_done.clone() {
            for d in rx.try_iter() {
                self.vault_done(d);
            }
        }
        // Countdowns ("reconnecting in 4 s") and recording time tick once a second.
        let ticking = self.state.obs.statuses.iter().any(|s| {
            matches!(s.link, crate::obs::LinkState::Waiting { .. })
                || s.recording.phase.is_on()
                || s.streaming.phase.is_on()
        });
        if ticking {
            self.ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn absorb_obs(&mut self, u: ObsUpdate) {
        let view = &mut self.state.obs;
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
                    (Ok(detail), false) => self.state.notices.push(
                        Level::Info,
                        &format!("{who}: {} — done", n.what),
                        detail,
                        "",
                    ),
                    (Err(why), auto) => self.state.notices.push(
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

    /// Run one command of the OBS panel or a shortcut.
    pub(super) fn handle_obs(&mut self, command: PanelCommand) {
        match command {
            PanelCommand::Run(target, action) => {
                self.obs_command(ObsCommand::operator(target, action));
            }
            PanelCommand::Test(conn) => self.obs_command(ObsCommand::Test(conn)),
            PanelCommand::Reconnect(id) => self.obs_command(ObsCommand::Reconnect(id)),
            PanelCommand::SaveConnection(conn) => self.save_connection(conn),
            PanelCommand::DeleteConnection(id) => {
                self.obs_write(PendingKind::Delete(id), |ack| {
                    obs_store::delete_connection(id, ack)
                });
            }
            PanelCommand::SaveRules(_) if !self.advanced_unlocked() => {
                if let Some(d) = &mut self.state.obs.rules_draft {
                    d.saving = false;
                    d.error = Some(
                        "changing automation rules needs advanced mode: unlock it in System & \
                         support → Advanced"
                            .into(),
                    );
                }
            }
            PanelCommand::SaveRules(rules) => {
                let kind = PendingKind::Rules(rules.clone());
                self.obs_write(kind, |ack| obs_store::save_rules(rules, ack));
            }
            PanelCommand::SetPaused(paused) => {
                // Takes effect at once; storing it only makes it survive a restart.
                if let Some(a) = &self.obs.automation {
                    a.set_paused(paused);
                }
                self.state.obs.paused = paused;
                self.obs_write(PendingKind::Paused(paused), |ack| {
                    obs_store::save_paused(paused, ack)
                });
            }
        }
    }

    /// Send a command to the OBS worker; a notice says why when it cannot be sent.
    pub(super) fn obs_command(&mut self, c: ObsCommand) {
        match self.obs.send(c) {
            Ok(()) => {}
            Err(ObsNotSent::NotRunning) => self.state.notices.push(
                Level::Error,
                "OBS control is not running",
                "the OBS worker did not start",
                "Restart courtside.",
            ),
            Err(ObsNotSent::Busy) => self.state.notices.push(
                Level::Warning,
                "OBS is busy: the command was not sent",
                "too many OBS commands are waiting",
                "Try again in a moment.",
            ),
        }
    }

    fn obs_write(&mut self, kind: PendingKind, req: impl FnOnce(obs_store::Ack) -> WriteRequest) {
        let (tx, rx) = bounded(1);
        let sent = self
            .data
            .writer
            .as_ref()
            .is_some_and(|w| w.sender().try_send(req(Some(tx))).is_ok());
        if sent {
            let name = match &kind {
                PendingKind::Delete(_) => "OBS connection delete",
                PendingKind::Rules(_) => "OBS rules",
                PendingKind::Paused(_) => "OBS pause",
            };
            self.jobs.await_store(name, JobKind::Obs(kind), rx);
        } else {
            self.obs_saved(kind, Err("the store is not open or is busy".into()));
        }
    }

    /// The store answered a save: apply it (or show why not).
    pub(super) fn obs_saved(&mut self, kind: PendingKind, result: Result<(), String>) {
        let view = &mut self.state.obs;
        match (kind, result) {
            (PendingKind::Delete(id), Ok(())) => {
                let gone = view.connections.iter().find(|c| c.id == id);
                if let Some(r) = gone.and_then(|c| c.keyring.clone())
                    && let Some(v) = &self.obs.vault
                    && let Err(e) = v.forget(r)
                {
                    tracing::info!("OBS: the deleted connection's keyring entry stays: {e}");
                }
                view.connections.retain(|c| c.id != id);
                view.confirm_delete = None;
                let all = view.connections.clone();
                self.obs_command(ObsCommand::SetConnections(all));
            }
            (PendingKind::Rules(rules), Ok(())) => {
                view.rules = rules.clone();
                view.rules_draft = Some(RulesDraft::of(&rules));
                let applied = self
                    .obs
                    .automation
                    .as_ref()
                    .is_some_and(|a| a.set_rules(rules));
                if !applied {
                    self.state.notices.push(
                        Level::Warning,
                        "Rules stored but not applied yet",
                        "the automation thread is busy or stopped",
                        "Restart courtside to apply the stored rules.",
                    );
                }
            }
            (PendingKind::Paused(_), Ok(())) => {}
            (PendingKind::Delete(_), Err(e)) => self.state.notices.push(
                Level::Error,
                "OBS connection not deleted",
                &e,
                "Try again; the connection is unchanged.",
            ),
            (PendingKind::Rules(_), Err(e)) => {
                if let Some(d) = &mut view.rules_draft {
                    d.saving = false;
                    d.error = Some(format!("not saved: {e}"));
                }
            }
            (PendingKind::Paused(p), Err(e)) => self.state.notices.push(
                Level::Warning,
                if p {
                    "Automation paused, but the pause was not stored"
                } else {
                    "Automation resumed, but this was not stored"
                },
                &e,
                "It applies now; after a restart the stored setting applies again.",
            ),
        }
    }
}
