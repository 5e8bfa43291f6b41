//! The hub's I/O around a batch: pulling the consumer's messages, storing through the writer, and
//! the de-duplication state rebuilt from the hub's own store.

use super::status::{Link, link_of_lost_acks};
use super::wire::origin_of_hub_source;
use crate::store::writer::Incoming;
use crate::store::{Store, WriteRequest};
use async_nats::jetstream::{self, consumer::pull};
use crossbeam_channel::Sender;
use futures_util::{FutureExt, StreamExt};
use std::collections::HashMap;
use std::time::Duration;

/// Most messages stored per batch (one durable commit for all of them).
pub(super) const BATCH: usize = 2048;
/// How long the hub waits before it tries again after a gap in the delivery.
pub(super) const RETRY_WAIT: Duration = Duration::from_secs(2);
/// The server's idle heartbeat on the consumer (2 missed: the link has failed).
pub(super) const HEARTBEAT: Duration = Duration::from_secs(1);

/// The highest sequence stored per (court store id, court).
pub(super) type Seen = HashMap<(String, String), u64>;

/// What [`Hub::take`] did with a batch.
pub(super) enum Taken {
    /// Stored (or dropped as duplicates) all of it.
    All,
    /// Stopped before a message that did not follow the position; the expected stream sequence.
    Gap(u64),
    /// The writer is gone.
    WriterGone,
}

/// The consumer's messages, pulled with one request at a time: [`BATCH`] messages or
/// [`EXPIRES`], whichever ends first, with the server's idle heartbeat every [`HEARTBEAT`] while
/// it waits. Each message is handed on as it arrives (a live datagram at once), and the next
/// request goes out as soon as one ends, so a backlog streams in requests of [`BATCH`].
///
/// Why not async-nats's continuous pull (`consumer.stream()`): it sends the next request when
/// half of the last is used, and with nats-server 2.9 a request open beside another sometimes
/// ended without the server's 408 answer — the client then waited for messages it would never
/// get, and the bench's catch-up and live runs showed 2 s stalls ending in a missed heartbeat.
/// Here a request that outlives its expiry by [`EXPIRY_GRACE`] counts as ended whatever the
/// server said, and a missed heartbeat means the link has failed.
pub(super) struct Puller {
    consumer: jetstream::consumer::Consumer<pull::Config>,
    context: jetstream::Context,
    inbox: async_nats::Subject,
    subscription: async_nats::Subscriber,
    /// Messages still due on the open request; `None`: no request open.
    due: Option<usize>,
    /// When the open request counts as ended (its expiry and the grace).
    ends: tokio::time::Instant,
    /// When the server was last heard (a message, a heartbeat, a status).
    heard: tokio::time::Instant,
}

/// How long a pull request waits for messages before the server ends it.
pub(super) const EXPIRES: Duration = Duration::from_secs(30);
/// How long after its expiry a request counts as ended when the server did not say so.
const EXPIRY_GRACE: Duration = Duration::from_millis(250);

impl Puller {
    /// Subscribe to a new inbox (on `context`'s connection) for `consumer`'s messages; the
    /// first request goes out with the first `next`.
    pub(super) async fn start(
        context: &jetstream::Context,
        consumer: jetstream::consumer::Consumer<pull::Config>,
    ) -> Result<Puller, Link> {
        let client = context.client();
        let inbox = async_nats::Subject::from(client.new_inbox());
        let subscription = client
            .subscribe(inbox.clone())
            .await
            .map_err(|e| lost(&e))?;
        let now = tokio::time::Instant::now();
        Ok(Puller {
            consumer,
            context: context.clone(),
            inbox,
            subscription,
            due: None,
            ends: now,
            heard: now,
        })
    }

