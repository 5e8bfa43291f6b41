//! Scoreboard text too big for egui's font atlas: the scores and the match clock.
//!
//! egui rasterises every glyph it draws, at every size, into one font atlas (RGBA, kept in
//! memory and again as a texture), packed in rows as tall as the tallest glyph in the row. A
//! 200-px score digit made a 200-px row, and the atlas grew from 4096 × 128 to 4096 × 512 px:
//! 6 MB more in memory and as much again as a texture, for about twenty glyphs (measured in the
//! soak: RSS 150 → 138 MB after five matches with the score drawn at a small size). Here each
//! big text, at its size, is one small texture the size of the text, rasterised from the same
//! font (Noto Sans Bold) and kept only while it is in use.

use crate::report::font::Font;
use egui::{Align2, Color32, ColorImage, Painter, Pos2, Rect, TextureHandle, TextureOptions, vec2};
use std::collections::{HashMap, hash_map};
use std::sync::{Arc, Mutex, PoisonError};

/// Textures kept at most: two scores and a clock on screen, and a few recent values.
const KEEP: usize = 12;
/// Largest texture side; a bigger text is left to egui.
const MAX_SIDE: usize = 4096;

/// Cache of big-text textures, one per egui context (shared by its viewports).
pub struct BigText {
    font: Option<Font<'static>>,
    entries: HashMap<(String, u32), Entry>,
    tick: u64,
}

struct Entry {
    tex: TextureHandle,
    /// Size in pixels.
    px: [usize; 2],
    last: u64,
}

impl Default for BigText {
    fn default() -> Self {
        BigText {
            font: Font::new(crate::ui::theme::BOLD).ok(),
            entries: HashMap::new(),
            tick: 0,
        }
    }
}

type Shared = Arc<Mutex<BigText>>;

/// The context's cache (made on first use), kept in egui's temporary data.
fn shared(ctx: &egui::Context) -> Shared {
    let id = egui::Id::unique("courtside-big-text");
    ctx.data_mut(|d| d.get_temp_mut_or_default::<Shared>(id).clone())
}

/// Draw `text` at `size` points, anchored at `pos` like [`Painter::text`], from a texture of its
/// own instead of egui's font atlas.
pub fn paint(
    painter: &Painter,
    pos: Pos2,
    align: Align2,
    text: &str,
    size: f32,
    color: Color32,
) -> Rect {
    let shared = shared(painter.ctx());
    let mut guard = shared.lock().unwrap_or_else(PoisonError::into_inner);
    let BigText {
        font,
        entries,
        tick,
    } = &mut *guard;
    let ppp = painter.pixels_per_point();
    let px = (size * ppp).round().clamp(1.0, MAX_SIDE as f32) as u32;
    *tick += 1;
    let entry = match entries.entry((text.to_owned(), px)) {
        hash_map::Entry::Occupied(e) => e.into_mut(),
        hash_map::Entry::Vacant(e) => {
            let Some((image, dims)) = font.as_ref().and_then(|f| rasterise(f, text, px)) else {
                // No font or too wide: egui draws it (correct, only costlier in memory).
                let font = egui::FontId::new(size, super::theme::bold());
                return painter.text(pos, align, text, font, color);
            };
            let name = format!("big-text {px}px {text}");
            let tex = painter
                .ctx()
                .load_texture(name, image, TextureOptions::LINEAR);
            e.insert(Entry {
                tex,
                px: dims,
                last: 0,
            })
        }
    };
    entry.last = *tick;
    let rect = align.anchor_size(pos, vec2(entry.px[0] as f32, entry.px[1] as f32) / ppp);
    // On whole pixels, so the texture is drawn 1:1 and stays as sharp as egui's text.
    let min = (rect.min.to_vec2() * ppp).round() / ppp;
    let rect = Rect::from_min_size(min.to_pos2(), rect.size());
    let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
    painter.image(entry.tex.id(), rect, uv, color);
    while entries.len() > KEEP {
        let Some(oldest) = entries
            .iter()
            .min_by_key(|(_, e)| e.last)
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        // Dropping the handle frees the texture.
        entries.remove(&oldest);
    }
    rect
}

/// Textures the cache holds (for tests and diagnostics).
pub fn cached(ctx: &egui::Context) -> usize {
    shared(ctx).lock().map_or(0, |c| c.entries.len())
}

