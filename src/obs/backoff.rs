//! Reconnect delays: exponential, capped, jittered (so several courtside instances that lost the
//! same OBS do not all knock at the same instant).

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// First retry delay.
pub const BASE: Duration = Duration::from_millis(500);
/// Longest delay between attempts.
pub const CAP: Duration = Duration::from_secs(15);

/// Delay sequence: attempt n waits a random time in `[d/2, d]` with `d = min(cap, base·2ⁿ)`.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    rng: u64,
}

impl Backoff {
    /// A sequence with the given base and cap, seeded from the OS.
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff::with_seed(base, cap, RandomState::new().hash_one(0u8))
    }

    /// A reproducible sequence (tests).
    pub fn with_seed(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            cap: cap.max(base),
            attempt: 0,
            rng: seed | 1,
        }
    }

    /// Start over (after a successful connection).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Jump to the cap (retrying sooner cannot help, e.g. after a refused password).
    pub fn saturate(&mut self) {
        self.attempt = self.attempt.max(32);
    }

    /// The next delay.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.attempt.min(31)).unwrap_or(u32::MAX);
        let nominal = self.base.saturating_mul(factor).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64: plenty for jitter, no dependency.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let unit = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        nominal.mul_f64(0.5 + 0.5 * unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_stays_under_the_cap() {
        let mut b = Backoff::with_seed(BASE, CAP, 42);
        let delays: Vec<Duration> = (0..12).map(|_| b.next_delay()).collect();
        for (n, d) in delays.iter().enumerate() {
            let nominal = BASE.saturating_mul(1 << n).min(CAP);
            assert!(
                *d >= nominal / 2 && *d <= nominal,
                "attempt {n}: {d:?} vs {nominal:?}"
            );
        }
        assert!(delays[11] >= CAP / 2);
        b.reset();
        assert!(b.next_delay() <= BASE);
        b.saturate();
        assert!(b.next_delay() >= CAP / 2);
    }

    #[test]
    fn jitter_spreads_delays() {
        let mut b = Backoff::with_seed(BASE, CAP, 7);
        b.saturate();
        let delays: Vec<Duration> = (0..50).map(|_| b.next_delay()).collect();
        let min = delays.iter().min().copied().unwrap_or_default();
        let max = delays.iter().max().copied().unwrap_or_default();
        assert!(max - min > CAP / 5, "no spread: {min:?}..{max:?}");
    }
}
