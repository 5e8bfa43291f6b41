//! Accepting connections: a bounded number at a time, each on its own task with every wait
//! bounded, all of them owned by the accept task (stopping it stops them).

use super::http::{self, ReadError, ReadLimits, Response};
use super::routes::{self, Route};
use super::{Shared, WebError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A bound server; dropping it stops the accept task and with it every connection.
pub struct Running {
    /// The address asked for (port 0 stays 0).
    pub asked: SocketAddr,
    /// The bound address.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Bind `addr` now (so a taken port is reported at once) and start accepting on `runtime`.
pub fn start(
    addr: SocketAddr,
    runtime: &tokio::runtime::Handle,
    shared: Arc<Shared>,
) -> Result<Running, WebError> {
    let bind_err = |e: std::io::Error| WebError::Bind {
        addr,
        cause: bind_cause(&e, addr),
    };
    let std_listener = std::net::TcpListener::bind(addr).map_err(bind_err)?;
    std_listener.set_nonblocking(true).map_err(bind_err)?;
    let bound = std_listener.local_addr().map_err(bind_err)?;
    let _enter = runtime.enter();
    let listener = TcpListener::from_std(std_listener).map_err(bind_err)?;
    let task = runtime.spawn(accept_loop(listener, shared));
    Ok(Running {
        asked: addr,
        addr: bound,
        task,
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if connections.len() >= shared.limits.max_connections {
                        refuse(stream, &shared);
                        continue;
                    }
                    let shared = shared.clone();
                    connections.spawn(async move {
                        shared.stats.connections.fetch_add(1, Ordering::Relaxed);
                        connection(stream, peer, &shared).await;
                        shared.stats.connections.fetch_sub(1, Ordering::Relaxed);
                    });
                }
                // Out of file descriptors or a reset before accept: wait a moment, go on.
                Err(e) => {
                    tracing::warn!("web: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Over the connection limit: a 503 if the socket takes it at once, then close.
fn refuse(stream: TcpStream, shared: &Shared) {
    shared
        .stats
        .refused_connections
        .fetch_add(1, Ordering::Relaxed);
    let body = br#"{"error":"too many connections; try again"}"#;
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Retry-After: 1\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    // Never waits: a socket that cannot take 150 bytes now just gets closed.
    let _ = stream.try_write(&bytes);
}

async fn connection(mut io: TcpStream, peer: SocketAddr, shared: &Shared) {
    // Only latency (small live frames go out at once); the connection works without it.
    let _ = io.set_nodelay(true);
    let limits = ReadLimits {
        max_head: shared.limits.max_head_bytes,
        max_body: shared.limits.max_body_bytes,
        idle: shared.limits.idle_timeout,
        head: shared.limits.request_timeout,
    };
    let mut buf = Vec::new();
    loop {
        let req = match http::read_request(&mut io, &mut buf, limits).await {
            Ok(r) => r,
            Err(ReadError::Closed | ReadError::Idle) => return,
            Err(e) => {
                let resp = read_error(&e);
                // Best effort: the connection closes either way.
                let _ = send(&mut io, &resp, false, true, shared).await;
                return;
            }
        };
        shared.stats.requests.fetch_add(1, Ordering::Relaxed);
        if !shared.allows(peer.ip()) {
            shared.stats.not_allowed.fetch_add(1, Ordering::Relaxed);
            let resp = Response::error(
                403,
                &format!("{} is not in this server's allowlist", peer.ip()),
            );
            // Best effort: the connection closes either way.
            let _ = send(&mut io, &resp, false, true, shared).await;
            return;
        }
        match routes::route(&req, peer, shared).await {
            Route::Answer(resp) => {
                let close = !req.keep_alive();
                let head_only = req.method == "HEAD";
                if send(&mut io, &resp, head_only, close, shared)
                    .await
                    .is_err()
                    || close
                {
                    return;
                }
            }
            Route::WebSocket(feed) => {
                super::live::serve_websocket(
                    io,
                    &req,
                    feed,
                    &shared.stats,
                    shared.limits.stall_timeout,
                )
                .await;
                return;
            }
            Route::EventStream(feed) => {
                super::live::serve_sse(io, feed, &shared.stats, shared.limits.stall_timeout).await;
                return;
            }
        }
    }
}

/// Write with the stall bound: a client that does not read its answer is dropped.
async fn send(
    io: &mut TcpStream,
    resp: &Response,
    head_only: bool,
    close: bool,
    shared: &Shared,
) -> std::io::Result<()> {
    match tokio::time::timeout(
        shared.limits.stall_timeout,
        http::write_response(io, resp, head_only, close),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "client stopped reading",
        )),
    }
}

fn read_error(e: &ReadError) -> Response {
    match e {
        ReadError::Timeout => Response::error(408, "the request was not sent in time"),
        ReadError::HeadTooLarge => Response::error(431, "the request head is too large"),
        ReadError::BodyTooLarge => Response::error(413, "the request body is too large"),
        ReadError::LengthRequired => {
            Response::error(411, "send a Content-Length body, not Transfer-Encoding")
        }
        ReadError::Malformed(why) => Response::error(400, why),
        ReadError::Closed | ReadError::Idle => Response::error(400, "closed"),
    }
}

/// The operator's words for a failed bind.
fn bind_cause(e: &std::io::Error, addr: SocketAddr) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::AddrInUse => format!(
            "address in use — another program (another courtside, or a web server on this \
             machine) already listens on TCP port {}; stop it or choose another port",
            addr.port()
        ),
        ErrorKind::PermissionDenied => format!(
            "permission denied — TCP port {} needs elevated rights or is blocked by policy; use \
             a port above 1024",
            addr.port()
        ),
        ErrorKind::AddrNotAvailable => format!(
            "address not available — no network interface has {}; pick another interface or \
             127.0.0.1",
            addr.ip()
        ),
        _ => e.to_string(),
    }
}
