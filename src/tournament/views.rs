//! The hub's view of every court: its current match state (the hub store's own fold, kept from
//! the hub writer's durable records) and when it was last heard — what the "Tournament" window's
//! grid and a terminal show.

use super::status::Link;
use crate::match_state::MatchState;
use crate::store::writer::{Persisted, Waker, now_ns};
use crate::store::{EventRecord, Store};
use crate::worker::WorkerThread;
use crossbeam_channel::Receiver;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One court as the hub sees it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CourtView {
    /// Court name (the tournament's).
    pub court: String,
    /// Key of its current match in the hub store.
    pub match_key: u64,
    /// Its current match state (`MatchState::apply` over the match's stored datagrams).
    pub state: MatchState,
    /// The court's receive time of its latest datagram, Unix ns.
    pub last_received_at_ns: i64,
    /// When the hub stored its latest datagram, Unix ns (last-seen age).
    pub last_stored_at_ns: i64,
    /// Datagrams of its current match.
    pub datagrams: u64,
}

/// The hub's status.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HubStatus {
    /// The link to the server.
    pub link: Link,
    /// Messages received since start.
    pub received: u64,
    /// Datagrams stored since start.
    pub stored: u64,
    /// Messages dropped as already stored (same court store, court and sequence).
    pub duplicates: u64,
    /// Messages that were not courtside datagrams (acknowledged as terminal, not stored).
    pub rejected: u64,
    /// When the last batch was stored, Unix ns (0: none yet).
    pub last_batch_at_ns: i64,
    /// Every court heard, by name.
    pub courts: BTreeMap<String, CourtView>,
}

impl CourtView {
    /// Fold one stored record into the view (a new match key starts a fresh state, as the
    /// store's match records do).
    pub fn absorb(&mut self, rec: &EventRecord) {
        if rec.match_key != self.match_key {
            self.state = MatchState::new();
            self.match_key = rec.match_key;
            self.datagrams = 0;
        }
        for e in &rec.events {
            self.state.apply(e);
        }
        self.court = rec.court.clone();
        self.last_received_at_ns = rec.received_at_ns;
        self.last_stored_at_ns = now_ns();
        self.datagrams += 1;
    }
}

/// Follow the writer's durable records (the hub loads the stored views before it stores anything,
/// so no record is folded twice). Ends when the writer drops its subscribers (its shutdown) or
/// when the handle stops it.
pub(super) fn spawn_view_thread(
    durable: Receiver<Persisted>,
    status: Arc<Mutex<HubStatus>>,
    waker: Option<Waker>,
) -> std::io::Result<WorkerThread> {
    WorkerThread::spawn("tournament-hub-views", move |stop| {
        loop {
            let first = crossbeam_channel::select! {
                recv(durable) -> m => match m {
                    Ok(first) => first,
                    Err(_) => return,
                },
                recv(stop) -> _ => return,
            };
            if let Ok(mut s) = status.lock() {
                for p in std::iter::once(first).chain(durable.try_iter()) {
                    let rec = &p.record;
                    s.courts.entry(rec.court.clone()).or_default().absorb(rec);
                }
            }
            if let Some(w) = &waker {
                w();
            }
        }
    })
}

/// Each court's current match as stored (after a hub restart).
pub(super) fn initial_views(store: &Store) -> BTreeMap<String, CourtView> {
    let mut views = BTreeMap::new();
    let current = match store.current_matches() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("tournament hub: court views start empty: {e}");
            return views;
        }
    };
    for (court, key) in current {
        if let Ok(Some(m)) = store.match_record(key) {
            views.insert(
                court.clone(),
                CourtView {
                    court,
                    match_key: key,
                    state: m.state,
                    last_received_at_ns: m.last_event_at_ns,
                    last_stored_at_ns: 0,
                    datagrams: m.event_count,
                },
            );
        }
    }
    views
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_datagram;

    fn rec(seq: u64, match_key: u64, raw: &[u8]) -> EventRecord {
        EventRecord {
            seq,
            received_at_ns: seq as i64 * 1000,
            source: String::new(),
            court: "3".into(),
            raw: raw.to_vec(),
            events: parse_datagram(raw),
            match_key,
        }
    }

    #[test]
    fn a_new_match_key_starts_a_fresh_state_and_the_view_follows_the_latest_datagram() {
        let mut v = CourtView::default();
        v.absorb(&rec(1, 1, b"pre;FightLoaded;"));
        v.absorb(&rec(2, 1, b"sc1;4;sc2;1;"));
        assert_eq!((v.state.blue.score, v.state.red.score), (4, 1));
        v.absorb(&rec(3, 3, b"pre;FightLoaded;"));
        assert_eq!(v.match_key, 3);
        assert_eq!((v.state.blue.score, v.state.red.score), (0, 0));
        assert_eq!(v.last_received_at_ns, 3000);
        assert_eq!(v.datagrams, 1);
    }
}
