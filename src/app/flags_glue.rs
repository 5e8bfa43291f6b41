//! Flags in the app: the flags window's commands, and the scoreboard's flag textures.

use super::CourtsideApp;
use crate::model::notices::Level;

impl CourtsideApp {
    /// Run a command of the flags window on the flags service (it never blocks: imports and
    /// dialogs run on its threads), then copy what the panel shows into the model.
    pub(super) fn handle_flags(&mut self, c: crate::flags::FlagsCommand) {
        let Some(service) = &mut self.services.flags else {
            return;
        };
        service.execute(c);
        self.state.flags = service.state().clone();
    }

    /// Resolve the scoreboard's two countries to textures (cache hits after the first frame),
    /// and tell the flags service when the live countries change so its missing-flags list
    /// follows the matches being loaded.
    pub(super) fn update_board_flags(&mut self, ctx: &egui::Context) {
        if let Some(service) = &mut self.services.flags {
            let codes: Vec<&str> = self
                .state
                .courts
                .values()
                .flat_map(|m| [m.blue.country.as_str(), m.red.country.as_str()])
                .collect();
            if let Some(wait) = service.note_live_codes(&codes) {
                ctx.request_repaint_after(wait);
            }
            // Re-imported or reverted flags: free their old textures.
            let state = service.state();
            self.state
                .flag_cache
                .sync(state.generation, &state.resolver);
        }
        self.board_textures(ctx);
        self.raise_flag_notices(ctx);
    }

    /// A notice per flag that could not be drawn this frame (too wide, too slow, refused SVG),
    /// naming the code: the app goes on with the code box in its place.
    fn raise_flag_notices(&mut self, ctx: &egui::Context) {
        let failures = self.state.flag_cache.take_failures();
        if failures.is_empty() {
            return;
        }
        for f in failures {
            self.state.notices.push(
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

    /// The scoreboard's two flags as textures.
    fn board_textures(&mut self, ctx: &egui::Context) {
        let Ok(mut board) = self.board.shared.lock() else {
            return;
        };
        let Some(state) = &board.state else { return };
        let codes = [state.blue.country.as_str(), state.red.country.as_str()];
        let textures = self
            .state
            .flag_cache
            .board_flags(ctx, &self.state.flag_resolver, codes);
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

/// Title of the notice for a flag that cannot be drawn (one per code).
pub fn flag_notice_title(code: &str) -> String {
    format!("Flag {code} cannot be drawn")
}
