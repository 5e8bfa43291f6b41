//! [`WorkerThread`]: the one handle type for courtside's long-running threads (UDP listeners,
//! system monitor, OBS dispatcher, OBS automation). It names the thread, hands it a stop signal,
//! and on [`WorkerThread::stop`] or `Drop` signals and joins it, logging a panic instead of
//! passing it on: a worker that died must not take the UI (or the shutdown) with it.

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded};
use std::thread::JoinHandle;
use std::time::Duration;

/// The worker's side of the stop signal: it disconnects when the handle asks the thread to stop
/// (`recv`, `recv_timeout` and `select!` on it return at once with a disconnection error).
/// Nothing is ever sent on it, so a worker reads any answer as "stop".
pub type StopSignal = Receiver<()>;

/// Whether the handle has asked the thread to stop (for a loop that polls between blocking
/// calls with a timeout, e.g. a UDP socket's read timeout).
pub fn stop_requested(stop: &StopSignal) -> bool {
    matches!(stop.try_recv(), Err(TryRecvError::Disconnected))
}

/// A named thread with a stop signal, joined when stopped or dropped.
#[derive(Debug)]
pub struct WorkerThread {
    name: String,
    stop: Option<Sender<()>>,
    join: Option<JoinHandle<()>>,
    /// Disconnects when the thread's work returned (or unwound): [`WorkerThread::stop_within`]
    /// waits on it instead of polling `is_finished`.
    finished: Receiver<()>,
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
        let (finished_tx, finished) = bounded::<()>(0);
        let join = std::thread::Builder::new()
            .name(name.clone())
            .spawn(move || {
                // Held for the whole run, dropped when `work` returns or unwinds: that
                // disconnection is the "finished" signal.
                let _finished = finished_tx;
                work(stop_rx);
            })?;
        Ok(WorkerThread {
            name,
            stop: Some(stop_tx),
            join: Some(join),
            finished,
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
    /// name, not passed on; the answer is false when it panicked (for an owner that also shows
    /// it to the operator). Calling it again does nothing (and answers true).
    pub fn stop(&mut self) -> bool {
        self.stop.take();
        if let Some(j) = self.join.take()
            && j.join().is_err()
        {
            tracing::error!(thread = %self.name, "worker thread panicked");
            return false;
        }
        true
    }
}

impl WorkerThread {
    /// Signal the thread to stop and wait for it at most `wait`. True when it returned in time
    /// (joined, a panic logged); false when it is still busy: it is then left to finish on its
    /// own, for a thread that may sit in a call waiting for a person (a keychain prompt) which
    /// must not hold up the app's exit. Calling it again (or dropping) does nothing more.
    pub fn stop_within(&mut self, wait: Duration) -> bool {
        self.stop.take();
        let Some(join) = self.join.take() else {
            return true;
        };
        match self.finished.recv_timeout(wait) {
            Err(RecvTimeoutError::Disconnected) => {
                if join.join().is_err() {
                    tracing::error!(thread = %self.name, "worker thread panicked");
                }
                true
            }
            // Nothing is ever sent on it; a timeout means the thread is still working.
            Ok(()) | Err(RecvTimeoutError::Timeout) => false,
        }
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        // A panic was logged by `stop`; nobody is left to tell.
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
        assert!(!w.stop(), "the panic is reported to the owner");
        assert!(w.stop(), "a second stop has nothing to report");
        assert!(w.is_finished());
    }

    #[test]
    fn stop_within_joins_a_thread_that_stops_in_time() {
        let mut w = WorkerThread::spawn("test-within", |stop| {
            while !stop_requested(&stop) {
                std::thread::park_timeout(Duration::from_millis(1));
            }
        })
        .expect("spawn");
        assert!(w.stop_within(Duration::from_secs(5)));
        assert!(w.is_finished());
    }

    #[test]
    fn stop_within_leaves_a_busy_thread_and_returns() {
        let (release_tx, release_rx) = bounded::<()>(0);
        let mut w = WorkerThread::spawn("test-busy", move |_stop| {
            // Busy in a call that ignores the stop signal (like a keychain prompt).
            assert!(release_rx.recv().is_err());
        })
        .expect("spawn");
        let started = std::time::Instant::now();
        assert!(!w.stop_within(Duration::from_millis(50)));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "did not wait for the thread"
        );
        // The handle no longer owns the thread: dropping it does not block either.
        drop(w);
        drop(release_tx);
    }

    #[test]
    fn stop_requested_is_false_until_the_handle_stops() {
        let (seen_tx, seen_rx) = bounded(1);
        let (go_tx, go_rx) = bounded::<()>(0);
        let mut w = WorkerThread::spawn("test-requested", move |stop| {
            seen_tx.send(stop_requested(&stop)).expect("send");
            assert!(go_rx.recv().is_err());
            while !stop_requested(&stop) {
                std::thread::park_timeout(Duration::from_millis(1));
            }
        })
        .expect("spawn");
        assert_eq!(seen_rx.recv_timeout(Duration::from_secs(5)), Ok(false));
        drop(go_tx);
        assert!(w.stop_within(Duration::from_secs(5)));
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
