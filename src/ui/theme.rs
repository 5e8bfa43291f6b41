//! Fonts and theme.

use crate::model::settings::Theme;
use egui::{FontData, FontDefinitions, FontFamily};
use std::sync::Arc;

/// Noto Sans: Latin, Greek and Cyrillic (Müller, Ólafsdóttir, Łukasz, Иванов), embedded so the
/// single executable needs no system fonts.
const REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
/// DejaVu Sans: fallback for symbols Noto Sans lacks (arrows, geometric shapes).
const SYMBOLS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// Font family for bold text (scoreboard numbers and names).
pub fn bold() -> FontFamily {
    FontFamily::Name("bold".into())
}

/// Install the embedded fonts; egui's own fonts stay as fallbacks (emoji, monospace).
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts
        .font_data
        .insert("noto".into(), Arc::new(FontData::from_static(REGULAR)));
    fonts
        .font_data
        .insert("noto-bold".into(), Arc::new(FontData::from_static(BOLD)));
    fonts
        .font_data
        .insert("dejavu".into(), Arc::new(FontData::from_static(SYMBOLS)));
    let fallbacks: Vec<String> = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    if let Some(p) = fonts.families.get_mut(&FontFamily::Proportional) {
        p.insert(0, "noto".into());
        p.push("dejavu".into());
    }
    if let Some(m) = fonts.families.get_mut(&FontFamily::Monospace) {
        m.push("noto".into());
        m.push("dejavu".into());
    }
    let mut bold_chain = vec!["noto-bold".to_string(), "noto".to_string()];
    bold_chain.extend(fallbacks);
    bold_chain.push("dejavu".into());
    fonts.families.insert(bold(), bold_chain);
    ctx.set_fonts(fonts);
}

/// Apply the operator's theme.
pub fn apply_theme(ctx: &egui::Context, theme: Theme) {
    ctx.set_theme(match theme {
        Theme::Dark => egui::Theme::Dark,
        Theme::Light => egui::Theme::Light,
    });
}

/// Blue and red as the scoreboard uses them when `mch` gave none.
pub const BLUE: egui::Color32 = egui::Color32::from_rgb(0x00, 0x3D, 0xA5);
/// See [`BLUE`].
pub const RED: egui::Color32 = egui::Color32::from_rgb(0xD0, 0x10, 0x2B);

/// Swatch colour of an athlete number (1 blue, 2 red).
pub fn athlete_color(n: u8) -> Option<egui::Color32> {
    match n {
        1 => Some(BLUE),
        2 => Some(RED),
        _ => None,
    }
}
