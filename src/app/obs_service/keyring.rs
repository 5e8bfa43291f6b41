//! OBS connection saves through the vault (system keyring first, the store as a fallback) and
//! what the vault reports back: saved connections, moved passwords, whether a keyring answers.

use super::ObsService;
use crate::model::AppState;
use crate::model::state::Level;
use crate::obs::vault::VaultDone;
use crate::obs::{ObsCommand, ObsConnection};

impl ObsService {
    /// Save a connection from the panel: the vault puts a typed password into the system keyring
    /// (or keeps it in the store where none is reachable), then writes the store.
    pub(super) fn save_connection(&self, conn: ObsConnection, state: &mut AppState) {
        let previous = state
            .obs
            .connections
            .iter()
            .find(|c| c.id == conn.id)
            .and_then(|c| c.keyring.clone());
        let sent = match &self.vault {
            Some(v) => v.save(conn, previous),
            None => Err("OBS control is not running".into()),
        };
        if let Err(e) = sent
            && let Some(d) = &mut state.obs.editing
        {
            d.saving = false;
            d.error = Some(format!("not saved: {e}"));
        }
    }

    /// Apply one vault result.
    pub(super) fn vault_done(&self, done: VaultDone, state: &mut AppState) {
        let view = &mut state.obs;
        match done {
            VaultDone::Keyring(r) => view.keyring = Some(r),
            VaultDone::Saved { id, result: Ok(c) } => {
                view.replace_connection(c);
                if view
                    .editing
                    .as_ref()
                    .is_some_and(|d| d.id.is_none_or(|e| e == id))
                {
                    view.editing = None;
                }
                let all = view.connections.clone();
                self.command(ObsCommand::SetConnections(all), state);
            }
            VaultDone::Saved { result: Err(e), .. } => {
                if let Some(d) = &mut view.editing {
                    d.saving = false;
                    d.error = Some(format!("not saved: {e}"));
                }
            }
            VaultDone::Moved(list) => {
                let n = list.len();
                for c in list {
                    view.replace_connection(c);
                }
                let all = view.connections.clone();
                self.command(ObsCommand::SetConnections(all), state);
                state.notices.push(
                    Level::Info,
                    "OBS passwords moved into the system keyring",
                    &format!(
                        "{n} password(s) kept in the courtside store are now in the system \
                         keyring; the store and its backups hold only a reference"
                    ),
                    "",
                );
            }
        }
    }
}
