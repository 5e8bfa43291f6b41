//! Per-source counters with a bound: a flood of spoofed source addresses on a shared LAN must
//! not grow memory without end. The first [`TRACKED_SOURCES`] sources are counted one by one
//! (the court's scoring program is among the first on a listener); datagrams from any further
//! source are counted together.

use super::stats::Refusal;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// Sources counted one by one, per listener and per kind (stored, not stored).
pub const TRACKED_SOURCES: usize = 64;

/// Stored datagrams per source. The latest source's count is kept beside the map and folded in
/// when another source sends: a court has one scoring program, so hashing its address for every
/// datagram was wasted work.
#[derive(Debug, Default)]
pub(super) struct Sources {
    /// Counts of every tracked source except `last`.
    counts: HashMap<SocketAddr, u64>,
    /// The latest source and its count.
    last: Option<(SocketAddr, u64)>,
    /// Datagrams from sources beyond the tracked ones.
    untracked: u64,
}

impl Sources {
    pub(super) fn count(&mut self, src: SocketAddr) {
        match &mut self.last {
            Some((addr, n)) if *addr == src => *n += 1,
            _ => {
                if let Some((addr, n)) = self.last.take() {
                    self.keep(addr, n);
                }
                let earlier = self.counts.remove(&src).unwrap_or(0);
                self.last = Some((src, earlier + 1));
            }
        }
    }

    /// Fold a count into the map, or into `untracked` when the map is full.
    fn keep(&mut self, addr: SocketAddr, n: u64) {
        // `last` is tracked beside the map, so the map holds one fewer.
        if self.counts.len() < TRACKED_SOURCES - 1 || self.counts.contains_key(&addr) {
            *self.counts.entry(addr).or_default() += n;
        } else {
            self.untracked += n;
        }
    }

    pub(super) fn all(&self) -> Vec<(SocketAddr, u64)> {
        let mut v: Vec<_> = self.counts.iter().map(|(k, v)| (*k, *v)).collect();
        v.extend(self.last);
        v
    }

    pub(super) fn last(&self) -> Option<SocketAddr> {
        self.last.map(|(addr, _)| addr)
    }

    pub(super) fn untracked(&self) -> u64 {
        self.untracked
    }
}

/// Datagrams from one source that were not stored, by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceCount {
    /// The source address.
    pub ip: IpAddr,
    /// Refused by the allowlist.
    pub refused: u64,
    /// Ignored: the listener is locked to another source.
    pub ignored: u64,
    /// Over the per-source rate bound.
    pub over_rate: u64,
}

impl SourceCount {
    /// All datagrams of this source that were not stored.
    pub fn total(&self) -> u64 {
        self.refused + self.ignored + self.over_rate
    }
}

/// Datagrams not stored, per source address (bounded like [`Sources`]).
#[derive(Debug, Default)]
pub(super) struct OtherSources {
    counts: HashMap<IpAddr, SourceCount>,
    untracked: u64,
}

impl OtherSources {
    pub(super) fn count(&mut self, ip: IpAddr, why: Refusal) {
        let full = self.counts.len() >= TRACKED_SOURCES;
        let entry = match self.counts.get_mut(&ip) {
            Some(e) => e,
            None if full => {
                self.untracked += 1;
                return;
            }
            None => self.counts.entry(ip).or_insert(SourceCount {
                ip,
                refused: 0,
                ignored: 0,
                over_rate: 0,
            }),
        };
        match why {
            Refusal::Allowlist => entry.refused += 1,
            Refusal::Locked => entry.ignored += 1,
            Refusal::OverRate => entry.over_rate += 1,
        }
    }

    /// Most first.
    pub(super) fn all(&self) -> Vec<SourceCount> {
        let mut v: Vec<_> = self.counts.values().copied().collect();
        v.sort_by(|a, b| b.total().cmp(&a.total()).then(a.ip.cmp(&b.ip)));
        v
    }

    pub(super) fn untracked(&self) -> u64 {
        self.untracked
    }
}
