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

/// How many more refreshes a live country that is not yet in the snapshot causes. The display
/// hears of a datagram before its commit, so the first refresh can read the store just before
/// the record is there; a few more (one per [`MIN_GAP`]) see it once it is committed.
pub const CONFIRM_TRIES: u8 = 5;

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
    /// Refreshes left for live codes the last snapshot did not contain (reset on a change).
    confirm_left: u8,
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
            confirm_left: CONFIRM_TRIES,
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
            self.confirm_left = CONFIRM_TRIES;
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

    /// A snapshot of the codes seen in the store arrived: when a live code is not among them
    /// (its record was not committed yet when the store was read), ask for another refresh, at
    /// most [`CONFIRM_TRIES`] times per change of the live codes.
    pub fn confirm<'a>(&mut self, seen: impl IntoIterator<Item = &'a str>) {
        let seen: Vec<&str> = seen.into_iter().collect();
        let missing = self.codes.iter().any(|c| !seen.contains(&c.as_str()));
        if missing && self.confirm_left > 0 {
            self.confirm_left -= 1;
            self.pending = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_code_missing_from_the_snapshot_refreshes_again_a_bounded_number_of_times() {
        let gap = Duration::from_millis(10);
        let mut live = LiveCodes::new(gap);
        let t0 = Instant::now();
        assert_eq!(live.note(&["XYZ"], t0), RefreshDue::Now);
        // The snapshot read before the record's commit: not there yet.
        live.confirm(["KOR"]);
        assert_eq!(live.note(&["XYZ"], t0), RefreshDue::After(gap));
        let mut t = t0;
        let mut refreshes = 0;
        for _ in 0..20 {
            t += gap;
            if live.note(&["XYZ"], t) == RefreshDue::Now {
                refreshes += 1;
                live.confirm(["KOR"]);
            }
        }
        assert_eq!(refreshes, usize::from(CONFIRM_TRIES), "bounded");
        assert_eq!(live.note(&["XYZ"], t + gap), RefreshDue::Idle);
    }

    #[test]
    fn a_snapshot_with_every_live_code_asks_for_nothing_more() {
        let mut live = LiveCodes::new(Duration::from_millis(10));
        let t0 = Instant::now();
        assert_eq!(live.note(&["XYZ", "KOR"], t0), RefreshDue::Now);
        live.confirm(["KOR", "XYZ", "QQQ"]);
        assert_eq!(
            live.note(&["XYZ", "KOR"], t0 + Duration::from_secs(5)),
            RefreshDue::Idle
        );
    }
}
