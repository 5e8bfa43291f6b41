//! System and performance monitor: a named worker samples sysinfo about once a second (total and
//! per-core CPU, memory, this process's CPU and RSS), keeps the last minutes in a bounded
//! history, publishes each sample on a bounded channel and wakes the UI only when something it
//! displays (a rounded value or a warning) changed — an idle app does not repaint every second.

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TrySendError, bounded};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sysinfo::{CpuRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

mod sample;
pub use sample::{DisplayKey, SysHistory, SysSample, Warnings};

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

/// Handle of the running monitor.
pub struct Sysmon {
    rx: Receiver<SysSample>,
    history: Arc<Mutex<SysHistory>>,
    channel_full: Arc<AtomicU64>,
    thread: crate::worker::WorkerThread,
}

impl Sysmon {
    /// Start the `sysmon` worker thread. `wake` is called after a sample whose displayed values
    /// differ from the previous one.
    pub fn spawn(config: SysmonConfig, wake: Wake) -> std::io::Result<Sysmon> {
        let (tx, rx) = bounded(config.channel_capacity.max(1));
        let history = Arc::new(Mutex::new(SysHistory::default()));
        let channel_full = Arc::new(AtomicU64::new(0));
        let (history_w, full_w) = (history.clone(), channel_full.clone());
        let thread = crate::worker::WorkerThread::spawn("sysmon", move |stop| {
            let worker = Worker {
                config,
                tx,
                stop,
                wake,
                history: history_w,
                channel_full: full_w,
            };
            worker.run()
        })?;
        Ok(Sysmon {
            rx,
            history,
            channel_full,
            thread,
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
        self.thread.stop();
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
