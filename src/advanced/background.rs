//! The slow parts (argon2 hashing and checking) on a named thread, so the UI thread never
//! waits: `begin_*` starts a job, [`AdvancedMode::poll`] collects its outcome.

use super::{
    AdvancedError, AdvancedEvent, AdvancedMode, Pending, hash_password, store_hash_request,
    verify_password,
};
use crate::logging::Secret;
use crate::store::{StoreError, WriteRequest};
use crate::sysmon::Wake;
use crossbeam_channel::{Sender, TryRecvError, bounded};
use std::thread::JoinHandle;
use std::time::Instant;

impl AdvancedMode {
    /// Start checking a password on a named thread; `wake` is called when it is done. Collect
    /// the outcome with [`AdvancedMode::poll`].
    pub fn begin_unlock(
        &mut self,
        password: Secret,
        now: Instant,
        wake: Wake,
    ) -> Result<(), AdvancedError> {
        let hash = self.check_attempt(now)?;
        let (tx, rx) = bounded(1);
        let join = spawn_job(move || {
            // Closed: the attempt was abandoned (app exit); nobody needs the answer.
            let _ = tx.send(verify_password(&hash, &password));
            wake();
        })?;
        self.pending = Some(Pending::Verify(rx, join));
        Ok(())
    }

    /// Start setting (first use) or changing (unlocked) the password on a named thread: hash,
    /// then store through the writer. Collect the outcome with [`AdvancedMode::poll`].
    pub fn begin_set_password(
        &mut self,
        new: Secret,
        confirm: &Secret,
        writer: Sender<WriteRequest>,
        now: Instant,
        wake: Wake,
    ) -> Result<(), AdvancedError> {
        self.check_new(&new, confirm, now)?;
        let (tx, rx) = bounded(1);
        let join = spawn_job(move || {
            // Closed: the change was abandoned (app exit); the writer reports its own outcome.
            let _ = tx.send(store_hashed(&new, &writer));
            wake();
        })?;
        self.pending = Some(Pending::Set(rx, join));
        Ok(())
    }

    /// The outcome of a background check or change, once it is done (call from `App::logic`).
    pub fn poll(&mut self, now: Instant) -> Option<Result<AdvancedEvent, AdvancedError>> {
        let outcome = match self.pending.as_ref()? {
            Pending::Verify(rx, _) => match rx.try_recv() {
                Ok(ok) => Ok(ok),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Err("password check stopped".to_string()),
            }
            .map(Ok),
            Pending::Set(rx, _) => match rx.try_recv() {
                Ok(r) => r.map(Err),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Err("password change stopped".to_string()),
            },
        };
        if let Some(Pending::Verify(_, j) | Pending::Set(_, j)) = self.pending.take() {
            // The job has sent its result (or died: then say so): it is finishing.
            if j.join().is_err() {
                tracing::error!("the advanced-mode password job panicked");
            }
        }
        Some(match outcome {
            Ok(Ok(ok)) => self.finish_attempt(ok, now),
            Ok(Err(phc)) => Ok(self.password_stored(phc, now)),
            Err(msg) => Err(AdvancedError::Hash(msg)),
        })
    }
}

fn spawn_job(f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, AdvancedError> {
    std::thread::Builder::new()
        .name("advanced-auth".into())
        .spawn(f)
        .map_err(|e| AdvancedError::Hash(format!("cannot start password thread: {e}")))
}

/// Hash `new` and store it through the writer; the PHC string once durable.
pub(super) fn store_hashed(new: &Secret, writer: &Sender<WriteRequest>) -> Result<String, String> {
    let phc = hash_password(new).map_err(|e| e.to_string())?;
    let (ack, done) = bounded(1);
    writer
        .send(store_hash_request(phc.clone(), Some(ack)))
        .map_err(|_| StoreError::WriterGone.to_string())?;
    done.recv()
        .map_err(|_| StoreError::WriterGone.to_string())??;
    Ok(phc)
}
