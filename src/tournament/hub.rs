//! The hub: consumes every court's datagrams from the tournament stream with a durable consumer,
//! drops duplicates by `(store id, court, sequence)` (beyond the server's time-limited window),
//! and stores the rest in its own store through its writer — with the court's receive time and
//! exact bytes — so the store's match records (the same `MatchState::apply` fold), exports,
//! reports and the match history work on it unchanged.
//!
//! The hub's store, not the server's acknowledgement state, says where to resume: the last
//! stream sequence stored is kept in the store (after the datagrams are durable), and each
//! connection (re)creates the durable consumer to deliver from the next one. Redelivered
//! messages can then never arrive after later ones (which would break a court's order), and a
//! crash between storing and recording the position only re-delivers what the de-duplication
//! state, rebuilt from the stored datagrams themselves, drops.

use super::config::HubConfig;
use super::cursor;
use super::hub_io::{Puller, RETRY_WAIT, Seen, Taken, next_batch, rebuild_seen, store_all};
use super::link;
use super::status::{Link, link_of_jetstream_error, link_of_lost_acks};
use super::views::{CourtView, HubStatus, initial_views, spawn_view_thread};
use super::wire::{CourtDatagram, hub_source};
use crate::obs::backoff::Backoff;
use crate::store::writer::{Incoming, Persisted, Waker, now_ns};
use crate::store::{Store, WriteRequest};
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy};
use async_nats::jetstream::{self, consumer::pull};
use crossbeam_channel::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long a dropped hub waits for its task.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// A running hub; stops when dropped.
pub struct HubService {
    status: Arc<Mutex<HubStatus>>,
    stop: watch::Sender<bool>,
    done: Option<Receiver<()>>,
    /// Keeps each court's live view from the writer's records; stopped and joined on drop.
    views: Option<crate::worker::WorkerThread>,
}

struct Hub {
    config: HubConfig,
    store: Store,
    writer: Sender<WriteRequest>,
    status: Arc<Mutex<HubStatus>>,
    waker: Option<Waker>,
    stop: watch::Receiver<bool>,
}

impl HubService {
    /// Start the hub. `store`/`writer` are the hub's own store and its writer's queue;
    /// `durable` is a durable subscription of that writer, from which each court's live view
    /// (its current match state) is kept; `waker` is called after each change.
    pub fn spawn(
        config: HubConfig,
        runtime: &tokio::runtime::Handle,
        store: Store,
        writer: Sender<WriteRequest>,
        durable: Receiver<Persisted>,
        waker: Option<Waker>,
    ) -> HubService {
        let status = Arc::new(Mutex::new(HubStatus::default()));
        let (stop, stop_rx) = watch::channel(false);
        let mut service = HubService {
            status: status.clone(),
            stop,
            done: None,
            views: None,
        };
        if let Err(e) = config.validate() {
            service.set_link(Link::Misconfigured {
                cause: e.to_string(),
            });
            return service;
        }
        match spawn_view_thread(durable, status.clone(), waker.clone()) {
            Ok(t) => service.views = Some(t),
            Err(e) => {
                service.set_link(Link::Misconfigured {
                    cause: format!("cannot start the hub's view thread: {e}"),
                });
                return service;
            }
        }
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        service.done = Some(done_rx);
        let hub = Hub {
            config,
            store,
            writer,
            status,
            waker,
            stop: stop_rx,
        };
        runtime.spawn(async move {
            hub.run().await;
            // Err: the service was dropped without waiting (its wait timed out).
            let _ = done_tx.send(());
        });
        service
    }

    /// The current status and every court's view (a copy).
    pub fn status(&self) -> HubStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// One court's view.
    pub fn court(&self, court: &str) -> Option<CourtView> {
        self.status.lock().ok()?.courts.get(court).cloned()
    }

    fn set_link(&self, link: Link) {
        if let Ok(mut s) = self.status.lock() {
            s.link = link;
        }
    }
}

impl Drop for HubService {
    fn drop(&mut self) {
        // Err: the task already ended and dropped its receiver; nothing to stop.
        let _ = self.stop.send(true);
        if let Some(done) = self.done.take() {
            // Unacknowledged messages are delivered again to the next start, which drops what
            // it already stored.
            let _ = done.recv_timeout(STOP_WAIT);
        }
        // The view thread holds nothing the writer waits for; WorkerThread stops and joins it
        // (and logs a panic).
        if let Some(mut views) = self.views.take() {
            views.stop();
        }
        self.set_link(Link::Stopped);
    }
}

