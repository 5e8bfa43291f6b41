//! The WT UDP (PSS) wire protocol: typed events, a parser and an encoder.
//!
//! Pure code, no I/O. A datagram is decoded lossily as UTF-8 (the caller keeps the exact bytes),
//! split into `;`-separated fields and walked message by message: a datagram can hold a paired
//! message (`wg1;0;wg2;1`) or several independent ones. Anything that cannot be understood becomes
//! an explicit [`Event::Unknown`] or [`Event::Malformed`]; the parser never panics and never
//! clamps a value into range. One datagram yields at most [`MAX_EVENTS`] events plus one that
//! counts whatever did not fit, so a hostile datagram costs no more than a busy real one.

mod encode;
mod labels;
mod messages;
mod parse;
mod types;
mod venue_messages;

pub use encode::{encode_datagram, encode_event};
pub use parse::{MAX_EVENTS, MAX_MESSAGES, parse_datagram, parse_text};
pub use types::*;
