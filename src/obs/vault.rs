//! The vault: a named thread that saves OBS connections with their passwords in the system
//! credential store ([`super::secrets`]) and only a reference in the courtside store, falls back
//! to the courtside store where no credential store is reachable, and moves passwords kept there
//! into the credential store once it is reachable.
//!
//! It exists because every credential-store call may block (D-Bus, a keychain prompt) and the UI
//! thread must not, nor should the store writer (it commits the PSS events). Order of a save:
//! password into the credential store under a fresh account → connection into the courtside store
//! (through the writer, acknowledged) → the old entry deleted. A failed store write deletes the
//! new entry instead, so the stored connection always points at an entry that exists.

use super::config::{KeyringRef, ObsConnection, Password};
use super::hub::Repaint;
use super::secrets::{self, CredentialStore};
use super::store::save_connection;
use crate::store::WriteRequest;
use crate::worker::WorkerThread;
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::Arc;
use std::time::Duration;

/// Requests the vault may queue.
const QUEUE: usize = 32;
/// Longest wait for the store writer to take and answer a save.
const WRITER_WAIT: Duration = Duration::from_secs(30);
/// How long shutdown waits for a credential-store call in progress (a keychain prompt may wait
/// for a person; the thread is then left to finish on its own).
const JOIN_WAIT: Duration = Duration::from_secs(2);

/// What the vault reports to the app.
#[derive(Debug)]
pub enum VaultDone {
    /// A connection was saved (as now stored: password in the credential store or, as a
    /// fallback, in the courtside store), or why not.
    Saved {
        /// The connection's id.
        id: u64,
        /// The stored connection, or why the save failed.
        result: Result<ObsConnection, String>,
    },
    /// Passwords kept in the courtside store were moved into the credential store: the
    /// connections as now stored.
    Moved(Vec<ObsConnection>),
    /// Whether the credential store answered at the last attempt (the reason when not).
    Keyring(Result<(), String>),
}

enum Request {
    Save {
        conn: ObsConnection,
        previous: Option<KeyringRef>,
    },
    Forget(KeyringRef),
    MoveStored(Vec<ObsConnection>),
}

/// Handle to the vault thread.
pub struct Vault {
    tx: Option<Sender<Request>>,
    thread: WorkerThread,
}

struct Inner {
    creds: Arc<dyn CredentialStore>,
    writer: Sender<WriteRequest>,
    done: Sender<VaultDone>,
    wake: Repaint,
}

impl Vault {
    /// Start the thread. Results go to `done`, each followed by `wake`.
    pub fn spawn(
        creds: Arc<dyn CredentialStore>,
        writer: Sender<WriteRequest>,
        done: Sender<VaultDone>,
        wake: Repaint,
    ) -> std::io::Result<Vault> {
        let (tx, rx) = bounded(QUEUE);
        let inner = Inner {
            creds,
            writer,
            done,
            wake,
        };
        // The thread ends when its queue disconnects (`halt` drops `tx` first), so it needs no
        // stop signal of its own.
        let thread = WorkerThread::spawn("obs-vault", move |_stop| inner.run(rx))?;
        Ok(Vault {
            tx: Some(tx),
            thread,
        })
    }

    fn send(&self, r: Request) -> Result<(), String> {
        let tx = self.tx.as_ref().ok_or("the vault is stopping")?;
        tx.try_send(r)
            .map_err(|_| "the password store is busy; try again in a moment".to_string())
    }

    /// Save `conn` (a password in `conn.password` goes to the credential store). `previous` is the
    /// reference the stored connection had, deleted once the new one is stored.
    pub fn save(&self, conn: ObsConnection, previous: Option<KeyringRef>) -> Result<(), String> {
        self.send(Request::Save { conn, previous })
    }

    /// Delete a credential-store entry (its connection was deleted).
    pub fn forget(&self, r: KeyringRef) -> Result<(), String> {
        self.send(Request::Forget(r))
    }

