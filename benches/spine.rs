//! Performance evidence for the spine (protocol, store, ingest). Results: `benches/RESULTS.md`.
//!
//! - criterion: parser throughput on realistic traffic, and `MatchState::apply`.
//! - printed tables: ingest on loopback against two baselines measured in the same run, and
//!   datagram → state-updated latency.
//!
//! `cargo bench --bench spine` runs everything (≈2–3 min); add `-- --quick` (or set
//! `COURTSIDE_BENCH_QUICK=1`) for a short CI run; `cargo test --benches` runs each part once at
//! tiny sizes. A filter (`cargo bench --bench spine -- ingest`) selects parts by name. The
//! comparisons fail when a datagram is lost or altered; the run ends with a verdict line per
//! README target it measured (ingest ratios, state latency) and fails when one is not met (not
//! judged in test mode; see `common/verdict.rs`).

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "spine/harness.rs"]
mod harness;
#[path = "spine/ingest_ratio.rs"]
mod ingest_ratio;
#[path = "spine/latency.rs"]
mod latency;
#[path = "spine/options.rs"]
mod options;
#[path = "spine/sender.rs"]
mod sender;
#[path = "spine/traffic.rs"]
mod traffic;
#[path = "common/verdict.rs"]
mod verdict;

use courtside::match_state::MatchState;
use courtside::protocol::{Event, parse_datagram};
use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::process::ExitCode;
use verdict::Verdicts;

fn parser_benches(c: &mut Criterion) {
    let sets = [
        ("example-match (spec, trailing ;)", traffic::spec_match()),
        ("example-match (TkStrike, CRLF)", traffic::tkstrike_match()),
        ("paired s11..s23", traffic::paired_scores()),
        ("mch", traffic::mch_lines()),
    ];
    let mut group = c.benchmark_group("parse_datagram");
    for (name, datagrams) in &sets {
        group.throughput(Throughput::Elements(datagrams.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                for d in datagrams {
                    black_box(parse_datagram(black_box(d)));
                }
            })
        });
    }
    group.finish();

    let events: Vec<Event> = traffic::realistic_mix()
        .iter()
        .flat_map(|d| parse_datagram(d))
        .collect();
    let mut group = c.benchmark_group("match_state");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("apply (realistic mix)", |b| {
        b.iter(|| {
            let mut state = MatchState::new();
            for e in &events {
                state.apply(black_box(e));
            }
            black_box(state)
        })
    });
    group.finish();
}

fn main() -> anyhow::Result<ExitCode> {
    // As the app's main does.
    courtside::app::memory::configure_allocator();
    let opts = options::Options::from_env();
    let (warm_up, measure) = opts.criterion_times();
    let mut c = Criterion::default()
        .warm_up_time(warm_up)
        .measurement_time(measure)
        .sample_size(if opts.quick { 20 } else { 50 })
        .configure_from_args();
    parser_benches(&mut c);
    c.final_summary();
    let mut verdicts = Verdicts::new();
    if opts.runs("ingest") {
        ingest_ratio::run(&opts, &mut verdicts)?;
    }
    if opts.runs("latency") {
        latency::run(&opts, &mut verdicts)?;
    }
    Ok(verdicts.finish())
}
