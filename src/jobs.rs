//! [`Jobs`]: the one registry of background jobs. A job is either work on its own named thread
//! ([`Jobs::spawn`]: an export, a backup, a report, a file dialog, a licence check) or a store
//! write whose confirmation the app waits for ([`Jobs::await_store`]: settings, OBS rules,
//! licence key, match deletion). Either way the UI thread never waits: it calls [`Jobs::poll`]
//! once per frame and gets every finished job with its name, duration and outcome. Threads wake
//! the UI when they finish; while store confirmations are outstanding, [`Jobs::next_poll`] says
//! when to look again. Every failure is logged here, with the job's name, so no caller can drop
//! one silently.

use crossbeam_channel::{Receiver, TryRecvError, bounded};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Wakes the UI (egui's `request_repaint`): called by a job thread when it finishes.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// How often the UI looks for store confirmations while some are outstanding (the writer
/// commits within milliseconds; it has no wake-up of its own for confirmations).
pub const STORE_POLL: Duration = Duration::from_millis(20);

/// A job's id, unique within its registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JobId(u64);

/// The progress text a job thread may update ("1 204 of 5 000 datagrams"); the UI reads it.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<String>>);

impl Progress {
    /// Replace the progress text.
    pub fn set(&self, text: impl Into<String>) {
        if let Ok(mut p) = self.0.lock() {
            *p = text.into();
        }
    }

    /// The current progress text (empty when the job has not said anything).
    pub fn get(&self) -> String {
        self.0.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

/// A running job as the UI may list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    /// Its id.
    pub id: JobId,
    /// What it does ("Backup", "settings").
    pub name: String,
    /// Its progress text.
    pub progress: String,
    /// Time since it started.
    pub elapsed: Duration,
}

/// A finished job.
#[derive(Debug)]
pub struct Finished<K, T> {
    /// Its id.
    pub id: JobId,
    /// What it did.
    pub name: String,
    /// What kind of job it was, as given when it started (it says who handles the outcome, and
    /// carries what that needs, e.g. the settings being saved).
    pub kind: K,
    /// From start to the moment `poll` saw it finish.
    pub took: Duration,
    /// What it produced (`T::default()` for a store confirmation), or why it failed (already
    /// logged).
    pub outcome: Result<T, String>,
}

enum Waiting<T> {
    /// A job thread; it sends once, then the channel disconnects.
    Thread(Receiver<Result<T, String>>),
    /// A store write's confirmation.
    Store(Receiver<Result<(), String>>),
    /// Failed before it started (no thread could be made).
    Failed(String),
}

struct Running<K, T> {
    id: JobId,
    name: String,
    kind: K,
    started: Instant,
    progress: Progress,
    waiting: Waiting<T>,
}

/// The registry of background jobs: `K` says what kind of job each is (and what its owner needs
/// to finish it), `T` is what a job thread produces.
pub struct Jobs<K, T> {
    next: u64,
    running: Vec<Running<K, T>>,
    wake: Wake,
}

impl<K, T: Default + Send + 'static> Jobs<K, T> {
    /// An empty registry whose job threads call `wake` when they finish.
    pub fn new(wake: Wake) -> Jobs<K, T> {
        Jobs {
            next: 0,
            running: Vec::new(),
            wake,
        }
    }

    fn add(&mut self, name: &str, kind: K, progress: Progress, waiting: Waiting<T>) -> JobId {
        self.next += 1;
        let id = JobId(self.next);
        self.running.push(Running {
            id,
            name: name.to_string(),
            kind,
            started: Instant::now(),
            progress,
            waiting,
        });
        id
    }

    /// Run `work` on a thread named after the job (`job-<name>`). A thread that cannot start
    /// is reported as the job's failure at the next [`Jobs::poll`].
    pub fn spawn(
        &mut self,
        name: &str,
        kind: K,
        work: impl FnOnce(&Progress) -> Result<T, String> + Send + 'static,
    ) -> JobId {
        let (tx, rx) = bounded(1);
        let progress = Progress::default();
        let (p, wake) = (progress.clone(), self.wake.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("job-{}", thread_name(name)))
            .spawn(move || {
                // The receiver is gone only when the registry was dropped (app closing): the
                // outcome has nobody left to read it.
                tx.send(work(&p)).ok();
                wake();
            });
        let waiting = match spawned {
            Ok(_) => Waiting::Thread(rx),
            Err(e) => Waiting::Failed(format!("the job could not start: {e}")),
        };
        self.add(name, kind, progress, waiting)
    }

    /// Wait for a store write's confirmation (the `ack` given with the write request); the job
    /// finishes with `T::default()`, or with the writer's error.
    pub fn await_store(&mut self, name: &str, kind: K, ack: Receiver<Result<(), String>>) -> JobId {
        self.add(name, kind, Progress::default(), Waiting::Store(ack))
    }

    /// Every job that finished since the last call, oldest first. Never blocks. Failures are
    /// logged here.
    pub fn poll(&mut self) -> Vec<Finished<K, T>> {
        let mut done = Vec::new();
        let mut still = Vec::with_capacity(self.running.len());
        for mut r in std::mem::take(&mut self.running) {
            match check(&mut r.waiting) {
                None => still.push(r),
                Some(outcome) => {
                    let took = r.started.elapsed();
                    if let Err(e) = &outcome {
                        tracing::warn!(job = %r.name, took_ms = took.as_millis() as u64, "job failed: {e}");
                    } else {
                        tracing::debug!(job = %r.name, took_ms = took.as_millis() as u64, "job done");
                    }
                    done.push(Finished {
                        id: r.id,
                        name: r.name,
                        kind: r.kind,
                        took,
                        outcome,
                    });
                }
            }
        }
        self.running = still;
        done
    }

    /// When to poll again without other input: `Some` while store confirmations are outstanding
    /// (job threads wake the UI themselves).
    pub fn next_poll(&self) -> Option<Duration> {
        self.running
            .iter()
            .any(|r| matches!(r.waiting, Waiting::Store(_) | Waiting::Failed(_)))
            .then_some(STORE_POLL)
    }

    /// The running jobs.
    pub fn running(&self) -> Vec<JobStatus> {
        self.running
            .iter()
            .map(|r| JobStatus {
                id: r.id,
                name: r.name.clone(),
                progress: r.progress.get(),
                elapsed: r.started.elapsed(),
            })
            .collect()
    }

    /// Whether a job with this name is running.
    pub fn is_running(&self, name: &str) -> bool {
        self.running.iter().any(|r| r.name == name)
    }
}

/// The outcome when the job finished, `None` while it runs.
fn check<T: Default>(w: &mut Waiting<T>) -> Option<Result<T, String>> {
    match w {
        Waiting::Thread(rx) => match rx.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err("the job stopped unexpectedly (see the log)".into()))
            }
        },
        Waiting::Store(ack) => match ack.try_recv() {
            Ok(answer) => Some(answer.map(|()| T::default())),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err("the store writer stopped".into())),
        },
        Waiting::Failed(why) => Some(Err(std::mem::take(why))),
    }
}

