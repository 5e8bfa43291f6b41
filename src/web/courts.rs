//! Each court's live state, kept by the web service itself from the store writer's early
//! subscription, and the per-court broadcast the live streams read.
//!
//! The feed thread applies every stored record with the same [`MatchState::apply`] as the app
//! and `replay`, serialises the court's state once, and publishes that shared text: 50 clients
//! cost one serialisation. Publishing never waits (a tokio broadcast channel of bounded size:
//! a client that falls behind skips to the newest state), so the writer is never delayed by the
//! web side, and the web side never by a client.

use crate::match_state::MatchState;
use crate::store::writer::Persisted;
use crate::store::{EventRecord, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Version of the JSON contract of `/api/v1/courts/<court>/state` and the live stream.
pub const API_VERSION: u32 = 1;

/// One court's state as sent to clients: serialised once, shared by all.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Court name.
    pub court: String,
    /// Increases with every change of this court (starts at 1 for the state loaded at start).
    pub version: u64,
    /// The JSON document (`{"api":1,"court":…,"version":…,"match_key":…,"seq":…,"state":{…}}`).
    pub json: Arc<str>,
}

/// A court's state at start (from the store, see [`load_courts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CourtStart {
    /// Court name.
    pub court: String,
    /// Key of its current match (0: events before any `pre`, or no match yet).
    pub match_key: u64,
    /// State after the latest stored event of that match.
    pub state: MatchState,
}

/// The current match of every court in the store (off the UI thread: it reads the store).
pub fn load_courts(store: &Store) -> Result<Vec<CourtStart>, StoreError> {
    let mut out = Vec::new();
    for (court, key) in store.current_matches()? {
        // The match record carries the state committed with its events; replaying is the
        // fallback, as it costs a pass over the whole match.
        let state = match store.match_record(key)? {
            Some(m) => m.state,
            None => store.rebuild_state(key)?,
        };
        out.push(CourtStart {
            court,
            match_key: key,
            state,
        });
    }
    Ok(out)
}

struct Court {
    match_key: u64,
    seq: u64,
    state: MatchState,
    snapshot: Arc<Snapshot>,
    tx: broadcast::Sender<Arc<Snapshot>>,
}

/// All courts' states and their broadcasts.
pub struct Hub {
    courts: Mutex<BTreeMap<String, Court>>,
    /// Every court's changes (for `/api/v1/live`, the courts overview).
    all: broadcast::Sender<Arc<Snapshot>>,
    queue: usize,
}

impl Hub {
    /// A hub with the courts' start states and configured court names (shown before any data);
    /// `queue` updates are kept per client.
    pub fn new(start: Vec<CourtStart>, names: &[String], queue: usize) -> Hub {
        let queue = queue.max(1);
        let hub = Hub {
            courts: Mutex::new(BTreeMap::new()),
            all: broadcast::channel(queue * 4).0,
            queue,
        };
        {
            let mut courts = hub.lock();
            for name in names {
                hub.insert(&mut courts, name, 0, 0, MatchState::new());
            }
            for s in start {
                hub.insert(&mut courts, &s.court, s.match_key, 0, s.state);
            }
        }
        hub
    }

