//! The relay between the store writer's durable subscription (made at the writer's start, the
//! tournament on or off) and the publisher running now, if any.

use crate::store::writer::Persisted;
use crossbeam_channel::{Receiver, Sender};
use std::sync::Mutex;

/// The relay thread: every durable record to the running publisher's wake-up channel, or
/// nowhere. Ends when the writer stops (its senders are gone) or when asked.
pub(super) fn relay(
    durable: &Receiver<Persisted>,
    target: &Mutex<Option<Sender<Persisted>>>,
    stop: &crate::worker::StopSignal,
) {
    loop {
        crossbeam_channel::select! {
            recv(durable) -> m => {
                let Ok(m) = m else { break };
                if let Ok(t) = target.lock()
                    && let Some(tx) = &*t
                {
                    // Full: a wake-up is already queued, and the publisher reads the store.
                    let _ = tx.try_send(m);
                }
            }
            recv(stop) -> _ => break,
        }
    }
}
