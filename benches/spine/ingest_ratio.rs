//! Ingest on loopback, side by side in one run, same sender, same traffic, same count:
//! (a) a bare UDP receive loop, courtside's Listener + Writer (durable in redb), and (b) SQLite
//! with one insert + commit per datagram (WAL, synchronous=FULL). Prints rates and ratios, and
//! fails if any arm loses a datagram.

use crate::harness::{self, IDLE_LIMIT, IngestPath, fmt_duration, fmt_rate, join};
use crate::options::Options;
use crate::sender::{self, BURST, WINDOW};
use crate::traffic;
use crate::verdict::Verdicts;
use anyhow::{Context, bail};
use courtside::ingest::ListenerStats;
use courtside::protocol::parse_datagram;
use courtside::store::codec;
use courtside::store::writer::now_ns;
use crossbeam_channel::RecvTimeoutError;
use std::io;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The outcome of one arm.
struct Arm {
    elapsed: Duration,
    count: usize,
    /// Datagrams that made it (received, or durably stored).
    kept: u64,
    /// Of those, how many differ from what was sent (checked where the arm keeps bytes).
    mismatched: u64,
    kernel_drops: Option<u64>,
    note: String,
}

impl Arm {
    fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn lossless(&self) -> bool {
        self.kept == self.count as u64 && self.mismatched == 0
    }
}

/// Run the comparison and print its table.
pub fn run(opts: &Options, verdicts: &mut Verdicts) -> anyhow::Result<()> {
    let traffic = Arc::new(traffic::realistic_mix());
    let count = opts.ingest_count();
    let mut bare = Vec::new();
    let mut redb = Vec::new();
    // Interleaved rounds, so a slow moment of the shared machine hits both arms alike.
    for _ in 0..opts.ingest_rounds() {
        bare.push(bare_arm(&traffic, count)?);
        redb.push(redb_arm(&traffic, count)?);
    }
    let sqlite = sqlite_arm(&traffic, count)?;
    let bare_mid = median(&bare);
    let redb_mid = median(&redb);
    print_table(opts, count, &bare, &redb, bare_mid, redb_mid, &sqlite);
    let rounds = bare.len();
    verdicts.at_least(
        &format!("ingest rate, courtside / bare UDP receive loop (median of {rounds} round(s))"),
        redb_mid.rate() / bare_mid.rate(),
        0.5,
        "",
    );
    verdicts.at_least(
        "ingest rate, courtside / SQLite insert + commit each",
        redb_mid.rate() / sqlite.rate(),
        20.0,
        "×",
    );
    let all = bare.iter().chain(&redb).chain([&sqlite]);
    if all.clone().any(|a| !a.lossless()) {
        bail!("an ingest arm lost or altered datagrams (see the table above)");
    }
    Ok(())
}

fn median(arms: &[Arm]) -> &Arm {
    let mut order: Vec<usize> = (0..arms.len()).collect();
    order.sort_by(|a, b| arms[*a].rate().total_cmp(&arms[*b].rate()));
    &arms[order[order.len() / 2]]
}