impl Hub {
    async fn run(mut self) {
        let store = self.store.clone();
        let (tournament, consumer) = (
            self.config.nats.tournament.clone(),
            self.config.consumer.clone(),
        );
        let rebuilt = tokio::task::spawn_blocking(move || {
            let seen = rebuild_seen(&store)?;
            let position =
                cursor::hub_position(&store, &tournament, &consumer).map_err(|e| e.to_string())?;
            Ok::<_, String>((seen, position, initial_views(&store)))
        })
        .await;
        let mut at = match rebuilt {
            Ok(Ok((seen, position, views))) => {
                self.set(|s| s.courts = views);
                Resume { seen, position }
            }
            Ok(Err(e)) => return self.fail(format!("cannot read the hub store to resume: {e}")),
            Err(e) => return self.fail(format!("cannot read the hub store to resume: {e}")),
        };
        let mut backoff = super::link::hub_backoff();
        let mut stop = self.stop.clone();
        loop {
            let link = tokio::select! {
                l = self.session(&mut at, &mut backoff) => l,
                _ = stop.changed() => break,
            };
            let Some(link) = link else { break };
            let delay = super::link::retry_delay(&link, &mut backoff);
            tracing::warn!("tournament hub: {link:?}");
            self.set(|s| s.link = link);
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => break,
            }
        }
        self.set(|s| s.link = Link::Stopped);
    }

    /// One connection; `None` when the writer is gone (nothing more can be stored).
    async fn session(&mut self, at: &mut Resume, backoff: &mut Backoff) -> Option<Link> {
        let client = match link::connect(&self.config.nats, "courtside hub").await {
            Ok(c) => c,
            Err(l) => return Some(l),
        };
        let (js, _bucket) = match link::prepare(client, &self.config.nats).await {
            Ok(p) => p,
            Err(l) => return Some(l),
        };
        let consumer = match self.consumer(&js, &mut at.position).await {
            Ok(c) => c,
            Err(l) => return Some(l),
        };
        tracing::info!(
            "tournament hub: consuming {} as {} from stream sequence {}",
            self.config.nats.stream_name(),
            self.config.consumer,
            at.position + 1
        );
        self.set(|s| s.link = Link::Connected);
        backoff.reset();
        // The first message of a new consumer may be past `position + 1` only when the stream
        // no longer holds those (purged by an operator); after it, sequences are contiguous.
        let mut fresh = true;
        let mut stream = match Puller::start(&js, consumer).await {
            Ok(s) => s,
            Err(l) => return Some(l),
        };
        loop {
            let (messages, failure) = next_batch(&mut stream).await;
            if !messages.is_empty() {
                match self.take(messages, at, fresh).await {
                    Taken::All => fresh = false,
                    Taken::Gap(expected) => {
                        return Some(link_of_lost_acks(
                            &format!(
                                "stream message {expected} missing from the consumer's delivery; \
                                 resuming there"
                            ),
                            RETRY_WAIT,
                        ));
                    }
                    Taken::WriterGone => return None,
                }
            }
            if let Some(link) = failure {
                return Some(link);
            }
        }
    }

    /// The durable consumer, (re)created to deliver from the stream sequence after `position`.
    async fn consumer(
        &self,
        js: &jetstream::Context,
        position: &mut u64,
    ) -> Result<jetstream::consumer::Consumer<pull::Config>, Link> {
        let nats = &self.config.nats;
        let what = format!("consumer {}", self.config.consumer);
        let refused = |e: &dyn std::fmt::Display| link_of_jetstream_error(&what, e);
        let stream = js
            .get_stream(nats.stream_name())
            .await
            .map_err(|e| refused(&e))?;
        let last = stream.cached_info().state.last_sequence;
        if last < *position {
            // A new stream (the server's storage was reset): its sequences start again. Read it
            // all; what the hub already has is dropped by court store and sequence.
            tracing::warn!(
                "tournament hub: stream {} ends at {last}, before the {} stored here; reading \
                 it from the start",
                nats.stream_name(),
                *position
            );
            *position = 0;
        }
        let position = *position;
        // Absent the first time; any other failure shows in the create below.
        let _ = stream.delete_consumer(&self.config.consumer).await;
        let deliver_policy = if position == 0 {
            DeliverPolicy::All
        } else {
            DeliverPolicy::ByStartSequence {
                start_sequence: position + 1,
            }
        };
        let config = pull::Config {
            durable_name: Some(self.config.consumer.clone()),
            description: Some("courtside hub".into()),
            // The hub's store keeps the position; acknowledgements would add a round trip per
            // message and redeliveries out of order.
            ack_policy: AckPolicy::None,
            deliver_policy,
            // No subject filter: the stream holds the courts' datagrams only (a stream made by
            // hand with more subjects costs a warning per other message). With the filter, a hub
            // that had fallen behind a stream still being written was served at ~1 000
            // messages/s by nats-server 2.9 (the bench; why is not checked in the server's code).
            ..Default::default()
        };
        stream
            .create_consumer(config)
            .await
            .map_err(|e| refused(&e))
    }

    /// Store a batch (new datagrams only), wait until durable, then record the position. Stops
    /// at the first message that does not follow the position (a message lost in transit: the
    /// session then restarts the consumer there).
    async fn take(
        &mut self,
        messages: Vec<jetstream::Message>,
        at: &mut Resume,
        fresh: bool,
    ) -> Taken {
        let mut incoming = Vec::new();
        let (mut received, mut duplicates, mut rejected) = (0u64, 0u64, 0u64);
        let mut position = at.position;
        let mut gap = None;
        for m in messages {
            let stream_seq = m.info().map_or(position + 1, |i| i.stream_sequence);
            if stream_seq != position + 1 && !(fresh && received == 0 && stream_seq > position) {
                gap = Some(position + 1);
                break;
            }
            position = stream_seq;
            received += 1;
            match self.datagram_of(&m, &mut at.seen) {
                Some(Ok(d)) => incoming.push(d),
                Some(Err(())) => duplicates += 1,
                None => rejected += 1,
            }
        }
        let stored = incoming.len() as u64;
        let started = Instant::now();
        let writer = self.writer.clone();
        let (tournament, consumer) = (
            self.config.nats.tournament.clone(),
            self.config.consumer.clone(),
        );
        let done = tokio::task::spawn_blocking(move || {
            store_all(&writer, incoming)
                && cursor::advance_hub_position(&writer, &tournament, &consumer, position).is_ok()
        })
        .await;
        if !matches!(done, Ok(true)) {
            self.fail("the hub's store writer has stopped".into());
            return Taken::WriterGone;
        }
        at.position = position;
        tracing::debug!(
            "tournament hub: stored {stored} of {received} messages (up to stream sequence \
             {position}) in {:.1} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
        self.set(|s| {
            s.received += received;
            s.stored += stored;
            s.duplicates += duplicates;
            s.rejected += rejected;
            s.last_batch_at_ns = now_ns();
        });
        gap.map_or(Taken::All, Taken::Gap)
    }

    /// The datagram a message carries, for the writer; `Some(Err(()))` for one already stored
    /// (same court store, court and sequence, or an earlier one), `None` for a message that is
    /// not a courtside datagram (logged, counted, skipped).
    fn datagram_of(&self, m: &jetstream::Message, seen: &mut Seen) -> Option<Result<Incoming, ()>> {
        let court = self.config.nats.court_of_subject(m.subject.as_str());
        let (Some(court), Ok(d)) = (court, CourtDatagram::from_bytes(&m.payload)) else {
            tracing::warn!(
                "tournament hub: ignored a message on {} that is not a courtside datagram",
                m.subject
            );
            return None;
        };
        let key = (d.store_id.clone(), court.to_string());
        if d.seq <= seen.get(&key).copied().unwrap_or(0) {
            return Some(Err(()));
        }
        seen.insert(key, d.seq);
        Some(Ok(Incoming {
            received_at_ns: d.received_at_ns,
            received: Instant::now(),
            source: hub_source(&d),
            court: court.to_string(),
            raw: d.raw_bytes(),
            events: d.events,
        }))
    }

    fn fail(&self, cause: String) {
        self.set(|s| s.link = Link::Misconfigured { cause });
    }

    fn set(&self, f: impl FnOnce(&mut HubStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
        if let Some(w) = &self.waker {
            w();
        }
    }
}

/// Where the hub is: what it stored per court store and court, and the stream position.
struct Resume {
    seen: Seen,
    position: u64,
}
