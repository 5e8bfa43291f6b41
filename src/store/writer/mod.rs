//! The single writer thread: owns every write, batches datagrams into one durable commit.
//!
//! A batch ends at `batch_max` datagrams, when `batch_window` has passed since its first one, or
//! as soon as nothing more is queued (group commit: no idle waiting at low rates). Records go to
//! two kinds of subscribers (see [`Subscribers`]): *early* ones (the display) once the batch is
//! written and only the commit's fsync is left, so the scoreboard does not wait for the disk;
//! *durable* ones (automation, `--print-commits`) after the commit returned (redb
//! `Durability::Immediate`: fsynced).

use super::{EventRecord, SettingChange, Store, StoreError};
use crate::protocol::Event;
use crossbeam_channel::{Sender, bounded};
use redb::WriteTransaction;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod state;
use state::WriterState;

/// Batching and queue sizes.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// Most datagrams in one commit.
    pub batch_max: usize,
    /// Longest a batch keeps collecting while datagrams keep arriving.
    pub batch_window: Duration,
    /// Capacity of the request queue.
    pub queue_capacity: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            batch_max: 4096,
            batch_window: Duration::from_millis(2),
            // 16 384 slots (2 MB, allocated up front) hold four full batches: a 40 ms fsync
            // stall at 350 000 datagrams/s. Beyond that the listener waits and datagrams wait in
            // the socket's 4 MiB receive buffer.
            queue_capacity: 16_384,
        }
    }
}

/// A datagram on its way to the store.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Receive time, Unix ns.
    pub received_at_ns: i64,
    /// Receive instant (for latency measurements).
    pub received: Instant,
    /// Source address.
    pub source: String,
    /// Court name of the listener.
    pub court: String,
    /// Exact bytes.
    pub raw: Vec<u8>,
    /// Parsed events.
    pub events: Vec<Event>,
}

/// A stored datagram as published to subscribers (to early ones: written, commit pending).
#[derive(Debug, Clone)]
pub struct Persisted {
    /// The stored record.
    pub record: Arc<EventRecord>,
    /// When it was received (for latency measurements).
    pub received: Instant,
}

/// Who gets the stored records, and when.
#[derive(Debug, Default)]
pub struct Subscribers {
    /// Each record once, when its batch is written and only its commit (the fsync) is left:
    /// what the display needs, without waiting for the disk. A crash before that commit loses
    /// the datagram from the store (it was shown, it is not stored; on restart the display is
    /// rebuilt from the store).
    pub early: Vec<Sender<Persisted>>,
    /// Each record after its commit returned: for what must rest on stored data only
    /// (automation, `--print-commits`).
    pub durable: Vec<Sender<Persisted>>,
}

/// A callback that wakes a consumer (e.g. `egui::Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A write operation run by the writer inside its own transaction.
pub type WriteOp = Box<dyn FnOnce(&WriteTransaction) -> Result<(), StoreError> + Send>;

/// What can be asked of the writer.
pub enum WriteRequest {
    /// Store a received datagram.
    Datagram(Incoming),
    /// Store a datagram that answers the listener's state request (stored like any datagram;
    /// an answer naming another match than its court's open one starts a new match record,
    /// since the `pre` of that match was missed).
    Answer(Incoming),
    /// Set a setting (with history).
    Setting {
        /// Key.
        key: String,
        /// New value text.
        value: String,
        /// Who changes it ("ui", "cli").
        source: String,
        /// Where to report the outcome.
        ack: Option<Sender<Result<Option<SettingChange>, String>>>,
    },
    /// Run an arbitrary write (flags, rules …) in its own transaction.
    Apply {
        /// What it is, for error messages.
        what: &'static str,
        /// The operation.
        op: WriteOp,
        /// Where to report the outcome.
        ack: Option<Sender<Result<(), String>>>,
    },
    /// Answer once everything queued before it is durable.
    Flush(Sender<()>),
    /// Store everything queued before it, then stop (other senders may still be alive).
    Shutdown,
}

/// Live counters of the writer, shared with status displays.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Datagrams durably stored since start.
    pub stored: AtomicU64,
    /// Successful commits.
    pub commits: AtomicU64,
    /// Failed commit attempts (each retried).
    pub failed_commits: AtomicU64,
    /// Time of the last commit, Unix ns (0 = none yet).
    pub last_commit_at_ns: AtomicI64,
    /// Duration of the last commit, µs.
    pub last_commit_micros: AtomicU64,
    /// Longest commit, µs.
    pub max_commit_micros: AtomicU64,
    /// Records not published because a subscriber's channel was full (they are stored).
    pub subscriber_full: AtomicU64,
    /// The last error, if the store is failing.
    pub last_error: Mutex<Option<String>>,
}

/// Handle to the writer thread.
pub struct Writer {
    tx: Option<Sender<WriteRequest>>,
    stopping: Arc<AtomicBool>,
    stats: Arc<WriterStats>,
    join: Option<JoinHandle<()>>,
}

