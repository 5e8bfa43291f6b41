//! Live push: the full state on connect and every change after it, over a WebSocket or, for
//! clients without one, Server-Sent Events.
//!
//! Each client reads its own bounded broadcast receiver. A client that falls more than the queue
//! behind skips to the newest state (counted); a client that does not take one update within the
//! stall timeout is dropped (counted). Neither touches other clients or the feed.

use super::WebStats;
use super::courts::Snapshot;
use super::http::Request;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::broadcast::{self, error::RecvError};

/// Keep-alive interval: a ping (WebSocket) or comment (SSE), so proxies and CEF keep the stream
/// and a vanished client is noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// What a live stream sends: the snapshots now, then the changes.
pub struct Feed {
    /// Current snapshots (one court, or all).
    pub initial: Vec<Arc<Snapshot>>,
    /// Subsequent changes.
    pub changes: broadcast::Receiver<Arc<Snapshot>>,
}

/// Why a client's stream ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// The client closed or the connection failed.
    Gone,
    /// The client did not take an update within the stall timeout.
    Stalled,
    /// The service stopped.
    Shutdown,
}

/// The `Sec-WebSocket-Accept` value for a client key (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    use base64::Engine;
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.digest().bytes())
}

/// True for a WebSocket upgrade request.
pub fn is_websocket(req: &Request) -> bool {
    req.header_has("upgrade", "websocket") && req.header_has("connection", "upgrade")
}

/// Where a live stream writes: a WebSocket or an event stream.
trait LiveSink: Send {
    /// Send one state document (`None`: a keep-alive). False when the client is gone.
    fn send<'a>(&'a mut self, text: Option<&'a str>) -> BoxFuture<'a, bool>;
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

struct WsSink<S>(
    futures_util::stream::SplitSink<
        tokio_websockets::WebSocketStream<S>,
        tokio_websockets::Message,
    >,
);

impl<S: AsyncRead + AsyncWrite + Unpin + Send> LiveSink for WsSink<S> {
    fn send<'a>(&'a mut self, text: Option<&'a str>) -> BoxFuture<'a, bool> {
        let msg = match text {
            Some(t) => tokio_websockets::Message::text(t.to_string()),
            None => tokio_websockets::Message::ping("courtside"),
        };
        Box::pin(async move { self.0.send(msg).await.is_ok() })
    }
}

struct SseSink<W>(W);

impl<W: AsyncWrite + Unpin + Send> LiveSink for SseSink<W> {
    fn send<'a>(&'a mut self, text: Option<&'a str>) -> BoxFuture<'a, bool> {
        let frame = match text {
            Some(t) => format!("event: state\ndata: {t}\n\n"),
            None => ": keep-alive\n\n".to_string(),
        };
        Box::pin(async move {
            self.0.write_all(frame.as_bytes()).await.is_ok() && self.0.flush().await.is_ok()
        })
    }
}

/// Answer the upgrade, then stream over the WebSocket until the client goes.
pub async fn serve_websocket<S: AsyncRead + AsyncWrite + Unpin + Send>(
    mut io: S,
    req: &Request,
    feed: Feed,
    stats: &WebStats,
    stall: Duration,
) {
    let Some(key) = req.header("sec-websocket-key") else {
        let resp = super::http::Response::error(400, "WebSocket upgrade without Sec-WebSocket-Key");
        // Best effort: the connection closes either way; a client gone already needs no answer.
        let _ = super::http::write_response(&mut io, &resp, false, true).await;
        return;
    };
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key)
    );
    if io.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let ws = tokio_websockets::ServerBuilder::new()
        .limits(tokio_websockets::Limits::default().max_payload_len(Some(4096)))
        .serve(io);
    let (sink, mut incoming) = ws.split();
    let closed = async move {
        // The client sends nothing but pongs and its close; polling also answers its pings.
        while let Some(Ok(msg)) = incoming.next().await {
            if msg.is_close() {
                break;
            }
        }
    };
    let end = stream(feed, stats, stall, &mut WsSink(sink), closed).await;
    count_end(stats, &end);
}

/// Answer with an event stream, then stream until the client goes.
pub async fn serve_sse<S: AsyncRead + AsyncWrite + Unpin + Send>(
    io: S,
    feed: Feed,
    stats: &WebStats,
    stall: Duration,
) {
    let (mut reader, mut writer) = tokio::io::split(io);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                X-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    if writer.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let closed = async move {
        use tokio::io::AsyncReadExt;
        // An event-stream client sends nothing more: any read result means it is gone (or
        // misbehaving, which ends the stream too).
        let mut scratch = [0u8; 256];
        let _ = reader.read(&mut scratch).await;
    };
    let end = stream(feed, stats, stall, &mut SseSink(writer), closed).await;
    count_end(stats, &end);
}

fn count_end(stats: &WebStats, end: &End) {
    if *end == End::Stalled {
        stats.stalled_dropped.fetch_add(1, Ordering::Relaxed);
        tracing::info!("web: a live client stopped reading and was dropped");
    }
}

/// The common loop: send the initial snapshots, then every change, with keep-alives between;
/// `closed` completes when the client closes.
async fn stream(
    mut feed: Feed,
    stats: &WebStats,
    stall: Duration,
    sink: &mut (dyn LiveSink + Send),
    closed: impl std::future::Future<Output = ()>,
) -> End {
    stats.live_clients.fetch_add(1, Ordering::Relaxed);
    let run = async {
        for snap in &feed.initial {
            match tokio::time::timeout(stall, sink.send(Some(&snap.json))).await {
                Err(_) => return End::Stalled,
                Ok(false) => return End::Gone,
                Ok(true) => {}
            }
        }
        loop {
            let next = tokio::time::timeout(KEEPALIVE, feed.changes.recv()).await;
            let snap = match next {
                Err(_) => None,
                Ok(Ok(snap)) => Some(snap),
                Ok(Err(RecvError::Lagged(n))) => {
                    // Behind by more than the queue: what follows is newer; the skipped states
                    // are superseded.
                    stats.skipped_updates.fetch_add(n, Ordering::Relaxed);
                    continue;
                }
                Ok(Err(RecvError::Closed)) => return End::Shutdown,
            };
            let text = snap.as_ref().map(|s| &*s.json);
            match tokio::time::timeout(stall, sink.send(text)).await {
                Err(_) => return End::Stalled,
                Ok(false) => return End::Gone,
                Ok(true) => {}
            }
        }
    };
    let end = tokio::select! {
        end = run => end,
        () = closed => End::Gone,
    };
    stats.live_clients.fetch_sub(1, Ordering::Relaxed);
    end
}
