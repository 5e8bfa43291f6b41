//! Drawing. One file per panel; panels draw state and return intents — no I/O here.

pub mod about;
pub mod advanced;
pub mod monitor;
