//! Flags tests, one binary (one link): the IOC table and built-in set, import, the code mapping
//! and CLI, and the flags manager panel under egui_kittest.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
#[path = "../common/app.rs"]
mod app_support;
mod drawing;
mod flags_support;
mod hostile;
mod import;
#[cfg(unix)]
mod links;
mod mapping;
mod table;
mod ui;
#[path = "../common/wait.rs"]
mod wait;
