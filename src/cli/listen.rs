//! `courtside listen`: headless ingest until Ctrl-C / SIGTERM.

use super::ListenArgs;
use crate::ingest::{self, Listener, ListenerConfig, ListenerStats};
use crate::store::{Store, Writer, WriterConfig};
use anyhow::Context;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;

/// Run headless ingest on every port in `args`, storing into `db`. Returns when a stop signal
/// arrives, after everything received is durable.
pub fn listen(args: &ListenArgs, db: &Path) -> anyhow::Result<()> {
    let configs = args
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
            allow: (!args.allow.is_empty()).then(|| args.allow.clone()),
        })
        .collect();
    listen_configs(configs, db)
}

/// Headless ingest with the listeners configured in the store's settings (the app's headless
/// mode where no display exists).
pub fn listen_from_settings(db: &Path) -> anyhow::Result<()> {
    let entries = Store::open(db)?.settings()?;
    let (settings, warnings) = crate::app::settings::AppSettings::from_entries(&entries);
    for w in warnings {
        tracing::warn!("{w}");
    }
    let configs = settings.listeners.iter().map(|l| l.to_config()).collect();
    listen_configs(configs, db)
}

/// Run headless ingest for `configs`.
pub fn listen_configs(configs: Vec<ListenerConfig>, db: &Path) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context("cannot install the Ctrl-C / SIGTERM handler")?;

    // Bind everything first, so a taken port fails the command at once with its cause.
    let mut sockets = Vec::new();
    for config in configs {
        let socket = ingest::bind(&config)?;
        sockets.push((config, socket));
    }

    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new())?;
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
    let _ = std::io::stdout().flush();

    let _ = stop_rx.recv();
    let totals: Vec<(String, u64, u64, u64)> = listeners
        .iter()
        .map(|l| {
            let s = l.stats();
            (
                l.config().court.clone(),
                ListenerStats::get(&s.datagrams),
                ListenerStats::get(&s.unknown),
                ListenerStats::get(&s.malformed),
            )
        })
        .collect();
    for l in listeners {
        l.stop();
    }
    let stored = writer.stats().stored.load(Ordering::Relaxed);
    writer.shutdown();
    for (court, datagrams, unknown, malformed) in totals {
        println!(
            "courtside: {court}: {datagrams} datagrams ({unknown} unknown, {malformed} malformed messages)"
        );
    }
    println!("courtside: stopped; {stored} datagrams stored this run");
    Ok(())
}
