//! In-process courts and hubs on their own temp stores, the example match, and waits on
//! conditions with deadlines.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, Subscribers, WriteRequest, now_ns};
use courtside::store::{EventRecord, Store, Writer, WriterConfig};
use courtside::tournament::{
    Auth, CourtConfig, CourtStatus, HubConfig, HubService, HubStatus, NatsConfig, TournamentService,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Generous for a shared 2-core machine; only reached on failure.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Wait until `cond` holds; panics naming `what` (and `detail()`) at the deadline.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool, detail: impl Fn() -> String) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {}",
            detail()
        );
        std::thread::park_timeout(Duration::from_millis(20));
    }
}

/// A temp dir for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("courtside-tournament-")
        .tempdir()
        .unwrap()
}

/// The example match's datagrams (bytes as sent).
pub fn example_datagrams() -> Vec<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example-match.pss");
    let bytes = std::fs::read(path).unwrap();
    courtside::stream_file::datagrams(&bytes)
        .into_iter()
        .map(|l| l.bytes)
        .collect()
}

/// A test runtime (the app's is made in main).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Connection settings for a test server.
pub fn nats(url: &str, tournament: &str, auth: Auth) -> NatsConfig {
    NatsConfig {
        servers: vec![url.to_string()],
        auth,
        ca_file: None,
        tournament: tournament.into(),
    }
}

/// A court: its store, writer and (while running) its publisher.
pub struct Court {
    pub name: String,
    pub path: PathBuf,
    pub store: Store,
    pub writer: Option<Writer>,
    pub service: Option<TournamentService>,
    config: CourtConfig,
}

impl Court {
    /// A court with a new store in `dir`, publishing as `name`.
    pub fn start(dir: &Path, name: &str, nats: NatsConfig, rt: &tokio::runtime::Handle) -> Court {
        let path = dir.join(format!("court-{name}.redb"));
        let store = Store::open(&path).unwrap();
        let config = CourtConfig {
            nats,
            court: name.into(),
        };
        let mut c = Court {
            name: name.into(),
            path,
            store,
            writer: None,
            service: None,
            config,
        };
        c.resume(rt);
        c
    }

    /// Start writer and publisher (again) on the same store.
    pub fn resume(&mut self, rt: &tokio::runtime::Handle) {
        let (tx, rx) = crossbeam_channel::bounded(65_536);
        let writer = Writer::spawn_with(
            self.store.clone(),
            WriterConfig::default(),
            Subscribers {
                early: Vec::new(),
                durable: vec![tx],
            },
            None,
        )
        .unwrap();
        self.service = Some(TournamentService::spawn(
            self.config.clone(),
            rt,
            self.store.clone(),
            writer.sender(),
            rx,
            None,
        ));
        self.writer = Some(writer);
        // Where publishing starts is decided once, at the first start: wait for it, so what a
        // test stores next is always after it.
        let tournament = self.config.nats.tournament.clone();
        wait_until(
            "the publisher's start point",
            || {
                matches!(
                    self.status().link,
                    courtside::tournament::Link::Misconfigured { .. }
                ) || courtside::tournament::cursor::cursor(&self.store, &tournament)
                    .unwrap()
                    .is_some()
            },
            || self.status().line(),
        );
    }

    /// Drop the publisher and the writer (a court restart, or a crash as far as NATS is told).
    pub fn stop(&mut self) {
        self.service = None;
        if let Some(w) = self.writer.take() {
            w.shutdown();
        }
    }

    /// Store datagrams as the ingest worker would (listener name "Court 1"), durably.
    pub fn receive(&self, raws: &[Vec<u8>]) {
        let w = self.writer.as_ref().unwrap();
        for raw in raws {
            w.sender()
                .send(WriteRequest::Datagram(Incoming {
                    received_at_ns: now_ns(),
                    received: Instant::now(),
                    source: "192.168.1.20:5000".into(),
                    court: "Court 1".into(),
                    raw: raw.clone(),
                    events: parse_datagram(raw),
                }))
                .unwrap();
        }
        w.flush().unwrap();
    }