/// White text on transparent, premultiplied (tinted when drawn), the height of the font's line
/// (ascent to descent, so a changing value does not move up and down). None when too wide.
fn rasterise(font: &Font, text: &str, px: u32) -> Option<(ColorImage, [usize; 2])> {
    let m = font.metrics();
    let scale = px as f32 / font.upem;
    let (ascent, descent) = (m.ascent * scale, -m.descent * scale);
    let w = (font.width(text, px as f32).ceil() as usize + 2).max(1);
    let h = ((ascent + descent).ceil() as usize + 2).max(1);
    if w > MAX_SIDE || h > MAX_SIDE {
        return None;
    }
    let mut pixmap = tiny_skia::Pixmap::new(w as u32, h as u32)?;
    crate::report::png::draw_text(
        &mut pixmap,
        font,
        text,
        1.0,
        1.0 + ascent,
        px as f32,
        [255, 255, 255],
    );
    Some((
        ColorImage::from_rgba_premultiplied([w, h], pixmap.data()),
        [w, h],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run one pass of a context with a 1600 × 1000 screen, drawing with `draw`.
    fn pass(ctx: &egui::Context, draw: impl Fn(&Painter)) {
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1600.0, 1000.0))),
            ..Default::default()
        };
        let mut out = ctx.run_ui(input, |ui| {
            draw(ui.painter());
        });
        // No painter here: the texture uploads are dropped, as a backend would apply them.
        out.textures_delta.clear();
    }

    fn atlas_height(ctx: &egui::Context) -> usize {
        ctx.fonts(|f| f.font_image_size()[1])
    }

    fn context() -> egui::Context {
        let ctx = egui::Context::default();
        crate::ui::theme::install_fonts(&ctx);
        ctx
    }

    #[test]
    fn big_digits_stay_out_of_the_font_atlas() {
        let digits = "0123456789";
        let through_egui = context();
        pass(&through_egui, |p| {
            p.text(
                Pos2::new(800.0, 500.0),
                Align2::CENTER_CENTER,
                digits,
                egui::FontId::new(200.0, crate::ui::theme::bold()),
                Color32::WHITE,
            );
        });
        let here = context();
        pass(&here, |p| {
            paint(
                p,
                Pos2::new(800.0, 500.0),
                Align2::CENTER_CENTER,
                digits,
                200.0,
                Color32::WHITE,
            );
        });
        let (egui_h, here_h) = (atlas_height(&through_egui), atlas_height(&here));
        assert!(
            egui_h >= 256,
            "egui's atlas for 200-px digits: {egui_h} rows"
        );
        assert!(
            here_h * 2 <= egui_h,
            "atlas {here_h} rows here vs {egui_h} through egui"
        );
        assert_eq!(cached(&here), 1);
    }

    #[test]
    fn the_texture_holds_the_text_at_its_size() {
        let font = Font::new(crate::ui::theme::BOLD).expect("font");
        let (image, [w, h]) = rasterise(&font, "10", 100).expect("fits");
        assert_eq!(image.size, [w, h]);
        // As wide as the font says, one line high.
        let want_w = font.width("10", 100.0);
        assert!((w as f32 - want_w).abs() <= 3.0, "{w} px vs {want_w}");
        assert!((100..=160).contains(&h), "{h} px high");
        // Ink, white, with anti-aliased edges; transparent around.
        let alphas: Vec<u8> = image.pixels.iter().map(|c| c.a()).collect();
        assert!(alphas.iter().filter(|a| **a == 255).count() > w * h / 20);
        assert!(alphas.iter().any(|a| *a > 0 && *a < 255));
        assert_eq!(image.pixels[0].a(), 0);
        assert!(
            image
                .pixels
                .iter()
                .all(|c| c.r() == c.a() && c.g() == c.a())
        );
        // "1" is narrower than "0": the left half holds less ink than the right.
        let ink = |x0: usize, x1: usize| -> u64 {
            (0..h)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .map(|(x, y)| u64::from(alphas[y * w + x]))
                .sum()
        };
        assert!(ink(0, w / 2) < ink(w / 2, w));
    }

    #[test]
    fn a_text_is_rasterised_once_and_old_ones_are_let_go() {
        let ctx = context();
        for _ in 0..3 {
            pass(&ctx, |p| {
                paint(
                    p,
                    Pos2::new(100.0, 100.0),
                    Align2::LEFT_TOP,
                    "1:23",
                    104.0,
                    Color32::RED,
                );
            });
        }
        assert_eq!(cached(&ctx), 1);
        let textures = ctx.tex_manager().read().num_allocated();
        // A running clock: a new value each second; only the last few stay.
        for s in 0..40 {
            pass(&ctx, |p| {
                paint(
                    p,
                    Pos2::new(100.0, 100.0),
                    Align2::LEFT_TOP,
                    &format!("0:{s:02}"),
                    104.0,
                    Color32::RED,
                );
            });
        }
        assert_eq!(cached(&ctx), KEEP);
        let now = ctx.tex_manager().read().num_allocated();
        assert!(now <= textures + KEEP, "{now} textures (was {textures})");
    }

    #[test]
    fn the_texture_lands_on_whole_pixels() {
        let ctx = context();
        let drawn = std::cell::Cell::new(Rect::NOTHING);
        pass(&ctx, |p| {
            let at = Pos2::new(100.3, 100.6);
            drawn.set(paint(
                p,
                at,
                Align2::CENTER_CENTER,
                "7",
                80.0,
                Color32::WHITE,
            ));
        });
        let r = drawn.get();
        assert_eq!((r.min.x.fract(), r.min.y.fract()), (0.0, 0.0), "{r:?}");
        assert!(
            (r.center() - Pos2::new(100.3, 100.6)).length() <= 1.0,
            "{r:?}"
        );
    }

    #[test]
    fn a_text_too_wide_for_a_texture_is_drawn_by_egui() {
        let ctx = context();
        let long = "8".repeat(200);
        pass(&ctx, |p| {
            let r = paint(
                p,
                Pos2::new(0.0, 0.0),
                Align2::LEFT_TOP,
                &long,
                100.0,
                Color32::WHITE,
            );
            assert!(r.width() > 4096.0 / 2.0);
        });
        assert_eq!(cached(&ctx), 0);
    }
}
