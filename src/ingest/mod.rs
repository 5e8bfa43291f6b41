//! UDP ingest: one listener thread per court. Each datagram is timestamped, parsed and handed to
//! the store writer, which writes it in a batch, hands it to the display before the batch's fsync
//! and to OBS automation after it (see `store::writer`). The receive loop never sleeps: it blocks
//! in `recv_from` with a short timeout only so it can notice the stop signal.
//!
//! On a shared venue LAN a listener decides whom to trust (`trust`: allowlist, source lock,
//! per-source rate bound; what it refuses is counted per source in bounded maps, never stored),
//! can ask the scoring program for the match state (`recovery`), and reports what the operator
//! needs to know (`hints`: the PSS link line, what to check when nothing arrives).

mod bind;
pub mod hints;
pub mod recovery;
mod sources;
mod stats;
pub mod trust;
mod worker;

pub use bind::{BindError, bind};
pub use stats::{ListenerStats, ListenerStatus, Refusal, SourceCount, TRACKED_SOURCES};
pub use trust::DEFAULT_MAX_RATE;

use crate::protocol::Event;
use crate::store::writer::WriteRequest;
use crossbeam_channel::Sender;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use worker::Worker;

/// Default PSS port.
pub const DEFAULT_PORT: u16 = 6000;
/// Receive buffer asked of the OS, so bursts (a match being loaded) are never dropped.
pub const RECV_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// One UDP listener (one court).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerConfig {
    /// Address to bind; `0.0.0.0` by default so LAN broadcasts are received.
    pub bind: IpAddr,
    /// UDP port.
    pub port: u16,
    /// Court name this listener's events are tagged with.
    pub court: String,
    /// When set, datagrams from other source addresses are counted and refused.
    pub allow: Option<Vec<IpAddr>>,
    /// Lock to the first scoring program that announces itself (a fight loaded, a hello, a
    /// `Udp Port … connected` line), or to `pss_address` when that is given: other sources are
    /// then counted and ignored.
    pub lock_source: bool,
    /// The scoring program's address, when known in advance (else: the first source heard).
    pub pss_address: Option<IpAddr>,
    /// The port the scoring program answers state requests on (TkStrike's listen port); when
    /// set, the listener asks for the whole state at start and after a silent court speaks.
    pub pss_request_port: Option<u16>,
    /// Most datagrams per second stored from one source (`None`: no bound).
    pub max_rate: Option<u32>,
}

impl ListenerConfig {
    /// A listener on `0.0.0.0:port` for `court` that takes everything: no allowlist, no source
    /// lock, no rate bound, no state requests (what benches and tests of raw throughput need;
    /// the app and `courtside listen` set the venue defaults on top).
    pub fn new(port: u16, court: &str) -> ListenerConfig {
        ListenerConfig {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port,
            court: court.to_string(),
            allow: None,
            lock_source: false,
            pss_address: None,
            pss_request_port: None,
            max_rate: None,
        }
    }

    /// Whether any source can feed this court unchecked: no allowlist and no source lock.
    pub fn trusts_everyone(&self) -> bool {
        self.allow.as_ref().is_none_or(Vec::is_empty) && !self.lock_source
    }

    /// `address:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }
}

/// A running listener thread.
pub struct Listener {
    config: ListenerConfig,
    stats: Arc<ListenerStats>,
    thread: crate::worker::WorkerThread,
}

impl Listener {
    /// Start a listener. It binds in its thread and keeps retrying (with capped backoff) while
    /// binding fails or after the interface goes away; the status says why and when it retries.
    /// `socket` may be given already bound (the CLI binds first to fail fast).
    pub fn spawn(
        config: ListenerConfig,
        socket: Option<UdpSocket>,
        writer: Sender<WriteRequest>,
    ) -> io::Result<Listener> {
        let stats = Arc::new(ListenerStats::default());
        let (config_w, stats_w) = (config.clone(), stats.clone());
        let thread =
            crate::worker::WorkerThread::spawn(format!("udp-{}", config.port), move |stop| {
                Worker::new(config_w, stats_w, writer, stop).run(socket)
            })?;
        Ok(Listener {
            config,
            stats,
            thread,
        })
    }

    /// This listener's configuration.
    pub fn config(&self) -> &ListenerConfig {
        &self.config
    }

    /// Live counters and status.
    pub fn stats(&self) -> &Arc<ListenerStats> {
        &self.stats
    }

    /// Forget the source this listener is locked to (the operator's "unlock").
    pub fn unlock(&self) {
        self.stats.request_unlock();
    }

    /// Stop and join the thread. Everything received has been handed to the writer.
    pub fn stop(mut self) {
        self.thread.stop();
    }
}

/// Count the kinds of events in a datagram: (ok, unknown, malformed).
pub fn classify(events: &[Event]) -> (u64, u64, u64) {
    events.iter().fold((0, 0, 0), |(ok, unk, bad), e| match e {
        Event::Unknown { .. } => (ok, unk + 1, bad),
        Event::Malformed { .. } => (ok, unk, bad + 1),
        _ => (ok + 1, unk, bad),
    })
}