/// Current time as Unix nanoseconds.
pub fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

impl Writer {
    /// Start the writer thread for `store`. Stored records are published to `subscribers`.
    pub fn spawn(
        store: Store,
        config: WriterConfig,
        subscribers: Vec<Sender<Persisted>>,
    ) -> Result<Writer, StoreError> {
        Writer::spawn_notify(store, config, subscribers, None)
    }

    /// Like [`Writer::spawn`], and `notify` is called once after each published batch (the GUI
    /// passes a repaint request, so it wakes only when there is something new).
    pub fn spawn_notify(
        store: Store,
        config: WriterConfig,
        subscribers: Vec<Sender<Persisted>>,
        notify: Option<Waker>,
    ) -> Result<Writer, StoreError> {
        let subscribers = Subscribers {
            early: Vec::new(),
            durable: subscribers,
        };
        Writer::spawn_with(store, config, subscribers, notify)
    }

    /// Start the writer with early and durable subscribers (see [`Subscribers`]).
    pub fn spawn_with(
        store: Store,
        config: WriterConfig,
        subscribers: Subscribers,
        notify: Option<Waker>,
    ) -> Result<Writer, StoreError> {
        Writer::spawn_gated(store, config, subscribers, notify, None)
    }

    /// Test hook, not for the app: like [`Writer::spawn_with`], and before each commit attempt
    /// (after the early subscribers got the batch) the writer waits for one message on `gate`
    /// (or for its senders to be gone). Lets a test hold the durable commit to prove what is
    /// published before it.
    #[doc(hidden)]
    pub fn spawn_gated(
        store: Store,
        config: WriterConfig,
        subscribers: Subscribers,
        notify: Option<Waker>,
        gate: Option<crossbeam_channel::Receiver<()>>,
    ) -> Result<Writer, StoreError> {
        let mut open = Vec::new();
        for (_, key) in store.current_matches()? {
            if let Some(m) = store.match_record(key)? {
                open.push(m);
            }
        }
        let next_seq = store.stats()?.last_seq + 1;
        let (tx, rx) = bounded(config.queue_capacity.max(1));
        let stats = Arc::new(WriterStats::default());
        let stopping = Arc::new(AtomicBool::new(false));
        let mut state = WriterState {
            stopping: stopping.clone(),
            store,
            config,
            subscribers: subscribers.durable,
            early: subscribers.early,
            notify,
            stats: stats.clone(),
            open,
            next_seq,
            commit_gate: gate,
        };
        let join = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || state.run(rx))
            .map_err(|e| StoreError::Open {
                path: Default::default(),
                cause: format!("cannot start writer thread: {e}"),
            })?;
        Ok(Writer {
            tx: Some(tx),
            stopping,
            stats,
            join: Some(join),
        })
    }

    /// A sender for write requests (give one to each ingest listener).
    pub fn sender(&self) -> Sender<WriteRequest> {
        // `tx` is only taken in `shutdown`, which consumes self.
        self.tx.clone().unwrap_or_else(|| bounded(1).0)
    }

    /// Live counters.
    pub fn stats(&self) -> Arc<WriterStats> {
        self.stats.clone()
    }

    /// Requests waiting in the queue.
    pub fn queue_depth(&self) -> usize {
        self.tx.as_ref().map_or(0, |t| t.len())
    }

    /// Block until everything queued so far is durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        let (ack, done) = bounded(1);
        self.send(WriteRequest::Flush(ack))?;
        done.recv().map_err(|_| StoreError::WriterGone)
    }

    /// Set a setting and wait for the outcome (for the CLI and tests; the UI uses the queue).
    pub fn set_setting(
        &self,
        key: &str,
        value: &str,
        source: &str,
    ) -> Result<Option<SettingChange>, StoreError> {
        let (ack, done) = bounded(1);
        self.send(WriteRequest::Setting {
            key: key.into(),
            value: value.into(),
            source: source.into(),
            ack: Some(ack),
        })?;
        done.recv()
            .map_err(|_| StoreError::WriterGone)?
            .map_err(|reason| StoreError::Invalid {
                key: key.into(),
                reason,
            })
    }

    fn send(&self, req: WriteRequest) -> Result<(), StoreError> {
        self.tx
            .as_ref()
            .ok_or(StoreError::WriterGone)?
            .send(req)
            .map_err(|_| StoreError::WriterGone)
    }

    /// Store everything still queued, then stop the thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.stopping.store(true, Ordering::Relaxed);
        // An explicit request, not only dropping our sender: listeners, services or a caller may
        // still hold sender clones, and waiting for all of them to drop could wait forever.
        if let Some(tx) = self.tx.take() {
            // Refused only when the writer thread has already ended; the join below reports how.
            let _ = tx.send(WriteRequest::Shutdown);
        }
        if let Some(j) = self.join.take()
            && j.join().is_err()
        {
            tracing::error!("store writer thread panicked");
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop();
    }
}
