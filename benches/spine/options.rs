//! How big a run is: full (`cargo bench`), quick (`--quick` or `COURTSIDE_BENCH_QUICK=1`), or a
//! smoke run (criterion's test mode: `cargo test --benches`, or `cargo bench -- --test`).

use std::time::Duration;

/// Options read from the command line (the same one criterion reads) and the environment.
#[derive(Debug, Clone)]
pub struct Options {
    /// Short run for CI.
    pub quick: bool,
    /// Criterion's test mode: run everything once, tiny sizes, numbers meaningless.
    pub smoke: bool,
    /// `--list`: criterion lists its benchmarks; the comparisons do not run.
    pub list: bool,
    /// Criterion's positional filter; a comparison runs only if its name contains it.
    pub filter: Option<String>,
}

/// Criterion options that take a value (so the value is not mistaken for the filter).
const VALUE_OPTIONS: &[&str] = &[
    "-c",
    "--color",
    "--colour",
    "-s",
    "--save-baseline",
    "-b",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--sample-size",
    "--warm-up-time",
    "--measurement-time",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--profile-time",
    "--format",
    "--plotting-backend",
    "--output-format",
];

impl Options {
    /// Read the process arguments and `COURTSIDE_BENCH_QUICK`.
    pub fn from_env() -> Options {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let has = |flag: &str| args.iter().any(|a| a == flag);
        let quick_env = std::env::var("COURTSIDE_BENCH_QUICK")
            .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
        let mut filter = None;
        let mut skip_next = false;
        for a in &args {
            if skip_next {
                skip_next = false;
            } else if VALUE_OPTIONS.contains(&a.as_str()) {
                skip_next = true;
            } else if !a.starts_with('-') && filter.is_none() {
                filter = Some(a.clone());
            }
        }
        Options {
            quick: quick_env || has("--quick"),
            // Same rule as criterion: without `--bench` (cargo test), or with `--test`, it is a
            // test run.
            smoke: !has("--bench") || has("--test"),
            list: has("--list"),
            filter,
        }
    }

    /// Whether the comparison called `name` runs.
    pub fn runs(&self, name: &str) -> bool {
        !self.list
            && self
                .filter
                .as_ref()
                .is_none_or(|f| name.contains(f.as_str()))
    }

    /// Datagrams per arm of the ingest comparison.
    pub fn ingest_count(&self) -> usize {
        self.pick(20_000, 3_000, 300)
    }

    /// Rounds of the bare-UDP and redb arms (the median is reported). Five, not three: on the
    /// shared 2-core machine a single round of either arm swings by 2× with the other sessions'
    /// load, and a round costs well under a second. Three in a quick run (`bench-all.sh`): one
    /// round was a coin toss on a loaded machine.
    pub fn ingest_rounds(&self) -> usize {
        self.pick(5, 3, 1)
    }

    /// How long the latency run sends.
    pub fn latency_duration(&self) -> Duration {
        Duration::from_millis(self.pick(10_000, 3_000, 500) as u64)
    }

    /// Criterion's warm-up and measurement time per benchmark.
    pub fn criterion_times(&self) -> (Duration, Duration) {
        if self.quick {
            (Duration::from_millis(300), Duration::from_secs(1))
        } else {
            (Duration::from_secs(1), Duration::from_secs(3))
        }
    }

    fn pick(&self, full: usize, quick: usize, smoke: usize) -> usize {
        if self.smoke {
            smoke
        } else if self.quick {
            quick
        } else {
            full
        }
    }
}
