//! The run: server, hub process and courts up; the live session and the outage (`phases.rs`);
//! then the exactly-once check and the sizes on disk.

use crate::Sizes;
use crate::hub_proc::HubProcess;
use crate::phases;
use crate::server::NatsServer;
use crate::support::{Court, nats, same_datagrams};
use crate::venue::{Timed, court_timeline};
use crate::verdict::Verdicts;
use anyhow::{Context, ensure};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{EventRecord, Store};
use courtside::tournament::{Auth, Link};
use crossbeam_channel::Sender;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Longest wait for any one step (only reached when something is wrong).
pub const LIMIT: Duration = Duration::from_secs(120);
const TOURNAMENT: &str = "bench";

/// The courts and what they were given.
pub struct Courts {
    pub courts: Vec<Court>,
    senders: Vec<Sender<WriteRequest>>,
    /// Per court, the receive time (Unix ns) of every datagram given, in order.
    pub sent: Vec<Vec<i64>>,
}

impl Courts {
    /// Hand a datagram to court `c`'s store writer, as its UDP listener does.
    pub fn give(&mut self, c: usize, bytes: &[u8]) -> anyhow::Result<()> {
        // Receive times are unique per court (the hub's view is matched on them).
        let last = self.sent[c].last().copied().unwrap_or(0);
        let at = now_ns().max(last + 1);
        self.sent[c].push(at);
        self.senders[c]
            .send(WriteRequest::Datagram(Incoming {
                received_at_ns: at,
                received: Instant::now(),
                source: "192.168.1.20:5000".into(),
                court: "Court 1".into(),
                raw: bytes.to_vec(),
                events: parse_datagram(bytes),
            }))
            .map_err(|_| anyhow::anyhow!("court {c}: its store writer stopped"))
    }

    pub fn total(&self) -> u64 {
        self.sent.iter().map(|s| s.len() as u64).sum()
    }
}

/// Court `c`'s name in the tournament.
pub fn name(c: usize) -> String {
    format!("c{c:02}")
}

fn temp_dir() -> anyhow::Result<tempfile::TempDir> {
    // Under the target dir: a real disk, so fsync costs what it costs (/tmp may be a tmpfs).
    tempfile::Builder::new()
        .prefix("courtside-tournament-bench-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("cannot create a temp dir under the target dir")
}

/// The `q` quantile of sorted values (nearest rank).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// Bytes as MB (10^6).
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The whole run; the verdicts go to `v`.
pub fn run(sizes: &Sizes, v: &mut Verdicts) -> anyhow::Result<()> {
    let binary = std::env::var_os("NATS_SERVER").unwrap_or_else(|| "/usr/sbin/nats-server".into());
    ensure!(
        Path::new(&binary).exists(),
        "no nats-server at {} (apt-get install nats-server, or NATS_SERVER=path)",
        Path::new(&binary).display()
    );
    let dir = temp_dir()?;
    let mut server = NatsServer::start(dir.path());
    let hub = HubProcess::start(&server.url(), TOURNAMENT, &dir.path().join("hub.redb"))?;
    ensure!(hub.wait(LIMIT, |s| s.connected), "the hub did not connect");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut courts = start_courts(sizes.courts, dir.path(), &server.url(), rt.handle())?;
    let timelines: Vec<Vec<Timed>> = (0..sizes.courts)
        .map(|c| court_timeline(c, sizes.live_ms + sizes.outage_ms))
        .collect();
    println!(
        "tournament bench: {} courts, nats-server {}, hub pid {}, nats-server pid {}; CPU and RSS \
         from /proc (Linux only)",
        sizes.courts,
        server.url(),
        hub.pid(),
        server.pid().unwrap_or(0)
    );
    let live_cpu = phases::live(sizes, &timelines, &mut courts, &hub, &server, v)?;
    let backlog = phases::outage(sizes, &timelines, &mut courts, &hub, &mut server)?;
    let catch_up = phases::catch_up(backlog, &courts, &hub, &mut server, v)?;
    let hub_path = hub.db.clone();
    let stored = hub.stop()?;
    println!(
        "hub process: RSS peak {:.1} MB (VmHWM), at the end {:.1} MB (VmRSS); CPU {:.1} % of one \
         core live, {:.1} % during the catch-up (MB = 10^6 bytes)",
        mb(catch_up.peak_rss_bytes),
        mb(catch_up.rss_bytes),
        live_cpu,
        catch_up.cpu_percent
    );
    check_and_size(stored, courts, &hub_path, &server.storage_dir(), v)?;
    drop(server);
    drop(dir);
    Ok(())
}

/// `n` courts on their own stores, publishing to `url`, all connected.
fn start_courts(
    n: usize,
    dir: &Path,
    url: &str,
    rt: &tokio::runtime::Handle,
) -> anyhow::Result<Courts> {
    let config = nats(url, TOURNAMENT, Auth::None);
    let courts: Vec<Court> = (0..n)
        .map(|c| Court::start(dir, &name(c), config.clone(), rt))
        .collect();
    let senders = courts
        .iter()
        .map(|c| c.writer.as_ref().map(|w| w.sender()))
        .collect::<Option<Vec<_>>>()
        .context("a court without its writer")?;
    let connected = wait(LIMIT, || {
        courts.iter().all(|c| c.status().link == Link::Connected)
    });
    ensure!(connected, "the courts did not connect");
    Ok(Courts {
        sent: vec![Vec::new(); n],
        courts,
        senders,
    })
}

/// Wait until `cond` holds, at most `limit`.
pub fn wait(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while !cond() {
        if Instant::now() >= end {
            return false;
        }
        std::thread::park_timeout(Duration::from_millis(20));
    }
    true
}

/// Every court's datagrams in the hub store once, in order; then bytes on disk per datagram.
fn check_and_size(
    stored: u64,
    courts: Courts,
    hub_path: &Path,
    nats_dir: &Path,
    v: &mut Verdicts,
) -> anyhow::Result<()> {
    let hub = Store::open(hub_path)?;
    let mut by_court: HashMap<String, Vec<EventRecord>> = HashMap::new();
    for rec in hub.events_page(0, usize::MAX)? {
        by_court.entry(rec.court.clone()).or_default().push(rec);
    }
    let mut wrong = Vec::new();
    for c in &courts.courts {
        let ours = by_court.remove(&c.name).unwrap_or_default();
        if let Err(e) = same_datagrams(c, &ours) {
            wrong.push(e);
        }
    }
    wrong.extend(
        by_court
            .keys()
            .map(|k| format!("a court the bench did not run: {k}")),
    );
    let hub_events = hub.stats()?.events;
    println!(
        "exactly once: hub store {hub_events} datagrams (its writer stored {stored} this run), \
         courts {}; {} court(s) differ{}",
        courts.total(),
        wrong.len(),
        wrong.first().map_or(String::new(), |e| format!(": {e}"))
    );
    v.at_most(
        "courts whose datagrams the hub lacks, repeats or reorders",
        wrong.len() as f64,
        0.0,
        "",
    );
    drop(hub);
    let court_paths: Vec<_> = courts.courts.iter().map(|c| c.path.clone()).collect();
    let total = courts.total();
    for mut c in courts.courts {
        c.stop();
    }
    crate::disk::report(hub_path, hub_events, &court_paths, total, nats_dir)
}
