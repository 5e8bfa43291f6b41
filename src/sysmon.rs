//! System and performance monitor: a named worker samples sysinfo about once a second (total and
//! per-core CPU, memory, this process's CPU and RSS), keeps the last minutes in a bounded
//! history, publishes each sample on a bounded channel and wakes the UI only when something it
//! displays (a rounded value or a warning) changed — an idle app does not repaint every second.

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use sysinfo::{CpuRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Wakes the UI (e.g. `ctx.request_repaint_of(ViewportId::ROOT)`).
pub type Wake = Box<dyn Fn() + Send + Sync>;

/// Sampling and warning settings.
#[derive(Debug, Clone)]
pub struct SysmonConfig {
    /// Time between samples.
    pub interval: Duration,
    /// How much history to keep.
    pub history: Duration,
    /// CPU warning above this total percentage …
    pub cpu_warn_percent: f32,
    /// … sustained over this many consecutive samples (one spike is not a problem).
    pub cpu_warn_samples: usize,
    /// Low memory when available memory is below this fraction of the total …
    pub low_memory_fraction: f64,
    /// … or below this many bytes, whichever threshold is lower.
    pub low_memory_bytes: u64,
    /// Capacity of the sample channel.
    pub channel_capacity: usize,
    /// Least time between two wakes for changed figures (a new warning wakes at once). Each
    /// wake repaints the window; with software OpenGL a repaint costs 50–100 ms of CPU, and a
    /// machine whose load swings every second woke the app every second (9.6 % of a core).
    pub min_wake_gap: Duration,
}

impl Default for SysmonConfig {
    fn default() -> Self {
        SysmonConfig {
            interval: Duration::from_secs(1),
            history: Duration::from_secs(600),
            cpu_warn_percent: 85.0,
            cpu_warn_samples: 3,
            low_memory_fraction: 0.10,
            low_memory_bytes: 1024 * 1024 * 1024,
            channel_capacity: 64,
            min_wake_gap: Duration::from_secs(5),
        }
    }
}

/// One measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct SysSample {
    /// Seconds since the monitor started (x axis of the plot).
    pub t: f64,
    /// Total CPU use, percent of the whole machine.
    pub cpu_total: f32,
    /// CPU use per logical core, percent.
    pub per_core: Vec<f32>,
    /// Total memory, bytes.
    pub mem_total: u64,
    /// Memory available to new programs, bytes.
    pub mem_available: u64,
    /// This process's CPU use, percent of the whole machine (sysinfo's per-core figure divided
    /// by the number of cores, so it compares with `cpu_total`).
    pub proc_cpu: f32,
    /// This process's resident memory, bytes.
    pub proc_rss: u64,
    /// Warnings at the time of this sample.
    pub warnings: Warnings,
}

impl SysSample {
    /// Memory in use, bytes.
    pub fn mem_used(&self) -> u64 {
        self.mem_total.saturating_sub(self.mem_available)
    }

    /// What the status bar shows of this sample, as displayed: total CPU in 5 % steps, memory
    /// in whole percents, courtside's RSS in 10 MB steps. Coarse on purpose: finer values change
    /// every second on an idle machine, and each change costs a repaint (the System tab, which
    /// shows every value, refreshes itself while open).
    pub fn status_values(&self) -> (u32, u32, u64) {
        let cpu = ((self.cpu_total / 5.0).round() * 5.0).max(0.0) as u32;
        let mem = if self.mem_total == 0 {
            0
        } else {
            (self.mem_used() as f64 / self.mem_total as f64 * 100.0).round() as u32
        };
        (cpu, mem, self.proc_rss / 10_000_000 * 10)
    }

    /// The displayed values and the warnings; see [`DisplayKey::changed_from`].
    pub fn display_key(&self) -> DisplayKey {
        let (cpu, mem, rss) = self.status_values();
        DisplayKey {
            cpu,
            mem,
            rss,
            warnings: self.warnings,
        }
    }
}

