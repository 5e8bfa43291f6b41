//! The one sender every ingest arm uses, and the kernel's UDP drop counter.
//!
//! The sender keeps at most `WINDOW` datagrams outstanding (sent but not yet taken off the
//! socket by the receiver under test) and sends in bursts of `BURST`. That bound is far below
//! what the receive buffer holds, so the kernel never drops, and every arm gets the same pacing:
//! the receiver's own speed sets the rate.

use anyhow::Context;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most datagrams in flight (≈1.3 MB of kernel buffer on loopback; the receive buffer asked by
/// `courtside::ingest::bind` is 4 MiB).
pub const WINDOW: u64 = 1024;
/// Datagrams sent back to back.
pub const BURST: u64 = 128;
/// How long the sender waits before looking at the receiver's progress again (pacing, not
/// synchronisation: correctness never depends on it).
const POLL: Duration = Duration::from_micros(50);

/// How far the receiver under test has got.
pub type Progress = Arc<dyn Fn() -> u64 + Send + Sync>;

/// A progress counter owned by a bench receiver.
pub fn counter() -> (Arc<AtomicU64>, Progress) {
    let c = Arc::new(AtomicU64::new(0));
    let read = c.clone();
    (c, Arc::new(move || read.load(Ordering::Relaxed)))
}

/// Start sending `count` datagrams (cycling through `traffic`) to `to`. The thread returns the
/// instant the first datagram left.
pub fn spawn(
    to: SocketAddr,
    traffic: Arc<Vec<Vec<u8>>>,
    count: usize,
    progress: Progress,
) -> anyhow::Result<JoinHandle<anyhow::Result<Instant>>> {
    let socket = UdpSocket::bind("127.0.0.1:0").context("cannot bind the sending socket")?;
    let join = std::thread::Builder::new()
        .name("bench-sender".into())
        .spawn(move || send(&socket, to, &traffic, count, &*progress))?;
    Ok(join)
}

fn send(
    socket: &UdpSocket,
    to: SocketAddr,
    traffic: &[Vec<u8>],
    count: usize,
    progress: &(dyn Fn() -> u64 + Send + Sync),
) -> anyhow::Result<Instant> {
    let started = Instant::now();
    let mut sent = 0u64;
    let total = count as u64;
    while sent < total {
        if sent.saturating_sub(progress()) + BURST > WINDOW {
            std::thread::sleep(POLL);
            continue;
        }
        for _ in 0..BURST.min(total - sent) {
            let d = &traffic[sent as usize % traffic.len()];
            socket
                .send_to(d, to)
                .with_context(|| format!("cannot send datagram {sent} to {to}"))?;
            sent += 1;
        }
    }
    Ok(started)
}

/// The datagram `i` of a run.
pub fn datagram(traffic: &[Vec<u8>], i: usize) -> &[u8] {
    &traffic[i % traffic.len()]
}

/// UDP datagrams the kernel dropped for lack of receive buffer (`RcvbufErrors` in
/// `/proc/net/snmp`). `None` where that counter does not exist (not Linux).
pub fn kernel_rcvbuf_errors() -> Option<u64> {
    let snmp = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp: "));
    let names: Vec<&str> = udp.next()?.split_whitespace().collect();
    let values: Vec<&str> = udp.next()?.split_whitespace().collect();
    let at = names.iter().position(|n| *n == "RcvbufErrors")?;
    values.get(at)?.parse().ok()
}

/// Kernel drops since `before` (`None` when unknown).
pub fn kernel_drops_since(before: Option<u64>) -> Option<u64> {
    Some(kernel_rcvbuf_errors()?.saturating_sub(before?))
}
