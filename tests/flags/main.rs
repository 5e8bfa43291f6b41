//! Flags tests, one binary (one link): the IOC table and built-in set, import, the code mapping
//! and CLI, and the flags manager panel under egui_kittest.

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
