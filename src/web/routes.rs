//! Which path answers what.

use super::Shared;
use super::assets;
use super::control;
use super::courts::API_VERSION;
use super::http::{Request, Response};
use super::live::{self, Feed};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

/// What a request turns into.
pub enum Route {
    /// A plain answer.
    Answer(Response),
    /// A live stream over a WebSocket (the connection is handed over).
    WebSocket(Feed),
    /// A live stream as Server-Sent Events.
    EventStream(Feed),
}

/// Route `req` from `peer`.
pub async fn route(req: &Request, peer: SocketAddr, shared: &Shared) -> Route {
    let method = req.method.as_str();
    let path = req.path.as_str();
    if let Some(action) = path.strip_prefix("/api/v1/obs/") {
        if method != "POST" {
            return Route::Answer(not_allowed("POST"));
        }
        return Route::Answer(
            control::handle(req, action, peer, &shared.control, &shared.stats).await,
        );
    }
    if method != "GET" && method != "HEAD" {
        return Route::Answer(if known_path(path) {
            not_allowed("GET, HEAD")
        } else {
            not_found(path)
        });
    }
    if path == "/api/v1/live" {
        let (initial, changes) = shared.hub.subscribe_all();
        return live_route(req, Feed { initial, changes });
    }
    if let Some(rest) = path.strip_prefix("/api/v1/courts/") {
        return court_api(req, rest, shared);
    }
    Route::Answer(match path {
        "/" => Response::new(303, "text/plain", &b""[..]).with("Location", "/courts"),
        "/courts" => assets::page(assets::COURTS),
        "/api/v1/courts" => Response::json(200, &shared.hub.summary()),
        "/api/v1/status" => Response::json(200, &status(shared)),
        _ => {
            if let Some(court) = page_court(path, "/overlay/") {
                page_for(shared, court, assets::OVERLAY)
            } else if let Some(court) = page_court(path, "/board/") {
                page_for(shared, court, assets::BOARD)
            } else if let Some(name) = path.strip_prefix("/assets/") {
                assets::asset(name).unwrap_or_else(|| not_found(path))
            } else if let Some(name) = path.strip_prefix("/flags/") {
                if name.contains('/') || name.contains('\\') {
                    Response::error(400, "a flag name is one path segment: /flags/<CODE>.svg")
                } else {
                    let resolver = shared.flags.read().map(|f| f.clone()).unwrap_or_default();
                    super::flags::handle(req, name, resolver, &shared.pngs).await
                }
            } else {
                not_found(path)
            }
        }
    })
}

fn court_api(req: &Request, rest: &str, shared: &Shared) -> Route {
    let (court, what) = match rest.rsplit_once('/') {
        Some((c, w)) if !c.is_empty() => (c, w),
        _ => return Route::Answer(not_found(&req.path)),
    };
    match what {
        "state" => Route::Answer(match shared.hub.snapshot(court) {
            Some(s) => Response::new(200, "application/json", s.json.as_bytes().to_vec()),
            None => unknown_court(court),
        }),
        "live" => match shared.hub.subscribe(court) {
            Some((now, changes)) => live_route(
                req,
                Feed {
                    initial: vec![now],
                    changes,
                },
            ),
            None => Route::Answer(unknown_court(court)),
        },
        _ => Route::Answer(not_found(&req.path)),
    }
}

/// WebSocket when asked to upgrade, SSE when the client accepts an event stream, else 426.
fn live_route(req: &Request, feed: Feed) -> Route {
    if live::is_websocket(req) {
        Route::WebSocket(feed)
    } else if req
        .header("accept")
        .is_some_and(|a| a.contains("text/event-stream"))
    {
        Route::EventStream(feed)
    } else {
        Route::Answer(
            Response::error(
                426,
                "a live stream needs a WebSocket upgrade or 'Accept: text/event-stream'",
            )
            .with("Upgrade", "websocket"),
        )
    }
}

/// The court of `/overlay/<court>` (one segment, not empty).
fn page_court<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)
        .filter(|c| !c.is_empty() && !c.contains('/'))
}

/// A page for a court: served for a known court; 404 (with the known ones) otherwise, so a typo
/// in an OBS browser source shows a clear message instead of an empty overlay.
fn page_for(shared: &Shared, court: &str, page: &'static str) -> Response {
    if shared.hub.snapshot(court).is_some() {
        assets::page(page)
    } else {
        let known = shared.hub.names().join(", ");
        Response::new(
            404,
            "text/plain; charset=utf-8",
            format!("unknown court {court:?}; courts here: {known}").into_bytes(),
        )
    }
}

fn status(shared: &Shared) -> serde_json::Value {
    let s = &shared.stats;
    let (control_enabled, token) = shared.control.access();
    serde_json::json!({
        "api": API_VERSION,
        "version": env!("CARGO_PKG_VERSION"),
        "connections": s.connections.load(Ordering::Relaxed),
        "live_clients": s.live_clients.load(Ordering::Relaxed),
        "stalled_dropped": s.stalled_dropped.load(Ordering::Relaxed),
        "skipped_updates": s.skipped_updates.load(Ordering::Relaxed),
        "refused_connections": s.refused_connections.load(Ordering::Relaxed),
        "records": s.records.load(Ordering::Relaxed),
        "control": {
            "enabled": control_enabled && token.is_some(),
            "host": shared.control.host().is_some(),
            "actions": control::WebControl::ACTIONS,
        },
    })
}

fn known_path(path: &str) -> bool {
    [
        "/courts",
        "/overlay/",
        "/board/",
        "/assets/",
        "/flags/",
        "/api/v1/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
        || path == "/"
}

fn unknown_court(court: &str) -> Response {
    Response::error(404, &format!("unknown court {court:?}"))
}

fn not_found(path: &str) -> Response {
    Response::error(404, &format!("nothing at {path:?}"))
}

fn not_allowed(allow: &'static str) -> Response {
    Response::error(405, &format!("method not allowed here; use {allow}")).with("Allow", allow)
}
