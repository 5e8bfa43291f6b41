//! The court side: every datagram the store made durable is published, in store order, to the
//! tournament stream, exactly once as far as the hub can tell. The store is the queue: a cursor
//! in redb (moved only after the server acknowledged) says what was sent, and after an outage or
//! a restart publishing resumes from it, reading the backlog from the store.

use super::config::CourtConfig;
use super::cursor;
use super::link;
use super::publish::{blocking, publish_one, status_line, store_trouble};
use super::status::{CourtStatus, Link};
use super::wire::CourtDatagram;
use crate::obs::backoff::Backoff;
use crate::store::writer::{Persisted, Waker};
use crate::store::{EventRecord, Store, WriteRequest};
use crate::worker::WorkerThread;
use async_nats::jetstream::{self, kv};
use crossbeam_channel::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Datagrams read from the store per page (one cursor write per page).
const PAGE: usize = 512;
/// How long a dropped service waits for its task to finish its current step.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// Publishes a court's stored datagrams to the tournament. Runs on the given tokio runtime;
/// stops (and waits briefly for its task) when dropped.
pub struct TournamentService {
    status: Arc<Mutex<CourtStatus>>,
    stop: watch::Sender<bool>,
    done: Option<Receiver<()>>,
    /// Turns the writer's durable records into wake-ups; stopped and joined on drop.
    wake_thread: Option<WorkerThread>,
}

/// What the publishing task owns.
struct Court {
    config: CourtConfig,
    store: Store,
    writer: Sender<WriteRequest>,
    status: Arc<Mutex<CourtStatus>>,
    waker: Option<Waker>,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
}

impl TournamentService {
    /// Start publishing. `store` and `writer` are the court's store and its writer's request
    /// queue (cursor and store id are written through it); `durable` is a durable subscription
    /// of that writer ([`crate::store::writer::Subscribers::durable`]), used only as a wake-up:
    /// what is published is always read from the store. `waker` is called after each status
    /// change (the GUI passes a repaint request). A configuration that cannot be used gives a
    /// service whose status says why, and nothing runs.
    pub fn spawn(
        config: CourtConfig,
        runtime: &tokio::runtime::Handle,
        store: Store,
        writer: Sender<WriteRequest>,
        durable: Receiver<Persisted>,
        waker: Option<Waker>,
    ) -> TournamentService {
        let status = Arc::new(Mutex::new(CourtStatus::default()));
        let (stop, stop_rx) = watch::channel(false);
        let mut service = TournamentService {
            status: status.clone(),
            stop,
            done: None,
            wake_thread: None,
        };
        if let Err(e) = config.validate() {
            service.set_link(Link::Misconfigured {
                cause: e.to_string(),
            });
            return service;
        }
        let wake = Arc::new(Notify::new());
        match spawn_wake_bridge(durable, wake.clone()) {
            Ok(t) => service.wake_thread = Some(t),
            Err(e) => {
                service.set_link(Link::Misconfigured {
                    cause: format!("cannot start the tournament wake-up thread: {e}"),
                });
                return service;
            }
        }
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        service.done = Some(done_rx);
        let court = Court {
            config,
            store,
            writer,
            status,
            waker,
            wake,
            stop: stop_rx,
        };
        runtime.spawn(async move {
            court.run().await;
            // Err: the service was dropped without waiting (its wait timed out).
            let _ = done_tx.send(());
        });
        service
    }

    /// The current status (a copy; cheap, never blocks on I/O).
    pub fn status(&self) -> CourtStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The shared status itself, for a thread that shows it while the service runs.
    pub fn shared_status(&self) -> Arc<Mutex<CourtStatus>> {
        self.status.clone()
    }

    fn set_link(&self, link: Link) {
        if let Ok(mut s) = self.status.lock() {
            s.link = link;
        }
    }
}

impl Drop for TournamentService {
    fn drop(&mut self) {
        // Err: the task already ended and dropped its receiver; nothing to stop.
        let _ = self.stop.send(true);
        if let Some(done) = self.done.take() {
            // The task stops at its next await; what it was publishing is published again
            // after a restart (the cursor had not moved), and the server drops the copy.
            let _ = done.recv_timeout(STOP_WAIT);
        }
        if let Some(mut t) = self.wake_thread.take() {
            // A panic is logged by WorkerThread; the link shows Stopped either way.
            t.stop();
        }
        self.set_link(Link::Stopped);
    }
}

