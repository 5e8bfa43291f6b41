//! The model: everything the UI draws, and the [`Command`]s it emits. Plain data plus the pure
//! logic that keeps it consistent (table filtering, settings validation, drafts); no I/O, no
//! threads, no channels.
//!
//! Layers: `ui` draws the model and pushes commands (it imports `model`, never `app`); `app`
//! owns the model and the services and runs the commands at the end of each frame; `model`
//! imports neither (checked by `scripts/check-layers.sh`, run from `tests/app/layers.rs`).

pub mod command;
pub mod diagnostics;
pub mod hub;
pub mod notices;
pub mod obs;
pub mod panels;
pub mod placement;
pub mod review;
pub mod row_index;
pub mod scoreboard;
pub mod settings;
mod settings_draft;
pub mod state;
pub mod support;
mod table_logic;
pub mod table_model;
pub mod tournament;
pub mod web;

pub use command::{Command, SettingsCommand};
pub use state::AppState;
