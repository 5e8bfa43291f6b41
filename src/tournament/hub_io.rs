//! The hub's I/O around a batch: one pull from the consumer, storing through the writer, and
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

/// Most messages taken from the server per batch (one durable commit per batch).
pub(super) const BATCH: usize = 2048;
/// How long one pull waits for messages before asking again.
pub(super) const PULL_WAIT: Duration = Duration::from_secs(2);
/// After its expiry a pull request is given up this much later even when the server did not say
/// it ended (nothing is delivered on an expired request; a message that still was would show as
/// a gap, and the consumer is restarted there).
const REQUEST_GRACE: Duration = Duration::from_millis(250);

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

/// The next messages of the consumer: waits (at most [`PULL_WAIT`]) for the first, then takes
/// only what has already arrived, up to [`BATCH`]; with the failure that ended it early, if any
/// (what arrived before is kept and stored first). The pull request (`open`) stays open across
/// calls until it is filled or expires, so what arrives while a batch is being stored waits in
/// the client's buffer, and a live datagram is stored as soon as it arrives — not when a request
/// of [`BATCH`] messages fills or expires, up to [`PULL_WAIT`] later. Under a backlog the batches
/// are as large as before (everything that arrived while the previous one was stored).
pub(super) async fn pull(
    consumer: &jetstream::consumer::Consumer<pull::Config>,
    open: &mut Option<(pull::Batch, tokio::time::Instant)>,
) -> (Vec<jetstream::Message>, Option<Link>) {
    let lost = |e: &dyn std::fmt::Display| {
        link_of_lost_acks(&format!("pulling datagrams: {e}"), PULL_WAIT)
    };
    let mut messages = Vec::new();
    while messages.len() < BATCH {
        let (batch, ends) = match open {
            Some(b) => b,
            None => match consumer
                .batch()
                .max_messages(BATCH)
                .expires(PULL_WAIT)
                .messages()
                .await
            {
                Ok(b) => open.insert((b, tokio::time::Instant::now() + PULL_WAIT + REQUEST_GRACE)),
                Err(e) => return (messages, Some(lost(&e))),
            },
        };
        let next = if messages.is_empty() {
            match tokio::time::timeout_at(*ends, batch.next()).await {
                Ok(next) => next,
                Err(_) => {
                    // The server has let the request expire without saying so (nats-server 2.9
                    // sometimes does; async-nats would wait 5 s more): ask again.
                    *open = None;
                    break;
                }
            }
        } else {
            match batch.next().now_or_never() {
                Some(next) => next,
                // Nothing more has arrived: store what did.
                None => break,
            }
        };
        match next {
            Some(Ok(m)) => messages.push(m),
            Some(Err(e)) => {
                *open = None;
                return (messages, Some(lost(&e)));
            }
            None => {
                // The request is filled or expired: the next round asks again.
                *open = None;
                if messages.is_empty() {
                    break;
                }
            }
        }
    }
    (messages, None)
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