    /// The publisher's status.
    pub fn status(&self) -> CourtStatus {
        self.service.as_ref().unwrap().status()
    }

    /// Every record of the court's store.
    pub fn records(&self) -> Vec<EventRecord> {
        self.store.events_page(0, usize::MAX).unwrap()
    }
}

/// A hub: its store, writer and service.
pub struct Hub {
    pub path: PathBuf,
    pub store: Store,
    pub writer: Option<Writer>,
    pub service: Option<HubService>,
    config: HubConfig,
}

impl Hub {
    /// A hub with a new store in `dir`.
    pub fn start(dir: &Path, nats: NatsConfig, rt: &tokio::runtime::Handle) -> Hub {
        let path = dir.join("hub.redb");
        let store = Store::open(&path).unwrap();
        let config = HubConfig {
            nats,
            consumer: "hub".into(),
        };
        let mut h = Hub {
            path,
            store,
            writer: None,
            service: None,
            config,
        };
        h.resume(rt);
        h
    }

    /// Start writer and service (again).
    pub fn resume(&mut self, rt: &tokio::runtime::Handle) {
        let (tx, rx) = crossbeam_channel::bounded(65_536);
        let writer = Writer::spawn_with(
            self.store.clone(),
            WriterConfig::default(),
            Subscribers {
                early: Vec::new(),
                durable: vec![tx],
            },
            None,
        )
        .unwrap();
        self.service = Some(HubService::spawn(
            self.config.clone(),
            rt,
            self.store.clone(),
            writer.sender(),
            rx,
            None,
        ));
        self.writer = Some(writer);
    }

    /// Drop service and writer.
    pub fn stop(&mut self) {
        self.service = None;
        if let Some(w) = self.writer.take() {
            w.shutdown();
        }
    }

    /// The service's status.
    pub fn status(&self) -> HubStatus {
        self.service.as_ref().unwrap().status()
    }

    /// The hub's records of one court, in hub order.
    pub fn records_of(&self, court: &str) -> Vec<EventRecord> {
        self.store
            .events_page(0, usize::MAX)
            .unwrap()
            .into_iter()
            .filter(|r| r.court == court)
            .collect()
    }

    /// Wait until the hub stored `n` datagrams of `court`.
    pub fn wait_for(&self, court: &str, n: usize) {
        wait_until(
            &format!("{n} datagrams of court {court} on the hub"),
            || self.records_of(court).len() >= n,
            || format!("{:?}", self.status().link),
        );
    }
}

/// What the hub must hold for a court: the court's datagrams, in order, once, with their
/// receive times and bytes; the hub's source names the court store and sequence.
pub fn assert_same_datagrams(court: &Court, hub: &Hub) {
    if let Err(e) = same_datagrams(court, &hub.records_of(&court.name)) {
        panic!("{e}");
    }
}

/// [`assert_same_datagrams`] on a hub's records of the court (`ours`), as an error naming the
/// first difference (the bench reports it instead of panicking).
pub fn same_datagrams(court: &Court, ours: &[EventRecord]) -> Result<(), String> {
    let theirs = court.records();
    let name = &court.name;
    if ours.len() != theirs.len() {
        return Err(format!(
            "court {name}: datagram count: hub {}, court {}",
            ours.len(),
            theirs.len()
        ));
    }
    for (h, c) in ours.iter().zip(&theirs) {
        if (h.received_at_ns, &h.raw) != (c.received_at_ns, &c.raw) {
            return Err(format!(
                "court {name}: datagram {} differs in order, bytes or receive time",
                c.seq
            ));
        }
        let origin = courtside::tournament::wire::origin_of_hub_source(&h.source);
        if origin.map(|(_, seq)| seq) != Some(c.seq) || h.events != c.events {
            return Err(format!(
                "court {name}: datagram {} has another origin or other events at the hub",
                c.seq
            ));
        }
    }
    Ok(())
}
