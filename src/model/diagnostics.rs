//! Pipeline diagnostics: rolling statistics the app feeds from the ingest and writer counters
//! (datagrams per second, parse errors, writer queue depth, commit latency percentiles, slow
//! operations, full channels, UI frame time). Pure bookkeeping on plain numbers
//! ([`PipelineCounts`], read by the app from the listeners and the writer): every method takes
//! `now`, so tests need no clock, the UI thread does no I/O, and the model needs no worker type.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Events per second from a cumulative counter, over a sliding window.
#[derive(Debug, Clone)]
pub struct RateMeter {
    window: Duration,
    points: VecDeque<(Instant, u64)>,
}

impl RateMeter {
    /// A meter averaging over `window`.
    pub fn new(window: Duration) -> RateMeter {
        RateMeter {
            window,
            points: VecDeque::new(),
        }
    }

    /// Record the counter's value at `now`.
    pub fn observe(&mut self, now: Instant, total: u64) {
        self.points.push_back((now, total));
        // Keep one point at or before the window start so the rate covers the whole window.
        while self.points.len() > 2
            && self
                .points
                .get(1)
                .is_some_and(|(t, _)| now.duration_since(*t) >= self.window)
        {
            self.points.pop_front();
        }
    }

    /// Average rate per second over the window (0 until two observations).
    pub fn rate(&self) -> f64 {
        match (self.points.front(), self.points.back()) {
            (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
                n1.saturating_sub(*n0) as f64 / t1.duration_since(*t0).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// The most recent `capacity` values of a measurement, with percentiles.
#[derive(Debug, Clone)]
pub struct Percentiles {
    capacity: usize,
    values: VecDeque<u64>,
}

impl Percentiles {
    /// Keep the last `capacity` values.
    pub fn new(capacity: usize) -> Percentiles {
        Percentiles {
            capacity: capacity.max(1),
            values: VecDeque::new(),
        }
    }

    /// Add a value, forgetting the oldest beyond the capacity.
    pub fn record(&mut self, v: u64) {
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(v);
    }

    /// Number of values held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// No value yet.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The `q`-quantile (0.0–1.0, nearest rank), `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.values.is_empty() {
            return None;
        }
        let mut sorted: Vec<u64> = self.values.iter().copied().collect();
        sorted.sort_unstable();
        let rank = (q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied()
    }

    /// Median.
    pub fn p50(&self) -> Option<u64> {
        self.quantile(0.50)
    }

    /// 99th percentile.
    pub fn p99(&self) -> Option<u64> {
        self.quantile(0.99)
    }
}

/// One operation that took longer than the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowOp {
    /// What it was ("commit 512 datagrams", "export match 17" …).
    pub what: String,
    /// How long it took.
    pub took: Duration,
    /// When it ended, Unix ns.
    pub at_ns: i64,
}

/// The slowest operations above a threshold, slowest first, at most `capacity` of them.
#[derive(Debug, Clone)]
pub struct SlowOps {
    threshold: Duration,
    capacity: usize,
    entries: Vec<SlowOp>,
}

impl SlowOps {
    /// Keep up to `capacity` operations slower than `threshold`.
    pub fn new(threshold: Duration, capacity: usize) -> SlowOps {
        SlowOps {
            threshold,
            capacity: capacity.max(1),
            entries: Vec::new(),
        }
    }

    /// The current threshold.
    pub fn threshold(&self) -> Duration {
        self.threshold
    }

    /// Change the threshold; entries now below it are dropped.
    pub fn set_threshold(&mut self, threshold: Duration) {
        self.threshold = threshold;
        self.entries.retain(|e| e.took >= threshold);
    }

    /// Offer an operation; true when it was slow enough to be listed.
    pub fn record(&mut self, what: impl Into<String>, took: Duration, at_ns: i64) -> bool {
        if took < self.threshold {
            return false;
        }
        let pos = self.entries.partition_point(|e| e.took >= took);
        if pos >= self.capacity {
            return true;
        }
        self.entries.insert(
            pos,
            SlowOp {
                what: what.into(),
                took,
                at_ns,
            },
        );
        self.entries.truncate(self.capacity);
        true
    }

    /// Listed operations, slowest first.
    pub fn entries(&self) -> &[SlowOp] {
        &self.entries
    }

    /// Forget every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// What the diagnostics panel shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosticsSnapshot {
    /// Datagrams per second over the rate window.
    pub datagrams_per_sec: f64,
    /// Unknown + malformed messages since start.
    pub parse_errors: u64,
    /// Requests waiting for the writer.
    pub writer_queue_depth: usize,
    /// Median commit duration, µs.
    pub commit_p50_micros: Option<u64>,
    /// 99th percentile commit duration, µs.
    pub commit_p99_micros: Option<u64>,
    /// Times a channel was full: listener → writer, writer → UI, plus any reported by the app.
    pub channel_full: u64,
    /// Median UI frame time, µs.
    pub frame_p50_micros: Option<u64>,
    /// 99th percentile UI frame time, µs.
    pub frame_p99_micros: Option<u64>,
}

/// The pipeline's cumulative counters at one moment, summed over the listeners (the app reads
/// them from the listeners' and the writer's statistics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PipelineCounts {
    /// Datagrams received.
    pub datagrams: u64,
    /// Unknown + malformed messages.
    pub parse_errors: u64,
    /// Times a channel was full: listener → writer, writer → UI, and those the app keeps
    /// itself (the sysmon channel).
    pub channel_full: u64,
    /// Commits done by the writer.
    pub commits: u64,
    /// Duration of the last commit, µs.
    pub last_commit_micros: u64,
    /// When the last commit finished, Unix ns.
    pub last_commit_at_ns: i64,
    /// Requests waiting for the writer.
    pub writer_queue_depth: usize,
}

/// Everything the diagnostics panel needs, fed by the app once per frame (or less often).
#[derive(Debug, Clone)]
pub struct PipelineDiagnostics {
    datagrams: RateMeter,
    commits: Percentiles,
    frames: Percentiles,
    slow: SlowOps,
    seen_commits: u64,
    snapshot: DiagnosticsSnapshot,
}

impl Default for PipelineDiagnostics {
    fn default() -> Self {
        PipelineDiagnostics::new(Duration::from_secs(5), Duration::from_millis(100))
    }
}

impl PipelineDiagnostics {
    /// Rates over `rate_window`; operations slower than `slow_threshold` are listed.
    pub fn new(rate_window: Duration, slow_threshold: Duration) -> PipelineDiagnostics {
        PipelineDiagnostics {
            datagrams: RateMeter::new(rate_window),
            commits: Percentiles::new(1000),
            frames: Percentiles::new(600),
            slow: SlowOps::new(slow_threshold, 50),
            seen_commits: 0,
            snapshot: DiagnosticsSnapshot::default(),
        }
    }

