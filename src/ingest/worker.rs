//! The receive thread of one listener: bind (retrying), receive, decide what is stored, hand it
//! to the writer, and ask the scoring program for the state when recovery is on.

use super::hints::pss_link;
use super::recovery::{Recovery, Send};
use super::stats::{ListenerStats, ListenerStatus, Refusal};
use super::trust::{RateBound, SourceLock, canonical_list};
use super::{ListenerConfig, bind};
use crate::protocol::parse_datagram;
use crate::store::writer::{Incoming, WriteRequest, now_ns};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the receive loop looks at the stop signal when no datagram arrives.
const STOP_POLL: Duration = Duration::from_millis(100);
/// Most datagrams taken from the socket after a stop: more than the receive buffer holds.
const DRAIN_MAX: usize = 65_536;

pub(super) struct Worker {
    config: ListenerConfig,
    stats: Arc<ListenerStats>,
    writer: Sender<WriteRequest>,
    stop: Receiver<()>,
    /// The last source address and its text: a court has one scoring program, so this saves
    /// formatting the same address for every datagram.
    source: Option<(SocketAddr, String)>,
    lock: SourceLock,
    rate: Option<RateBound>,
    recovery: Option<Recovery>,
}

impl Worker {
    pub(super) fn new(
        mut config: ListenerConfig,
        stats: Arc<ListenerStats>,
        writer: Sender<WriteRequest>,
        stop: Receiver<()>,
    ) -> Worker {
        // Compared in canonical form: `::ffff:a.b.c.d` in a setting is the sender `a.b.c.d`.
        config.allow = config.allow.as_deref().map(canonical_list);
        let pss = config.pss_address.map(|ip| ip.to_canonical());
        let lock = SourceLock::new(config.lock_source, pss);
        stats.set_locked(lock.locked());
        Worker {
            rate: config.max_rate.map(|r| RateBound::new(r, Instant::now())),
            recovery: config.pss_request_port.map(|port| Recovery::new(port, pss)),
            config,
            stats,
            writer,
            stop,
            source: None,
            lock,
        }
    }

    pub(super) fn run(mut self, mut socket: Option<UdpSocket>) {
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
            if let Some(send) = self
                .recovery
                .as_mut()
                .and_then(|r| r.on_start(Instant::now()))
            {
                self.ask(&sock, send);
            }
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
                    if !self.handle(sock, &buf[..n], src) {
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
                            // Windows reports an ICMP "port unreachable" of an earlier send (a
                            // state request to a scoring program not running) as a reset on the
                            // next receive; it says nothing about this socket.
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
                    if !self.handle(sock, &buf[..n], src) {
                        break;
                    }
                }
                // Empty (WouldBlock) or failing: either way there is nothing more to take.
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Handle one datagram; false when the writer is gone (stop). Refused datagrams (allowlist,
    /// source lock, rate bound) are counted and never stored (see `trust`).
    fn handle(&mut self, sock: &UdpSocket, bytes: &[u8], src: SocketAddr) -> bool {
        let received = Instant::now();
        let received_at_ns = now_ns();
        // On a dual-stack socket an IPv4 sender arrives as `::ffff:a.b.c.d`; compare and store
        // the plain IPv4 address so `--allow 192.168.1.20` and the stored source mean the same.
        let src = SocketAddr::new(src.ip().to_canonical(), src.port());
        if let Some(allow) = &self.config.allow
            && !allow.contains(&src.ip())
        {
            self.stats
                .record_refused(src, bytes.len(), Refusal::Allowlist);
            return true;
        }
        let events = parse_datagram(bytes);
        if !self.trusted(src, bytes.len(), &events, received) {
            return true;
        }
        self.stats.record(src, bytes.len(), &events);
        if let Some(link) = pss_link(&events) {
            self.stats.set_link(link, received_at_ns);
        }
        let (answer, send) = match &mut self.recovery {
            Some(r) => r.on_datagram(src.ip(), &events, received),
            None => (false, None),
        };
        if answer {
            self.stats.record_answer(received_at_ns);
        }
        let incoming = Incoming {
            received_at_ns,
            received,
            source: self.source_text(src),
            court: self.config.court.clone(),
            raw: bytes.to_vec(),
            events,
        };
        let req = if answer {
            WriteRequest::Answer(incoming)
        } else {
            WriteRequest::Datagram(incoming)
        };
        let stored = self.store(req);
        if let Some(send) = send {
            self.ask(sock, send);
        }
        stored
    }

    /// The source lock (after an "unlock" the operator asked for) and the rate bound: false
    /// when the datagram is not to be stored (it is then counted).
    fn trusted(
        &mut self,
        src: SocketAddr,
        len: usize,
        events: &[crate::protocol::Event],
        now: Instant,
    ) -> bool {
        if self.stats.take_unlock() {
            tracing::info!("UDP {}: source lock released", self.config.addr());
            self.lock.unlock();
            self.stats.set_locked(None);
        }
        let (pass, locked_now) = self.lock.check(src.ip(), events);
        if !pass {
            self.stats.record_refused(src, len, Refusal::Locked);
            return false;
        }
        if locked_now {
            tracing::info!(
                "UDP {}: locked to the scoring program at {}",
                self.config.addr(),
                src.ip()
            );
            self.stats.set_locked(Some(src.ip()));
            if let Some(r) = &mut self.recovery {
                r.locked_to(src.ip());
            }
        }
        if let Some(rate) = &mut self.rate
            && !rate.admit(src.ip(), now)
        {
            self.stats.record_refused(src, len, Refusal::OverRate);
            return false;
        }
        true
    }

    /// Hand a datagram to the writer; false when the writer is gone.
    fn store(&mut self, req: WriteRequest) -> bool {
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

    /// Send state requests from the listening socket, so the answers come back to it.
    fn ask(&self, sock: &UdpSocket, (to, bytes): Send) {
        let result = sock
            .send_to(&bytes, to)
            .map(|_| ())
            .map_err(|e| format!("cannot ask the scoring program at {to} for the state: {e}"));
        match &result {
            Ok(()) => tracing::info!(
                "UDP {}: asked the scoring program at {to} for the match state",
                self.config.addr()
            ),
            Err(e) => tracing::warn!("UDP {}: {e}", self.config.addr()),
        }
        self.stats.record_request(result);
    }

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
