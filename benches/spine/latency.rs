//! Datagram → state-updated latency through the real path: send a datagram on loopback, the
//! listener parses it, the writer writes it and, before the commit's fsync, hands it to the early
//! subscriber (the app's display), which applies it to a `MatchState`. The same run also times
//! the durable subscriber (after the fsync: what OBS automation waits for). Sent at a realistic rate (100/s) with a match-load
//! burst every 2 s.

use crate::harness::{IDLE_LIMIT, IngestPath, fmt_duration, join, quantile};
use crate::options::Options;
use crate::traffic;
use crate::verdict::Verdicts;
use anyhow::{Context, bail};
use courtside::match_state::MatchState;
use crossbeam_channel::RecvTimeoutError;
use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Steady rate: one datagram every 10 ms.
const STEADY_GAP: Duration = Duration::from_millis(10);
/// A match is loaded (a burst of datagrams back to back) this often.
const BURST_EVERY: Duration = Duration::from_secs(2);
/// Marks a datagram not sent yet.
const NOT_SENT: u64 = u64::MAX;

/// What the state thread measured per datagram.
struct Sample {
    /// Send → MatchState updated.
    total: Duration,
    /// Send → taken off the socket by the listener.
    to_listener: Duration,
}

/// Build the send schedule: (offset from start, datagram).
fn schedule(duration: Duration) -> Vec<(Duration, Vec<u8>)> {
    let steady = traffic::realistic_mix();
    let burst = traffic::match_load_burst();
    let mut out = Vec::new();
    let mut t = Duration::ZERO;
    let mut next_burst = BURST_EVERY;
    let mut j = 0;
    while t < duration {
        if t >= next_burst {
            out.extend(burst.iter().map(|d| (t, d.clone())));
            next_burst += BURST_EVERY;
        }
        out.push((t, steady[j % steady.len()].clone()));
        j += 1;
        t += STEADY_GAP;
    }
    out
}

/// Run the latency measurement, print its table and judge the display's p99.
pub fn run(opts: &Options, verdicts: &mut Verdicts) -> anyhow::Result<()> {
    let plan = Arc::new(schedule(opts.latency_duration()));
    let path = IngestPath::start(4096)?;
    let sent_at: Arc<Vec<AtomicU64>> = Arc::new(plan.iter().map(|_| NOT_SENT.into()).collect());
    // A moment for the threads to settle before the first datagram.
    let base = Instant::now() + Duration::from_millis(50);
    let state_thread = {
        let (plan, sent_at, rx) = (plan.clone(), sent_at.clone(), path.shown.clone());
        std::thread::Builder::new()
            .name("bench-state".into())
            .spawn(move || -> anyhow::Result<(Vec<Sample>, u64, MatchState)> {
                let mut state = MatchState::new();
                let mut samples = Vec::with_capacity(plan.len());
                let mut mismatched = 0;
                while samples.len() < plan.len() {
                    let p = match rx.recv_timeout(IDLE_LIMIT) {
                        Ok(p) => p,
                        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                    };
                    for e in &p.record.events {
                        state.apply(e);
                    }
                    let done = base.elapsed();
                    // Fresh store: sequence numbers start at 1 in send order.
                    let i = usize::try_from(p.record.seq - 1)?;
                    let sent = Duration::from_nanos(sent_at[i].load(Ordering::Acquire));
                    if p.record.raw != plan[i].1 {
                        mismatched += 1;
                    }
                    samples.push(Sample {
                        total: done.saturating_sub(sent),
                        to_listener: p.received.duration_since(base).saturating_sub(sent),
                    });
                }
                Ok((samples, mismatched, state))
            })?
    };
    let durable_thread = {
        let (n, sent_at, rx) = (plan.len(), sent_at.clone(), path.persisted.clone());
        std::thread::Builder::new()
            .name("bench-durable".into())
            .spawn(move || -> anyhow::Result<Vec<Duration>> {
                let mut out = Vec::with_capacity(n);
                while out.len() < n {
                    let Ok(p) = rx.recv_timeout(IDLE_LIMIT) else {
                        break;
                    };
                    let i = usize::try_from(p.record.seq - 1)?;
                    let sent = Duration::from_nanos(sent_at[i].load(Ordering::Acquire));
                    out.push(base.elapsed().saturating_sub(sent));
                }
                Ok(out)
            })?
    };
    let socket = UdpSocket::bind("127.0.0.1:0").context("cannot bind the sending socket")?;
    for (i, (at, bytes)) in plan.iter().enumerate() {
        let due = base + *at;
        let now = Instant::now();
        if due > now {
            // Pacing the simulated scoring program.
            std::thread::sleep(due - now);
        }
        sent_at[i].store(base.elapsed().as_nanos() as u64, Ordering::Release);
        socket.send_to(bytes, path.addr)?;
    }
    let (samples, mismatched, state) = join(state_thread)?;
    let mut durable = join(durable_thread)?;
    durable.sort();
    let commits = path.writer.stats().commits.load(Ordering::Relaxed);
    path.listener.stop();
    path.writer.shutdown();
    let total_p99 = print(opts, &plan, &samples, &durable, commits, &state);
    verdicts.at_most(
        "datagram → MatchState updated (the display), p99",
        total_p99.as_secs_f64() * 1e3,
        1.0,
        " ms",
    );
    if samples.len() != plan.len() || durable.len() != plan.len() || mismatched != 0 {
        bail!(
            "latency run: {} of {} datagrams reached the state, {mismatched} altered",
            samples.len(),
            plan.len()
        );
    }
    Ok(())
}

fn print(
    opts: &Options,
    plan: &[(Duration, Vec<u8>)],
    samples: &[Sample],
    durable: &[Duration],
    commits: u64,
    state: &MatchState,
) -> Duration {
    let mut total: Vec<Duration> = samples.iter().map(|s| s.total).collect();
    let mut listener: Vec<Duration> = samples.iter().map(|s| s.to_listener).collect();
    let mut rest: Vec<Duration> = samples
        .iter()
        .map(|s| s.total.saturating_sub(s.to_listener))
        .collect();
    for v in [&mut total, &mut listener, &mut rest] {
        v.sort();
    }
    let span = plan.last().map_or(Duration::ZERO, |p| p.0);
    println!();
    println!(
        "== datagram → state-updated latency{} ==",
        if opts.smoke { " (SMOKE RUN)" } else { "" }
    );
    println!(
        "{} datagrams over {:.1} s: 100/s steady + a {}-datagram match-load burst every {} s; {} durable commits",
        plan.len(),
        span.as_secs_f64(),
        traffic::match_load_burst().len(),
        BURST_EVERY.as_secs(),
        commits
    );
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "segment", "p50", "p99", "max"
    );
    for (name, v) in [
        ("send → state updated (total, the display)", &total),
        ("  send → listener received", &listener),
        ("  received → parsed, written, applied", &rest),
        (
            "send → stored durably (fsynced; automation)",
            &durable.to_vec(),
        ),
    ] {
        println!(
            "{:<44} {:>10} {:>10} {:>10}",
            name,
            fmt_duration(quantile(v, 0.5)),
            fmt_duration(quantile(v, 0.99)),
            fmt_duration(v.last().copied().unwrap_or_default())
        );
    }
    println!(
        "final state: {} messages applied, score {}–{}, winner {:?}",
        state.counts.messages,
        state.blue.score,
        state.red.score,
        state.winner.map(courtside::protocol::Athlete::name)
    );
    quantile(&total, 0.99)
}