    /// Show these configured courts too (a listener added in the app's settings), before their
    /// first datagram; courts already known keep their state.
    pub fn add_names(&self, names: &[String]) {
        let mut courts = self.lock();
        for name in names {
            if !courts.contains_key(name) {
                self.insert(&mut courts, name, 0, 0, MatchState::new());
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Court>> {
        // A panic while holding the lock leaves consistent data (every write replaces whole
        // values), so a poisoned lock is used as is.
        self.courts.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(
        &self,
        courts: &mut BTreeMap<String, Court>,
        name: &str,
        key: u64,
        seq: u64,
        state: MatchState,
    ) {
        let snapshot = Arc::new(snapshot(name, 1, key, seq, &state));
        let tx = broadcast::channel(self.queue).0;
        courts.insert(
            name.to_string(),
            Court {
                match_key: key,
                seq,
                state,
                snapshot,
                tx,
            },
        );
    }

    /// Apply one stored record: a new match key starts a fresh state (as the app does).
    pub fn apply(&self, rec: &EventRecord) {
        let mut courts = self.lock();
        let court = courts.entry(rec.court.clone()).or_insert_with(|| Court {
            match_key: rec.match_key,
            seq: 0,
            state: MatchState::new(),
            snapshot: Arc::new(snapshot(
                &rec.court,
                0,
                rec.match_key,
                0,
                &MatchState::new(),
            )),
            tx: broadcast::channel(self.queue).0,
        });
        if court.match_key != rec.match_key {
            court.match_key = rec.match_key;
            court.state = MatchState::new();
        }
        for e in &rec.events {
            court.state.apply(e);
        }
        court.seq = rec.seq;
        let version = court.snapshot.version + 1;
        let snap = Arc::new(snapshot(
            &rec.court,
            version,
            court.match_key,
            rec.seq,
            &court.state,
        ));
        court.snapshot = snap.clone();
        // No receiver is not an error: nobody is watching this court.
        let _ = court.tx.send(snap.clone());
        let _ = self.all.send(snap);
    }

    /// Court names, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// A court's current snapshot.
    pub fn snapshot(&self, court: &str) -> Option<Arc<Snapshot>> {
        self.lock().get(court).map(|c| c.snapshot.clone())
    }

    /// Every court's current snapshot.
    pub fn snapshots(&self) -> Vec<Arc<Snapshot>> {
        self.lock().values().map(|c| c.snapshot.clone()).collect()
    }

    /// The court's current snapshot and a subscription to its changes (taken together under the
    /// lock, so no change falls between them).
    pub fn subscribe(
        &self,
        court: &str,
    ) -> Option<(Arc<Snapshot>, broadcast::Receiver<Arc<Snapshot>>)> {
        let courts = self.lock();
        courts
            .get(court)
            .map(|c| (c.snapshot.clone(), c.tx.subscribe()))
    }

    /// Every court's snapshot and a subscription to all changes.
    pub fn subscribe_all(&self) -> (Vec<Arc<Snapshot>>, broadcast::Receiver<Arc<Snapshot>>) {
        let courts = self.lock();
        let now = courts.values().map(|c| c.snapshot.clone()).collect();
        (now, self.all.subscribe())
    }

    /// A JSON summary of every court for `GET /api/v1/courts`.
    pub fn summary(&self) -> serde_json::Value {
        let courts = self.lock();
        let list: Vec<serde_json::Value> = courts
            .iter()
            .map(|(name, c)| {
                serde_json::json!({
                    "court": name,
                    "match_key": c.match_key,
                    "seq": c.seq,
                    "version": c.snapshot.version,
                    "match_number": c.state.info.number,
                    "blue": {"name": c.state.blue.long_name, "country": c.state.blue.country, "score": c.state.blue.score},
                    "red": {"name": c.state.red.long_name, "country": c.state.red.country, "score": c.state.red.score},
                    "round": c.state.round,
                    "clock": c.state.clock,
                    "winner": c.state.winner.map(|w| w.name()),
                })
            })
            .collect();
        serde_json::json!({ "api": API_VERSION, "courts": list })
    }
}

fn snapshot(court: &str, version: u64, key: u64, seq: u64, state: &MatchState) -> Snapshot {
    let doc = serde_json::json!({
        "api": API_VERSION,
        "court": court,
        "version": version,
        "match_key": key,
        "seq": seq,
        "state": state,
    });
    Snapshot {
        court: court.to_string(),
        version,
        json: Arc::from(doc.to_string()),
    }
}

/// Run the feed until `records` closes or `stop` fires: every record into the hub.
pub fn run_feed(
    hub: &Hub,
    records: &crossbeam_channel::Receiver<Persisted>,
    stop: &crossbeam_channel::Receiver<()>,
    on_record: &dyn Fn(&Persisted),
) {
    loop {
        crossbeam_channel::select! {
            recv(records) -> msg => match msg {
                Ok(p) => {
                    hub.apply(&p.record);
                    on_record(&p);
                }
                Err(_) => return,
            },
            recv(stop) -> _ => return,
        }
    }
}
