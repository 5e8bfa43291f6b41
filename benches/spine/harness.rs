//! Pieces shared by the ingest comparison and the latency run: a temp store on the real disk,
//! the real ingest path (Listener + Writer + subscriber), thread joining and percentiles.

use anyhow::{Context, anyhow};
use courtside::ingest::{self, Listener, ListenerConfig, ListenerStats};
use courtside::store::writer::{Persisted, Subscribers};
use courtside::store::{Store, Writer, WriterConfig};
use crossbeam_channel::{Receiver, bounded};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tempfile::TempDir;

/// A receiver that has made no progress for this long has lost something: give up and report.
pub const IDLE_LIMIT: Duration = Duration::from_secs(5);

/// A fresh temp dir under cargo's target tmp dir: a real disk, so fsync costs what it costs
/// (`/tmp` may be a tmpfs where fsync is free).
pub fn temp_dir() -> anyhow::Result<TempDir> {
    tempfile::Builder::new()
        .prefix("courtside-bench-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot create a temp dir under the target dir")
}

/// A loopback socket bound exactly as the product binds (same receive buffer request).
pub fn bind_loopback() -> anyhow::Result<(UdpSocket, ListenerConfig)> {
    let mut config = ListenerConfig::new(0, "bench");
    config.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let socket = ingest::bind(&config)?;
    config.port = socket.local_addr()?.port();
    Ok((socket, config))
}

/// The real ingest path against a temp store: datagrams sent to `addr` are parsed by the
/// listener, committed durably by the writer, then published on `persisted`; as in the app, an
/// early subscriber (`shown`, the display's) gets each record before its commit.
pub struct IngestPath {
    /// Where to send.
    pub addr: SocketAddr,
    /// Durable records, in commit order.
    pub persisted: Receiver<Persisted>,
    /// The same records before their commit (what the app's display subscribes to).
    pub shown: Receiver<Persisted>,
    /// The store (for verification reads).
    pub store: Store,
    /// The writer (for its counters).
    pub writer: Writer,
    /// The listener (for its counters).
    pub listener: Listener,
    /// Keeps the store file until the run ends.
    _dir: TempDir,
}

impl IngestPath {
    /// Open a temp store, start the writer with one subscriber of `capacity`, and a listener.
    pub fn start(capacity: usize) -> anyhow::Result<IngestPath> {
        let dir = temp_dir()?;
        let store = Store::open(&dir.path().join("bench.redb"))?;
        let (tx, persisted) = bounded(capacity);
        let (early_tx, shown) = bounded(capacity);
        let subscribers = Subscribers {
            early: vec![early_tx],
            durable: vec![tx],
        };
        let writer = Writer::spawn_with(store.clone(), WriterConfig::default(), subscribers, None)?;
        let (socket, config) = bind_loopback()?;
        let addr = SocketAddr::new(config.bind, config.port);
        let listener = Listener::spawn(config, Some(socket), writer.sender())?;
        Ok(IngestPath {
            addr,
            persisted,
            shown,
            store,
            writer,
            listener,
            _dir: dir,
        })
    }

    /// Datagrams the listener has taken off its socket.
    pub fn received_counter(&self) -> Arc<dyn Fn() -> u64 + Send + Sync> {
        let stats = self.listener.stats().clone();
        Arc::new(move || ListenerStats::get(&stats.datagrams))
    }

    /// Datagrams whose raw bytes, read back from the store in sequence order, differ from
    /// `expected(i)`, plus how many are stored.
    pub fn verify(&self, expected: impl Fn(usize) -> Vec<u8>) -> anyhow::Result<(u64, u64)> {
        let stored = self.store.stats()?.events;
        let mut mismatched = 0;
        let mut from = 1;
        let mut i = 0;
        loop {
            let page = self.store.events_page(from, 4096)?;
            let Some(last) = page.last() else { break };
            from = last.seq + 1;
            for rec in &page {
                if rec.raw != expected(i) {
                    mismatched += 1;
                }
                i += 1;
            }
        }
        Ok((stored, mismatched))
    }
}

/// Join a bench thread, turning a panic into an error.
pub fn join<T>(handle: JoinHandle<anyhow::Result<T>>) -> anyhow::Result<T> {
    handle
        .join()
        .map_err(|_| anyhow!("a bench thread panicked"))?
}

/// The `q` quantile (0..=1) of sorted samples (nearest rank).
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A duration for the tables: µs below 10 ms, ms above.
pub fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10_000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// A rate with thousands separators.
pub fn fmt_rate(per_sec: f64) -> String {
    let n = per_sec.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
