//! Listener counters, shared between the receive thread and status displays.

use super::classify;
use super::hints::PssLink;
use super::sources::{OtherSources, Sources};
use crate::protocol::Event;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use super::sources::{SourceCount, TRACKED_SOURCES};

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

/// Why a datagram was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not in the source allowlist.
    Allowlist,
    /// The listener is locked to another scoring program.
    Locked,
    /// The source sent more than the per-source rate bound.
    OverRate,
}

/// Counters of one listener.
#[derive(Debug, Default)]
pub struct ListenerStats {
    /// Datagrams received (including refused, ignored and over-rate ones).
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
    /// Datagrams ignored because the listener is locked to another source.
    pub ignored: AtomicU64,
    /// Datagrams over the per-source rate bound (counted, not stored).
    pub over_rate: AtomicU64,
    /// Times the writer queue was full (the datagram then waited; nothing was dropped).
    pub writer_full: AtomicU64,
    /// State requests sent to the scoring program.
    pub requests_sent: AtomicU64,
    /// Datagrams recognised as answers to those requests.
    pub answers: AtomicU64,
    /// Set by "unlock": the receive thread forgets its locked source at the next datagram.
    unlock: AtomicBool,
    /// Per-source counts of stored datagrams and the latest source, under one lock.
    sources: Mutex<Sources>,
    /// Per-source counts of datagrams not stored (refused, ignored, over the rate bound).
    others: Mutex<OtherSources>,
    /// The source the listener is locked to.
    locked: Mutex<Option<IpAddr>>,
    /// The latest `Udp Port … connected/disconnected` line and when it came (Unix ns).
    link: Mutex<Option<(PssLink, i64)>>,
    /// When the listener last started listening, and the datagram count then.
    listening: Mutex<Option<(Instant, u64)>>,
    /// Receive times (Unix ns) of the latest answers, for the live log's mark.
    answer_times: Mutex<VecDeque<i64>>,
    /// Why the last state request could not be sent, if it failed.
    request_error: Mutex<Option<String>>,
    status: Mutex<ListenerStatus>,
}

