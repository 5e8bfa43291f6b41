//! UDP ingest: one listener thread per court. Each datagram is timestamped, parsed and handed to
//! the store writer (which persists it, then tells the UI). The receive loop never sleeps: it
//! blocks in `recv_from` with a short timeout only so it can notice the stop signal.

mod stats;

pub use stats::{ListenerStats, ListenerStatus};

use crate::protocol::{Event, parse_datagram};
use crate::store::writer::{Incoming, WriteRequest, now_ns};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
}

impl ListenerConfig {
    /// A listener on `0.0.0.0:port` for `court`, no allowlist.
    pub fn new(port: u16, court: &str) -> ListenerConfig {
        ListenerConfig {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port,
            court: court.to_string(),
            allow: None,
        }
    }

    /// `address:port`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }
}

/// Binding failed: names the address and the cause, with what to do.
#[derive(Debug, thiserror::Error)]
#[error("cannot bind UDP {addr}: {cause}")]
pub struct BindError {
    /// The address.
    pub addr: SocketAddr,
    /// Human cause, with a hint.
    pub cause: String,
    /// The OS error kind.
    pub kind: io::ErrorKind,
}

/// Bind a UDP socket for `config` with a large receive buffer.
pub fn bind(config: &ListenerConfig) -> Result<UdpSocket, BindError> {
    let addr = config.addr();
    let err = |e: io::Error| BindError {
        addr,
        kind: e.kind(),
        cause: describe_bind_error(&e, addr),
    };
    let socket =
        Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP)).map_err(err)?;
    // Broadcasts on the court LAN must be received; a bigger buffer absorbs bursts. Neither is
    // fatal if the OS refuses (the buffer is capped by the OS on Linux).
    let _ = socket.set_broadcast(true);
    let _ = socket.set_recv_buffer_size(RECV_BUFFER_BYTES);
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        // `::` should hear IPv4 scoring programs too; Windows makes IPv6 sockets v6-only unless
        // told otherwise. Not fatal: an IPv6-only host simply has no IPv4 to hear.
        let _ = socket.set_only_v6(false);
    }
    socket.bind(&addr.into()).map_err(err)?;
    Ok(socket.into())
}

fn describe_bind_error(e: &io::Error, addr: SocketAddr) -> String {
    match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "address in use — another program (another courtside, or the scoring software on \
             this machine) already listens on port {}; stop it or choose another port",
            addr.port()
        ),
        io::ErrorKind::PermissionDenied => format!(
            "permission denied — port {} needs elevated rights or is blocked by policy; use a \
             port above 1024",
            addr.port()
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "address not available — no network interface has {}; pick another interface or \
             0.0.0.0",
            addr.ip()
        ),
        _ => e.to_string(),
    }
}

