//! Panels: one file per panel. They draw and emit intents; they do no I/O.

pub mod flags;
