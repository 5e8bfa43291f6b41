//! GUI performance against README's targets; ends with a verdict line per target and fails when
//! one is not met or could not be measured (see `common/verdict.rs`):
//!
//! 1. frame CPU time (median, p99) of the real `CourtsideApp` with a store of N stored events
//!    (default 1 000 000, one long match) and the event table on screen, following new events;
//! 2. startup: `CourtsideApp::new` + first frame on that store;
//! 3. idle CPU of the real binary under Xvfb over 10 s, scoreboard open, clock stopped, and its
//!    resident memory (RSS now and peak) on that store.
//!
//! Run: `cargo bench --bench gui` (set COURTSIDE_BENCH_EVENTS=100000 for a shorter run). Part 3
//! runs the bench build of the binary (no LTO); `COURTSIDE_BIN=target/release/courtside` measures
//! the shipped build instead (`cargo build --release` first).
//! The store is built once and kept in `target/bench-stores/` for later runs.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use courtside::app::{AppOptions, CourtsideApp};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

#[path = "gui/procfs.rs"]
mod procfs;
#[path = "common/verdict.rs"]
mod verdict;
#[path = "../tests/common/xvfb.rs"]
mod xvfb;

use procfs::{Breakdown, cpu_secs, cpu_share, mb, rss_breakdown, rss_bytes};
use verdict::Verdicts;

