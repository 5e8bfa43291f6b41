//! One datagram to the server and back: publish with its message id, wait for the
//! acknowledgement, and tell a lost link (offline, retried) from a refusal (the server must be
//! fixed). Plus the small helpers the court's task shares.

use super::config::ACK_TIMEOUT;
use super::status::{CourtStatus, Link, link_of_jetstream_error, link_of_lost_acks};
use super::wire::{CourtDatagram, MSG_ID_HEADER};
use async_nats::jetstream;

/// Publish one datagram and wait for its acknowledgement; `Ok(true)` when the server already had
/// it (a re-publish after a lost acknowledgement).
pub(super) async fn publish_one(
    js: &jetstream::Context,
    subject: &str,
    d: &CourtDatagram,
) -> Result<bool, Link> {
    let payload = d.to_bytes().map_err(|e| Link::Misconfigured {
        cause: format!("cannot encode datagram {}: {e}", d.seq),
    })?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(MSG_ID_HEADER, d.msg_id().as_str());
    let what = format!("publishing datagram {}", d.seq);
    let future = js
        .publish_with_headers(subject.to_string(), headers, payload.into())
        .await
        .map_err(|e| refused_or_lost(&what, &e))?;
    let ack = future.await.map_err(|e| refused_or_lost(&what, &e))?;
    Ok(ack.duplicate)
}

/// A failed publish: lost (timed out, connection gone: offline) or refused (stream limits,
/// permissions: the server must be fixed).
fn refused_or_lost(what: &str, e: &jetstream::context::PublishError) -> Link {
    use jetstream::context::PublishErrorKind as K;
    match e.kind() {
        K::TimedOut | K::BrokenPipe => link_of_lost_acks(what, ACK_TIMEOUT),
        _ => link_of_jetstream_error(what, e),
    }
}

pub(super) fn store_trouble(cause: String) -> Link {
    Link::Offline {
        cause: format!("cannot read or write the store: {cause}"),
        advice: "see the store's notice; publishing resumes when the store works again".into(),
    }
}

/// The status line of a link alone (for the log).
pub(super) fn status_line(link: &Link) -> String {
    CourtStatus {
        link: link.clone(),
        ..CourtStatus::default()
    }
    .line()
}

/// Run blocking store work off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("store task failed: {e}"))?
}
