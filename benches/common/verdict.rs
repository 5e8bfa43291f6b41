//! A bench's verdicts on the targets README's Benchmarks table claims: each bench records every
//! target it measured here, [`Verdicts::finish`] prints one summary line per target
//! (`target … measured … met|NOT met`) and turns them into the exit code, so a target that is not
//! met fails the bench. Shared by every bench with a target through `#[path]`.
//!
//! In criterion's test mode (`cargo test --benches`, `cargo bench -- --test`) every part runs
//! once at tiny sizes: the numbers are printed but not judged.

// Each bench uses the comparisons its targets need.
#![allow(dead_code)]

use std::process::ExitCode;

/// Whether this is criterion's test mode: without `--bench` (cargo test) or with `--test`.
pub fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    !has("--bench") || has("--test")
}

/// Whether this is a quick run (`COURTSIDE_BENCH_QUICK=1`, as `scripts/bench-all.sh` sets):
/// fewer samples, smaller stores; the targets are judged all the same.
pub fn quick() -> bool {
    std::env::var("COURTSIDE_BENCH_QUICK")
        .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

enum Outcome {
    Met,
    NotMet,
    /// Not run because an explicit opt-out variable said so.
    OptedOut,
    /// Test mode: measured, not judged.
    NotJudged,
}

struct Line {
    target: String,
    measured: String,
    outcome: Outcome,
}

/// The targets measured in one run.
pub struct Verdicts {
    lines: Vec<Line>,
    judge: bool,
}

impl Verdicts {
    /// Verdicts judged unless this is a test-mode run.
    pub fn new() -> Verdicts {
        Verdicts {
            lines: Vec::new(),
            judge: !test_mode(),
        }
    }

    /// `what` must be at most `limit` (`unit` is printed after both numbers, e.g. " ms", "×").
    pub fn at_most(&mut self, what: &str, measured: f64, limit: f64, unit: &str) {
        let target = format!("{what} ≤ {limit}{unit}");
        self.record(target, format!("{measured:.2}{unit}"), measured <= limit);
    }

    /// `what` must be at least `limit`.
    pub fn at_least(&mut self, what: &str, measured: f64, limit: f64, unit: &str) {
        let target = format!("{what} ≥ {limit}{unit}");
        self.record(target, format!("{measured:.2}{unit}"), measured >= limit);
    }

    /// A target this run could not measure (`why`): a claim nothing backs is not met.
    pub fn not_measured(&mut self, what: &str, limit: &str, why: &str) {
        let target = format!("{what} {limit}");
        let measured = format!("nothing ({why})");
        self.lines.push(Line {
            target,
            measured,
            outcome: Outcome::NotMet,
        });
    }

    /// A target not measured because an explicit opt-out (`why` names the variable) said so:
    /// printed, not a failure.
    pub fn skipped(&mut self, what: &str, limit: &str, why: &str) {
        self.lines.push(Line {
            target: format!("{what} {limit}"),
            measured: format!("nothing ({why})"),
            outcome: Outcome::OptedOut,
        });
    }

    /// Whether a target starting with `what` was recorded in this run.
    pub fn recorded(&self, what: &str) -> bool {
        self.lines.iter().any(|l| l.target.starts_with(what))
    }

    fn record(&mut self, target: String, measured: String, met: bool) {
        let outcome = match (self.judge, met) {
            (false, _) => Outcome::NotJudged,
            (true, true) => Outcome::Met,
            (true, false) => Outcome::NotMet,
        };
        self.lines.push(Line {
            target,
            measured,
            outcome,
        });
    }

    /// Print the summary, one line per target; failure when any target was not met.
    pub fn finish(self) -> ExitCode {
        println!("\n== targets ==");
        let mut missed = 0;
        for l in &self.lines {
            let verdict = match l.outcome {
                Outcome::Met => "met",
                Outcome::NotMet => {
                    missed += 1;
                    "NOT met"
                }
                Outcome::NotJudged => "not judged (test mode: sizes too small)",
                Outcome::OptedOut => "skipped (opted out)",
            };
            println!("target {} measured {} {verdict}", l.target, l.measured);
        }
        if self.lines.is_empty() {
            println!("no target measured in this run (filtered out)");
        } else if missed > 0 {
            println!("{missed} of {} targets NOT met", self.lines.len());
        }
        if missed > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}
