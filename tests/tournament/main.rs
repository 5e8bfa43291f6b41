//! The tournament hub (issue 17) against a real `nats-server -js` (Debian's, installed by
//! .ci/run), one server per test on a free port with its own store folder.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_court;
#[path = "../common/app.rs"]
mod app_support;
mod faults;
mod flows;
mod hub_window;
mod numbers;
mod process;
mod results;
mod server;
mod support;
#[path = "../common/wait.rs"]
mod wait;
