//! The hub in a process of its own, so its CPU time and memory are its own: this bench's
//! executable started again with [`ROLE_VAR`] set runs exactly what `courtside hub --headless`
//! runs — the hub's redb store, its store writer (a durable subscriber feeding the court views),
//! a 2-thread tokio runtime and `HubService` with a waker — without the command's web server and
//! console lines. In their place it prints, after each wake-up, what changed in its status:
//! every court whose view moved on (`view <court> <latest court receive time, ns> <now, ns>`)
//! and its counters (`stored <stored> <duplicates> <received> <now, ns>`). The parent matches
//! those against the datagrams it gave the courts. Closing its stdin stops it.

use courtside::store::writer::{Subscribers, Waker, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use courtside::tournament::{Auth, HubConfig, HubService, Link, NatsConfig};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Set (to the NATS URL) in the child's environment: run as the hub.
pub const ROLE_VAR: &str = "COURTSIDE_TOURBENCH_HUB_URL";
const DB_VAR: &str = "COURTSIDE_TOURBENCH_HUB_DB";
const TOURNAMENT_VAR: &str = "COURTSIDE_TOURBENCH_TOURNAMENT";
/// Set by the user (a tracing filter): the hub process logs to stderr with it.
const LOG_VAR: &str = "COURTSIDE_BENCH_HUB_LOG";

/// The child's side: run the hub until stdin closes.
pub fn run_child(url: String) -> anyhow::Result<()> {
    courtside::app::memory::configure_allocator();
    if let Ok(filter) = std::env::var(LOG_VAR) {
        // Where a slow run spends its time (e.g. `courtside::tournament=debug`: each batch the
        // hub stores, with its size and time), on stderr.
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    let db = PathBuf::from(std::env::var(DB_VAR)?);
    let config = HubConfig {
        nats: NatsConfig {
            servers: vec![url],
            auth: Auth::None,
            ca_file: None,
            tournament: std::env::var(TOURNAMENT_VAR)?,
        },
        consumer: "hub".into(),
    };
    // As `courtside hub` builds it (src/cli/hub.rs), web server aside.
    let store = Store::open(&db)?;
    let (durable_tx, durable_rx) = crossbeam_channel::bounded(65_536);
    let subscribers = Subscribers {
        early: Vec::new(),
        durable: vec![durable_tx],
    };
    let writer = Writer::spawn_with(store.clone(), WriterConfig::default(), subscribers, None)?;
    let rt = courtside::cli::hub::runtime()?;
    let (wake_tx, wake_rx) = crossbeam_channel::bounded::<()>(1);
    let waker: Waker = Arc::new(move || {
        let _ = wake_tx.try_send(());
    });
    let service = HubService::spawn(
        config,
        rt.handle(),
        store,
        writer.sender(),
        durable_rx,
        Some(waker),
    );
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    std::thread::Builder::new()
        .name("bench-hub-stdin".into())
        .spawn(move || {
            // Any line or the end of stdin: stop (a send to a gone loop has nothing to stop).
            let _ = std::io::stdin().lock().read_line(&mut String::new());
            let _ = stop_tx.send(());
        })?;
    print_changes(&service, &wake_rx, &stop_rx)?;
    drop(service);
    let stored = writer
        .stats()
        .stored
        .load(std::sync::atomic::Ordering::Relaxed);
    writer.shutdown();
    println!("done {stored}");
    Ok(())
}

/// After each wake-up until `stop`: what changed in the hub's status, one line each.
fn print_changes(
    service: &HubService,
    wake: &crossbeam_channel::Receiver<()>,
    stop: &crossbeam_channel::Receiver<()>,
) -> std::io::Result<()> {
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut last = (u64::MAX, u64::MAX, u64::MAX);
    let mut link = None;
    let out = std::io::stdout();
    loop {
        crossbeam_channel::select! {
            recv(stop) -> _ => return Ok(()),
            recv(wake) -> _ => {}
        }
        let s = service.status();
        let now = now_ns();
        let mut o = out.lock();
        for (court, v) in &s.courts {
            if seen.get(court) != Some(&v.last_received_at_ns) {
                seen.insert(court.clone(), v.last_received_at_ns);
                writeln!(o, "view {court} {} {now}", v.last_received_at_ns)?;
            }
        }
        let counters = (s.stored, s.duplicates, s.received);
        if counters != last {
            last = counters;
            writeln!(
                o,
                "stored {} {} {} {now}",
                s.stored, s.duplicates, s.received
            )?;
        }
        let connected = s.link == Link::Connected;
        if link != Some(connected) {
            link = Some(connected);
            writeln!(o, "link {connected} {now}")?;
        }
        o.flush()?;
    }
}

/// What the parent knows of the hub, from its lines.
#[derive(Default)]
pub struct Seen {
    pub stored: u64,
    pub duplicates: u64,
    pub received: u64,
    /// When `stored` last changed (the hub's clock, Unix ns).
    pub stored_at_ns: i64,
    pub connected: bool,
    pub done: Option<u64>,
    /// Per court: the latest court receive time its view showed, and when (Unix ns).
    pub views: HashMap<String, (i64, i64)>,
    /// View updates in arrival order (court, receive time, seen at), for the latency match.
    pub updates: Vec<(String, i64, i64)>,
}

/// The parent's handle on the hub process.
pub struct HubProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    pub seen: Arc<(Mutex<Seen>, Condvar)>,
    pub db: PathBuf,
}

impl HubProcess {
    /// Start this executable again as the hub, on a new store at `db`.
    pub fn start(url: &str, tournament: &str, db: &Path) -> anyhow::Result<HubProcess> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(ROLE_VAR, url)
            .env(DB_VAR, db)
            .env(TOURNAMENT_VAR, tournament)
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let seen = Arc::new((Mutex::new(Seen::default()), Condvar::new()));
        let s2 = seen.clone();
        std::thread::Builder::new()
            .name("hub-lines".into())
            .spawn(move || read_lines(BufReader::new(stdout), &s2))?;
        Ok(HubProcess {
            stdin: child.stdin.take(),
            child,
            seen,
            db: db.to_path_buf(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait until `cond` holds on what the hub said, at most `limit`; false at the limit.
    pub fn wait(&self, limit: Duration, mut cond: impl FnMut(&Seen) -> bool) -> bool {
        let end = Instant::now() + limit;
        let mut s = self.seen.0.lock().unwrap();
        while !cond(&s) {
            let now = Instant::now();
            if now >= end {
                return false;
            }
            s = self.seen.1.wait_timeout(s, end - now).unwrap().0;
        }
        true
    }

    /// Stop it (its store closed cleanly); the datagrams its writer stored this run.
    pub fn stop(mut self) -> anyhow::Result<u64> {
        drop(self.stdin.take());
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "the hub process failed: {status}");
        let done = self.wait(Duration::from_secs(10), |s| s.done.is_some());
        anyhow::ensure!(done, "the hub process did not report its end");
        Ok(self.seen.0.lock().unwrap().done.unwrap_or(0))
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lines(out: impl BufRead, seen: &(Mutex<Seen>, Condvar)) {
    for line in out.lines() {
        let Ok(line) = line else { break };
        let f: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        let mut s = seen.0.lock().unwrap();
        match f.first().copied() {
            Some("view") if f.len() == 4 => {
                let court = f[1].to_string();
                s.views.insert(court.clone(), (num(2), num(3)));
                s.updates.push((court, num(2), num(3)));
            }
            Some("stored") => {
                s.stored = num(1) as u64;
                s.duplicates = num(2) as u64;
                s.received = num(3) as u64;
                s.stored_at_ns = num(4);
            }
            Some("link") => s.connected = f.get(1) == Some(&"true"),
            Some("done") => s.done = Some(num(1) as u64),
            _ => eprintln!("hub process: {line}"),
        }
        drop(s);
        seen.1.notify_all();
    }
}

/// CPU time (user + system) and memory of a process, from /proc (Linux only).
#[derive(Debug, Clone, Copy)]
pub struct ProcSample {
    pub cpu_s: f64,
    pub rss_bytes: u64,
    pub peak_rss_bytes: u64,
    pub at: Instant,
}

/// Read /proc/<pid>/stat and status now; `None` off Linux or when the process is gone.
pub fn sample(pid: u32) -> Option<ProcSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    Some(ProcSample {
        cpu_s: ticks / clock_ticks_per_second(),
        rss_bytes: kb("VmRSS:")? * 1024,
        peak_rss_bytes: kb("VmHWM:")? * 1024,
        at: Instant::now(),
    })
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf reads a constant of the system; no memory is shared.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn clock_ticks_per_second() -> f64 {
    100.0
}

/// CPU used between two samples, as % of one core.
pub fn cpu_percent(a: &ProcSample, b: &ProcSample) -> f64 {
    let wall = b.at.duration_since(a.at).as_secs_f64();
    if wall <= 0.0 {
        return 0.0;
    }
    (b.cpu_s - a.cpu_s) / wall * 100.0
}