fn events_wanted() -> u64 {
    std::env::var("COURTSIDE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// A realistic long match: header, then a cycle of clock ticks, hit levels, points and scores.
fn datagram(i: u64) -> Vec<u8> {
    const HEAD: [&str; 4] = [
        "pre;FightLoaded;",
        "at1;J. MÜLLER;Jonas Müller;GER;at2;I. IVANOV;Иван Иванов;RUS;",
        "mch;101;Final;M- 80 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;",
        "rnd;1;",
    ];
    if let Some(h) = HEAD.get(i as usize) {
        return h.as_bytes().to_vec();
    }
    let t = 119 - (i % 120);
    let score = i / 10;
    match i % 6 {
        0 => format!("clk;{}:{:02};", t / 60, t % 60).into_bytes(),
        1 => format!("hl{};{};", 1 + i % 2, 10 + i % 90).into_bytes(),
        2 => format!("pt{};{};", 1 + i % 2, 1 + i % 5).into_bytes(),
        3 => format!("s11;{score};s21;{score};s12;0;s22;0;s13;0;s23;0;").into_bytes(),
        4 => format!("sc1;{score};sc2;{score};").into_bytes(),
        _ => format!("wg1;{};wg2;0;", i % 3).into_bytes(),
    }
}

fn build_store(path: &Path, n: u64) {
    if Store::open(path)
        .and_then(|s| s.stats())
        .is_ok_and(|st| st.events == n)
    {
        println!("store: reusing {} ({n} events)", path.display());
        return;
    }
    let _ = std::fs::remove_file(path);
    let started = Instant::now();
    let store = Store::open(path).expect("store");
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new()).expect("writer");
    let tx = writer.sender();
    for i in 0..n {
        let raw = datagram(i);
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "192.0.2.10:50000".into(),
            court: "Court 1".into(),
            events: parse_datagram(&raw),
            raw,
        });
        tx.send(req).expect("writer alive");
    }
    writer.flush().expect("flush");
    writer.shutdown();
    println!(
        "store: built {n} events in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        path.display()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn frame_times(db: &Path, n: u64, verdicts: &mut Verdicts) {
    let started = Instant::now();
    let db_owned = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |cc| {
            CourtsideApp::new(
                &cc.egui_ctx,
                None,
                AppOptions {
                    db: db_owned,
                    smoke_frames: None,
                    smoke_report: None,
                    log: None,
                },
            )
        });
    h.step();
    let startup_ms = started.elapsed().as_secs_f64() * 1e3;
    println!(
        "startup (store open, state rebuilt, workers started, first frame): {startup_ms:.0} ms (target ≤ 300 ms)"
    );
    let store = format!("store of {n} events");
    verdicts.at_most(
        &format!("start-up to first frame, {store}"),
        startup_ms,
        300.0,
        " ms",
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    let load = Instant::now();
    while h.state().state.table.loading.is_some() || h.state().state.table.rows.is_empty() {
        assert!(Instant::now() < deadline, "table did not load");
        h.step();
    }
    println!(
        "table index of {} rows ({n} datagrams) loaded off the UI thread in {:.1} s",
        h.state().state.table.rows.len(),
        load.elapsed().as_secs_f64()
    );
    let rows = &h.state().state.table.rows;
    println!(
        "  row index in memory: {:.1} MB ({:.2} bytes per row)",
        rows.heap_bytes() as f64 / 1e6,
        rows.heap_bytes() as f64 / rows.len().max(1) as f64
    );
    // Let the visible page of records arrive, then measure steady frames.
    for _ in 0..20 {
        h.step();
    }
    let mut times = Vec::new();
    for i in 0..300 {
        if i % 10 == 0 {
            // Toggle a filter now and then: the heaviest thing an operator does.
            let t = &mut h.state_mut().state.table;
            t.filter.kinds ^= courtside::model::table_model::RowKind::Clock.bit();
        }
        let t0 = Instant::now();
        h.step();
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let mut steady: Vec<f64> = times.clone();
    steady.sort_by(f64::total_cmp);
    let median = percentile(&steady, 0.5);
    println!(
        "frame CPU with {n} stored events, table on screen: median {median:.2} ms, p99 {:.2} ms, max {:.2} ms (target median ≤ 2 ms)",
        percentile(&steady, 0.99),
        steady.last().copied().unwrap_or(0.0)
    );
    println!("  (egui pass + layout on the CPU, as kittest runs it; GPU drawing not included)");
    verdicts.at_most(
        &format!("frame CPU median, {store}, table on screen"),
        median,
        2.0,
        " ms",
    );
}

/// The executable measured: `COURTSIDE_BIN` (e.g. the shipped `cargo build --release` binary,
/// with LTO), else the bench build of this checkout.
fn app_binary() -> PathBuf {
    std::env::var_os("COURTSIDE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_courtside")))
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Point the store's listener at a free loopback port, so the idle app is not retrying a taken
/// port 6000 (which would wake it twice a second).
fn configure_free_port(db: &Path) {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let listeners =
        format!("[{{\"bind\":\"127.0.0.1\",\"port\":{port},\"court\":\"Court 1\",\"allow\":[]}}]");
    let store = Store::open(db).expect("store");
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new()).expect("writer");
    writer
        .set_setting(
            courtside::model::settings::keys::LISTENERS,
            &listeners,
            "bench",
        )
        .expect("setting");
    writer.shutdown();
}

/// What one idle run of the real app measured.
struct Idle {
    /// Start-up CPU seconds, then (% of a core, CPU s) right after start-up and over the next 10 s.
    startup_cpu: f64,
    first: (f64, f64),
    next: (f64, f64),
    /// RSS now and peak, and its parts; `None` without /proc.
    rss: Option<((f64, f64), Breakdown)>,
}