/// Turn the writer's durable records into wake-ups of the async task (the records themselves are
/// read again from the store, so a full channel or a restart loses nothing).
fn spawn_wake_bridge(
    durable: Receiver<Persisted>,
    wake: Arc<Notify>,
) -> std::io::Result<WorkerThread> {
    WorkerThread::spawn("tournament-wake", move |stop| {
        loop {
            crossbeam_channel::select! {
                recv(durable) -> m => {
                    if m.is_err() {
                        break;
                    }
                    durable.try_iter().for_each(drop);
                    wake.notify_one();
                }
                recv(stop) -> _ => break,
            }
        }
    })
}

/// Why the publishing loop left.
enum Exit {
    /// The service is being dropped.
    Stopped,
    /// The link failed; retry after a pause.
    Failed(Link),
}

impl Court {
    async fn run(mut self) {
        let prepared = {
            let store = self.store.clone();
            let writer = self.writer.clone();
            let tournament = self.config.nats.tournament.clone();
            blocking(move || prepare_store(&store, &writer, &tournament)).await
        };
        let (store_id, mut at) = match prepared {
            Ok(v) => v,
            Err(cause) => {
                self.set(|s| s.link = Link::Misconfigured { cause });
                return;
            }
        };
        self.set(|s| s.cursor = at);
        let mut backoff = super::link::backoff();
        let mut last_logged: Option<String> = None;
        loop {
            self.refresh_queued(at).await;
            match self.session(&store_id, &mut at, &mut backoff).await {
                Exit::Stopped => break,
                Exit::Failed(link) => {
                    let delay = super::link::retry_delay(&link, &mut backoff);
                    let line = format!("{link:?}");
                    if last_logged.as_ref() != Some(&line) {
                        tracing::warn!("tournament: {}", status_line(&link));
                        last_logged = Some(line);
                    }
                    // The queued count first, so a status that says "offline" or "refused"
                    // never shows the count from before the failure.
                    self.refresh_queued(at).await;
                    self.set(|s| s.link = link);
                    if self.pause(delay, at).await {
                        break;
                    }
                }
            }
        }
        self.set(|s| s.link = Link::Stopped);
    }

    /// One connection: connect, prepare, publish until the link fails or the service stops.
    async fn session(&mut self, store_id: &str, at: &mut u64, backoff: &mut Backoff) -> Exit {
        let name = format!("courtside court {}", self.config.court);
        let connected = tokio::select! {
            c = link::connect(&self.config.nats, &name) => c,
            _ = self.stop.changed() => return Exit::Stopped,
        };
        let client = match connected {
            Ok(c) => c,
            Err(link) => return Exit::Failed(link),
        };
        let prepared = tokio::select! {
            p = link::prepare(client, &self.config.nats) => p,
            _ = self.stop.changed() => return Exit::Stopped,
        };
        let (js, bucket) = match prepared {
            Ok(p) => p,
            Err(link) => return Exit::Failed(link),
        };
        tracing::info!(
            "tournament: connected to {} as court {}",
            self.config.nats.servers.join(", "),
            self.config.court
        );
        self.set(|s| s.link = Link::Connected);
        backoff.reset();
        self.pump(&js, &bucket, store_id, at).await
    }

    /// Publish everything after the cursor, then wait for the writer's next commit; repeat.
    async fn pump(
        &mut self,
        js: &jetstream::Context,
        bucket: &kv::Store,
        store_id: &str,
        at: &mut u64,
    ) -> Exit {
        loop {
            if *self.stop.borrow() {
                return Exit::Stopped;
            }
            let from = at.saturating_add(1);
            let store = self.store.clone();
            let page =
                match blocking(move || store.events_page(from, PAGE).map_err(|e| e.to_string()))
                    .await
                {
                    Ok(p) => p,
                    Err(cause) => return Exit::Failed(store_trouble(cause)),
                };
            if page.is_empty() {
                self.set(|s| s.queued = 0);
                tokio::select! {
                    _ = self.wake.notified() => continue,
                    _ = self.stop.changed() => return Exit::Stopped,
                }
            }
            let mut stop = self.stop.clone();
            let outcome = tokio::select! {
                o = self.publish_page(js, store_id, &page) => o,
                _ = stop.changed() => return Exit::Stopped,
            };
            let (acked, failure) = outcome;
            if let Some(last) = acked {
                if let Err(cause) = self.advance(*at, last).await {
                    return Exit::Failed(store_trouble(cause));
                }
                *at = last;
                self.put_live_state(bucket, &page, last).await;
            }
            if let Some(link) = failure {
                return Exit::Failed(link);
            }
            self.refresh_queued(*at).await;
        }
    }

