//! The UDP listeners of the app: (re)start after a settings save without stalling a frame,
//! per-listener rate and status (trust, PSS link, state requests, the silence hint), failure
//! notices, and the interfaces offered as bind addresses.

use super::services::{IngestService, Shared};
use crate::ingest::hints::{Platform, SILENCE_HINT_AFTER, pss_link_status, silence_hint};
use crate::ingest::{Listener, ListenerStats, ListenerStatus};
use crate::model::state::{CourtStatus, InterfaceChoice, Level, ListenerTrust};
use crossbeam_channel::bounded;
use std::time::{Duration, Instant};

impl IngestService {
    /// (Re)start one listener per configured court.
    pub(super) fn start(&mut self, app: &mut Shared<'_>) {
        if self.stopping.is_some() {
            // A restart is under way: it starts the listeners of the settings current then.
            return;
        }
        let old = std::mem::take(&mut self.listeners);
        if old.is_empty() {
            self.spawn(app);
            return;
        }
        // Stopping joins each listener's thread (up to its 100 ms socket poll): done on a
        // short-lived thread so a settings save never stalls a frame. The new listeners start
        // once the old ones have let go of their ports (`poll_restart`).
        let (done_tx, done_rx) = bounded(1);
        let ctx = app.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("listeners-stop".into())
            .spawn(move || {
                drop(old);
                // The app drops the receiver only when it closes without waiting for this;
                // nobody is left to tell then.
                done_tx.send(()).ok();
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.stopping = Some(done_rx),
            // No thread to spare: stop them here (the old listeners were moved into the failed
            // closure and dropped with it), then start the new ones.
            Err(_) => self.spawn(app),
        }
    }

    /// Start the new listeners once the old ones have stopped.
    pub(super) fn poll_restart(&mut self, app: &mut Shared<'_>) {
        let Some(rx) = &self.stopping else {
            return;
        };
        if matches!(rx.try_recv(), Err(crossbeam_channel::TryRecvError::Empty)) {
            return;
        }
        self.stopping = None;
        self.spawn(app);
    }

    /// One listener (and rate meter) per configured court, replacing the meters and statuses
    /// of the listeners before.
    fn spawn(&mut self, app: &mut Shared<'_>) {
        self.rates.clear();
        self.last_statuses.clear();
        let Some(writer) = &app.data.writer else {
            return;
        };
        for l in &app.state.settings.listeners {
            match Listener::spawn(l.to_config(), None, writer.sender()) {
                Ok(listener) => self.listeners.push(listener),
                Err(e) => app.state.notices.push(
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
    pub(super) fn raise_notices(
        &mut self,
        app: &mut Shared<'_>,
        courts: &[CourtStatus],
        statuses: &[String],
    ) {
        for (i, c) in courts.iter().enumerate() {
            let changed = self.last_statuses.get(i) != statuses.get(i);
            if changed && !c.ok && c.status != "stopped" {
                app.state.notices.push(
                    Level::Error,
                    &format!("UDP {} ({}) is not receiving", c.addr, c.court),
                    &c.status,
                    "Stop the other program using this port, or change the port or address in \
                     Settings → Listeners. courtside keeps retrying on its own.",
                );
            }
            if changed && c.ok && c.status == "listening" {
                let title = format!("UDP {} ({}) is not receiving", c.addr, c.court);
                app.state.notices.items.retain(|n| n.title != title);
            }
        }
        if self.last_statuses.iter().any(|s| s.contains("retrying"))
            || statuses
                .iter()
                .any(|s| s.contains("retrying") || s == "starting")
        {
            app.ctx
                .request_repaint_after(std::time::Duration::from_millis(500));
        }
        self.last_statuses = statuses.to_vec();
    }

    /// Status of every running listener, and the status texts the notices follow (without the
    /// retry countdown, so a dismissed notice comes back only when the failure itself changes).
    pub(super) fn statuses(
        &mut self,
        app: &mut Shared<'_>,
        now: Instant,
    ) -> (Vec<CourtStatus>, Vec<String>) {
        let mut statuses = Vec::new();
        let mut courts = Vec::new();
        for (i, l) in self.listeners.iter().enumerate() {
            let s = l.stats();
            let datagrams = ListenerStats::get(&s.datagrams);
            let rate = self
                .rates
                .get_mut(i)
                .map_or(0.0, |m| m.sample(datagrams, now));
            let (status, ok) = match s.status() {
                ListenerStatus::Listening => ("listening".to_string(), true),
                ListenerStatus::Starting => ("starting".to_string(), true),
                ListenerStatus::Stopped => ("stopped".to_string(), false),
                ListenerStatus::Error { message, retry_in } => {
                    statuses.push(message.clone());
                    (
                        format!("{message} (retrying in {:.0} s)", retry_in.as_secs_f32()),
                        false,
                    )
                }
            };
            if ok || status == "stopped" {
                statuses.push(status.clone());
            }
            for ns in s.answer_times() {
                app.state.live.answers.mark(ns);
            }
            let trust = trust_of(l, now);
            if ok && trust.silence_hint.is_none() {
                // Wake when the silence hint is due (an idle app otherwise never repaints).
                if let Some((for_, 0)) = s.listening_for(now) {
                    let due = SILENCE_HINT_AFTER.saturating_sub(for_);
                    app.ctx
                        .request_repaint_after(due + Duration::from_millis(50));
                }
            }
            courts.push(CourtStatus {
                court: l.config().court.clone(),
                addr: l.config().addr().to_string(),
                status,
                ok,
                rate,
                last_source: s.last_source().map(|a| a.to_string()),
                malformed: ListenerStats::get(&s.malformed),
                unknown: ListenerStats::get(&s.unknown),
                datagrams,
                trust,
            });
        }
        (courts, statuses)
    }

    /// Release listener `i`'s source lock ("unlock" in the status bar).
    pub(super) fn unlock(&mut self, app: &mut Shared<'_>, i: usize) {
        if let Some(l) = self.listeners.get(i) {
            l.unlock();
            app.ctx.request_repaint_after(Duration::from_millis(200));
        }
    }
}

/// The trust part of a listener's status.
fn trust_of(l: &Listener, now: Instant) -> ListenerTrust {
    let s = l.stats();
    let c = l.config();
    let (not_stored, not_stored_untracked) = s.not_stored_sources();
    let pss_link = s
        .pss_link()
        .map(|(link, at)| pss_link_status(link, &crate::ui::live_data::local_clock(at)));
    let recovery = c.pss_request_port.map(|port| {
        let whom = s
            .locked_source()
            .or(c.pss_address)
            .map_or("the first source heard".to_string(), |ip| ip.to_string());
        match s.request_error() {
            Some(e) => e,
            None => format!(
                "state requests to {whom} port {port}: {} sent, {} answers",
                ListenerStats::get(&s.requests_sent),
                ListenerStats::get(&s.answers)
            ),
        }
    });
    let silence_hint = match (s.status(), s.listening_for(now)) {
        (ListenerStatus::Listening, Some((for_, n))) => {
            silence_hint(Platform::current(), c.port, for_, n)
        }
        _ => None,
    };
    ListenerTrust {
        trusts_everyone: c.trusts_everyone(),
        lock_enabled: c.lock_source,
        locked: s.locked_source(),
        not_stored,
        not_stored_untracked,
        over_rate: ListenerStats::get(&s.over_rate),
        pss_link,
        recovery,
        silence_hint,
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