fn print_table(
    opts: &Options,
    count: usize,
    bare: &[Arm],
    redb: &[Arm],
    bare_mid: &Arm,
    redb_mid: &Arm,
    sqlite: &Arm,
) {
    let mode = if opts.smoke {
        "SMOKE RUN (test mode): sizes too small for meaningful numbers"
    } else if opts.quick {
        "quick mode"
    } else {
        "full run"
    };
    println!();
    println!("== ingest on loopback, durable, zero loss ({mode}) ==");
    println!(
        "{count} datagrams per arm, realistic PSS mix, one sender: ≤{WINDOW} in flight, bursts of {BURST}; median of {} round(s) for (a) and redb",
        bare.len()
    );
    println!(
        "{:<52} {:>12} {:>10} {:>15} {:>7}  note",
        "arm", "datagrams/s", "elapsed", "kept/sent", "kdrops"
    );
    let row = |name: &str, a: &Arm| {
        let drops = a.kernel_drops.map_or("n/a".to_string(), |d| d.to_string());
        println!(
            "{:<52} {:>12} {:>10} {:>15} {:>7}  {}",
            name,
            fmt_rate(a.rate()),
            fmt_duration(a.elapsed),
            format!("{}/{}", a.kept, a.count),
            drops,
            a.note
        );
    };
    for (i, a) in bare.iter().enumerate() {
        row(&format!("(a) bare UDP receive loop, round {}", i + 1), a);
    }
    for (i, a) in redb.iter().enumerate() {
        row(
            &format!("courtside Listener+Writer (redb), round {}", i + 1),
            a,
        );
    }
    row("(b) SQLite insert+commit each (WAL, sync=FULL)", sqlite);
    let vs_bare = redb_mid.rate() / bare_mid.rate();
    let vs_sqlite = redb_mid.rate() / sqlite.rate();
    println!("ratio courtside / (a) bare UDP   = {vs_bare:.2}   (target ≥ 0.5)");
    println!("ratio courtside / (b) SQLite     = {vs_sqlite:.1}×  (target ≥ 20×)");
}

/// (a): receive and count, nothing else.
fn bare_arm(traffic: &Arc<Vec<Vec<u8>>>, count: usize) -> anyhow::Result<Arm> {
    let (socket, _) = harness::bind_loopback()?;
    let to = socket.local_addr()?;
    let (progress, read) = sender::counter();
    let expected_bytes: u64 = (0..count)
        .map(|i| sender::datagram(traffic, i).len() as u64)
        .sum();
    let drops_before = sender::kernel_rcvbuf_errors();
    let receiver = std::thread::Builder::new()
        .name("bench-bare-recv".into())
        .spawn(move || {
            receive_loop(&socket, count, &progress, |bytes| {
                Ok::<_, anyhow::Error>(bytes.len() as u64)
            })
        })?;
    let send = sender::spawn(to, traffic.clone(), count, read)?;
    let started = join(send)?;
    let (kept, bytes, ended) = join(receiver)?;
    Ok(Arm {
        elapsed: ended - started,
        count,
        kept,
        mismatched: u64::from(bytes != expected_bytes),
        kernel_drops: sender::kernel_drops_since(drops_before),
        note: format!("{bytes} bytes received"),
    })
}

/// Receive until `count` datagrams or `IDLE_LIMIT` without one; `handle` each. Returns the
/// number received, the sum of what `handle` returned, and when the last one was handled.
fn receive_loop(
    socket: &UdpSocket,
    count: usize,
    progress: &AtomicU64,
    mut handle: impl FnMut(&[u8]) -> anyhow::Result<u64>,
) -> anyhow::Result<(u64, u64, Instant)> {
    socket.set_read_timeout(Some(Duration::from_millis(100)))?;
    let mut buf = vec![0u8; 65_536];
    let (mut n, mut sum) = (0u64, 0u64);
    let mut last = Instant::now();
    while n < count as u64 {
        match socket.recv_from(&mut buf) {
            Ok((len, _)) => {
                n += 1;
                progress.store(n, Ordering::Relaxed);
                sum += handle(&buf[..len])?;
                last = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if last.elapsed() > IDLE_LIMIT {
                    break;
                }
            }
            Err(e) => return Err(e).context("bench receive failed"),
        }
    }
    Ok((n, sum, last))
}

