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
    /// Which of `datagrams` answer a state request.
    answers: Vec<bool>,
    others: Vec<WriteRequest>,
    flushes: Vec<Sender<()>>,
    shutdown: bool,
}

impl Batch {
    fn take(&mut self, req: WriteRequest) {
        match req {
            WriteRequest::Datagram(d) => {
                self.datagrams.push(d);
                self.answers.push(false);
            }
            WriteRequest::Answer(d) => {
                self.datagrams.push(d);
                self.answers.push(true);
            }
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
    /// Test hook ([`super::Writer::spawn_gated`]): waited on before each commit attempt.
    pub(super) commit_gate: Option<crossbeam_channel::Receiver<()>>,
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
                answers,
                others,
                flushes,
                shutdown,
            } = batch;
            closed |= shutdown;
            if !datagrams.is_empty() {
                self.commit_datagrams(datagrams, &answers);
            }
            for req in others {
                self.run_other(req);
            }
            for ack in flushes {
                // Closed: the caller stopped waiting for the flush; it is done all the same.
                let _ = ack.send(());
            }
        }
    }

    /// Commit a batch, retrying with backoff until it is durable (nothing is dropped).
    fn commit_datagrams(&mut self, batch: Vec<Incoming>, answers: &[bool]) {
        let mut backoff = Duration::from_millis(50);
        let mut attempts = 0u32;
        // Each datagram's sequence and match key are decided before the transaction, so each
        // record is built once (the batch's bytes move in, uncopied), shown to early subscribers
        // before the fsync, encoded from there, and published to durable subscribers after the
        // commit: the same record every time, also over retries.
        let keys = self.plan_keys(&batch, answers);
        let records: Vec<(Arc<EventRecord>, Instant)> = batch
            .into_iter()
            .zip(keys)
            .zip(self.next_seq..)
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
        self.publish(&self.early, &records, !self.early.is_empty());
        loop {
            let saved_open = self.open.clone();
            let saved_seq = self.next_seq;
            if let Some(gate) = &self.commit_gate {
                // Err: the test dropped its sender, commits run freely from then on.
                let _ = gate.recv();
            }
            let started = Instant::now();
            match self.try_commit(&records) {
                Ok(()) => {
                    self.record_commit(started, records.len());
                    self.publish(&self.subscribers, &records, self.early.is_empty());
                    return;
                }
                Err(e) => {
                    self.open = saved_open;
                    self.next_seq = saved_seq;
                    self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                    let msg = format!("cannot store {} datagram(s): {e}", records.len());
                    tracing::error!("{msg}; retrying in {} ms", backoff.as_millis());
                    if let Ok(mut slot) = self.stats.last_error.lock() {
                        *slot = Some(msg);
                    }
                    if self.stopping.load(Ordering::Relaxed) && attempts >= 3 {
                        tracing::error!(
                            "giving up at shutdown: {} datagram(s) could not be stored",
                            records.len()
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

    /// Store the records in one transaction, with the sequences and match keys `plan_keys` gave
    /// them (the one place that decides where a match starts).
    fn try_commit(&mut self, records: &[(Arc<EventRecord>, Instant)]) -> Result<(), StoreError> {
        let txn = self.store.db().begin_write()?;
        // Indices into `open` of the matches this batch changed.
        let mut dirty: Vec<usize> = Vec::new();
        // One buffer for every record of the batch.
        let mut buf = Vec::with_capacity(512);
        {
            let mut events = txn.open_table(EVENTS)?;
            let mut index = txn.open_table(MATCH_EVENTS)?;
            let mut matches = txn.open_table(MATCHES)?;
            for (rec, _) in records {
                self.next_seq = rec.seq + 1;
                let at = self.open_match(rec, &mut matches)?;
                self.open[at].absorb_events(&rec.events, rec.received_at_ns);
                if !dirty.contains(&at) {
                    dirty.push(at);
                }
                codec::encode_into(&EventRecordRef::of(rec), "event", &mut buf)?;
                events.insert(rec.seq, buf.as_slice())?;
                index.insert((rec.match_key, rec.seq), ())?;
            }
            for at in dirty {
                let m = &self.open[at];
                codec::encode_into(m, "match", &mut buf)?;
                matches.insert(m.key, buf.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The index in `open` of `rec`'s match. When its planned key is not its court's open match,
    /// the match starts here (keyed by `rec`'s sequence) and the one it replaces is written out
    /// with its final state.
    fn open_match(
        &mut self,
        rec: &EventRecord,
        matches: &mut redb::Table<'_, u64, &'static [u8]>,
    ) -> Result<usize, StoreError> {
        let found = self.open.iter().position(|m| m.court == rec.court);
        if let Some(at) = found
            && self.open[at].key == rec.match_key
        {
            return Ok(at);
        }
        let new = MatchRecord::start_at(rec.match_key, &rec.court, rec.received_at_ns);
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

    /// The match key each datagram of `batch` gets: a `pre`, or the first datagram ever seen on
    /// its court, starts a new match keyed by its sequence; so does an answer to a state request
    /// whose `mch` names another match than the court's open one (its `pre` was missed while
    /// courtside was not listening); anything else joins its court's current match. Decided
    /// before the transaction, so the records shown early are the ones stored.
    pub(super) fn plan_keys(&self, batch: &[Incoming], answers: &[bool]) -> Vec<u64> {
        let mut current: Vec<(&str, u64, Option<MatchIdentity>)> = self
            .open
            .iter()
            .map(|m| (m.court.as_str(), m.key, MatchIdentity::of_state(&m.state)))
            .collect();
        batch
            .iter()
            .zip(self.next_seq..)
            .enumerate()
            .map(|(i, (d, seq))| {
                let loaded = d.events.iter().any(|e| matches!(e, Event::FightLoaded));
                let named = d.events.iter().rev().find_map(MatchIdentity::of_event);
                let answer = answers.get(i).copied().unwrap_or(false);
                match current.iter_mut().find(|(court, _, _)| *court == d.court) {
                    Some((_, key, id)) => {
                        let other_match = answer && named.is_some() && id.is_some() && *id != named;
                        if loaded || other_match {
                            *key = seq;
                            *id = None;
                        }
                        if named.is_some() {
                            *id = named;
                        }
                        *key
                    }
                    None => {
                        current.push((d.court.as_str(), seq, named));
                        seq
                    }
                }
            })
            .collect()
    }

    /// Send the records to `subs` (never blocking: a full subscriber is counted and pages the
    /// records in from the store), then, with `wake`, wake the consumer (the display: once per
    /// batch, on the publication it subscribes to).
    fn publish(
        &self,
        subs: &[Sender<Persisted>],
        records: &[(Arc<EventRecord>, Instant)],
        wake: bool,
    ) {
        for (record, received) in records {
            for sub in subs {
                let msg = Persisted {
                    record: record.clone(),
                    received: *received,
                };
                if let Err(TrySendError::Full(_)) = sub.try_send(msg) {
                    self.stats.subscriber_full.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if wake && let Some(notify) = &self.notify {
            notify();
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
                    // The failure is logged above; closed: the caller stopped waiting.
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
                    // The failure is logged above; closed: the caller stopped waiting.
                    let _ = ack.send(result.map_err(|e| e.to_string()));
                }
            }
            WriteRequest::Datagram(_)
            | WriteRequest::Answer(_)
            | WriteRequest::Flush(_)
            | WriteRequest::Shutdown => {}
        }
    }
}

/// Which match a court is on, as its `mch` names it: number and match id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MatchIdentity {
    number: String,
    match_id: Option<String>,
}

impl MatchIdentity {
    fn of_event(e: &Event) -> Option<MatchIdentity> {
        match e {
            Event::MatchConfig(cfg) => Some(MatchIdentity {
                number: cfg.number.trim().to_string(),
                match_id: cfg.match_id.clone(),
            }),
            _ => None,
        }
    }

    /// The identity in a stored match state; none before its `mch` arrived.
    fn of_state(s: &crate::match_state::MatchState) -> Option<MatchIdentity> {
        (!s.info.number.trim().is_empty() || s.info.match_id.is_some()).then(|| MatchIdentity {
            number: s.info.number.trim().to_string(),
            match_id: s.info.match_id.clone(),
        })
    }
}
