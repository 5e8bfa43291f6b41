//! The desktop app, one binary (one link): panels under egui_kittest, the whole app driven by a
//! real loopback listener, the System & support panels (advanced mode, About/licence), and the
//! shell's layer check.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app_flows;
#[path = "../common/app.rs"]
mod app_support;
mod listener_settings;
// Runs scripts/check-layers.sh with bash.
#[cfg(unix)]
mod layers;
mod listeners;
mod panel_details;
mod panels;
mod prefs;
mod review_app;
mod scoreboard;
mod selector;
mod settings_panel;
// A real process under Xvfb, killed with `kill -9` on a hang: Linux CI only.
#[cfg(target_os = "linux")]
mod smoke;
mod store_location_app;
mod support_app;
mod support_panels;
mod web_app;
mod web_control_app;
mod whole_app;
#[cfg(target_os = "linux")]
#[path = "../common/xvfb.rs"]
mod xvfb;