impl DisplayKey {
    /// Whether the status bar should be redrawn for this sample, given the key it was last
    /// redrawn for: a warning changed, CPU moved by 10 points, memory by 2 points or RSS by
    /// 20 MB. The dead band matters: a repaint costs CPU, so waking on every step would let
    /// the app's own drawing flip the CPU figure back and forth and keep it busy.
    pub fn changed_from(&self, before: &DisplayKey) -> bool {
        self.warnings_changed_from(before) || self.figures_changed_from(before)
    }

    /// Whether the UI should be woken for this key: always for the first one or a changed
    /// warning; for changed figures only once `gap` has passed since the last wake.
    pub fn wakes(&self, before: Option<&DisplayKey>, since_wake: Duration, gap: Duration) -> bool {
        match before {
            None => true,
            Some(b) => {
                self.warnings_changed_from(b) || (self.figures_changed_from(b) && since_wake >= gap)
            }
        }
    }

    fn warnings_changed_from(&self, before: &DisplayKey) -> bool {
        self.warnings != before.warnings
    }

    fn figures_changed_from(&self, before: &DisplayKey) -> bool {
        self.cpu.abs_diff(before.cpu) >= 10
            || self.mem.abs_diff(before.mem) >= 2
            || self.rss.abs_diff(before.rss) >= 20
    }
}

/// The displayed (rounded) values of a sample; see [`SysSample::display_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayKey {
    cpu: u32,
    mem: u32,
    rss: u64,
    warnings: Warnings,
}

/// Warning badges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Warnings {
    /// Total CPU above the threshold for several samples in a row.
    pub cpu_high: bool,
    /// Available memory below the threshold.
    pub memory_low: bool,
}

impl Warnings {
    /// Any warning on.
    pub fn any(self) -> bool {
        self.cpu_high || self.memory_low
    }
}

/// The last minutes of samples, oldest first.
#[derive(Debug, Clone, Default)]
pub struct SysHistory {
    samples: VecDeque<SysSample>,
}

impl SysHistory {
    /// Add a sample and forget those older than `keep` before it.
    pub fn push(&mut self, sample: SysSample, keep: Duration) {
        let oldest = sample.t - keep.as_secs_f64();
        self.samples.push_back(sample);
        while self.samples.front().is_some_and(|s| s.t < oldest) {
            self.samples.pop_front();
        }
    }

