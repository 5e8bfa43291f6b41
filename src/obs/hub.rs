//! Where the OBS worker reports to: the UI channel (+ repaint), the latest-status table, and the
//! store's automation log. Never blocks: a full channel is counted, the latest status stays
//! readable through [`Hub::statuses`].

use super::command::{ObsAction, Origin};
use super::status::{ObsNotice, ObsStatus, ObsUpdate};
use crate::store::WriteRequest;
use crossbeam_channel::{Sender, TrySendError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Wakes the UI (`ctx.request_repaint_of(ViewportId::ROOT)` in the app).
pub type Repaint = Box<dyn Fn() + Send + Sync>;

/// Counters of things the worker could not deliver.
#[derive(Debug, Default)]
pub struct HubStats {
    /// Updates not sent because the UI channel was full (statuses stay in the table).
    pub updates_dropped: AtomicU64,
    /// Automation log entries not stored because the writer queue was full.
    pub log_dropped: AtomicU64,
    /// Automation actions with no enabled OBS to go to (not logged: a court without OBS).
    pub automation_without_obs: AtomicU64,
    /// Video index rows not stored because the writer queue was full.
    pub video_index_dropped: AtomicU64,
}

/// Shared reporting sink of the dispatcher and every session.
pub(crate) struct Hub {
    updates: Sender<ObsUpdate>,
    repaint: Repaint,
    writer: Option<Sender<WriteRequest>>,
    latest: Mutex<BTreeMap<u64, ObsStatus>>,
    pub(crate) stats: Arc<HubStats>,
}

/// One finished (or failed before sending) job, for [`Hub::finish`].
pub(crate) struct Outcome<'a> {
    pub connection: &'a str,
    pub action: &'a ObsAction,
    pub origin: &'a Origin,
    pub result: Result<String, String>,
    /// When the request went to OBS; `None` when it never did.
    pub sent: Option<Instant>,
}

impl Hub {
    pub(crate) fn new(
        updates: Sender<ObsUpdate>,
        repaint: Repaint,
        writer: Option<Sender<WriteRequest>>,
    ) -> Hub {
        Hub {
            updates,
            repaint,
            writer,
            latest: Mutex::new(BTreeMap::new()),
            stats: Arc::new(HubStats::default()),
        }
    }

    fn send(&self, update: ObsUpdate) {
        match self.updates.try_send(update) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => {
                self.stats.updates_dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        (self.repaint)();
    }

    /// Publish a status snapshot.
    pub(crate) fn status(&self, status: &ObsStatus) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.insert(status.connection_id, status.clone());
        }
        self.send(ObsUpdate::Status(Box::new(status.clone())));
    }

    /// An instance is gone from the settings.
    pub(crate) fn removed(&self, id: u64) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.remove(&id);
        }
        self.send(ObsUpdate::Removed(id));
    }

    /// Latest status of every instance.
    pub(crate) fn statuses(&self) -> Vec<ObsStatus> {
        self.latest
            .lock()
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default()
    }

    /// A notice that is not a job's outcome (settings refused, connection test).
    pub(crate) fn notice(&self, connection: &str, what: &str, result: Result<String, String>) {
        self.send(ObsUpdate::Notice(ObsNotice {
            connection: connection.to_string(),
            what: what.to_string(),
            result,
            automation: false,
        }));
    }

    /// Report a job's outcome: a notice, and for automation a stored log entry.
    pub(crate) fn finish(&self, o: Outcome<'_>) {
        let automation = matches!(o.origin, Origin::Automation(_));
        self.send(ObsUpdate::Notice(ObsNotice {
            connection: o.connection.to_string(),
            what: o.action.label(),
            result: o.result.clone(),
            automation,
        }));
        let Origin::Automation(ctx) = o.origin else {
            return;
        };
        let record = super::command::firing_record(ctx, o.action, o.connection, o.result, o.sent);
        if let Some(w) = &self.writer
            && let Err(TrySendError::Full(_)) = w.try_send(super::store::log_firing(record.clone()))
        {
            self.stats.log_dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                "store queue full: automation log entry for '{}' not stored",
                record.cause.rule_name
            );
        }
        self.send(ObsUpdate::Firing(Box::new(record)));
    }

    /// Hand a write (a video index row) to the store writer; a full queue is counted.
    pub(crate) fn store(&self, req: WriteRequest) {
        if let Some(w) = &self.writer
            && let Err(TrySendError::Full(_)) = w.try_send(req)
        {
            self.stats
                .video_index_dropped
                .fetch_add(1, Ordering::Relaxed);
            tracing::warn!("store queue full: a video index row was not stored");
        }
    }
}
