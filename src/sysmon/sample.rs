//! Samples and what is shown of them: one measurement, its displayed (rounded) key with the
//! dead band that decides when the UI is woken, warning badges, and the bounded history.

use super::SysmonConfig;
use std::collections::VecDeque;
use std::time::Duration;

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
    pub(super) samples: VecDeque<SysSample>,
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
