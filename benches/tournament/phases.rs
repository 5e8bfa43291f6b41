//! The two timed phases: the live session (court datagram → hub view, per datagram) and the
//! outage with its catch-up.

use crate::Sizes;
use crate::hub_proc::{self, HubProcess, cpu_percent};
use crate::measure::{Courts, LIMIT, mb, name, percentile, wait};
use crate::server::NatsServer;
use crate::venue::{Timed, merged};
use crate::verdict::Verdicts;
use anyhow::{Context, bail, ensure};
use courtside::store::writer::now_ns;
use courtside::tournament::Link;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The outage lasts at least this long, so every court and the hub are in their steady retry
/// (reconnect delays grow to 2 s) as after a real 10-minute outage.
const MIN_OUTAGE: Duration = Duration::from_secs(10);

/// Play the live session in real time and time it; returns the hub's CPU % over it.
pub fn live(
    sizes: &Sizes,
    timelines: &[Vec<Timed>],
    courts: &mut Courts,
    hub: &HubProcess,
    server: &NatsServer,
    v: &mut Verdicts,
) -> anyhow::Result<f64> {
    let plan = merged(timelines, 0, sizes.live_ms);
    let hub0 = hub_proc::sample(hub.pid());
    let nats0 = server.pid().and_then(hub_proc::sample);
    let start = Instant::now();
    for (at_ms, c, bytes) in &plan {
        let due = start + Duration::from_millis(*at_ms);
        let now = Instant::now();
        if due > now {
            // Pacing the simulated scoring systems, not waiting for a result.
            std::thread::sleep(due - now);
        }
        courts.give(*c, bytes)?;
    }
    let wall = start.elapsed();
    let last: Vec<i64> = courts
        .sent
        .iter()
        .map(|s| s.last().copied().unwrap_or(0))
        .collect();
    let shown = hub.wait(LIMIT, |s| {
        (0..last.len()).all(|c| s.views.get(&name(c)).is_some_and(|v| v.0 >= last[c]))
    });
    ensure!(shown, "the hub's views did not show every live datagram");
    let hub1 = hub_proc::sample(hub.pid());
    let nats1 = server.pid().and_then(hub_proc::sample);
    let updates = std::mem::take(&mut hub.seen.0.lock().unwrap().updates);
    let mut ms = latencies(&courts.sent, &updates)?;
    ms.sort_by(f64::total_cmp);
    let (n, per) = (courts.total(), courts.sent.len() as f64);
    println!(
        "live: {n} datagrams from {per} courts over {:.1} s ({:.2} a second per court; each \
         court's session starts with a match-load burst)",
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64() / per
    );
    println!(
        "court datagram → hub MatchState updated ({} samples): p50 {:.1} ms, p90 {:.1} ms, p99 \
         {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.9),
        percentile(&ms, 0.99),
        percentile(&ms, 1.0)
    );
    let what = format!("court datagram → hub MatchState updated, {per} courts, p99");
    v.at_most(&what, percentile(&ms, 0.99), 100.0, " ms");
    if let (Some(a), Some(b)) = (nats0, nats1) {
        println!(
            "live: nats-server CPU {:.1} % of one core, RSS {:.1} MB",
            cpu_percent(&a, &b),
            mb(b.rss_bytes)
        );
    }
    match (hub0, hub1) {
        (Some(a), Some(b)) => Ok(cpu_percent(&a, &b)),
        _ => bail!("no /proc/<pid>/stat for the hub process (CPU is measured on Linux only)"),
    }
}

/// Each datagram's latency in ms: from its court receive time to the first hub view of its court
/// that showed it (or a later one of the same court).
fn latencies(sent: &[Vec<i64>], updates: &[(String, i64, i64)]) -> anyhow::Result<Vec<f64>> {
    let mut by_court: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
    for (court, shown, at) in updates {
        by_court
            .entry(court.as_str())
            .or_default()
            .push((*shown, *at));
    }
    let mut ms = Vec::new();
    for (c, times) in sent.iter().enumerate() {
        let views = by_court
            .get(name(c).as_str())
            .map_or(&[][..], |v| v.as_slice());
        let mut i = 0;
        for &r in times {
            while i < views.len() && views[i].0 < r {
                i += 1;
            }
            let Some((_, at)) = views.get(i) else {
                bail!("court {}: a datagram never shown by the hub", name(c));
            };
            ms.push((at - r) as f64 / 1e6);
        }
    }
    Ok(ms)
}