/// A job name as part of a thread name: short, letters and digits only.
fn thread_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(24);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn registry() -> (Jobs<&'static str, u32>, Arc<AtomicUsize>) {
        let wakes = Arc::new(AtomicUsize::new(0));
        let w = wakes.clone();
        (
            Jobs::new(Arc::new(move || {
                w.fetch_add(1, Ordering::SeqCst);
            })),
            wakes,
        )
    }

    /// Poll until something finishes (deadline 5 s).
    fn finished(jobs: &mut Jobs<&'static str, u32>) -> Vec<Finished<&'static str, u32>> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let done = jobs.poll();
            if !done.is_empty() {
                return done;
            }
            assert!(Instant::now() < deadline, "no job finished");
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_thread_job_reports_its_name_outcome_and_wakes_the_ui() {
        let (mut jobs, wakes) = registry();
        let id = jobs.spawn("Backup", "backup", |p| {
            p.set("half");
            Ok(7)
        });
        let done = finished(&mut jobs);
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].id, id);
        assert_eq!(done[0].name, "Backup");
        assert_eq!(done[0].kind, "backup");
        assert_eq!(done[0].outcome, Ok(7));
        assert!(wakes.load(Ordering::SeqCst) >= 1);
        assert!(jobs.running().is_empty());
    }

    #[test]
    fn a_failing_or_panicking_job_is_a_failure_not_a_crash() {
        let (mut jobs, _) = registry();
        jobs.spawn("Export", "export", |_| Err("disk full".into()));
        let done = finished(&mut jobs);
        assert_eq!(done[0].outcome, Err("disk full".into()));
        jobs.spawn("Report", "report", |_| panic!("bug"));
        let done = finished(&mut jobs);
        assert!(
            done[0]
                .outcome
                .as_ref()
                .is_err_and(|e| e.contains("unexpectedly"))
        );
    }

    #[test]
    fn a_store_confirmation_finishes_with_its_kind_or_the_writer_error() {
        let (mut jobs, _) = registry();
        let (ack, acked) = bounded(1);
        jobs.await_store("settings", "settings", acked);
        assert!(jobs.poll().is_empty(), "not answered yet");
        assert_eq!(jobs.next_poll(), Some(STORE_POLL));
        assert!(jobs.is_running("settings"));
        ack.send(Ok(())).expect("send");
        let done = jobs.poll();
        assert_eq!((done[0].kind, &done[0].outcome), ("settings", &Ok(0)));
        assert_eq!(jobs.next_poll(), None);

        let (ack, acked) = bounded(1);
        jobs.await_store("rules", "rules", acked);
        ack.send(Err("disk full".into())).expect("send");
        assert_eq!(jobs.poll()[0].outcome, Err("disk full".into()));

        let (ack, acked) = bounded::<Result<(), String>>(1);
        jobs.await_store("licence", "licence", acked);
        drop(ack);
        assert_eq!(
            jobs.poll()[0].outcome,
            Err("the store writer stopped".into())
        );
    }

    #[test]
    fn running_jobs_show_their_progress() {
        let (mut jobs, _) = registry();
        let (go, wait) = bounded::<()>(0);
        let (said, heard) = bounded::<()>(0);
        jobs.spawn("Backup", "backup", move |p| {
            p.set("12 of 40 tables");
            said.send(()).ok();
            wait.recv().ok();
            Ok(1)
        });
        heard
            .recv_timeout(Duration::from_secs(5))
            .expect("progress set");
        let running = jobs.running();
        assert_eq!(running.len(), 1);
        assert_eq!(running[0].progress, "12 of 40 tables");
        drop(go);
        assert_eq!(finished(&mut jobs)[0].outcome, Ok(1));
    }

    #[test]
    fn job_threads_are_named_after_the_job() {
        assert_eq!(
            thread_name("Export of match 12 (csv)"),
            "export-of-match-12--csv-"
        );
        let (mut jobs, _) = registry();
        jobs.spawn("Backup", "backup", |_| {
            let name = std::thread::current().name().map(str::to_string);
            Ok(u32::from(name.as_deref() == Some("job-backup")))
        });
        assert_eq!(finished(&mut jobs)[0].outcome, Ok(1));
    }
}