/// Answer receive times kept for the live log (older answers are in the store unmarked).
const ANSWER_TIMES: usize = 256;

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

    /// A datagram that is not stored: counted by cause and by source (bounded), logged once per
    /// cause.
    pub(crate) fn record_refused(&self, src: SocketAddr, len: usize, why: Refusal) {
        self.datagrams.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        let (counter, text) = match why {
            Refusal::Allowlist => (&self.rejected, "not in the source allowlist"),
            Refusal::Locked => (&self.ignored, "the listener is locked to another source"),
            Refusal::OverRate => (&self.over_rate, "over the per-source rate bound"),
        };
        if counter.fetch_add(1, Ordering::Relaxed) == 0 {
            tracing::warn!("not storing datagrams from {src}: {text}");
        }
        if let Ok(mut o) = self.others.lock() {
            o.count(src.ip(), why);
        }
    }

    pub(crate) fn count_writer_full(&self) {
        self.writer_full.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set_status(&self, s: ListenerStatus) {
        if s == ListenerStatus::Listening
            && let Ok(mut l) = self.listening.lock()
        {
            *l = Some((Instant::now(), self.datagrams.load(Ordering::Relaxed)));
        }
        if let Ok(mut st) = self.status.lock() {
            *st = s;
        }
    }

    pub(crate) fn set_locked(&self, ip: Option<IpAddr>) {
        if let Ok(mut l) = self.locked.lock() {
            *l = ip;
        }
    }

    pub(crate) fn set_link(&self, link: PssLink, at_ns: i64) {
        if let Ok(mut l) = self.link.lock() {
            *l = Some((link, at_ns));
        }
    }

    pub(crate) fn record_answer(&self, received_at_ns: i64) {
        self.answers.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut a) = self.answer_times.lock() {
            if a.len() == ANSWER_TIMES {
                a.pop_front();
            }
            a.push_back(received_at_ns);
        }
    }

    pub(crate) fn record_request(&self, result: Result<(), String>) {
        if result.is_ok() {
            self.requests_sent.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut e) = self.request_error.lock() {
            *e = result.err();
        }
    }

    /// Ask the receive thread to forget the source it is locked to: the next scoring program
    /// that says hello (or loads a fight) locks it again.
    pub fn request_unlock(&self) {
        self.unlock.store(true, Ordering::Relaxed);
    }

    pub(crate) fn take_unlock(&self) -> bool {
        self.unlock.swap(false, Ordering::Relaxed)
    }

    /// Current status.
    pub fn status(&self) -> ListenerStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Datagrams per source address, most first (at most [`TRACKED_SOURCES`] of them; the rest
    /// is in [`ListenerStats::untracked_sources`]).
    pub fn per_source(&self) -> Vec<(SocketAddr, u64)> {
        let mut v: Vec<_> = self.sources.lock().map(|s| s.all()).unwrap_or_default();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Stored datagrams from sources beyond the tracked ones (a flood of spoofed sources).
    pub fn untracked_sources(&self) -> u64 {
        self.sources.lock().map(|s| s.untracked()).unwrap_or(0)
    }

    /// Sources whose datagrams were not stored, most first, and the count from sources beyond
    /// the tracked ones.
    pub fn not_stored_sources(&self) -> (Vec<SourceCount>, u64) {
        self.others
            .lock()
            .map(|o| (o.all(), o.untracked()))
            .unwrap_or_default()
    }

    /// The most recent source address.
    pub fn last_source(&self) -> Option<SocketAddr> {
        self.sources.lock().ok().and_then(|s| s.last())
    }

    /// The source this listener is locked to.
    pub fn locked_source(&self) -> Option<IpAddr> {
        self.locked.lock().ok().and_then(|l| *l)
    }

    /// The latest PSS link line and its receive time (Unix ns).
    pub fn pss_link(&self) -> Option<(PssLink, i64)> {
        self.link.lock().ok().and_then(|l| *l)
    }

    /// How long the listener has been listening, and the datagrams received since then.
    pub fn listening_for(&self, now: Instant) -> Option<(Duration, u64)> {
        let (since, at) = self.listening.lock().ok().and_then(|l| *l)?;
        let n = self.datagrams.load(Ordering::Relaxed).saturating_sub(at);
        Some((now.saturating_duration_since(since), n))
    }

    /// Receive times (Unix ns) of the latest answers to state requests.
    pub fn answer_times(&self) -> Vec<i64> {
        self.answer_times
            .lock()
            .map(|a| a.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Why the last state request could not be sent.
    pub fn request_error(&self) -> Option<String> {
        self.request_error.lock().ok().and_then(|e| e.clone())
    }

    /// Read a counter.
    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::{ListenerStats, Refusal, TRACKED_SOURCES};
    use crate::protocol::parse_datagram;
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

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

    fn spoofed(i: u32) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + i)), 6000)
    }

    #[test]
    fn a_flood_of_spoofed_sources_keeps_the_source_maps_bounded_and_counts_the_rest() {
        let stats = ListenerStats::default();
        let events = parse_datagram(b"sc1;1;sc2;0;");
        let n = 50_000u32;
        for i in 0..n {
            stats.record(spoofed(i), 12, &events);
            stats.record_refused(spoofed(i), 12, Refusal::Locked);
        }
        let tracked = stats.per_source();
        assert!(
            tracked.len() <= TRACKED_SOURCES,
            "{} tracked",
            tracked.len()
        );
        let counted: u64 = tracked.iter().map(|(_, c)| c).sum::<u64>() + stats.untracked_sources();
        assert_eq!(
            counted,
            u64::from(n),
            "every stored datagram is counted somewhere"
        );
        let (others, untracked) = stats.not_stored_sources();
        assert!(others.len() <= TRACKED_SOURCES, "{} others", others.len());
        let counted: u64 = others.iter().map(|o| o.total()).sum::<u64>() + untracked;
        assert_eq!(counted, u64::from(n));
        assert_eq!(ListenerStats::get(&stats.ignored), u64::from(n));
        assert_eq!(stats.last_source(), Some(spoofed(n - 1)));
    }
}
