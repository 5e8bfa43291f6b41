//! The hub's I/O around a batch: the consumer's continuous pull, storing through the writer, and
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
/// How long a failed pull waits before the hub tries again; a pull request lasts 5 times this.
pub(super) const PULL_WAIT: Duration = Duration::from_secs(2);
/// The server's idle heartbeat on an open pull (2 missed: the pull has failed).
const HEARTBEAT: Duration = Duration::from_secs(1);

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

/// The consumer's messages as one continuous pull: async-nats keeps requests of up to
/// [`BATCH`] messages outstanding and refills them as they are used, so a live datagram is
/// delivered at once and a backlog streams without a gap between requests. Idle heartbeats
/// every [`HEARTBEAT`] let a dead server show as an error instead of silence.
pub(super) async fn messages(
    consumer: &jetstream::consumer::Consumer<pull::Config>,
) -> Result<pull::Stream, Link> {
    consumer
        .stream()
        .max_messages_per_batch(BATCH)
        .expires(PULL_WAIT * 5)
        .heartbeat(HEARTBEAT)
        .messages()
        .await
        .map_err(|e| lost(&e))
}

/// The next batch: waits for the first message, then takes what has already arrived, up to
/// [`BATCH`] (one durable commit for all of it); with the failure that ended it, if any (what
/// arrived before is kept and stored first).
pub(super) async fn next_batch(
    stream: &mut pull::Stream,
) -> (Vec<jetstream::Message>, Option<Link>) {
    let mut messages = Vec::new();
    let mut next = stream.next().await;
    loop {
        match next {
            Some(Ok(m)) => messages.push(m),
            Some(Err(e)) => return (messages, Some(lost(&e))),
            None => return (messages, Some(lost(&"the server ended the pull"))),
        }
        if messages.len() >= BATCH {
            break;
        }
        next = match stream.next().now_or_never() {
            Some(n) => n,
            // Nothing more has arrived: store what did.
            None => break,
        };
    }
    (messages, None)
}

fn lost(e: &dyn std::fmt::Display) -> Link {
    link_of_lost_acks(&format!("pulling datagrams: {e}"), PULL_WAIT)
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