    /// Samples, oldest first.
    pub fn samples(&self) -> impl DoubleEndedIterator<Item = &SysSample> + ExactSizeIterator {
        self.samples.iter()
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&SysSample> {
        self.samples.back()
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// No sample yet.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// `[t, value]` points of one series, for `egui_plot::Line`.
    pub fn points(&self, value: impl Fn(&SysSample) -> f64) -> Vec<[f64; 2]> {
        self.samples.iter().map(|s| [s.t, value(s)]).collect()
    }

    /// Warnings for the newest sample given the history before it.
    pub fn evaluate(
        &self,
        latest_available: u64,
        latest_total: u64,
        config: &SysmonConfig,
    ) -> Warnings {
        let n = config.cpu_warn_samples.max(1);
        let cpu_high = self.samples.len() >= n
            && self
                .samples
                .iter()
                .rev()
                .take(n)
                .all(|s| s.cpu_total > config.cpu_warn_percent);
        let by_fraction = (latest_total as f64 * config.low_memory_fraction) as u64;
        let threshold = by_fraction.min(config.low_memory_bytes);
        Warnings {
            cpu_high,
            memory_low: latest_total > 0 && latest_available < threshold,
        }
    }
}

/// Handle of the running monitor.
pub struct Sysmon {
    rx: Receiver<SysSample>,
    history: Arc<Mutex<SysHistory>>,
    channel_full: Arc<AtomicU64>,
    stop: Option<Sender<()>>,
    join: Option<JoinHandle<()>>,
}

impl Sysmon {
    /// Start the `sysmon` worker thread. `wake` is called after a sample whose displayed values
    /// differ from the previous one.
    pub fn spawn(config: SysmonConfig, wake: Wake) -> std::io::Result<Sysmon> {
        let (tx, rx) = bounded(config.channel_capacity.max(1));
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let history = Arc::new(Mutex::new(SysHistory::default()));
        let channel_full = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            config,
            tx,
            stop: stop_rx,
            wake,
            history: history.clone(),
            channel_full: channel_full.clone(),
        };
        let join = std::thread::Builder::new()
            .name("sysmon".into())
            .spawn(move || worker.run())?;
        Ok(Sysmon {
            rx,
            history,
            channel_full,
            stop: Some(stop_tx),
            join: Some(join),
        })
    }

    /// New samples (drain in `App::logic`).
    pub fn receiver(&self) -> &Receiver<SysSample> {
        &self.rx
    }

    /// A copy of the history (for the plot).
    pub fn history(&self) -> SysHistory {
        self.history.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Samples not delivered because the channel was full (they are still in the history).
    pub fn channel_full(&self) -> u64 {
        self.channel_full.load(Ordering::Relaxed)
    }

    /// Stop the worker and join it.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.take();
        if let Some(j) = self.join.take()
            && j.join().is_err()
        {
            tracing::error!("sysmon thread panicked");
        }
    }
}

impl Drop for Sysmon {
    fn drop(&mut self) {
        self.halt();
    }
}

struct Worker {
    config: SysmonConfig,
    tx: Sender<SysSample>,
    stop: Receiver<()>,
    wake: Wake,
    history: Arc<Mutex<SysHistory>>,
    channel_full: Arc<AtomicU64>,
}

impl Worker {
    fn run(self) {
        let Ok(mut sys) = System::new() else {
            tracing::warn!("system monitor unavailable on this platform");
            return;
        };
        let pid = sysinfo::get_current_pid().ok();
        let started = Instant::now();
        // CPU percentages are differences between two refreshes: prime the first one.
        refresh(&mut sys, pid);
        let min_gap = sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.max(Duration::from_millis(200));
        let mut wait = min_gap;
        let mut last_key = None;
        let mut last_wake = Instant::now();
        loop {
            match self.stop.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            wait = self.config.interval.max(min_gap);
            refresh(&mut sys, pid);
            let sample = self.measure(&sys, pid, started.elapsed().as_secs_f64());
            let key = sample.display_key();
            match self.tx.try_send(sample) {
                Ok(()) | Err(TrySendError::Disconnected(_)) => {}
                Err(TrySendError::Full(_)) => {
                    self.channel_full.fetch_add(1, Ordering::Relaxed);
                }
            }
            if key.wakes(
                last_key.as_ref(),
                last_wake.elapsed(),
                self.config.min_wake_gap,
            ) {
                last_key = Some(key);
                last_wake = Instant::now();
                (self.wake)();
            }
        }
    }