    /// Publish a page one datagram at a time, each after the previous one's acknowledgement, so
    /// the stream holds a court's datagrams in store order whatever fails in between. Returns
    /// the last acknowledged sequence and the failure that stopped the page, if any.
    async fn publish_page(
        &self,
        js: &jetstream::Context,
        store_id: &str,
        page: &[EventRecord],
    ) -> (Option<u64>, Option<Link>) {
        let subject = self.config.nats.datagram_subject(&self.config.court);
        let mut acked = None;
        for rec in page {
            let d = CourtDatagram::of(store_id, &self.config.court, rec);
            match publish_one(js, &subject, &d).await {
                Ok(duplicate) => {
                    acked = Some(rec.seq);
                    self.set(|s| {
                        s.published += 1;
                        s.duplicates += u64::from(duplicate);
                        s.queued = s.queued.saturating_sub(1);
                    });
                }
                Err(link) => return (acked, Some(link)),
            }
        }
        (acked, None)
    }

    /// Move the cursor through the writer (durably), then show it.
    async fn advance(&self, from: u64, to: u64) -> Result<(), String> {
        if to <= from {
            return Ok(());
        }
        let writer = self.writer.clone();
        let tournament = self.config.nats.tournament.clone();
        blocking(move || {
            cursor::advance_cursor(&writer, &tournament, to).map_err(|e| e.to_string())
        })
        .await?;
        self.set(|s| s.cursor = to);
        Ok(())
    }

    /// Put the court's current match state into the KV bucket (for dashboards). A failure is
    /// logged and repaired by the next put: the datagrams, not this, are the record.
    async fn put_live_state(&self, bucket: &kv::Store, page: &[EventRecord], last: u64) {
        let Some(rec) = page.iter().find(|r| r.seq == last) else {
            return;
        };
        let store = self.store.clone();
        let key = rec.match_key;
        let state = blocking(move || store.match_record(key).map_err(|e| e.to_string())).await;
        let Ok(Some(m)) = state else { return };
        let Ok(json) = serde_json::to_vec(&m.state) else {
            return;
        };
        if let Err(e) = bucket.put(&self.config.court, json.into()).await {
            tracing::debug!("tournament: live state not put: {e}");
        }
    }

    /// Wait `delay` (or until stopped: `true`), keeping the queued count current meanwhile.
    async fn pause(&mut self, delay: Duration, at: u64) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return false,
                _ = self.stop.changed() => return true,
                _ = self.wake.notified() => {}
            }
            self.refresh_queued(at).await;
        }
    }

    async fn refresh_queued(&self, at: u64) {
        let store = self.store.clone();
        if let Ok(n) =
            blocking(move || cursor::queued_after(&store, at).map_err(|e| e.to_string())).await
        {
            self.set(|s| s.queued = n);
        }
    }

    fn set(&self, f: impl FnOnce(&mut CourtStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
        if let Some(w) = &self.waker {
            w();
        }
    }
}

/// The store id (made once) and the cursor (set, the first time, just before the current match).
fn prepare_store(
    store: &Store,
    writer: &Sender<WriteRequest>,
    tournament: &str,
) -> Result<(String, u64), String> {
    let id = cursor::ensure_store_id(store, writer)
        .map_err(|e| format!("cannot give this store an id: {e}"))?;
    let at = match cursor::cursor(store, tournament).map_err(|e| e.to_string())? {
        Some(at) => at,
        None => {
            let start = cursor::initial_cursor(store).map_err(|e| e.to_string())?;
            cursor::advance_cursor(writer, tournament, start).map_err(|e| e.to_string())?;
            start
        }
    };
    Ok((id, at))
}
