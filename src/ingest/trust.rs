//! Which datagrams a listener stores: the source allowlist, the source lock and the per-source
//! rate bound. Pure (time comes in as an argument), so every rule is tested without sockets.
//!
//! Datagrams refused by any of them are counted per source and never stored: the allowlist set
//! that precedent, and the lock follows it — storing them would let any machine on a shared LAN
//! fill the disk and put its datagrams into match records, exports and OBS automation. The
//! counts, the source addresses and one log line per cause keep the evidence.

use crate::protocol::Event;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

/// Default per-source bound, datagrams per second. A scoring program sends a few per second and
/// bursts of some twenty when a match loads; ten times more than any seen is still far from
/// what a flood sends.
pub const DEFAULT_MAX_RATE: u32 = 2_000;

/// One address the way a listener compares it: an IPv4 sender on a dual-stack socket arrives as
/// `::ffff:a.b.c.d`, which is the same machine as `a.b.c.d`.
pub fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// An allowlist in canonical form, without duplicates, in the order given.
pub fn canonical_list(list: &[IpAddr]) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::with_capacity(list.len());
    for ip in list.iter().map(|ip| canonical(*ip)) {
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

/// Whether a datagram's events make its sender the court's scoring program: a fight loaded, a
/// hello, or TkStrike's `Udp Port … connected` line.
pub fn announces_pss(events: &[Event]) -> bool {
    events.iter().any(|e| match e {
        Event::FightLoaded | Event::Hello => true,
        Event::PssLink { connected, .. } => *connected,
        _ => false,
    })
}

/// The source lock: off, waiting for the first scoring program, or locked to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLock {
    enabled: bool,
    locked: Option<IpAddr>,
}

impl SourceLock {
    /// A lock (`enabled`), already locked to `pss` when the scoring program's address is known.
    pub fn new(enabled: bool, pss: Option<IpAddr>) -> SourceLock {
        SourceLock {
            enabled,
            locked: if enabled { pss.map(canonical) } else { None },
        }
    }

    /// The address locked to.
    pub fn locked(&self) -> Option<IpAddr> {
        self.locked
    }

    /// Forget the locked address (the operator's "unlock"); the next announcing source locks.
    pub fn unlock(&mut self) {
        self.locked = None;
    }

    /// Whether a datagram from `src` may pass. Until a source has announced itself every source
    /// passes (courtside may start mid-match, long after the hello); an announcing source locks.
    /// Returns (pass, newly locked).
    pub fn check(&mut self, src: IpAddr, events: &[Event]) -> (bool, bool) {
        match self.locked {
            _ if !self.enabled => (true, false),
            Some(ip) => (ip == src, false),
            None if announces_pss(events) => {
                self.locked = Some(src);
                (true, true)
            }
            None => (true, false),
        }
    }
}

