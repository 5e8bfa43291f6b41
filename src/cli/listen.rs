//! `courtside listen`: headless ingest until Ctrl-C / SIGTERM.

use super::ListenArgs;
use crate::ingest::{self, Listener, ListenerConfig, ListenerStats};
use crate::store::writer::{Persisted, Subscribers};
use crate::store::{Store, Writer, WriterConfig};
use anyhow::Context;
use crossbeam_channel::Receiver;
use std::io::Write;
use std::net::UdpSocket;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

/// Capacity of the `--print-commits` channel. A full channel only delays the printed number (the
/// records are stored either way), so a lower number is printed, never a higher one.
const COMMIT_QUEUE: usize = 65_536;

/// Run headless ingest on every port in `args`, storing into `db`. Returns when a stop signal
/// arrives, after everything received is durable.
pub fn listen(args: &ListenArgs, db: &Path) -> anyhow::Result<()> {
    let configs = configs_of(args)?;
    print_trust(&configs);
    let tournament = super::listen_tournament::court_config(args, &configs)?;
    listen_with(configs, db, args.print_commits, args.http, tournament)
}

/// One line per listener saying whom it trusts (and a warning when it trusts everyone).
fn print_trust(configs: &[ListenerConfig]) {
    for c in configs {
        println!("courtside: {}: {}", c.court, trust_note(c));
    }
}

/// One listener configuration per `--port`, the per-port options given in the same order.
pub fn configs_of(args: &ListenArgs) -> anyhow::Result<Vec<ListenerConfig>> {
    let ports = args.ports.len();
    for (n, what) in [
        (args.courts.len(), "--court names"),
        (args.pss_addresses.len(), "--pss-address values"),
        (args.pss_request_ports.len(), "--pss-request-port values"),
    ] {
        if n > ports {
            anyhow::bail!("{n} {what} for {ports} --port value(s): give one --port for each");
        }
    }
    if let Some(p) = args.pss_request_ports.iter().find(|p| **p == 0) {
        anyhow::bail!("--pss-request-port {p}: the scoring program's port must be 1–65535");
    }
    let allow = crate::ingest::trust::canonical_list(&args.allow);
    Ok(args
        .ports
        .iter()
        .enumerate()
        .map(|(i, port)| ListenerConfig {
            bind: args.bind,
            port: *port,
            court: args
                .courts
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("Court {}", i + 1)),
            allow: (!allow.is_empty()).then(|| allow.clone()),
            lock_source: !args.no_source_lock,
            pss_address: args.pss_addresses.get(i).map(|ip| ip.to_canonical()),
            pss_request_port: args.pss_request_ports.get(i).copied(),
            max_rate: (args.max_rate > 0).then_some(args.max_rate),
        })
        .collect())
}

/// Headless ingest with the listeners configured in the store's settings (the app's headless
/// mode where no display exists).
pub fn listen_from_settings(db: &Path) -> anyhow::Result<()> {
    let (entries, unreadable) = Store::open(db)?.settings_checked()?;
    let (settings, warnings) = crate::model::settings::AppSettings::from_entries(&entries);
    for w in unreadable.into_iter().chain(warnings) {
        tracing::warn!("{w}");
    }
    let configs: Vec<ListenerConfig> = settings.listeners.iter().map(|l| l.to_config()).collect();
    print_trust(&configs);
    listen_configs(configs, db, false, None)
}

/// Run headless ingest for `configs` until a stop signal; with `print_commits`, print the highest
/// stored sequence after each durable commit. `http` is the web server's `--http` (`None`: as in
/// the store's settings).
pub fn listen_configs(
    configs: Vec<ListenerConfig>,
    db: &Path,
    print_commits: bool,
    http: Option<crate::web::HttpOption>,
) -> anyhow::Result<()> {
    listen_with(configs, db, print_commits, http, None)
}