/// A running listener thread.
pub struct Listener {
    config: ListenerConfig,
    stats: Arc<ListenerStats>,
    stop: Option<Sender<()>>,
    join: Option<JoinHandle<()>>,
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
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let worker = Worker {
            config: config.clone(),
            stats: stats.clone(),
            writer,
            stop: stop_rx,
            source: None,
        };
        let join = std::thread::Builder::new()
            .name(format!("udp-{}", config.port))
            .spawn(move || worker.run(socket))?;
        Ok(Listener {
            config,
            stats,
            stop: Some(stop_tx),
            join: Some(join),
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

    /// Stop and join the thread. Everything received has been handed to the writer.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.take();
        if let Some(j) = self.join.take()
            && j.join().is_err()
        {
            tracing::error!("UDP listener thread panicked");
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.halt();
    }
}

struct Worker {
    config: ListenerConfig,
    stats: Arc<ListenerStats>,
    writer: Sender<WriteRequest>,
    stop: Receiver<()>,
    /// The last source address and its text: a court has one scoring program, so this saves
    /// formatting the same address for every datagram.
    source: Option<(SocketAddr, String)>,
}

/// How often the receive loop looks at the stop signal when no datagram arrives.
const STOP_POLL: Duration = Duration::from_millis(100);
/// Most datagrams taken from the socket after a stop: more than the receive buffer holds.
const DRAIN_MAX: usize = 65_536;

impl Worker {
    fn run(mut self, mut socket: Option<UdpSocket>) {
        let mut backoff = Duration::from_millis(250);
        loop {
            let sock = match socket.take() {
                Some(s) => s,
                None => match bind(&self.config) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("{e}; retrying in {:.1} s", backoff.as_secs_f32());
                        self.stats.set_status(ListenerStatus::Error {
                            message: e.to_string(),
                            retry_in: backoff,
                        });
                        if self.wait_or_stop(backoff) {
                            break;
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                        continue;
                    }
                },
            };
            backoff = Duration::from_millis(250);
            tracing::info!(
                "listening on UDP {} (court {})",
                self.config.addr(),
                self.config.court
            );
            self.stats.set_status(ListenerStatus::Listening);
            match self.receive(&sock) {
                Ok(()) => break,
                Err(e) => {
                    let message = format!("UDP {} failed: {e}; rebinding", self.config.addr());
                    tracing::warn!("{message}");
                    self.stats.set_status(ListenerStatus::Error {
                        message,
                        retry_in: backoff,
                    });
                    if self.wait_or_stop(backoff) {
                        break;
                    }
                }
            }
        }
        self.stats.set_status(ListenerStatus::Stopped);
    }

    /// Wait up to `d`; true when asked to stop.
    fn wait_or_stop(&self, d: Duration) -> bool {
        matches!(
            self.stop.recv_timeout(d),
            Ok(()) | Err(RecvTimeoutError::Disconnected)
        )
    }

    fn stopping(&self) -> bool {
        matches!(
            self.stop.try_recv(),
            Ok(()) | Err(crossbeam_channel::TryRecvError::Disconnected)
        )
    }

    /// Receive until stopped (Ok) or the socket fails (Err: rebind).
    fn receive(&mut self, sock: &UdpSocket) -> io::Result<()> {
        sock.set_read_timeout(Some(STOP_POLL))?;
        let mut buf = vec![0u8; 65_536];
        loop {
            match sock.recv_from(&mut buf) {
                Ok((n, src)) => {
                    if !self.handle(&buf[..n], src) {
                        return Ok(());
                    }
                    // A sender that never pauses never lets the read time out, so the stop
                    // signal is looked at after every datagram too.
                    if self.stopping() {
                        return self.drain(sock, &mut buf);
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                            // Windows reports an ICMP "port unreachable" of an earlier send as a
                            // reset on the next receive; it says nothing about this socket.
                            | io::ErrorKind::ConnectionReset
                    ) =>
                {
                    if self.stopping() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// On stop, take what is already queued in the socket so nothing that arrived before the stop
    /// is lost; bounded, so a sender that never pauses cannot hold the stop up.
    fn drain(&mut self, sock: &UdpSocket, buf: &mut [u8]) -> io::Result<()> {
        sock.set_nonblocking(true)?;
        for _ in 0..DRAIN_MAX {
            match sock.recv_from(buf) {
                Ok((n, src)) => {
                    if !self.handle(&buf[..n], src) {
                        break;
                    }
                }
                // Empty (WouldBlock) or failing: either way there is nothing more to take.
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Handle one datagram; false when the writer is gone (stop).
    fn handle(&mut self, bytes: &[u8], src: SocketAddr) -> bool {
        let received = Instant::now();
        let received_at_ns = now_ns();
        // On a dual-stack socket an IPv4 sender arrives as `::ffff:a.b.c.d`; compare and store
        // the plain IPv4 address so `--allow 192.168.1.20` and the stored source mean the same.
        let src = SocketAddr::new(src.ip().to_canonical(), src.port());
        if let Some(allow) = &self.config.allow
            && !allow.contains(&src.ip())
        {
            self.stats.record_rejected(src, bytes.len());
            return true;
        }
        let events = parse_datagram(bytes);
        self.stats.record(src, bytes.len(), &events);
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns,
            received,
            source: self.source_text(src),
            court: self.config.court.clone(),
            raw: bytes.to_vec(),
            events,
        });
        match self.writer.try_send(req) {
            Ok(()) => true,
            Err(TrySendError::Full(req)) => {
                // Backpressure: counted and shown; the datagram waits for the writer (the OS
                // receive buffer absorbs the meantime) rather than being dropped.
                self.stats.count_writer_full();
                self.writer.send(req).is_ok()
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("store writer stopped; UDP {} stops", self.config.addr());
                false
            }
        }
    }
}

impl Worker {
    /// `src` as text (`ip:port`), formatted once per new address.
    fn source_text(&mut self, src: SocketAddr) -> String {
        match &self.source {
            Some((addr, text)) if *addr == src => text.clone(),
            _ => {
                let text = src.to_string();
                self.source = Some((src, text.clone()));
                text
            }
        }
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
