//! Video review against a real OBS 29 started headless (the tests' harness): how long from a
//! challenge to the review source playing the disputed moment, and one frame step's round trip.
//!
//! - challenge → playing: `ReviewRequest::Challenge` handed to the `ReviewService` → replay saved
//!   (`SaveReplayBuffer`, `ReplayBufferSaved`) → loaded in the review source → cued at the moment
//!   minus the pre-roll → OBS reports it playing there (read back). ≥ 10 runs; median ≤ 2 s,
//!   p95 ≤ 3 s. The datagram → stored record part before it is the spine bench's (sub-ms).
//! - frame step: `ReviewRequest::StepFrames(1)` → OBS's cursor moved, read back; median ≤ 150 ms.
//!
//! Run: `cargo bench --bench review` (needs `obs-studio obs-plugins xvfb` and ~1 min). In test
//! mode (`cargo test --benches`) it runs twice and is not judged.

use courtside::obs::review_setup::{KeyframePolicy, ReviewNames};
use courtside::obs::secrets::SystemKeyring;
use courtside::obs::{ObsConnection, Password};
use courtside::review::{
    DEFAULT_PRE_ROLL_MS, ReviewConfig, ReviewRequest, ReviewService, ReviewUpdate,
};
use courtside::store::writer::now_ns;
use crossbeam_channel::{Receiver, bounded};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../tests/obs/obs_process.rs"]
mod obs_process;
#[path = "common/verdict.rs"]
mod verdict;
#[path = "../tests/common/xvfb.rs"]
mod xvfb;
use verdict::Verdicts;

/// Longest wait for one review request.
const WAIT: Duration = Duration::from_secs(30);

fn outcome(rx: &Receiver<ReviewUpdate>, what: &str) -> Result<String, String> {
    let end = Instant::now() + WAIT;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(ReviewUpdate::Done { what: w, result }) if w == what => return result,
            Ok(_) => {}
            Err(e) => return Err(format!("no outcome of '{what}': {e}")),
        }
    }
}

fn ask(
    service: &ReviewService,
    rx: &Receiver<ReviewUpdate>,
    r: ReviewRequest,
) -> Result<String, String> {
    let what = r.label();
    service.request(r)?;
    outcome(rx, &what)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Numbers {
    challenge_ms: Vec<f64>,
    step_ms: Vec<f64>,
}

fn measure(runs: usize) -> Result<Numbers, String> {
    let obs = obs_process::ObsProcess::start()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut conn = ObsConnection::new("review", "127.0.0.1", obs.port);
    conn.password = Password::new(&obs.password);
    let (tx, rx) = bounded(1024);
    let service = ReviewService::spawn_with_credentials(
        rt.handle(),
        ReviewConfig {
            connection: conn,
            names: ReviewNames::default(),
            pre_roll_ms: DEFAULT_PRE_ROLL_MS,
            store_writer: None,
            store: None,
            updates: tx,
            repaint: Box::new(|| {}),
        },
        Arc::new(SystemKeyring),
    );
    ask(
        &service,
        &rx,
        ReviewRequest::SetupKeyframes(KeyframePolicy::AllIntra),
    )?;
    let link_conn = {
        let mut c = ObsConnection::new("bench", "127.0.0.1", obs.port);
        c.password = Password::new(&obs.password);
        c
    };
    let link = rt
        .block_on(courtside::obs::review::ReviewLink::connect(
            &link_conn,
            Arc::new(SystemKeyring),
        ))
        .map_err(|e| e.to_string())?;
    rt.block_on(link.request("StartReplayBuffer", serde_json::Value::Null))
        .map_err(|e| e.to_string())?;
    // The buffer must hold the pre-roll and the moment before the first challenge.
    let filled = Instant::now() + Duration::from_secs(6);
    while Instant::now() < filled {
        std::thread::park_timeout(filled - Instant::now());
    }
    let mut numbers = Numbers {
        challenge_ms: Vec::new(),
        step_ms: Vec::new(),
    };
    for _ in 0..runs {
        let disputed_ns = now_ns() - 1_000_000_000;
        let t = Instant::now();
        ask(
            &service,
            &rx,
            ReviewRequest::Challenge {
                disputed_ns,
                fallback: None,
            },
        )?;
        numbers
            .challenge_ms
            .push(t.elapsed().as_secs_f64() * 1000.0);
        for _ in 0..2 {
            let t = Instant::now();
            ask(&service, &rx, ReviewRequest::StepFrames(1))?;
            numbers.step_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    service.shutdown();
    Ok(numbers)
}

fn main() -> ExitCode {
    let mut verdicts = Verdicts::new();
    let runs = if verdict::test_mode() { 2 } else { 12 };
    match measure(runs) {
        Ok(mut n) => {
            n.challenge_ms.sort_by(f64::total_cmp);
            n.step_ms.sort_by(f64::total_cmp);
            println!(
                "challenge → review playing at the moment, {} runs: median {:.0} ms, p95 {:.0} ms, \
                 max {:.0} ms",
                n.challenge_ms.len(),
                percentile(&n.challenge_ms, 0.5),
                percentile(&n.challenge_ms, 0.95),
                percentile(&n.challenge_ms, 1.0)
            );
            println!(
                "frame step round trip, {} steps: median {:.0} ms, p95 {:.0} ms",
                n.step_ms.len(),
                percentile(&n.step_ms, 0.5),
                percentile(&n.step_ms, 0.95)
            );
            let median = percentile(&n.challenge_ms, 0.5);
            verdicts.at_most("challenge → review playing, median", median, 2000.0, " ms");
            let p95 = percentile(&n.challenge_ms, 0.95);
            verdicts.at_most("challenge → review playing, p95", p95, 3000.0, " ms");
            let step = percentile(&n.step_ms, 0.5);
            verdicts.at_most("frame step round trip, median", step, 150.0, " ms");
        }
        Err(e) => {
            eprintln!("review bench: {e}");
            verdicts.not_measured("challenge → review playing", "≤ 2 s median", &e);
            verdicts.not_measured("frame step round trip", "≤ 150 ms median", &e);
        }
    }
    verdicts.finish()
}
