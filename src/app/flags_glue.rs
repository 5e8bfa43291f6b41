//! Flags in the app: the flags window's commands (run on `crate::flags::FlagsService`), and the
//! scoreboard window's flag textures and notices (on [`Board`]).

use super::services::Board;
use crate::flags::{FlagsCommand, FlagsService};
use crate::model::AppState;
use crate::model::notices::Level;

/// Run a command of the flags window on the flags service (it never blocks: imports and dialogs
/// run on its threads), then copy what the panel shows into the model.
pub(super) fn handle(service: Option<&mut FlagsService>, c: FlagsCommand, state: &mut AppState) {
    let Some(service) = service else {
        return;
    };
    service.execute(c);
    state.flags = service.state().clone();
}

impl Board {
    /// Resolve the scoreboard's two countries to textures (cache hits after the first frame),
    /// and tell the flags service when the live countries change so its missing-flags list
    /// follows the matches being loaded.
    pub(super) fn update_flags(
        &self,
        flags: Option<&mut FlagsService>,
        state: &mut AppState,
        ctx: &egui::Context,
    ) {
        if let Some(service) = flags {
            let codes: Vec<&str> = state
                .courts
                .values()
                .flat_map(|m| [m.blue.country.as_str(), m.red.country.as_str()])
                .collect();
            if let Some(wait) = service.note_live_codes(&codes) {
                ctx.request_repaint_after(wait);
            }
            // Re-imported or reverted flags: free their old textures.
            let flags = service.state();
            state.flag_cache.sync(flags.generation, &flags.resolver);
        }
        self.textures(state, ctx);
        raise_notices(state, ctx);
    }

    /// The scoreboard's two flags as textures.
    fn textures(&self, state: &mut AppState, ctx: &egui::Context) {
        let Ok(mut board) = self.shared.lock() else {
            return;
        };
        let Some(live) = &board.state else { return };
        let codes = [live.blue.country.as_str(), live.red.country.as_str()];
        let textures = state
            .flag_cache
            .board_flags(ctx, &state.flag_resolver, codes);
        let [blue, red] = textures;
        let changed = board.blue_flag.as_ref().map(|t| t.id()) != blue.as_ref().map(|t| t.id())
            || board.red_flag.as_ref().map(|t| t.id()) != red.as_ref().map(|t| t.id());
        if changed {
            tracing::debug!(
                blue = blue.is_some(),
                red = red.is_some(),
                "scoreboard flags updated"
            );
            board.blue_flag = blue;
            board.red_flag = red;
            ctx.request_repaint_of(crate::model::scoreboard::viewport_id());
        }
    }
}

/// A notice per flag that could not be drawn this frame (too wide, too slow, refused SVG), naming
/// the code: the app goes on with the code box in its place.
fn raise_notices(state: &mut AppState, ctx: &egui::Context) {
    let failures = state.flag_cache.take_failures();
    if failures.is_empty() {
        return;
    }
    for f in failures {
        state.notices.push(
            Level::Warning,
            &flag_notice_title(&f.code),
            &f.reason,
            &format!(
                "The code box is shown instead. In Flags, revert {} to the built-in flag or \
                 import a usable image for it.",
                f.code
            ),
        );
    }
    // Notices were drawn earlier in this frame: show these in the next one.
    ctx.request_repaint();
}

/// Title of the notice for a flag that cannot be drawn (one per code).
pub fn flag_notice_title(code: &str) -> String {
    format!("Flag {code} cannot be drawn")
}
