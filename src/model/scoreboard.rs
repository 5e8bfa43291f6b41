//! What the scoreboard window draws, shared with its deferred viewport callback.

use super::placement::BoardPlace;
use super::settings::ScoreboardSettings;
use std::sync::{Arc, Mutex};

/// The scoreboard viewport's id (the app repaints it, the UI draws it).
pub fn viewport_id() -> egui::ViewportId {
    egui::ViewportId::from_hash_of("courtside-scoreboard")
}

/// What the scoreboard window draws; shared with its deferred viewport callback.
#[derive(Clone, Default)]
pub struct ScoreboardView {
    /// The live state (`None` until rebuilt from the store).
    pub state: Option<crate::match_state::MatchState>,
    /// Court shown.
    pub court: String,
    /// Appearance.
    pub settings: ScoreboardSettings,
    /// Frames drawn (for the smoke test and the idle-CPU measurement).
    pub frames: u64,
    /// The operator closed the window.
    pub close_requested: bool,
    /// The window's place (physical pixels) as last seen while windowed.
    pub place: Option<BoardPlace>,
    /// Where the window is being brought on its first frames (the saved place, checked against
    /// the monitors, or the reset place); `None` once there.
    pub placing: Option<BoardPlace>,
    /// Corrections sent so far (bounded: a window manager may refuse them).
    pub place_tries: u8,
    /// "Reset scoreboard position" was pressed.
    pub reset_place: bool,
    /// The window is fullscreen (F11 in either window, or the toolbar button).
    pub fullscreen: bool,
    /// Blue athlete's flag.
    pub blue_flag: Option<egui::TextureHandle>,
    /// Red athlete's flag.
    pub red_flag: Option<egui::TextureHandle>,
}

impl ScoreboardView {
    /// Whether the view has a state to draw.
    pub fn ready(&self) -> bool {
        self.state.is_some()
    }
}

/// Shared handle to the scoreboard view.
pub type SharedScoreboard = Arc<Mutex<ScoreboardView>>;
