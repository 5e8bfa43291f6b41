//! Video review: where every stored event is on video, and replaying a disputed moment through
//! OBS within seconds of a challenge.
//!
//! - [`index`]: the video index (recordings and saved replays of every OBS placed on courtside's
//!   clock) and the pure mapping event → `(file, offset)`; [`store`] keeps it in the store.
//! - [`disputed`]: which scoring event a challenge is about.
//! - [`service`]: the [`ReviewService`] the app runs: save the replay, cue the moment, play,
//!   pause, speed, step, loop, on air / back to live, preview frames — all read back from OBS
//!   ([`crate::obs::review`] holds the OBS requests).

mod api;
pub mod chapters;
mod control;
pub mod disputed;
pub mod index;
pub mod service;
pub mod show;
pub mod store;

pub use index::{Anchor, Prefer, VideoKind, VideoSegment, VideoSpot, format_offset, locate};
pub use service::{
    DEFAULT_PRE_ROLL_MS, ReviewConfig, ReviewRequest, ReviewService, ReviewState, ReviewUpdate,
};