/// The real code path: Listener parses, Writer commits durably (redb, fsync), the subscriber
/// channel says when each datagram is durable.
fn redb_arm(traffic: &Arc<Vec<Vec<u8>>>, count: usize) -> anyhow::Result<Arm> {
    let path = IngestPath::start(count + 1024)?;
    let drops_before = sender::kernel_rcvbuf_errors();
    let send = sender::spawn(path.addr, traffic.clone(), count, path.received_counter())?;
    let mut persisted = 0usize;
    let mut last = Instant::now();
    while persisted < count {
        match path.persisted.recv_timeout(IDLE_LIMIT) {
            Ok(_) => {
                persisted += 1;
                last = Instant::now();
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    let started = join(send)?;
    let kernel_drops = sender::kernel_drops_since(drops_before);
    let (stored, mismatched) = path.verify(|i| sender::datagram(traffic, i).to_vec())?;
    let ws = path.writer.stats();
    let commits = ws.commits.load(Ordering::Relaxed);
    let queue_full = ListenerStats::get(&path.listener.stats().writer_full);
    let longest = ws.max_commit_micros.load(Ordering::Relaxed) as f64 / 1000.0;
    let note = format!(
        "{persisted} published; {commits} commits (avg {:.0}/commit, longest {longest:.1} ms); writer queue full {queue_full}×; subscriber full {}×; {}",
        stored as f64 / commits.max(1) as f64,
        ws.subscriber_full.load(Ordering::Relaxed),
        if mismatched == 0 {
            "bytes identical, in order"
        } else {
            "BYTES DIFFER"
        },
    );
    path.listener.stop();
    path.writer.shutdown();
    Ok(Arm {
        elapsed: last - started,
        count,
        kept: stored.min(persisted as u64),
        mismatched,
        kernel_drops,
        note,
    })
}

/// (b): parse, then one SQLite INSERT in its own transaction per datagram.
fn sqlite_arm(traffic: &Arc<Vec<Vec<u8>>>, count: usize) -> anyhow::Result<Arm> {
    let dir = harness::temp_dir()?;
    let conn = rusqlite::Connection::open(dir.path().join("bench.sqlite"))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    if mode != "wal" || sync != 2 {
        bail!("SQLite refused WAL + synchronous=FULL (got {mode}, {sync})");
    }
    conn.execute_batch(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, received_at_ns INTEGER NOT NULL, \
         source TEXT NOT NULL, court TEXT NOT NULL, raw BLOB NOT NULL, events BLOB NOT NULL)",
    )?;
    let (socket, _) = harness::bind_loopback()?;
    let to = socket.local_addr()?;
    let (progress, read) = sender::counter();
    let drops_before = sender::kernel_rcvbuf_errors();
    let receiver = std::thread::Builder::new()
        .name("bench-sqlite-recv".into())
        .spawn(move || {
            let mut seq = 0i64;
            let r = receive_loop(&socket, count, &progress, |bytes| {
                seq += 1;
                let received_at_ns = now_ns();
                let events = codec::encode(&parse_datagram(bytes), "events")?;
                // Autocommit: each INSERT is its own durable transaction.
                conn.prepare_cached(
                    "INSERT INTO events (seq, received_at_ns, source, court, raw, events) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(rusqlite::params![
                    seq,
                    received_at_ns,
                    "127.0.0.1",
                    "bench",
                    bytes,
                    events
                ])?;
                Ok(1)
            });
            r.map(|(n, stored, ended)| (n, stored, ended, conn))
        })?;
    let send = sender::spawn(to, traffic.clone(), count, read)?;
    let started = join(send)?;
    let (received, _, ended, conn) = join(receiver)?;
    let kernel_drops = sender::kernel_drops_since(drops_before);
    let mut stmt = conn.prepare("SELECT raw FROM events ORDER BY seq")?;
    let raws = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
    let (mut stored, mut mismatched) = (0u64, 0u64);
    for (i, raw) in raws.enumerate() {
        stored += 1;
        if raw? != sender::datagram(traffic, i) {
            mismatched += 1;
        }
    }
    Ok(Arm {
        elapsed: ended - started,
        count,
        kept: stored.min(received),
        mismatched,
        kernel_drops,
        note: "journal_mode=WAL, synchronous=FULL, 1 transaction per datagram".into(),
    })
}
