//! OBS tests, one binary (one link): the rule engine and its defaults, the OBS store tables, the
//! passwords' place (system keyring or store) against a password-checking fake OBS, and the
//! integration tests against a real OBS Studio started headless (Linux only).

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_os = "linux")]
mod app;
#[cfg(target_os = "linux")]
mod app_obs;
#[path = "../common/app.rs"]
mod app_support;
#[cfg(target_os = "linux")]
mod delayed;
#[cfg(target_os = "linux")]
mod fake_obs;
#[cfg(target_os = "linux")]
mod keyframe_cost;
#[cfg(target_os = "linux")]
mod keyring;
#[cfg(target_os = "linux")]
mod keyring_app;
#[cfg(target_os = "linux")]
mod log;
mod no_obs;
#[cfg(target_os = "linux")]
mod obs_court;
#[cfg(target_os = "linux")]
mod obs_process;
#[cfg(target_os = "linux")]
mod obs_ui;
mod real;
#[cfg(target_os = "linux")]
mod review;
#[cfg(target_os = "linux")]
mod review_app;
#[cfg(target_os = "linux")]
mod review_rules;
#[cfg(target_os = "linux")]
mod review_support;
mod rule_defs;
mod rules;
#[cfg(target_os = "linux")]
mod show_on_video;
mod store;
#[cfg(target_os = "linux")]
mod streaming;
#[cfg(target_os = "linux")]
#[path = "../common/wait.rs"]
mod wait;
#[cfg(target_os = "linux")]
mod web_control;
#[cfg(target_os = "linux")]
#[path = "../common/xvfb.rs"]
mod xvfb;
