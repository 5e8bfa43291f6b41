//! The hub's I/O around a batch: one pull from the consumer, storing through the writer, and
//! the de-duplication state rebuilt from the hub's own store.

use super::status::{Link, link_of_lost_acks};
use super::wire::origin_of_hub_source;
use crate::store::writer::Incoming;
use crate::store::{Store, WriteRequest};
use async_nats::jetstream::{self, consumer::pull};
use crossbeam_channel::Sender;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;

/// Most messages taken from the server per batch (one durable commit per batch).
pub(super) const BATCH: usize = 2048;
/// How long one pull waits for messages before asking again.
pub(super) const PULL_WAIT: Duration = Duration::from_secs(2);

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

/// One pull: up to [`BATCH`] messages, waiting at most [`PULL_WAIT`] for the first; with the
/// failure that ended it early, if any (what arrived before is kept and stored first).
pub(super) async fn pull(
    consumer: &jetstream::consumer::Consumer<pull::Config>,
) -> (Vec<jetstream::Message>, Option<Link>) {
    let lost = |e: &dyn std::fmt::Display| {
        link_of_lost_acks(&format!("pulling datagrams: {e}"), PULL_WAIT)
    };
    let mut batch = match consumer
        .batch()
        .max_messages(BATCH)
        .expires(PULL_WAIT)
        .messages()
        .await
    {
        Ok(b) => b,
        Err(e) => return (Vec::new(), Some(lost(&e))),
    };
    let mut messages = Vec::new();
    while let Some(m) = batch.next().await {
        match m {
            Ok(m) => messages.push(m),
            Err(e) => return (messages, Some(lost(&e))),
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