    /// The next message of the consumer; an error when the link has failed.
    pub(super) async fn next(&mut self) -> Result<jetstream::Message, Link> {
        loop {
            if self.due.is_none() {
                self.request().await?;
            }
            let silent = self.heard + HEARTBEAT * 2;
            let wake = silent.min(self.ends);
            let m = match tokio::time::timeout_at(wake, self.subscription.next()).await {
                Ok(Some(m)) => m,
                Ok(None) => return Err(lost(&"the subscription ended")),
                Err(_) if tokio::time::Instant::now() >= self.ends => {
                    tracing::debug!("tournament hub: a pull request ended without an answer");
                    self.due = None;
                    continue;
                }
                Err(_) => return Err(lost(&"missed idle heartbeat")),
            };
            self.heard = tokio::time::Instant::now();
            match m.status {
                None | Some(async_nats::StatusCode::OK) => {
                    self.due = self.due.and_then(|d| d.checked_sub(1)).filter(|d| *d > 0);
                    return Ok(jetstream::Message {
                        message: m,
                        context: self.context.clone(),
                    });
                }
                Some(async_nats::StatusCode::IDLE_HEARTBEAT) => {}
                // 408: the request expired; 409 "Batch Completed", "Leadership Change" and the
                // like: it ended (the next one goes out); 404: nothing to deliver (no-wait
                // requests only). A deleted consumer or a request the consumer's limits refuse
                // would fail again at once: the link has failed.
                Some(code) if ends_the_consumer(m.description.as_deref()) => {
                    return Err(lost(&format!(
                        "the server refused the pull ({code} {})",
                        m.description.as_deref().unwrap_or_default()
                    )));
                }
                Some(async_nats::StatusCode::TIMEOUT)
                | Some(async_nats::StatusCode::REQUEST_TERMINATED)
                | Some(async_nats::StatusCode::NOT_FOUND) => self.due = None,
                Some(code) => {
                    return Err(lost(&format!(
                        "the server answered the pull with {code} {}",
                        m.description.as_deref().unwrap_or_default()
                    )));
                }
            }
        }
    }

    /// Send the next request.
    async fn request(&mut self) -> Result<(), Link> {
        let config = pull::BatchConfig {
            batch: BATCH,
            expires: Some(EXPIRES),
            idle_heartbeat: HEARTBEAT,
            ..Default::default()
        };
        self.consumer
            .request_batch(config, self.inbox.clone())
            .await
            .map_err(|e| lost(&e))?;
        let now = tokio::time::Instant::now();
        self.due = Some(BATCH);
        self.ends = now + EXPIRES + EXPIRY_GRACE;
        self.heard = now;
        Ok(())
    }
}

/// Whether a status message's description says the consumer cannot serve this hub's requests.
fn ends_the_consumer(description: Option<&str>) -> bool {
    description.is_some_and(|d| d.contains("Consumer Deleted") || d.starts_with("Exceeded Max"))
}

/// The next batch: waits for the first message, then takes what has already arrived, up to
/// [`BATCH`] (one durable commit for all of it); with the failure that ended it, if any (what
/// arrived before is kept and stored first).
pub(super) async fn next_batch(puller: &mut Puller) -> (Vec<jetstream::Message>, Option<Link>) {
    let mut messages = Vec::new();
    let mut next = puller.next().await;
    loop {
        match next {
            Ok(m) => messages.push(m),
            Err(link) => return (messages, Some(link)),
        }
        if messages.len() >= BATCH {
            break;
        }
        // Unconstrained: tokio's cooperative budget would otherwise make the subscription look
        // empty after 128 messages and cap every batch there (one commit per 127 messages: a
        // tenth of the catch-up speed on a busy machine, where each commit waits for the CPU).
        next = match tokio::task::unconstrained(puller.next()).now_or_never() {
            Some(n) => n,
            // Nothing more has arrived (or the next request is on its way): store what did.
            None => break,
        };
    }
    (messages, None)
}

fn lost(e: &dyn std::fmt::Display) -> Link {
    link_of_lost_acks(&format!("receiving datagrams: {e}"), HEARTBEAT * 2)
}

/// Send the datagrams to the writer and wait until they are durable.
pub(super) fn store_all(writer: &Sender<WriteRequest>, incoming: Vec<Incoming>) -> bool {
    for d in incoming {
        if writer.send(WriteRequest::Datagram(d)).is_err() {
            return false;
        }
    }
    let (ack, done) = crossbeam_channel::bounded(1);
    writer.send(WriteRequest::Flush(ack)).is_ok() && done.recv().is_ok()
}

/// The highest stored sequence per (court store, court), from the hub's own store.
pub(super) fn rebuild_seen(store: &Store) -> Result<Seen, String> {
    let mut seen = Seen::new();
    let mut from = 0;
    loop {
        let page = store.events_page(from, 4096).map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        for rec in &page {
            if let Some((id, seq)) = origin_of_hub_source(&rec.source) {
                let slot = seen.entry((id.to_string(), rec.court.clone())).or_insert(0);
                *slot = (*slot).max(seq);
            }
        }
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::ends_the_consumer;

    #[test]
    fn a_deleted_consumer_or_a_refused_request_fails_the_link_and_other_ends_do_not() {
        assert!(ends_the_consumer(Some("Consumer Deleted")));
        assert!(ends_the_consumer(Some("Exceeded MaxRequestBatch of 1000")));
        assert!(ends_the_consumer(Some("Exceeded MaxWaiting")));
        assert!(!ends_the_consumer(Some("Request Timeout")));
        assert!(!ends_the_consumer(Some("Leadership Change")));
        assert!(!ends_the_consumer(None));
    }
}
