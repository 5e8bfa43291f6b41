//! [`WorkerThread`]: the one handle type for courtside's long-running threads (UDP listeners,
//! system monitor, OBS dispatcher, OBS automation). It names the thread, hands it a stop signal,
//! and on [`WorkerThread::stop`] or `Drop` signals and joins it, logging a panic instead of
//! passing it on: a worker that died must not take the UI (or the shutdown) with it.

use crossbeam_channel::{Receiver, Sender, bounded};
use std::thread::JoinHandle;

/// The worker's side of the stop signal: it disconnects when the handle asks the thread to stop
/// (`recv`, `recv_timeout` and `select!` on it return at once with a disconnection error).
/// Nothing is ever sent on it, so a worker reads any answer as "stop".
pub type StopSignal = Receiver<()>;

/// A named thread with a stop signal, joined when stopped or dropped.
#[derive(Debug)]
pub struct WorkerThread {
    name: String,
    stop: Option<Sender<()>>,
    join: Option<JoinHandle<()>>,
}

impl WorkerThread {
    /// Start `work` on a thread called `name`; it gets the [`StopSignal`] and should return
    /// soon after it disconnects. Fails only when the system cannot start a thread.
    pub fn spawn(
        name: impl Into<String>,
        work: impl FnOnce(StopSignal) + Send + 'static,
    ) -> std::io::Result<WorkerThread> {
        let name = name.into();
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let join = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || work(stop_rx))?;
        Ok(WorkerThread {
            name,
            stop: Some(stop_tx),
            join: Some(join),
        })
    }

    /// The thread's name (as the OS and the logs show it).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the thread has returned (or was joined).
    pub fn is_finished(&self) -> bool {
        self.join.as_ref().is_none_or(|j| j.is_finished())
    }

    /// Signal the thread to stop and wait for it. A panic in the thread is logged with its
    /// name, not passed on. Calling it again does nothing.
    pub fn stop(&mut self) {
        self.stop.take();
        if let Some(j) = self.join.take()
            && j.join().is_err()
        {
            tracing::error!(thread = %self.name, "worker thread panicked");
        }
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn stop_disconnects_the_signal_and_joins_the_thread() {
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = stopped.clone();
        let mut w = WorkerThread::spawn("test-worker", move |stop| {
            // Blocks until the handle drops its side.
            assert!(stop.recv().is_err());
            seen.store(true, Ordering::SeqCst);
        })
        .expect("spawn");
        assert_eq!(w.name(), "test-worker");
        w.stop();
        assert!(stopped.load(Ordering::SeqCst), "the thread ran to its end");
        assert!(w.is_finished());
    }

    #[test]
    fn dropping_the_handle_stops_and_joins() {
        let stopped = Arc::new(AtomicBool::new(false));
        let seen = stopped.clone();
        let w = WorkerThread::spawn("test-drop", move |stop| {
            while stop
                .recv_timeout(Duration::from_millis(5))
                .is_err_and(|e| e.is_timeout())
            {}
            seen.store(true, Ordering::SeqCst);
        })
        .expect("spawn");
        drop(w);
        assert!(stopped.load(Ordering::SeqCst));
    }

    #[test]
    fn a_panicking_worker_is_logged_not_passed_on() {
        let mut w = WorkerThread::spawn("test-panic", |_stop| panic!("boom")).expect("spawn");
        w.stop();
        w.stop();
        assert!(w.is_finished());
    }

    #[test]
    fn the_thread_carries_its_name() {
        let (tx, rx) = bounded(1);
        let _w = WorkerThread::spawn("named-worker", move |_stop| {
            let name = std::thread::current().name().map(str::to_string);
            tx.send(name).expect("send");
        })
        .expect("spawn");
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)).expect("name"),
            Some("named-worker".to_string())
        );
    }
}
