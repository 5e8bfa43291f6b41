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
    /// Per-source counts and the latest source under one lock: taken once per datagram.
    sources: Mutex<Sources>,
    status: Mutex<ListenerStatus>,
}

/// Datagrams per source. The latest source's count is kept beside the map and folded in when
/// another source sends: a court has one scoring program, so hashing its address for every
/// datagram was wasted work.
#[derive(Debug, Default)]
struct Sources {
    /// Counts of every source except `last`.
    counts: HashMap<SocketAddr, u64>,
    /// The latest source and its count.
    last: Option<(SocketAddr, u64)>,
}

impl Sources {
    fn count(&mut self, src: SocketAddr) {
        match &mut self.last {
            Some((addr, n)) if *addr == src => *n += 1,
            _ => {
                if let Some((addr, n)) = self.last.take() {
                    self.counts.insert(addr, n);
                }
                let earlier = self.counts.remove(&src).unwrap_or(0);
                self.last = Some((src, earlier + 1));
            }
        }
    }

    fn all(&self) -> Vec<(SocketAddr, u64)> {
        let mut v: Vec<_> = self.counts.iter().map(|(k, v)| (*k, *v)).collect();
        v.extend(self.last);
        v
    }
}

impl ListenerStats {
    pub(crate) fn record(&self, src: SocketAddr, len: usize, events: &[Event]) {
        self.datagrams.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        let (ok, unknown, malformed) = classify(events);
        self.parsed.fetch_add(ok, Ordering::Relaxed);
        self.unknown.fetch_add(unknown, Ordering::Relaxed);
        self.malformed.fetch_add(malformed, Ordering::Relaxed);
        if let Ok(mut s) = self.sources.lock() {
            s.count(src);
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
        let mut v: Vec<_> = self.sources.lock().map(|s| s.all()).unwrap_or_default();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The most recent source address.
    pub fn last_source(&self) -> Option<SocketAddr> {
        self.sources
            .lock()
            .ok()
            .and_then(|s| s.last.map(|(addr, _)| addr))
    }

    /// Read a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::ListenerStats;
    use crate::protocol::parse_datagram;
    use std::net::SocketAddr;

    #[test]
    fn per_source_counts_survive_sources_taking_turns() {
        let stats = ListenerStats::default();
        let a: SocketAddr = "192.168.1.20:6000".parse().expect("addr");
        let b: SocketAddr = "[fe80::1]:6001".parse().expect("addr");
        let events = parse_datagram(b"hel;");
        for src in [a, a, b, a, b, b, b] {
            stats.record(src, 4, &events);
        }
        assert_eq!(stats.per_source(), vec![(b, 4), (a, 3)]);
        assert_eq!(stats.last_source(), Some(b));
        stats.record(a, 4, &events);
        assert_eq!(stats.per_source(), vec![(a, 4), (b, 4)]);
        assert_eq!(stats.last_source(), Some(a));
        assert_eq!(ListenerStats::get(&stats.datagrams), 8);
    }
}
