//! The pages, scripts and styles, embedded in the executable (works offline, no build step).

use super::http::Response;

/// `/overlay/<court>`.
pub const OVERLAY: &str = include_str!("assets/overlay.html");
/// `/board/<court>`.
pub const BOARD: &str = include_str!("assets/board.html");
/// `/courts`.
pub const COURTS: &str = include_str!("assets/courts.html");

/// What a page may load: only this server (scripts, styles, flags, the live stream).
const PAGE_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                           script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors *";

/// `/assets/<name>` files.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "courtside.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/courtside.js"),
    ),
    (
        "overlay.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/overlay.js"),
    ),
    (
        "board.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/board.js"),
    ),
    (
        "courts.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/courts.js"),
    ),
    (
        "overlay.css",
        "text/css; charset=utf-8",
        include_str!("assets/overlay.css"),
    ),
    (
        "board.css",
        "text/css; charset=utf-8",
        include_str!("assets/board.css"),
    ),
];

/// A page answer.
pub fn page(html: &'static str) -> Response {
    Response::new(200, "text/html; charset=utf-8", html.as_bytes())
        .with("Content-Security-Policy", PAGE_POLICY)
}

/// An asset by name.
pub fn asset(name: &str) -> Option<Response> {
    ASSETS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, ty, body)| Response::new(200, ty, body.as_bytes()))
}
