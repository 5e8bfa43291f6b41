//! "Show on video" in the event table: the row's context menu, the play button of the video
//! cell and the V key for the chosen row — each emits [`ReviewCommand::ShowEvent`].

use crate::model::Command;
use crate::model::review::ReviewCommand;
use crate::review::format_offset;
use egui::{Key, KeyboardShortcut, Modifiers};

/// V: show the selected row's moment on video (when no text field takes the keyboard).
pub const SHOW_ON_VIDEO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::V);

/// What "Show on video" says on hover.
const SHOW_TIP: &str = "Play this moment in OBS from the match's recording (else a saved \
                        replay), 3 s before it, in the Review panel (key V for the selected row)";

/// The row chosen by a click (match key, sequence): the one V shows on video. UI state only.
pub(super) fn selected_id() -> egui::Id {
    egui::Id::unique("event-table-selected")
}

/// The command that shows `seq` of `match_key` on video.
pub(super) fn show(match_key: u64, seq: u64) -> Command {
    Command::Review(ReviewCommand::ShowEvent { match_key, seq })
}

/// A row's context menu: "Show on video", with where the moment is (or that no file holds it;
/// `None`: the row's record is not read yet).
pub(super) fn row_menu(
    ui: &mut egui::Ui,
    spot: Option<Option<&crate::review::VideoSpot>>,
    show: impl FnOnce(),
) {
    if ui.button("Show on video").on_hover_text(SHOW_TIP).clicked() {
        show();
        ui.close();
    }
    match spot {
        Some(Some(s)) => {
            let at = format_offset(s.offset_ms);
            ui.weak(format!("video {at} in {}", s.segment.path));
        }
        Some(None) => {
            ui.weak("no recording or replay known to hold it (the panel says why)");
        }
        None => {}
    }
}

/// "video 12:34.5" and a small play button: where the event is on video, from the video index
/// (the recording first).
pub(super) fn video_cell(
    row: &mut egui_extras::TableRow<'_, '_>,
    spot: Option<&crate::review::VideoSpot>,
    show: impl FnOnce(),
) {
    row.col(|ui| {
        if let Some(s) = spot {
            if ui
                .small_button("▶")
                .on_hover_text(format!("Show on video: {SHOW_TIP}"))
                .clicked()
            {
                show();
            }
            ui.label(format!("video {}", format_offset(s.offset_ms)))
                .on_hover_text(&s.segment.path);
        }
    });
}
