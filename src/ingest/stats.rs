//! Listener counters, shared between the receive thread and status displays.

use super::classify;
use crate::protocol::Event;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a listener is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ListenerStatus {
    /// Not bound yet.
    #[default]
    Starting,
    /// Bound and receiving.
    Listening,
    /// Binding or receiving failed; retrying.
    Error {
        /// What failed and why.
        message: String,
        /// When the next attempt is.
        retry_in: Duration,
    },
    /// Stopped on request.
    Stopped,
}

/// Counters of one listener.
#[derive(Debug, Default)]
pub struct ListenerStats {
    /// Datagrams received (including refused ones).
    pub datagrams: AtomicU64,
    /// Bytes received.
    pub bytes: AtomicU64,
    /// Messages parsed into a known event.
    pub parsed: AtomicU64,
    /// Messages with an unknown code.
    pub unknown: AtomicU64,
    /// Malformed messages.
    pub malformed: AtomicU64,
    /// Datagrams refused by the source allowlist.
    pub rejected: AtomicU64,
    /// Times the writer queue was full (the datagram then waited; nothing was dropped).
    pub writer_full: AtomicU64,
    per_source: Mutex<HashMap<SocketAddr, u64>>,
    last_source: Mutex<Option<SocketAddr>>,
    status: Mutex<ListenerStatus>,
}

impl ListenerStats {
    pub(crate) fn record(&self, src: SocketAddr, len: usize, events: &[Event]) {
        self.datagrams.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        let (ok, unknown, malformed) = classify(events);
        self.parsed.fetch_add(ok, Ordering::Relaxed);
        self.unknown.fetch_add(unknown, Ordering::Relaxed);
        self.malformed.fetch_add(malformed, Ordering::Relaxed);
        if let Ok(mut m) = self.per_source.lock() {
            *m.entry(src).or_insert(0) += 1;
        }
        if let Ok(mut l) = self.last_source.lock() {
            *l = Some(src);
        }
    }

    pub(crate) fn record_rejected(&self, src: SocketAddr, len: usize) {
        self.datagrams.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if self.rejected.fetch_add(1, Ordering::Relaxed) == 0 {
            tracing::warn!("refusing datagrams from {src}: not in the source allowlist");
        }
    }

    pub(crate) fn count_writer_full(&self) {
        self.writer_full.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set_status(&self, s: ListenerStatus) {
        if let Ok(mut st) = self.status.lock() {
            *st = s;
        }
    }

    /// Current status.
    pub fn status(&self) -> ListenerStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Datagrams per source address, most first.
    pub fn per_source(&self) -> Vec<(SocketAddr, u64)> {
        let mut v: Vec<_> = self
            .per_source
            .lock()
            .map(|m| m.iter().map(|(k, v)| (*k, *v)).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The most recent source address.
    pub fn last_source(&self) -> Option<SocketAddr> {
        self.last_source.lock().ok().and_then(|l| *l)
    }

    /// Read a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}