    /// Probe the credential store and, when it answers, move the passwords of `connections` that
    /// are kept in the courtside store into it (each logged once, without the secret).
    pub fn move_stored(&self, connections: Vec<ObsConnection>) -> Result<(), String> {
        self.send(Request::MoveStored(connections))
    }

    /// Stop taking requests, finish the current one and join (bounded, see [`JOIN_WAIT`]).
    pub fn shutdown(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        // Already halted (shutdown, then drop): nothing more to wait for.
        if self.tx.take().is_none() {
            return;
        }
        if !self.thread.stop_within(JOIN_WAIT) {
            tracing::warn!("OBS vault: a system keyring call is still waiting; not joined");
        }
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        self.halt();
    }
}

impl Inner {
    fn run(self, rx: Receiver<Request>) {
        for r in rx {
            match r {
                Request::Save { conn, previous } => {
                    let id = conn.id;
                    let result = self.save(conn, previous);
                    self.report(VaultDone::Saved { id, result });
                }
                Request::Forget(r) => self.forget(&r),
                Request::MoveStored(list) => self.move_stored(list),
            }
        }
    }

    fn report(&self, d: VaultDone) {
        // The app drains this every frame; a full channel means it is gone or wedged.
        if self.done.try_send(d).is_err() {
            tracing::warn!("OBS vault: the app did not take a result");
        }
        (self.wake)();
    }

    fn save(
        &self,
        mut conn: ObsConnection,
        previous: Option<KeyringRef>,
    ) -> Result<ObsConnection, String> {
        let mut created = None;
        if !conn.password.is_empty() {
            let account = secrets::new_account(conn.id);
            match self.creds.set(&account.0, &conn.password) {
                Ok(()) => {
                    conn.keyring = Some(account.clone());
                    conn.password = Password::default();
                    created = Some(account);
                    self.report(VaultDone::Keyring(Ok(())));
                }
                Err(e) => {
                    tracing::warn!(
                        "OBS connection '{}': {e}; its password is kept in the courtside store",
                        conn.name
                    );
                    conn.keyring = None;
                    self.report(VaultDone::Keyring(Err(e.to_string())));
                }
            }
        }
        match self.store(conn.clone()) {
            Ok(()) => {
                if let Some(p) = previous.filter(|p| conn.keyring.as_ref() != Some(p)) {
                    self.forget(&p);
                }
                Ok(conn)
            }
            Err(e) => {
                if let Some(c) = created {
                    self.forget(&c);
                }
                Err(e)
            }
        }
    }

    /// Write through the store writer and wait for its answer.
    fn store(&self, conn: ObsConnection) -> Result<(), String> {
        let (ack, acked) = bounded(1);
        self.writer
            .send_timeout(save_connection(conn, Some(ack)), WRITER_WAIT)
            .map_err(|_| "the store writer is not taking writes".to_string())?;
        acked
            .recv_timeout(WRITER_WAIT)
            .map_err(|_| "the store writer did not answer".to_string())?
    }

    fn forget(&self, r: &KeyringRef) {
        if let Err(e) = self.creds.delete(&r.0) {
            tracing::info!("OBS vault: an old keyring entry could not be deleted: {e}");
        }
    }

    fn move_stored(&self, list: Vec<ObsConnection>) {
        if let Err(e) = secrets::probe(self.creds.as_ref()) {
            let kept = list.iter().filter(|c| !c.password.is_empty()).count();
            tracing::info!("{e}: {kept} OBS password(s) stay in the courtside store");
            self.report(VaultDone::Keyring(Err(e.to_string())));
            return;
        }
        self.report(VaultDone::Keyring(Ok(())));
        let mut moved = Vec::new();
        for c in list.into_iter().filter(|c| !c.password.is_empty()) {
            let name = c.name.clone();
            match self.save(c, None) {
                Ok(c) if c.keyring.is_some() => {
                    tracing::info!(
                        "OBS connection '{name}': password moved from the courtside store into \
                         the system keyring"
                    );
                    moved.push(c);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(
                    "OBS connection '{name}': password not moved into the system keyring: {e}"
                ),
            }
        }
        if !moved.is_empty() {
            self.report(VaultDone::Moved(moved));
        }
    }
}