    /// Take the live counters. Commit latency is sampled from the writer's last commit each
    /// time the commit counter moved: when several commits happen between two updates only the
    /// last one is seen (the writer keeps no per-commit log), which under-samples bursts but
    /// never invents a value.
    pub fn update(&mut self, now: Instant, c: &PipelineCounts) {
        self.datagrams.observe(now, c.datagrams);
        if c.commits != self.seen_commits {
            self.seen_commits = c.commits;
            self.commits.record(c.last_commit_micros);
            self.slow.record(
                "store commit",
                Duration::from_micros(c.last_commit_micros),
                c.last_commit_at_ns,
            );
        }
        self.snapshot = DiagnosticsSnapshot {
            datagrams_per_sec: self.datagrams.rate(),
            parse_errors: c.parse_errors,
            writer_queue_depth: c.writer_queue_depth,
            commit_p50_micros: self.commits.p50(),
            commit_p99_micros: self.commits.p99(),
            channel_full: c.channel_full,
            frame_p50_micros: self.frames.p50(),
            frame_p99_micros: self.frames.p99(),
        };
    }

    /// Record one UI frame's duration.
    pub fn record_frame(&mut self, took: Duration) {
        self.frames.record(took.as_micros() as u64);
    }

    /// Record another timed store operation (export, backup, page load …).
    pub fn record_operation(&mut self, what: impl Into<String>, took: Duration, at_ns: i64) {
        self.slow.record(what, took, at_ns);
    }

