//! `courtside listen --nats URL --tournament ID`: the court's tournament publisher beside the
//! headless ingest, with its status printed whenever the link changes.

use super::ListenArgs;
use super::hub::{process_env, runtime};
use crate::ingest::ListenerConfig;
use crate::store::writer::{Persisted, Waker};
use crate::store::{Store, WriteRequest};
use crate::tournament::{CourtConfig, Link, TournamentService};
use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};
use std::sync::Arc;

/// The tournament settings of `courtside listen`, when `--nats` is given.
pub fn court_config(
    args: &ListenArgs,
    configs: &[ListenerConfig],
) -> anyhow::Result<Option<CourtConfig>> {
    if !args.nats.given() {
        return Ok(None);
    }
    let nats = args.nats.to_config(&process_env)?;
    let court = match &args.tournament_court {
        Some(c) => c.clone(),
        None => configs
            .first()
            .map(|c| token_of(&c.court))
            .unwrap_or_else(|| "court".into()),
    };
    let config = CourtConfig { nats, court };
    config.validate()?;
    Ok(Some(config))
}

/// A listener's court name as a tournament court name: characters a subject token cannot hold
/// become '-'.
pub fn token_of(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The running publisher with its runtime and status printer.
pub struct CourtRun {
    runtime: tokio::runtime::Runtime,
    service: TournamentService,
    printer_stop: Sender<()>,
    printer: std::thread::JoinHandle<()>,
}

impl CourtRun {
    /// Start publishing the store's datagrams; `durable` is a durable subscription of `writer`.
    pub fn start(
        config: CourtConfig,
        store: Store,
        writer: Sender<WriteRequest>,
        durable: Receiver<Persisted>,
    ) -> anyhow::Result<CourtRun> {
        let runtime = runtime()?;
        let (wake_tx, wake_rx) = crossbeam_channel::bounded::<()>(1);
        let waker: Waker = Arc::new(move || {
            // A full slot already holds a wake-up: the printer reads the status once for both.
            let _ = wake_tx.try_send(());
        });
        println!(
            "courtside: tournament {}: publishing as court {} to {}",
            config.nats.tournament,
            config.court,
            config.nats.servers.join(", ")
        );
        let service = TournamentService::spawn(
            config,
            runtime.handle(),
            store,
            writer,
            durable,
            Some(waker),
        );
        let status = service_status_reader(&service);
        let (printer_stop, stop_rx) = crossbeam_channel::bounded::<()>(1);
        let printer = std::thread::Builder::new()
            .name("tournament-status".into())
            .spawn(move || {
                let mut last: Option<Link> = None;
                loop {
                    crossbeam_channel::select! {
                        recv(wake_rx) -> _ => {}
                        recv(stop_rx) -> _ => break,
                    }
                    let s = status();
                    if last.as_ref() != Some(&s.link) {
                        println!("courtside: {}", s.line());
                        last = Some(s.link.clone());
                    }
                }
            })
            .context("cannot start the tournament status thread")?;
        Ok(CourtRun {
            runtime,
            service,
            printer_stop,
            printer,
        })
    }

    /// Stop publishing; returns the final status line (what is still queued is sent at the
    /// next start).
    pub fn stop(self) -> String {
        let CourtRun {
            runtime,
            service,
            printer_stop,
            printer,
        } = self;
        let before = service.status();
        drop(service);
        // Err: the printer already ended (its channel is gone); the join below still runs.
        let _ = printer_stop.send(());
        if printer.join().is_err() {
            tracing::error!("tournament status thread panicked");
        }
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        format!(
            "tournament: {} published this run, {} queued for the next start",
            before.published, before.queued
        )
    }
}

/// A status reader that outlives a borrow of the service (the printer thread's).
fn service_status_reader(
    service: &TournamentService,
) -> impl Fn() -> crate::tournament::CourtStatus + Send + 'static {
    let shared = service.shared_status();
    move || shared.lock().map(|s| s.clone()).unwrap_or_default()
}