/// Kill the server and store 10 minutes of every court's traffic; returns how many datagrams
/// the courts queued, once every court and the hub are in their steady retry.
pub fn outage(
    sizes: &Sizes,
    timelines: &[Vec<Timed>],
    courts: &mut Courts,
    hub: &HubProcess,
    server: &mut NatsServer,
) -> anyhow::Result<u64> {
    let before = courts.total();
    let down = Instant::now();
    server.kill();
    let backlog = merged(timelines, sizes.live_ms, sizes.live_ms + sizes.outage_ms);
    for (_, c, bytes) in &backlog {
        courts.give(*c, bytes)?;
    }
    for c in &courts.courts {
        c.writer
            .as_ref()
            .context("a court without its writer")?
            .flush()?;
    }
    let given: Vec<u64> = courts.sent.iter().map(|s| s.len() as u64).collect();
    let all_queued = wait(LIMIT, || {
        down.elapsed() >= MIN_OUTAGE
            && courts.courts.iter().zip(&given).all(|(c, &n)| {
                let s = c.status();
                s.link != Link::Connected && s.cursor + s.queued == n
            })
    });
    ensure!(
        all_queued,
        "the courts did not queue the outage's datagrams"
    );
    // The hub is not waited for: its client reconnects by itself and its pulls return nothing
    // meanwhile (whether its status said so is printed).
    let hub_saw = !hub.seen.0.lock().unwrap().connected;
    let queued = courts.total() - before;
    println!(
        "outage: {queued} datagrams stored by {} courts while nats-server was down ({:.0} per \
         court: 10 minutes at the session's pace); the outage lasted {:.1} s of wall time; the \
         courts said offline, the hub's status {}",
        courts.sent.len(),
        queued as f64 / courts.sent.len() as f64,
        down.elapsed().as_secs_f64(),
        if hub_saw {
            "too"
        } else {
            "still said connected"
        }
    );
    Ok(queued)
}

/// What the catch-up measured of the hub process.
pub struct CatchUp {
    pub cpu_percent: f64,
    pub rss_bytes: u64,
    pub peak_rss_bytes: u64,
}

/// Bring the server back; time the hub until it has stored all `queued` datagrams.
pub fn catch_up(
    queued: u64,
    courts: &Courts,
    hub: &HubProcess,
    server: &mut NatsServer,
    v: &mut Verdicts,
) -> anyhow::Result<CatchUp> {
    let total = courts.total();
    let hub0 = hub_proc::sample(hub.pid()).context("no /proc for the hub process")?;
    let launched = now_ns();
    server.restart();
    let back = now_ns();
    let done = progress(courts, hub, total);
    ensure!(
        done,
        "the hub did not store every datagram after the outage"
    );
    let hub1 = hub_proc::sample(hub.pid()).context("no /proc for the hub process")?;
    let (stored_at, received, duplicates) = {
        let s = hub.seen.0.lock().unwrap();
        (s.stored_at_ns, s.received, s.duplicates)
    };
    let secs = (stored_at - back) as f64 / 1e9;
    let n = courts.sent.len();
    println!(
        "catch-up: {queued} queued datagrams of {n} courts in the hub's store {secs:.2} s after \
         nats-server accepted connections again ({:.0} datagrams/s; the server took {:.2} s to \
         start; each court reconnects within its 2 s retry delay)",
        queued as f64 / secs,
        (back - launched) as f64 / 1e9
    );
    let what = format!("catch-up of {n} courts after a 10-minute outage ({queued} datagrams)");
    v.at_most(&what, secs, 5.0, " s");
    let published: u64 = courts.courts.iter().map(|c| c.status().published).sum();
    let dup: u64 = courts.courts.iter().map(|c| c.status().duplicates).sum();
    println!(
        "courts: {published} datagrams published and acknowledged this run, {dup} of them \
         acknowledged as duplicates by the server; hub: {received} messages received, \
         {duplicates} dropped as already stored"
    );
    Ok(CatchUp {
        cpu_percent: cpu_percent(&hub0, &hub1),
        rss_bytes: hub1.rss_bytes,
        peak_rss_bytes: hub1.peak_rss_bytes.max(hub0.peak_rss_bytes),
    })
}

/// Wait (at most [`LIMIT`]) until the hub stored `total`, printing every second how far the
/// courts' publishing and the hub's storing are (where a slow catch-up spends its time).
fn progress(courts: &Courts, hub: &HubProcess, total: u64) -> bool {
    let end = Instant::now() + LIMIT;
    let started = Instant::now();
    while Instant::now() < end {
        if hub.wait(Duration::from_secs(1), |s| s.stored >= total) {
            return true;
        }
        let published: u64 = courts.courts.iter().map(|c| c.status().published).sum();
        let connected = courts
            .courts
            .iter()
            .filter(|c| c.status().link == Link::Connected)
            .count();
        let stored = hub.seen.0.lock().unwrap().stored;
        println!(
            "catch-up +{:.0} s: {connected} courts connected, {published} published this run, \
             hub stored {stored} of {total}",
            started.elapsed().as_secs_f64()
        );
    }
    false
}
