//! Web server tests, one binary: the HTTP API and its limits against the real server, the live
//! push stream (WebSocket and SSE) under many and stalled clients, the control API, and the pages
//! in a real headless Chromium (Debian's `chromium`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api;
mod browser;
mod cdp;
mod control;
mod listen;
mod live;
mod robustness;
mod support;
