//! The UDP listeners of the app: (re)start after a settings save without stalling a frame,
//! per-listener rate, failure notices, and the interfaces offered as bind addresses.

use super::CourtsideApp;
use super::state::{CourtStatus, InterfaceChoice, Level};
use crate::ingest::Listener;
use crossbeam_channel::bounded;
use std::time::Instant;

impl CourtsideApp {
    /// (Re)start one listener per configured court.
    pub(super) fn start_listeners(&mut self) {
        if self.listeners_stopping.is_some() {
            // A restart is under way: it starts the listeners of the settings current then.
            return;
        }
        let old = std::mem::take(&mut self.listeners);
        if old.is_empty() {
            self.spawn_listeners();
            return;
        }
        // Stopping joins each listener's thread (up to its 100 ms socket poll): done on a
        // short-lived thread so a settings save never stalls a frame. The new listeners start
        // once the old ones have let go of their ports (`poll_listener_restart`).
        let (done_tx, done_rx) = bounded(1);
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("listeners-stop".into())
            .spawn(move || {
                drop(old);
                let _ = done_tx.send(());
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.listeners_stopping = Some(done_rx),
            // No thread to spare: stop them here (the old listeners were moved into the failed
            // closure and dropped with it), then start the new ones.
            Err(_) => self.spawn_listeners(),
        }
    }

    /// Start the new listeners once the old ones have stopped.
    pub(super) fn poll_listener_restart(&mut self) {
        let Some(rx) = &self.listeners_stopping else {
            return;
        };
        if matches!(rx.try_recv(), Err(crossbeam_channel::TryRecvError::Empty)) {
            return;
        }
        self.listeners_stopping = None;
        self.spawn_listeners();
    }

    /// One listener (and rate meter) per configured court, replacing the meters and statuses
    /// of the listeners before.
    fn spawn_listeners(&mut self) {
        self.rates.clear();
        self.last_statuses.clear();
        let Some(writer) = &self.writer else { return };
        for l in &self.state.settings.listeners {
            match Listener::spawn(l.to_config(), None, writer.sender()) {
                Ok(listener) => self.listeners.push(listener),
                Err(e) => self.state.notices.push(
                    Level::Error,
                    &format!("Listener for {} did not start", l.court),
                    &e.to_string(),
                    "Restart courtside.",
                ),
            }
            self.rates.push(RateMeter::new());
        }
    }

    /// Raise (or clear) a notice when a listener's failure changes.
    pub(super) fn raise_listener_notices(&mut self, courts: &[CourtStatus], statuses: &[String]) {
        for (i, c) in courts.iter().enumerate() {
            let changed = self.last_statuses.get(i) != statuses.get(i);
            if changed && !c.ok && c.status != "stopped" {
                self.state.notices.push(
                    Level::Error,
                    &format!("UDP {} ({}) is not receiving", c.addr, c.court),
                    &c.status,
                    "Stop the other program using this port, or change the port or address in \
                     Settings → Listeners. courtside keeps retrying on its own.",
                );
            }
            if changed && c.ok && c.status == "listening" {
                let title = format!("UDP {} ({}) is not receiving", c.addr, c.court);
                self.state.notices.items.retain(|n| n.title != title);
            }
        }
        if self.last_statuses.iter().any(|s| s.contains("retrying"))
            || statuses
                .iter()
                .any(|s| s.contains("retrying") || s == "starting")
        {
            self.ctx
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        self.last_statuses = statuses.to_vec();
    }
}

/// Datagrams per second of one listener, recomputed at most once a second.
#[derive(Debug, Clone, Copy)]
pub(super) struct RateMeter {
    count: u64,
    at: Instant,
    rate: f64,
}

impl RateMeter {
    fn new() -> RateMeter {
        RateMeter {
            count: 0,
            at: Instant::now(),
            rate: 0.0,
        }
    }

    pub(super) fn sample(&mut self, count: u64, now: Instant) -> f64 {
        let dt = now.duration_since(self.at).as_secs_f64();
        if dt >= 1.0 {
            self.rate = count.saturating_sub(self.count) as f64 / dt;
            self.count = count;
            self.at = now;
        }
        self.rate
    }
}

/// The machine's interfaces with their IPv4 addresses, plus "all" and loopback.
pub fn interfaces() -> Vec<InterfaceChoice> {
    let mut v = vec![InterfaceChoice {
        addr: "0.0.0.0".into(),
        label: "0.0.0.0 — all interfaces (receives LAN broadcasts)".into(),
    }];
    if let Ok(list) = if_addrs::get_if_addrs() {
        for i in list {
            if let std::net::IpAddr::V4(a) = i.ip() {
                v.push(InterfaceChoice {
                    addr: a.to_string(),
                    label: format!("{a} — {}", i.name),
                });
            }
        }
    }
    v
}
