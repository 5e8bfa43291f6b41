//! `courtside simulate`: send a stream file as datagrams.

use super::SimulateArgs;
use super::pss_answers::{Answerer, LastPackets};
use crate::protocol::{Event, parse_datagram};
use crate::stream_file;
use anyhow::Context;
use crossbeam_channel::Receiver;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Send every datagram of the stream file to `args.to`. Returns how many were sent. With
/// `--answer-port`, answer state requests with the last packets sent (from the first datagram
/// on), and keep answering after the file is sent until Ctrl-C / SIGTERM.
pub fn simulate(args: &SimulateArgs) -> anyhow::Result<usize> {
    let file = std::fs::read(&args.file)
        .with_context(|| format!("cannot read stream file {}", args.file.display()))?;
    let to: SocketAddr = args
        .to
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve destination '{}'", args.to))?
        .next()
        .with_context(|| format!("destination '{}' has no address", args.to))?;
    let local: SocketAddr = if to.is_ipv4() {
        "0.0.0.0:0".parse()?
    } else {
        "[::]:0".parse()?
    };
    let socket = UdpSocket::bind(local).context("cannot open a UDP socket to send from")?;
    socket
        .set_broadcast(true)
        .context("cannot enable broadcast on the sending socket")?;
    let last = Arc::new(Mutex::new(LastPackets::default()));
    let answerer = match args.answer_port {
        Some(port) => {
            let stop = stop_signal()?;
            let a = Answerer::spawn(SocketAddr::new(local.ip(), port), last.clone())?;
            eprintln!(
                "courtside simulate: answering state requests on UDP {}",
                a.addr()
            );
            Some((a, stop))
        }
        None => None,
    };
    let lines = stream_file::datagrams(&file);
    send_lines(args, &socket, to, &lines, &last)?;
    if let Some((answerer, stop)) = answerer {
        eprintln!(
            "courtside simulate: sent {} datagrams; answering until Ctrl-C",
            lines.len()
        );
        // Err: the signal handler's sender is gone, which also means stop.
        let _ = stop.recv();
        answerer.stop();
    }
    Ok(lines.len())
}

/// Ctrl-C / SIGTERM as a channel.
fn stop_signal() -> anyhow::Result<Receiver<()>> {
    let (tx, rx) = crossbeam_channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        // Full: a stop is already asked for (a second Ctrl-C).
        let _ = tx.try_send(());
    })
    .context("cannot install the Ctrl-C / SIGTERM handler")?;
    Ok(rx)
}

/// Send the lines, paced, noting each as the last of its kind before it goes out.
fn send_lines(
    args: &SimulateArgs,
    socket: &UdpSocket,
    to: SocketAddr,
    lines: &[stream_file::StreamLine],
    last: &Mutex<LastPackets>,
) -> anyhow::Result<()> {
    let mut last_clock: Option<u32> = None;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            let pause = if args.realtime {
                realtime_pause(&line.bytes, &mut last_clock)
            } else {
                Duration::from_millis(args.interval_ms)
            };
            if !pause.is_zero() {
                // Pacing the simulated scoring program, not synchronisation.
                std::thread::sleep(pause);
            }
        }
        if let Ok(mut l) = last.lock() {
            l.note(&line.bytes);
        }
        socket
            .send_to(&line.bytes, to)
            .with_context(|| format!("cannot send line {} to {to}", line.line))?;
    }
    Ok(())
}

/// A live scoring program sends a new clock value once a second and everything else in between.
fn realtime_pause(bytes: &[u8], last_clock: &mut Option<u32>) -> Duration {
    let clock = parse_datagram(bytes).iter().find_map(|e| match e {
        Event::Clock { clock, .. } | Event::Break { clock, .. } => Some(clock.secs),
        _ => None,
    });
    match clock {
        Some(c) if last_clock.is_some_and(|l| l != c) => {
            *last_clock = Some(c);
            Duration::from_secs(1)
        }
        Some(c) => {
            *last_clock = Some(c);
            Duration::from_millis(50)
        }
        None => Duration::from_millis(50),
    }
}
