//! [`ObsService`]: the OBS parts the app owns (dispatcher worker, automation thread, password
//! vault, their channels), how they stop, and how a command reaches the worker. Starting them
//! and running the panel's commands is in `obs_glue.rs`.

use crate::obs::vault::{Vault, VaultDone};
use crate::obs::{AutomationHandle, ObsCommand, ObsUpdate, ObsWorker};
use crossbeam_channel::Receiver;

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

impl ObsService {
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