/// A token bucket: `rate` datagrams per second, up to one second's worth saved up.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: rate,
            at: now,
        }
    }

    fn refill(&mut self, rate: f64, now: Instant) {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(rate);
        self.at = now;
    }

    fn take(&mut self, rate: f64, now: Instant) -> bool {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The per-source rate bound. Buckets are kept for at most [`super::TRACKED_SOURCES`] sources;
/// a source beyond them takes the place of one whose bucket is full again (idle), or else
/// shares one bucket with every other untracked source, so a flood of spoofed addresses is
/// bounded as a whole and costs bounded memory.
#[derive(Debug)]
pub struct RateBound {
    rate: f64,
    buckets: HashMap<IpAddr, Bucket>,
    shared: Bucket,
}

impl RateBound {
    /// A bound of `per_second` datagrams per source.
    pub fn new(per_second: u32, now: Instant) -> RateBound {
        let rate = f64::from(per_second.max(1));
        RateBound {
            rate,
            buckets: HashMap::new(),
            shared: Bucket::full(rate, now),
        }
    }

    /// Whether one more datagram from `src` is within the bound.
    pub fn admit(&mut self, src: IpAddr, now: Instant) -> bool {
        let rate = self.rate;
        if let Some(b) = self.buckets.get_mut(&src) {
            return b.take(rate, now);
        }
        if self.buckets.len() >= super::TRACKED_SOURCES {
            let idle = self.buckets.iter_mut().find_map(|(ip, b)| {
                b.refill(rate, now);
                (b.tokens >= rate).then_some(*ip)
            });
            match idle {
                Some(ip) => {
                    self.buckets.remove(&ip);
                }
                None => return self.shared.take(rate, now),
            }
        }
        let mut b = Bucket::full(rate, now);
        let ok = b.take(rate, now);
        self.buckets.insert(src, b);
        ok
    }

    /// Sources with a bucket of their own.
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_datagram;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn mapped_ipv4_and_plain_ipv4_are_one_allowlist_entry() {
        let list = [ip("::ffff:192.168.1.20"), ip("192.168.1.20"), ip("fe80::1")];
        assert_eq!(
            canonical_list(&list),
            vec![ip("192.168.1.20"), ip("fe80::1")]
        );
    }

    #[test]
    fn the_lock_takes_the_first_announcing_source_and_unlock_frees_it() {
        let mut lock = SourceLock::new(true, None);
        let (pss, other) = (ip("10.0.0.5"), ip("10.0.0.66"));
        // Before any hello everyone passes (courtside may start mid-match).
        assert_eq!(lock.check(other, &parse_datagram(b"sc1;1;")), (true, false));
        assert_eq!(
            lock.check(pss, &parse_datagram(b"pre;FightLoaded;")),
            (true, true)
        );
        assert_eq!(lock.check(other, &parse_datagram(b"hel;")), (false, false));
        assert_eq!(lock.check(pss, &parse_datagram(b"sc1;1;")), (true, false));
        lock.unlock();
        let line = b"Udp Port 6000 connected;";
        assert_eq!(lock.check(other, &parse_datagram(line)), (true, true));
        assert_eq!(lock.locked(), Some(other));
        let mut off = SourceLock::new(false, Some(pss));
        assert_eq!(off.check(other, &parse_datagram(b"hel;")), (true, false));
        assert_eq!(off.locked(), None);
    }

    #[test]
    fn a_known_pss_address_locks_from_the_start() {
        let mut lock = SourceLock::new(true, Some(ip("::ffff:10.0.0.5")));
        assert_eq!(lock.locked(), Some(ip("10.0.0.5")));
        assert!(
            !lock
                .check(ip("10.0.0.66"), &parse_datagram(b"pre;FightLoaded;"))
                .0
        );
    }

    #[test]
    fn the_rate_bound_passes_a_second_of_traffic_then_the_rate() {
        let t0 = Instant::now();
        let mut bound = RateBound::new(100, t0);
        let src = ip("10.0.0.5");
        let passed = (0..1000).filter(|_| bound.admit(src, t0)).count();
        assert_eq!(passed, 100);
        // Half a second later, half a second's worth.
        let t1 = t0 + Duration::from_millis(500);
        let passed = (0..1000).filter(|_| bound.admit(src, t1)).count();
        assert_eq!(passed, 50);
        // Another source has its own bucket.
        assert!(bound.admit(ip("10.0.0.6"), t1));
    }

    #[test]
    fn spoofed_sources_beyond_the_tracked_ones_share_one_bucket() {
        let t0 = Instant::now();
        let mut bound = RateBound::new(10, t0);
        let mut passed = 0;
        for i in 0..100_000u32 {
            let src = IpAddr::V4(Ipv4Addr::from(0x0A00_0000 + i));
            passed += usize::from(bound.admit(src, t0));
        }
        assert!(bound.tracked() <= crate::ingest::TRACKED_SOURCES);
        // Each tracked source passed its one datagram; all the others shared one bucket.
        assert_eq!(passed, crate::ingest::TRACKED_SOURCES + 10);
        // Once idle, a tracked bucket makes room for a new source.
        let later = t0 + Duration::from_secs(2);
        assert!(bound.admit(ip("192.168.1.20"), later));
        assert!(bound.tracked() <= crate::ingest::TRACKED_SOURCES);
    }
}
