//! Measurements, not checks (ignored by default; README "Tournament hub" gives the numbers):
//! `cargo test --release --test tournament -- --ignored --nocapture numbers`.

use crate::server::NatsServer;
use crate::support::*;
use courtside::tournament::Auth;
use std::time::Instant;

/// Courts of a large venue.
const COURTS: usize = 32;
/// A 10-minute outage at about two datagrams a second (a clock a second, scores, the match load).
const QUEUED: usize = 1200;

#[test]
#[ignore = "measurement: run with --ignored --nocapture"]
fn numbers_catch_up_of_32_courts_after_a_ten_minute_outage() {
    let dir = temp_dir();
    let mut server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "bench", Auth::None);
    let hub = Hub::start(dir.path(), nats.clone(), rt.handle());
    let match_ = example_datagrams();
    let backlog: Vec<Vec<u8>> = match_.iter().cycle().take(QUEUED).cloned().collect();
    let courts: Vec<Court> = (0..COURTS)
        .map(|i| Court::start(dir.path(), &format!("c{i}"), nats.clone(), rt.handle()))
        .collect();
    server.kill();
    for c in &courts {
        c.receive(&backlog);
    }
    wait_until(
        "every court queued",
        || courts.iter().all(|c| c.status().queued == QUEUED as u64),
        || courts[0].status().line(),
    );
    let started = Instant::now();
    server.restart();
    wait_until(
        "the hub to hold everything",
        || hub.status().stored == (COURTS * QUEUED) as u64,
        || format!("{} stored", hub.status().stored),
    );
    let took = started.elapsed();
    println!(
        "catch-up: {COURTS} courts × {QUEUED} queued datagrams = {} into the hub in {:.2} s after \
         the server came back ({:.0} datagrams/s)",
        COURTS * QUEUED,
        took.as_secs_f64(),
        (COURTS * QUEUED) as f64 / took.as_secs_f64()
    );
    for c in &courts {
        assert_same_datagrams(c, &hub);
    }
}

#[test]
#[ignore = "measurement: run with --ignored --nocapture"]
fn numbers_one_court_publish_throughput() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "tput", Auth::None);
    let n = 5000;
    let datagrams: Vec<Vec<u8>> = example_datagrams().into_iter().cycle().take(n).collect();
    let court = Court::start(dir.path(), "1", nats, rt.handle());
    wait_until(
        "connected",
        || court.status().link == courtside::tournament::Link::Connected,
        || court.status().line(),
    );
    let started = Instant::now();
    court.receive(&datagrams);
    wait_until(
        "all published",
        || court.status().published == n as u64,
        || court.status().line(),
    );
    let took = started.elapsed();
    println!(
        "publish: {n} datagrams from one court, each after the previous acknowledgement, in \
         {:.2} s ({:.0} datagrams/s, {:.2} ms each)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / n as f64
    );
}
