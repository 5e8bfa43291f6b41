//! The tournament hub under a venue's load (issue 17), against a real `nats-server -js` started by
//! the bench (the tests' harness, `tests/tournament/server.rs`):
//!
//! - **live**: 32 courts — each its own redb store, store writer and the real court publisher
//!   (`TournamentService`, the tests' `Court`) — play a session at a scoring system's pace (a
//!   match-load burst at the start, a clock datagram a second, hits, points and penalties; see
//!   `tournament/traffic.rs`) into one hub. Timed per datagram: from the moment the court's store
//!   writer is handed it (what the UDP listener does; the court's receive time) to the moment the
//!   hub's view of that court (its `MatchState`, as the hub's window reads it) shows it. p50/p99;
//!   target p99 ≤ 100 ms.
//! - **catch-up**: nats-server is killed, every court stores 10 minutes of the same traffic, the
//!   server comes back; time from it accepting connections again until the hub has stored every
//!   datagram. Target ≤ 5 s. Then the hub store is checked against every court's store: every
//!   datagram once, in order, same bytes and receive times.
//! - the hub's CPU (process CPU time / wall time) and RSS (peak and at the end), the nats-server's
//!   too, and bytes on disk per datagram (hub store, court stores, the server's stream).
//!
//! The hub runs in its own process (this executable started again; see `tournament/hub_proc.rs`)
//! so its CPU and memory are its own; CPU and RSS come from /proc (Linux only). The courts share
//! this process and one tokio runtime (32 laptops in a venue each have their own).
//!
//! `cargo bench --bench tournament` (60 s live); `COURTSIDE_BENCH_QUICK=1` for 10 s live (the
//! catch-up is the full 10 minutes in both); `cargo test --benches` runs it tiny, not judged.
//! `COURTSIDE_BENCH_HUB_LOG=<tracing filter>` (e.g. `courtside::tournament=debug`: every batch
//! the hub stores, its size and time) makes the hub process log to stderr.

// Benches may unwrap: a failure there is a failed run with its message (clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "tournament/disk.rs"]
mod disk;
#[path = "tournament/hub_proc.rs"]
mod hub_proc;
#[path = "tournament/measure.rs"]
mod measure;
#[path = "tournament/phases.rs"]
mod phases;
#[path = "../tests/tournament/server.rs"]
#[allow(dead_code)]
mod server;
#[path = "../tests/tournament/support.rs"]
#[allow(dead_code)]
mod support;
#[path = "spine/traffic.rs"]
#[allow(dead_code)]
mod traffic;
#[path = "tournament/traffic.rs"]
mod venue;
#[path = "common/verdict.rs"]
mod verdict;

use std::process::ExitCode;
use verdict::Verdicts;

/// How big a run is.
pub struct Sizes {
    /// Courts publishing to the one hub.
    pub courts: usize,
    /// Length of the live session.
    pub live_ms: u64,
    /// Session time stored while the server is down.
    pub outage_ms: u64,
}

impl Sizes {
    fn from_env() -> Sizes {
        if verdict::test_mode() {
            Sizes {
                courts: 4,
                live_ms: 3_000,
                outage_ms: 30_000,
            }
        } else {
            Sizes {
                courts: 32,
                live_ms: if verdict::quick() { 10_000 } else { 60_000 },
                outage_ms: 600_000,
            }
        }
    }
}

fn main() -> ExitCode {
    if let Ok(url) = std::env::var(hub_proc::ROLE_VAR) {
        return match hub_proc::run_child(url) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("hub process: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    courtside::app::memory::configure_allocator();
    let sizes = Sizes::from_env();
    let mut v = Verdicts::new();
    if let Err(e) = measure::run(&sizes, &mut v) {
        let why = format!("{e:#}");
        eprintln!("tournament bench: {why}");
        if !v.recorded("court datagram → hub MatchState updated") {
            v.not_measured(
                "court datagram → hub MatchState updated, p99",
                "≤ 100 ms",
                &why,
            );
        }
        if !v.recorded("catch-up of") {
            v.not_measured(
                "catch-up of the courts after a 10-minute outage",
                "≤ 5 s",
                &why,
            );
        }
    }
    v.finish()
}
