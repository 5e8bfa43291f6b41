//! The single writer thread: owns every write, batches datagrams into one durable commit.
//!
//! A batch ends at `batch_max` datagrams, when `batch_window` has passed since its first one, or
//! as soon as nothing more is queued (group commit: no idle waiting at low rates). Only after the
//! commit returns (redb `Durability::Immediate`: fsynced) are the records published to
//! subscribers (the UI), so nothing is shown that is not stored.

use super::schema::{EVENTS, MATCH_EVENTS, MATCHES};
use super::settings::write_setting;
use super::{EventRecord, EventRecordRef, MatchRecord, SettingChange, Store, StoreError, codec};
use crate::protocol::Event;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use redb::WriteTransaction;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// A datagram that is durably stored, as published to subscribers.
#[derive(Debug, Clone)]
pub struct Persisted {
    /// The stored record.
    pub record: Arc<EventRecord>,
    /// When it was received (for latency measurements).
    pub received: Instant,
}

/// A callback that wakes a consumer (e.g. `egui::Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A write operation run by the writer inside its own transaction.
pub type WriteOp = Box<dyn FnOnce(&WriteTransaction) -> Result<(), StoreError> + Send>;

/// What can be asked of the writer.
pub enum WriteRequest {
    /// Store a received datagram.
    Datagram(Incoming),
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
            subscribers,
            notify,
            stats: stats.clone(),
            open,
            next_seq,
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

/// Requests collected for one commit.
#[derive(Default)]
struct Batch {
    datagrams: Vec<Incoming>,
    others: Vec<WriteRequest>,
    flushes: Vec<Sender<()>>,
    shutdown: bool,
}

impl Batch {
    fn take(&mut self, req: WriteRequest) {
        match req {
            WriteRequest::Datagram(d) => self.datagrams.push(d),
            WriteRequest::Flush(ack) => self.flushes.push(ack),
            WriteRequest::Shutdown => self.shutdown = true,
            other => self.others.push(other),
        }
    }
}

struct WriterState {
    store: Store,
    config: WriterConfig,
    subscribers: Vec<Sender<Persisted>>,
    notify: Option<Waker>,
    stats: Arc<WriterStats>,
    stopping: Arc<AtomicBool>,
    /// Current match of each court (one per court; a handful of courts, so a short list scanned
    /// by name is cheaper per datagram than hashing the name).
    open: Vec<MatchRecord>,
    next_seq: u64,
}

impl WriterState {
    fn run(&mut self, rx: Receiver<WriteRequest>) {
        let mut closed = false;
        while !closed {
            let Ok(first) = rx.recv() else { break };
            let mut batch = Batch::default();
            batch.take(first);
            let deadline = Instant::now() + self.config.batch_window;
            // Stop collecting at the size cap, at a flush, at the window's end, or as soon as the
            // queue is empty.
            while batch.datagrams.len() < self.config.batch_max
                && batch.flushes.is_empty()
                && !batch.shutdown
                && Instant::now() < deadline
            {
                match rx.try_recv() {
                    Ok(req) => batch.take(req),
                    Err(crossbeam_channel::TryRecvError::Empty) => break,
                    Err(crossbeam_channel::TryRecvError::Disconnected) => {
                        closed = true;
                        break;
                    }
                }
            }
            let Batch {
                datagrams,
                others,
                flushes,
                shutdown,
            } = batch;
            closed |= shutdown;
            if !datagrams.is_empty() {
                self.commit_datagrams(datagrams);
            }
            for req in others {
                self.run_other(req);
            }
            for ack in flushes {
                let _ = ack.send(());
            }
        }
    }

