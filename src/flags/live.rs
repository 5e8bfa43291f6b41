//! When to re-read the codes seen in the store because the live match changed.
//!
//! The "missing flags for today's athletes" list comes from a store snapshot. A new match on a
//! court brings new countries, so the snapshot must be re-read then; but a burst of datagrams
//! (athlete names, then countries, then a reload) must not start a store read per frame. So a
//! change of the live countries asks for one refresh at most every [`MIN_GAP`], and a change that
//! comes inside the gap is not lost: it is refreshed when the gap ends.

use std::time::{Duration, Instant};

/// Shortest time between two refreshes caused by live country changes.
pub const MIN_GAP: Duration = Duration::from_secs(1);

/// What the caller should do after [`LiveCodes::note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDue {
    /// Nothing changed since the last refresh.
    Idle,
    /// Re-read the store now.
    Now,
    /// A change waits for the gap to end: call `note` again after this long.
    After(Duration),
}

/// Tracks the live athletes' countries and rate-limits the refreshes they cause.
#[derive(Debug, Clone)]
pub struct LiveCodes {
    codes: Vec<String>,
    pending: bool,
    last_refresh: Option<Instant>,
    min_gap: Duration,
}

impl Default for LiveCodes {
    fn default() -> Self {
        LiveCodes::new(MIN_GAP)
    }
}

impl LiveCodes {
    /// No codes seen yet; at most one refresh per `min_gap`.
    pub fn new(min_gap: Duration) -> LiveCodes {
        LiveCodes {
            codes: Vec::new(),
            pending: false,
            last_refresh: None,
            min_gap,
        }
    }

    /// The live countries (any court, any order; empty ones are ignored) as of `now`.
    pub fn note(&mut self, codes: &[&str], now: Instant) -> RefreshDue {
        let mut current: Vec<String> = codes
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .collect();
        current.sort();
        current.dedup();
        if current != self.codes {
            self.codes = current;
            self.pending = true;
        }
        if !self.pending {
            return RefreshDue::Idle;
        }
        let since = self.last_refresh.map(|t| now.saturating_duration_since(t));
        match since {
            Some(since) if since < self.min_gap => RefreshDue::After(self.min_gap - since),
            _ => {
                self.pending = false;
                self.last_refresh = Some(now);
                RefreshDue::Now
            }
        }
    }
}
