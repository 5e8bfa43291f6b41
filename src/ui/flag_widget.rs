//! A flag as a widget: the cached texture of a resolved flag, or a 4:3 box with its code when
//! there is nothing (yet) to draw. The textures come from [`FlagTextureCache`].

use crate::flags::{FlagTextureCache, Resolved};

/// Draw the flag of `resolved`, `height` points tall (a 4:3 box with the code when there is
/// nothing to draw).
pub fn flag_widget(
    ui: &mut egui::Ui,
    cache: &mut FlagTextureCache,
    resolved: &Resolved,
    height: f32,
) -> egui::Response {
    let px = (height * ui.ctx().pixels_per_point()).round() as u32;
    let tex = resolved
        .image
        .as_ref()
        .and_then(|img| cache.texture(ui.ctx(), img, px));
    match tex {
        Some(tex) => {
            let [w, h] = tex.size();
            let size = egui::vec2(height * w as f32 / h.max(1) as f32, height);
            ui.add(egui::Image::new((tex.id(), size)))
        }
        None => {
            let (rect, response) = ui
                .allocate_exact_size(egui::vec2(height * 4.0 / 3.0, height), egui::Sense::hover());
            let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
            ui.painter()
                .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
            // The code in the box: never a blank that could pass for a flag.
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                &resolved.code,
                egui::FontId::proportional((height * 0.35).max(6.0)),
                ui.visuals().weak_text_color(),
            );
            response
        }
    }
}
