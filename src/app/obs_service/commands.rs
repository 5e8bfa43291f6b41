//! The OBS panel's commands: sent to the worker, or written to the store through the writer
//! (the job registry waits for the confirmation and hands it back to [`ObsService::saved`]).

use super::{ObsNotSent, ObsService};
use crate::app::jobs_glue::{AppJobs, JobKind};
use crate::model::AppState;
use crate::model::obs::{ObsCommand as PanelCommand, RulesDraft};
use crate::model::state::Level;
use crate::obs::store as obs_store;
use crate::obs::{ObsCommand, Rule};
use crate::store::{WriteRequest, Writer};
use crossbeam_channel::bounded;

/// A store write the panel waits for (connection saves go through the vault instead); the job
/// registry holds it until the store confirms.
pub(in crate::app) enum PendingKind {
    Delete(u64),
    Rules(Vec<Rule>),
    Paused(bool),
}

/// What the panel's commands reach besides the service: the model, the job registry, the store
/// writer, and whether advanced mode is unlocked (asked only for commands that need it).
pub(in crate::app) struct ObsDeps<'a, U: FnOnce() -> bool> {
    /// The model (the OBS panel, notices).
    pub(in crate::app) state: &'a mut AppState,
    /// The job registry (store confirmations).
    pub(in crate::app) jobs: &'a mut AppJobs,
    /// The store writer, when it runs.
    pub(in crate::app) writer: Option<&'a Writer>,
    /// Whether advanced mode is unlocked now.
    pub(in crate::app) unlocked: U,
}

impl ObsService {
    /// Run one command of the OBS panel or a shortcut.
    pub(in crate::app) fn handle<U: FnOnce() -> bool>(
        &mut self,
        command: PanelCommand,
        deps: ObsDeps<'_, U>,
    ) {
        let ObsDeps {
            state,
            jobs,
            writer,
            unlocked,
        } = deps;
        match command {
            PanelCommand::Run(target, action) => {
                self.command(ObsCommand::operator(target, action), state);
            }
            PanelCommand::Test(conn) => self.command(ObsCommand::Test(conn), state),
            PanelCommand::Reconnect(id) => self.command(ObsCommand::Reconnect(id), state),
            PanelCommand::SaveConnection(conn) => self.save_connection(conn, state),
            PanelCommand::DeleteConnection(id) => {
                let req = |ack| obs_store::delete_connection(id, ack);
                self.write(PendingKind::Delete(id), req, state, jobs, writer);
            }
            PanelCommand::SaveRules(rules) => {
                if !unlocked() {
                    if let Some(d) = &mut state.obs.rules_draft {
                        d.saving = false;
                        d.error = Some(
                            "changing automation rules needs advanced mode: unlock it in System \
                             & support → Advanced"
                                .into(),
                        );
                    }
                    return;
                }
                let kind = PendingKind::Rules(rules.clone());
                let req = |ack| obs_store::save_rules(rules, ack);
                self.write(kind, req, state, jobs, writer);
            }
            PanelCommand::SetPaused(paused) => {
                // Takes effect at once; storing it only makes it survive a restart.
                if let Some(a) = &self.automation {
                    a.set_paused(paused);
                }
                state.obs.paused = paused;
                let req = |ack| obs_store::save_paused(paused, ack);
                self.write(PendingKind::Paused(paused), req, state, jobs, writer);
            }
        }
    }

    /// Send a command to the OBS worker; a notice says why when it cannot be sent.
    pub(in crate::app) fn command(&self, c: ObsCommand, state: &mut AppState) {
        match self.send(c) {
            Ok(()) => {}
            Err(ObsNotSent::NotRunning) => state.notices.push(
                Level::Error,
                "OBS control is not running",
                "the OBS worker did not start",
                "Restart courtside.",
            ),
            Err(ObsNotSent::Busy) => state.notices.push(
                Level::Warning,
                "OBS is busy: the command was not sent",
                "too many OBS commands are waiting",
                "Try again in a moment.",
            ),
        }
    }

    fn write(
        &self,
        kind: PendingKind,
        req: impl FnOnce(obs_store::Ack) -> WriteRequest,
        state: &mut AppState,
        jobs: &mut AppJobs,
        writer: Option<&Writer>,
    ) {
        let (tx, rx) = bounded(1);
        let sent = writer.is_some_and(|w| w.sender().try_send(req(Some(tx))).is_ok());
        if sent {
            let name = match &kind {
                PendingKind::Delete(_) => "OBS connection delete",
                PendingKind::Rules(_) => "OBS rules",
                PendingKind::Paused(_) => "OBS pause",
            };
            jobs.await_store(name, JobKind::Obs(kind), rx);
        } else {
            self.saved(kind, Err("the store is not open or is busy".into()), state);
        }
    }

    /// The store answered a save: apply it (or show why not).
    pub(in crate::app) fn saved(
        &self,
        kind: PendingKind,
        result: Result<(), String>,
        state: &mut AppState,
    ) {
        let view = &mut state.obs;
        match (kind, result) {
            (PendingKind::Delete(id), Ok(())) => {
                let gone = view.connections.iter().find(|c| c.id == id);
                if let Some(r) = gone.and_then(|c| c.keyring.clone())
                    && let Some(v) = &self.vault
                    && let Err(e) = v.forget(r)
                {
                    tracing::info!("OBS: the deleted connection's keyring entry stays: {e}");
                }
                view.connections.retain(|c| c.id != id);
                view.confirm_delete = None;
                let all = view.connections.clone();
                self.command(ObsCommand::SetConnections(all), state);
            }
            (PendingKind::Rules(rules), Ok(())) => {
                view.rules = rules.clone();
                view.rules_draft = Some(RulesDraft::of(&rules));
                let applied = self.automation.as_ref().is_some_and(|a| a.set_rules(rules));
                if !applied {
                    state.notices.push(
                        Level::Warning,
                        "Rules stored but not applied yet",
                        "the automation thread is busy or stopped",
                        "Restart courtside to apply the stored rules.",
                    );
                }
            }
            (PendingKind::Paused(_), Ok(())) => {}
            (PendingKind::Delete(_), Err(e)) => state.notices.push(
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
            (PendingKind::Paused(p), Err(e)) => state.notices.push(
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