    /// The slow-operations list (threshold settable).
    pub fn slow_ops(&mut self) -> &mut SlowOps {
        &mut self.slow
    }

    /// The numbers as of the last update.
    pub fn snapshot(&self) -> &DiagnosticsSnapshot {
        &self.snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_over_the_window() {
        let t0 = Instant::now();
        let mut m = RateMeter::new(Duration::from_secs(5));
        assert_eq!(m.rate(), 0.0);
        for s in 0..=10u64 {
            // 100/s for 10 s.
            m.observe(t0 + Duration::from_secs(s), s * 100);
        }
        assert!((m.rate() - 100.0).abs() < 1e-9);
        // Then nothing for 6 s: the window holds only the idle time.
        for s in 11..=16u64 {
            m.observe(t0 + Duration::from_secs(s), 1000);
        }
        assert!(m.rate() < 1e-9, "rate {} after idling", m.rate());
    }

    #[test]
    fn percentiles_of_recent_values() {
        let mut p = Percentiles::new(100);
        assert_eq!(p.p50(), None);
        for v in 1..=100 {
            p.record(v);
        }
        assert_eq!(p.p50(), Some(50));
        assert_eq!(p.p99(), Some(99));
        // 100 more values of 1000 push the old ones out.
        for _ in 0..100 {
            p.record(1000);
        }
        assert_eq!(p.len(), 100);
        assert_eq!(p.p50(), Some(1000));
    }

    #[test]
    fn slow_ops_threshold_order_and_capacity() {
        let mut s = SlowOps::new(Duration::from_millis(10), 3);
        assert!(!s.record("fast", Duration::from_millis(5), 1));
        for (i, ms) in [20u64, 50, 15, 40].into_iter().enumerate() {
            assert!(s.record(format!("op{i}"), Duration::from_millis(ms), i as i64));
        }
        let took: Vec<u64> = s
            .entries()
            .iter()
            .map(|e| e.took.as_millis() as u64)
            .collect();
        assert_eq!(took, [50, 40, 20]);
        s.set_threshold(Duration::from_millis(30));
        assert_eq!(s.entries().len(), 2);
        assert_eq!(s.threshold(), Duration::from_millis(30));
    }

    #[test]
    fn pipeline_reads_counters() {
        let mut d = PipelineDiagnostics::new(Duration::from_secs(5), Duration::from_millis(1));
        let t0 = Instant::now();
        d.update(t0, &PipelineCounts::default());
        let counts = PipelineCounts {
            datagrams: 50,
            parse_errors: 3,
            channel_full: 15,
            commits: 1,
            last_commit_micros: 3000,
            last_commit_at_ns: 1,
            writer_queue_depth: 7,
        };
        d.record_frame(Duration::from_millis(16));
        d.update(t0 + Duration::from_secs(1), &counts);
        let s = d.snapshot();
        assert!((s.datagrams_per_sec - 50.0).abs() < 1e-9);
        assert_eq!(s.parse_errors, 3);
        assert_eq!(s.writer_queue_depth, 7);
        assert_eq!(s.commit_p50_micros, Some(3000));
        assert_eq!(s.channel_full, 15);
        assert_eq!(s.frame_p99_micros, Some(16_000));
        assert_eq!(
            d.slow_ops().entries().len(),
            1,
            "a 3 ms commit is over 1 ms"
        );
        // The same commit count again records nothing new.
        d.update(t0 + Duration::from_secs(2), &counts);
        assert_eq!(d.slow_ops().entries().len(), 1);
    }
}