/// Start the real binary on `db` under Xvfb and measure it idle; `Err` says why it could not be.
fn measure_idle(db: &Path) -> Result<Idle, String> {
    configure_free_port(db);
    // Xvfb picks a free display and reports it once it accepts clients (a fixed display number
    // can be taken, or left as a stale socket, and the app would exit at once).
    let xvfb = xvfb::Xvfb::start().map_err(|e| format!("{e}; `apt-get install xvfb`"))?;
    let display = xvfb.display().to_string();
    let home = tempfile::tempdir().expect("tempdir");
    let app = Command::new(app_binary())
        .arg("--db")
        .arg(db)
        .env("DISPLAY", &display)
        .env("HOME", home.path())
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stderr(Stdio::null())
        .spawn()
        .expect("start courtside");
    let pid = app.id();
    let _app = Kill(app);
    // Wait until start-up work is over: CPU time stops growing for a whole second.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = cpu_secs(pid).unwrap_or(0.0);
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = cpu_secs(pid).unwrap_or(last);
        if now - last < 0.02 || Instant::now() > deadline {
            break;
        }
        last = now;
    }
    let startup_cpu = cpu_secs(pid).ok_or("courtside exited during start-up")?;
    // Two windows: the 10 s right after start-up settled (the system monitor is still reporting
    // the fall from start-up load, which wakes the UI), then the next 10 s (steady idle).
    let first = cpu_share(pid);
    let next = cpu_share(pid);
    let (Some(first), Some(next)) = (first, next) else {
        return Err("courtside exited during the measurement".into());
    };
    Ok(Idle {
        startup_cpu,
        first,
        next,
        rss: rss_bytes(pid).zip(rss_breakdown(pid)),
    })
}

/// Measure the idle app on `db` (`label` says which store), print it and judge its idle CPU
/// (the steady window) and RSS.
fn idle_cpu(db: &Path, label: &str, store: &str, verdicts: &mut Verdicts) {
    let cpu_target = format!("idle CPU over the steady 10 s, {store}");
    let rss_target = format!("RSS of the real app, idle, {store}");
    let idle = match measure_idle(db) {
        Ok(idle) => idle,
        Err(why) => {
            println!("idle CPU: not measured ({why})");
            verdicts.not_measured(&cpu_target, "≤ 1 %", &why);
            verdicts.not_measured(&rss_target, "≤ 150 MB", &why);
            return;
        }
    };
    let (first, next, c0) = (idle.first, idle.next, idle.startup_cpu);
    println!("[{label}]");
    println!("  binary: {}", app_binary().display());
    println!(
        "  idle CPU over 10 s, main window + scoreboard open, clock stopped: {:.2} % of one \
         core right after start-up ({:.3} CPU s; start-up used {c0:.2} CPU s), {:.2} % over the \
         next 10 s ({:.3} CPU s) (target ≤ 1 %, steady)",
        first.0, first.1, next.0, next.1
    );
    verdicts.at_most(&cpu_target, next.0, 1.0, " %");
    let Some(((now, peak), b)) = idle.rss else {
        println!("  RSS: not measured (no /proc on this system)");
        verdicts.not_measured(&rss_target, "≤ 150 MB", "no /proc on this system");
        return;
    };
    println!(
        "  RSS of the real app, idle: {}, peak since start {} (target ≤ 150 MB)",
        mb(now),
        mb(peak)
    );
    verdicts.at_most(&rss_target, now / 1e6, 150.0, " MB");
    println!(
        "    of which Mesa's software renderer's files (libLLVM, *_dri.so, X shared \
         memory): {}; without them {}",
        mb(b.renderer),
        mb(now - b.renderer)
    );
    println!(
        "    courtside's own executable (code and constants, read from the file, \
         shared): {}; anonymous memory (heap, stacks; includes the renderer's own \
         allocations): {}",
        mb(b.executable),
        mb(b.anonymous)
    );
}

fn main() -> ExitCode {
    // As the app's main does.
    courtside::app::memory::configure_allocator();
    let n = events_wanted();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-stores");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let db = dir.join(format!("gui-{n}.redb"));
    build_store(&db, n);
    let mut verdicts = Verdicts::new();
    frame_times(&db, n, &mut verdicts);
    idle_cpu(
        &db,
        &format!("store of {n} events, one match, table showing it"),
        &format!("store of {n} events"),
        &mut verdicts,
    );
    let empty = tempfile::tempdir().expect("tempdir");
    idle_cpu(
        &empty.path().join("empty.redb"),
        "empty store, same run (the baseline)",
        "empty store",
        &mut verdicts,
    );
    verdicts.finish()
}