    fn measure(&self, sys: &System, pid: Option<Pid>, t: f64) -> SysSample {
        let per_core: Vec<f32> = sys.cpus().iter().map(|c| c.usage()).collect();
        let cores = per_core.len().max(1) as f32;
        let proc = pid.and_then(|p| sys.process(p));
        let mut sample = SysSample {
            t,
            cpu_total: sys.global_cpu_usage(),
            per_core,
            mem_total: sys.total_memory(),
            mem_available: sys.available_memory(),
            proc_cpu: proc.map_or(0.0, |p| p.cpu_usage() / cores),
            proc_rss: proc.map_or(0, |p| p.memory()),
            warnings: Warnings::default(),
        };
        if let Ok(mut h) = self.history.lock() {
            h.push(sample.clone(), self.config.history);
            sample.warnings = h.evaluate(sample.mem_available, sample.mem_total, &self.config);
            if let Some(last) = h.samples.back_mut() {
                last.warnings = sample.warnings;
            }
        }
        sample
    }
}

fn refresh(sys: &mut System, pid: Option<Pid>) {
    sys.refresh_cpu_specifics(CpuRefreshKind::nothing().with_usage());
    sys.refresh_memory();
    if let Some(pid) = pid {
        sys.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            false,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: f64, cpu: f32, avail: u64) -> SysSample {
        SysSample {
            t,
            cpu_total: cpu,
            per_core: vec![cpu, cpu],
            mem_total: 8 << 30,
            mem_available: avail,
            proc_cpu: 1.0,
            proc_rss: 100 << 20,
            warnings: Warnings::default(),
        }
    }

    #[test]
    fn history_keeps_only_the_window() {
        let mut h = SysHistory::default();
        for i in 0..700 {
            h.push(
                sample(f64::from(i), 10.0, 4 << 30),
                Duration::from_secs(600),
            );
        }
        assert_eq!(h.len(), 601);
        assert_eq!(h.samples().next().map(|s| s.t), Some(99.0));
        assert_eq!(h.points(|s| f64::from(s.cpu_total)).len(), 601);
    }

    #[test]
    fn cpu_warning_needs_a_sustained_high_load() {
        let config = SysmonConfig::default();
        let mut h = SysHistory::default();
        h.push(sample(0.0, 95.0, 4 << 30), config.history);
        h.push(sample(1.0, 95.0, 4 << 30), config.history);
        assert!(
            !h.evaluate(4 << 30, 8 << 30, &config).cpu_high,
            "two samples are a spike"
        );
        h.push(sample(2.0, 90.0, 4 << 30), config.history);
        assert!(h.evaluate(4 << 30, 8 << 30, &config).cpu_high);
        h.push(sample(3.0, 50.0, 4 << 30), config.history);
        assert!(!h.evaluate(4 << 30, 8 << 30, &config).cpu_high);
    }

    #[test]
    fn memory_warning_uses_the_lower_threshold() {
        let config = SysmonConfig::default();
        let h = SysHistory::default();
        // 8 GiB machine: 10 % = 0.8 GiB is below 1 GiB, so 0.8 GiB is the threshold.
        assert!(!h.evaluate(900 << 20, 8 << 30, &config).memory_low);
        assert!(h.evaluate(700 << 20, 8 << 30, &config).memory_low);
        // 64 GiB machine: 1 GiB is the threshold.
        assert!(h.evaluate(900 << 20, 64 << 30, &config).memory_low);
        assert!(!h.evaluate(2 << 30, 64 << 30, &config).memory_low);
    }

    #[test]
    fn display_key_ignores_changes_below_display_precision() {
        let a = sample(0.0, 10.2, 4 << 30);
        let mut b = sample(1.0, 10.4, (4 << 30) - 1000);
        assert_eq!(a.display_key(), b.display_key());
        b.cpu_total = 13.0; // shown as 15 %: within the dead band, no wake
        assert_ne!(a.display_key(), b.display_key());
        assert!(!b.display_key().changed_from(&a.display_key()));
        b.cpu_total = 21.0; // shown as 20 %: woken
        assert!(b.display_key().changed_from(&a.display_key()));
        let mut c = a.clone();
        c.warnings.memory_low = true;
        assert!(c.display_key().changed_from(&a.display_key()));
        let mut d = a.clone();
        d.proc_rss += 25_000_000;
        assert!(d.display_key().changed_from(&a.display_key()));
    }

    #[test]
    fn changed_figures_wake_at_most_once_per_gap_warnings_at_once() {
        let gap = Duration::from_secs(5);
        let a = sample(0.0, 10.0, 4 << 30).display_key();
        let mut busy = sample(1.0, 60.0, 4 << 30);
        assert!(a.wakes(None, Duration::ZERO, gap), "first sample");
        let soon = Duration::from_secs(1);
        assert!(!busy.display_key().wakes(Some(&a), soon, gap));
        assert!(busy.display_key().wakes(Some(&a), gap, gap));
        busy.warnings.cpu_high = true;
        assert!(busy.display_key().wakes(Some(&a), soon, gap));
        assert!(!a.wakes(Some(&a), gap * 10, gap), "nothing changed");
    }
}