/// [`listen_configs`], and with `tournament` every stored datagram is also published to it.
fn listen_with(
    configs: Vec<ListenerConfig>,
    db: &Path,
    print_commits: bool,
    http: Option<crate::web::HttpOption>,
    tournament: Option<crate::tournament::CourtConfig>,
) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    // Ctrl-C, SIGTERM, SIGHUP; on Windows also a closing console, which waits for `_stored`.
    let _stored = super::console::stop_signals(stop_tx)?;

    // Bind everything first, so a taken port fails the command at once with its cause.
    let sockets = bind_all(configs)?;

    let (mut subscribers, printer) = if print_commits {
        let (tx, rx) = crossbeam_channel::bounded(COMMIT_QUEUE);
        (vec![tx], Some(spawn_commit_printer(rx)?))
    } else {
        (Vec::new(), None)
    };
    // The tournament publisher is a durable subscriber: it publishes only what is on disk.
    let tournament_rx = tournament.as_ref().map(|_| {
        let (tx, rx) = crossbeam_channel::bounded(COMMIT_QUEUE);
        subscribers.push(tx);
        rx
    });
    // The web server binds before the writer starts, so a taken port fails the command at once
    // too; it takes the writer's early records (the scoreboard does not wait for the fsync).
    let court_names = sockets.iter().map(|(c, _)| c.court.clone()).collect();
    let (web_tx, web_rx) = crossbeam_channel::bounded(crate::web::FEED_QUEUE);
    let web = super::web::start_for_command(&store, http, web_rx, court_names)?;
    let subscribers = Subscribers {
        early: if web.is_some() {
            vec![web_tx]
        } else {
            Vec::new()
        },
        durable: subscribers,
    };
    let writer = Writer::spawn_with(store.clone(), WriterConfig::default(), subscribers, None)?;
    if let Some(url) = web.as_ref().and_then(|w| w.url()) {
        println!("courtside: web pages and API on {url} (courts overview: {url}/courts)");
    }
    let court_run = match (tournament, tournament_rx) {
        (Some(config), Some(rx)) => Some(super::listen_tournament::CourtRun::start(
            config,
            store.clone(),
            writer.sender(),
            rx,
        )?),
        _ => None,
    };
    let mut listeners = Vec::new();
    for (config, socket) in sockets {
        let addr = socket.local_addr().unwrap_or(config.addr());
        println!(
            "courtside: listening on UDP {addr} (court {}), store {}",
            config.court,
            db.display()
        );
        listeners.push(Listener::spawn(config, Some(socket), writer.sender())?);
    }
    // A closed or failing stdout is no reason not to listen: the lines are only for a person.
    let _ = std::io::stdout().flush();

    // Err: every stop sender is gone (the signal handler too), which also means stop.
    let _ = stop_rx.recv();
    // Counted after everything is drained and durable: a listener still receives what is queued
    // in its socket while it stops, and the writer stores all of it before it ends.
    let counters: Vec<(String, Arc<ListenerStats>)> = listeners
        .iter()
        .map(|l| (l.config().court.clone(), l.stats().clone()))
        .collect();
    for l in listeners {
        l.stop();
    }
    let tournament_line = court_run.map(|r| r.stop());
    let writer_stats = writer.stats();
    // The writer drops its subscribers when it ends, which ends the printer.
    writer.shutdown();
    drop(web);
    let stored = writer_stats.stored.load(Ordering::Relaxed);
    if let Some(p) = printer
        && p.join().is_err()
    {
        tracing::error!("commit printer thread panicked");
    }
    for (court, stats) in &counters {
        println!("{}", summary(court, stats));
    }
    if let Some(line) = tournament_line {
        println!("courtside: {line}");
    }
    println!("courtside: stopped; {stored} datagrams stored this run");
    Ok(())
}

/// Bind one socket per listener, each with its court name and the allowlist.
fn bind_all(configs: Vec<ListenerConfig>) -> anyhow::Result<Vec<(ListenerConfig, UdpSocket)>> {
    let mut sockets = Vec::new();
    for config in configs {
        let socket = ingest::bind(&config)?;
        sockets.push((config, socket));
    }
    Ok(sockets)
}

/// The closing line of one listener: what it received and what it did not store, and why.
fn summary(court: &str, s: &ListenerStats) -> String {
    let mut line = format!(
        "courtside: {court}: {} datagrams ({} unknown, {} malformed messages, {} refused by the \
         source allowlist, {} ignored from other sources than the locked one, {} over the \
         per-source rate bound)",
        ListenerStats::get(&s.datagrams),
        ListenerStats::get(&s.unknown),
        ListenerStats::get(&s.malformed),
        ListenerStats::get(&s.rejected),
        ListenerStats::get(&s.ignored),
        ListenerStats::get(&s.over_rate),
    );
    let answers = ListenerStats::get(&s.answers);
    if ListenerStats::get(&s.requests_sent) > 0 || answers > 0 {
        line.push_str(&format!("; {answers} answers to state requests"));
    }
    for o in s.not_stored_sources().0.iter().take(3) {
        line.push_str(&format!("; not stored from {}: {}", o.ip, o.total()));
    }
    line
}

/// Print the highest durably stored sequence after each commit the writer publishes. Everything
/// already queued is drained first, so a burst gives one line, not one per datagram.
fn spawn_commit_printer(rx: Receiver<Persisted>) -> anyhow::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("commit-printer".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            while let Ok(first) = rx.recv() {
                let seq = rx
                    .try_iter()
                    .fold(first.record.seq, |m, p| m.max(p.record.seq));
                // A closed stdout is no reason to stop draining (the writer must never wait).
                let _ = writeln!(stdout.lock(), "courtside: committed seq {seq}");
            }
        })
        .context("cannot start the commit printer thread")
}

/// How the listener decides whom to trust, for its start line.
fn trust_note(c: &ListenerConfig) -> String {
    let mut parts = Vec::new();
    if let Some(allow) = &c.allow {
        let list: Vec<String> = allow.iter().map(|a| a.to_string()).collect();
        parts.push(format!("allowlist {}", list.join(", ")));
    }
    if c.lock_source {
        parts.push(match c.pss_address {
            Some(ip) => format!("locked to {ip}"),
            None => "locks to the first scoring program that says hello".into(),
        });
    }
    if let Some(port) = c.pss_request_port {
        let whom = c
            .pss_address
            .map_or("the first source heard".into(), |ip| ip.to_string());
        parts.push(format!("state requests to {whom} port {port}"));
    }
    if c.trusts_everyone() {
        parts.push(
            "WARNING: no allowlist and no source lock, any machine can feed this court".into(),
        );
    }
    if parts.is_empty() {
        "accepts every source".into()
    } else {
        parts.join("; ")
    }
}
