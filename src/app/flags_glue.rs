//! Flags in the app: the manager window, drag-and-drop import, and the scoreboard's flag textures.

use super::CourtsideApp;
use crate::ui::flags::{flags_ui, handle_dropped_files};

impl CourtsideApp {
    /// The flags manager window and files dropped anywhere on the main window.
    pub(super) fn flags_ui(&mut self, ctx: &egui::Context) {
        let Some(service) = &mut self.flags else {
            return;
        };
        if let Some(intent) = handle_dropped_files(ctx) {
            self.state.prefs.show_flags = true;
            service.execute(intent);
        }
        if !self.state.prefs.show_flags {
            return;
        }
        let mut open = true;
        let mut intents = Vec::new();
        egui::Window::new("Flags")
            .open(&mut open)
            .default_size([760.0, 560.0])
            .show(ctx, |ui| {
                intents = flags_ui(
                    ui,
                    &mut self.state.flags_panel,
                    service.state(),
                    &mut self.state.flag_cache,
                );
            });
        self.state.prefs.show_flags = open;
        for i in intents {
            service.execute(i);
        }
    }

    /// Resolve the scoreboard's two countries to textures (cache hits after the first frame),
    /// and tell the flags service when the live countries change so its missing-flags list
    /// follows the matches being loaded.
    pub(super) fn update_board_flags(&mut self, ctx: &egui::Context) {
        if let Some(service) = &mut self.flags {
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
        let Ok(mut board) = self.scoreboard.lock() else {
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
            ctx.request_repaint_of(crate::ui::scoreboard::viewport_id());
        }
    }
}
