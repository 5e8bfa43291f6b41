//! The writer thread: collects requests into batches, commits each batch in one durable
//! transaction (retrying until it is stored), then publishes the stored records.

use super::{Incoming, Persisted, Waker, WriteRequest, WriterConfig, WriterStats, now_ns};
use crate::protocol::Event;
use crate::store::schema::{EVENTS, MATCH_EVENTS, MATCHES};
use crate::store::settings::write_setting;
use crate::store::{EventRecord, EventRecordRef, MatchRecord, Store, StoreError, codec};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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

/// What the writer thread owns.
pub(super) struct WriterState {
    pub(super) store: Store,
    pub(super) config: WriterConfig,
    pub(super) subscribers: Vec<Sender<Persisted>>,
    /// Subscribers that get each record once, before its commit (the UI).
    pub(super) early: Vec<Sender<Persisted>>,
    pub(super) notify: Option<Waker>,
    pub(super) stats: Arc<WriterStats>,
    pub(super) stopping: Arc<AtomicBool>,
    /// Current match of each court (one per court; a handful of courts, so a short list scanned
    /// by name is cheaper per datagram than hashing the name).
    pub(super) open: Vec<MatchRecord>,
    pub(super) next_seq: u64,
}

impl WriterState {
    /// The thread's loop: collect a batch, commit it, answer flushes, until shut down.
    pub(super) fn run(&mut self, rx: Receiver<WriteRequest>) {
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
        // Early subscribers see each datagram once, before the transaction even starts: its
        // sequence and match key are decided here the way `match_for` decides them, and the
        // commit (however many attempts it takes) gives the same ones.
        let planned = (!self.early.is_empty()).then(|| {
            let keys = self.plan_keys(&batch);
            self.publish_early(&batch, &keys, self.next_seq);
            keys
        });
        loop {
            let saved_open = self.open.clone();
            let saved_seq = self.next_seq;
            let started = Instant::now();
            match self.try_commit(&batch) {
                Ok(keys) => {
                    if planned.as_ref().is_some_and(|p| *p != keys) {
                        // Cannot happen while plan_keys mirrors match_for; said loudly if it does.
                        tracing::error!(
                            "writer: the match keys shown before the commit differ from the stored ones"
                        );
                    }
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

    /// The match key each datagram of `batch` will get, decided as [`Self::match_for`] does
    /// (a `pre`, or a court's first datagram, starts a match keyed by its sequence) without
    /// touching the store.
    pub(super) fn plan_keys(&self, batch: &[Incoming]) -> Vec<u64> {
        let mut current: Vec<(&str, u64)> = self
            .open
            .iter()
            .map(|m| (m.court.as_str(), m.key))
            .collect();
        batch
            .iter()
            .zip(self.next_seq..)
            .map(|(d, seq)| {
                let loaded = d.events.iter().any(|e| matches!(e, Event::FightLoaded));
                match current.iter_mut().find(|(court, _)| *court == d.court) {
                    Some((_, key)) if !loaded => *key,
                    Some((_, key)) => {
                        *key = seq;
                        seq
                    }
                    None => {
                        current.push((d.court.as_str(), seq));
                        seq
                    }
                }
            })
            .collect()
    }

    /// Publish copies of the batch's records to the early subscribers (before the commit).
    fn publish_early(&self, batch: &[Incoming], keys: &[u64], first_seq: u64) {
        for ((d, match_key), seq) in batch.iter().zip(keys).zip(first_seq..) {
            let record = Arc::new(EventRecord {
                seq,
                received_at_ns: d.received_at_ns,
                source: d.source.clone(),
                court: d.court.clone(),
                raw: d.raw.clone(),
                events: d.events.clone(),
                match_key: *match_key,
            });
            for sub in &self.early {
                let msg = Persisted {
                    record: record.clone(),
                    received: d.received,
                };
                if let Err(TrySendError::Full(_)) = sub.try_send(msg) {
                    self.stats.subscriber_full.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if let Some(wake) = &self.notify {
            wake();
        }
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