    /// Commit a batch, retrying with backoff until it is durable (nothing is dropped).
    fn commit_datagrams(&mut self, batch: Vec<Incoming>) {
        let mut backoff = Duration::from_millis(50);
        let mut attempts = 0u32;
        loop {
            let saved_open = self.open.clone();
            let saved_seq = self.next_seq;
            let started = Instant::now();
            match self.try_commit(&batch) {
                Ok(keys) => {
                    self.record_commit(started, keys.len());
                    // Durable: the batch's bytes move into the published records, uncopied.
                    let records = batch
                        .into_iter()
                        .zip(keys)
                        .zip(saved_seq..)
                        .map(|((d, match_key), seq)| {
                            let rec = EventRecord {
                                seq,
                                received_at_ns: d.received_at_ns,
                                source: d.source,
                                court: d.court,
                                raw: d.raw,
                                events: d.events,
                                match_key,
                            };
                            (Arc::new(rec), d.received)
                        })
                        .collect();
                    self.publish(records);
                    return;
                }
                Err(e) => {
                    self.open = saved_open;
                    self.next_seq = saved_seq;
                    self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                    let msg = format!("cannot store {} datagram(s): {e}", batch.len());
                    tracing::error!("{msg}; retrying in {} ms", backoff.as_millis());
                    if let Ok(mut slot) = self.stats.last_error.lock() {
                        *slot = Some(msg);
                    }
                    if self.stopping.load(Ordering::Relaxed) && attempts >= 3 {
                        tracing::error!(
                            "giving up at shutdown: {} datagram(s) could not be stored",
                            batch.len()
                        );
                        return;
                    }
                    attempts += 1;
                    std::thread::park_timeout(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    fn record_commit(&self, started: Instant, n: usize) {
        let micros = started.elapsed().as_micros() as u64;
        let s = &self.stats;
        s.stored.fetch_add(n as u64, Ordering::Relaxed);
        s.commits.fetch_add(1, Ordering::Relaxed);
        s.last_commit_micros.store(micros, Ordering::Relaxed);
        s.max_commit_micros.fetch_max(micros, Ordering::Relaxed);
        s.last_commit_at_ns.store(now_ns(), Ordering::Relaxed);
        if let Ok(mut slot) = s.last_error.lock() {
            *slot = None;
        }
    }

    /// Store the batch in one transaction; returns each datagram's match key (sequence numbers
    /// are consecutive from the `next_seq` before the call). Encodes from borrowed data, so a
    /// failed attempt leaves the batch intact for the retry without any copy.
    fn try_commit(&mut self, batch: &[Incoming]) -> Result<Vec<u64>, StoreError> {
        let txn = self.store.db().begin_write()?;
        let mut keys = Vec::with_capacity(batch.len());
        // Indices into `open` of the matches this batch changed.
        let mut dirty: Vec<usize> = Vec::new();
        // One buffer for every record of the batch.
        let mut buf = Vec::with_capacity(512);
        {
            let mut events = txn.open_table(EVENTS)?;
            let mut index = txn.open_table(MATCH_EVENTS)?;
            let mut matches = txn.open_table(MATCHES)?;
            for d in batch {
                let seq = self.next_seq;
                self.next_seq += 1;
                let at = self.match_for(d, seq, &mut matches)?;
                let m = &mut self.open[at];
                m.absorb_events(&d.events, d.received_at_ns);
                let match_key = m.key;
                if !dirty.contains(&at) {
                    dirty.push(at);
                }
                let rec = EventRecordRef {
                    seq,
                    received_at_ns: d.received_at_ns,
                    source: &d.source,
                    court: &d.court,
                    raw: &d.raw,
                    events: &d.events,
                    match_key,
                };
                codec::encode_into(&rec, "event", &mut buf)?;
                events.insert(seq, buf.as_slice())?;
                index.insert((match_key, seq), ())?;
                keys.push(match_key);
            }
            for at in dirty {
                let m = &self.open[at];
                codec::encode_into(m, "match", &mut buf)?;
                matches.insert(m.key, buf.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(keys)
    }

    /// The index in `open` of the match datagram `d` (sequence `seq`) belongs to. A `pre`, or the
    /// first datagram ever seen on its court, starts a new match keyed by `seq`; the match it
    /// replaces is written out with its final state.
    fn match_for(
        &mut self,
        d: &Incoming,
        seq: u64,
        matches: &mut redb::Table<'_, u64, &'static [u8]>,
    ) -> Result<usize, StoreError> {
        let loaded = d.events.iter().any(|e| matches!(e, Event::FightLoaded));
        let found = self.open.iter().position(|m| m.court == d.court);
        if let Some(at) = found
            && !loaded
        {
            return Ok(at);
        }
        let new = MatchRecord::start_at(seq, &d.court, d.received_at_ns);
        Ok(match found {
            Some(at) => {
                let prev = std::mem::replace(&mut self.open[at], new);
                matches.insert(prev.key, codec::encode(&prev, "match")?.as_slice())?;
                at
            }
            None => {
                self.open.push(new);
                self.open.len() - 1
            }
        })
    }

    fn publish(&self, records: Vec<(Arc<EventRecord>, Instant)>) {
        for (record, received) in records {
            for sub in &self.subscribers {
                let msg = Persisted {
                    record: record.clone(),
                    received,
                };
                match sub.try_send(msg) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        // Stored already; the UI can page it in from the store.
                        self.stats.subscriber_full.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(TrySendError::Disconnected(_)) => {}
                }
            }
        }
        if let Some(wake) = &self.notify {
            wake();
        }
    }

    fn run_other(&mut self, req: WriteRequest) {
        match req {
            WriteRequest::Setting {
                key,
                value,
                source,
                ack,
            } => {
                let result = (|| {
                    let txn = self.store.db().begin_write()?;
                    let change = write_setting(&txn, &key, &value, &source, now_ns())?;
                    txn.commit()?;
                    Ok::<_, StoreError>(change)
                })();
                if let Err(e) = &result {
                    tracing::error!("cannot save setting {key}: {e}");
                }
                if let Some(ack) = ack {
                    let _ = ack.send(result.map_err(|e| e.to_string()));
                }
            }
            WriteRequest::Apply { what, op, ack } => {
                let result = (|| {
                    let txn = self.store.db().begin_write()?;
                    op(&txn)?;
                    txn.commit()?;
                    Ok::<_, StoreError>(())
                })();
                if let Err(e) = &result {
                    tracing::error!("cannot store {what}: {e}");
                }
                if let Some(ack) = ack {
                    let _ = ack.send(result.map_err(|e| e.to_string()));
                }
            }
            WriteRequest::Datagram(_) | WriteRequest::Flush(_) | WriteRequest::Shutdown => {}
        }
    }
}
