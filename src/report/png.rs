//! Raster back end: the page drawn with tiny-skia (anti-aliased glyph outlines from skrifa),
//! as RGBA for an egui texture or encoded as PNG with the `image` crate.

use super::font::Font;
use super::layout::{Item, PAGE_H, PAGE_W, layout};
use super::{FlagBitmap, MatchReport, ReportError, write_file};
use skrifa::outline::OutlinePen;
use std::path::Path;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Transform};

/// An RGBA image of the page (straight alpha, opaque).
pub struct RgbaPage {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// `width * height * 4` bytes, row-major.
    pub pixels: Vec<u8>,
}

/// Render the page at `scale` pixels per point (2.0 ≈ 144 dpi, 1190 × 1684 px).
pub fn render_rgba(report: &MatchReport, font: &Font, scale: f32) -> Result<RgbaPage, ReportError> {
    let (w, h) = (
        (PAGE_W * scale).round() as u32,
        (PAGE_H * scale).round() as u32,
    );
    let mut pixmap =
        Pixmap::new(w, h).ok_or_else(|| ReportError::Render(format!("bad size {w}×{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    for item in layout(report) {
        match item {
            Item::Flag {
                x,
                y,
                w,
                h,
                athlete,
            } => {
                if let Some(f) = &report.side(athlete).flag {
                    draw_flag(&mut pixmap, f, [x, y, w, h].map(|v| v * scale));
                }
            }
            Item::Rect { x, y, w, h, color } => {
                if let Some(rect) = Rect::from_xywh(x * scale, y * scale, w * scale, h * scale) {
                    pixmap.fill_rect(rect, &paint(color), Transform::identity(), None);
                }
            }
            Item::Text {
                x,
                y,
                size,
                color,
                anchor,
                text,
            } => {
                let left = Item::text_left(x, anchor, font.width(&text, size));
                draw_text(
                    &mut pixmap,
                    font,
                    &text,
                    left * scale,
                    y * scale,
                    size * scale,
                    color,
                );
            }
        }
    }
    // The background is opaque white, so premultiplied and straight alpha are the same bytes.
    Ok(RgbaPage {
        width: w,
        height: h,
        pixels: pixmap.take(),
    })
}

/// Encode the page as PNG.
pub fn render_png(report: &MatchReport, font: &Font, scale: f32) -> Result<Vec<u8>, ReportError> {
    let page = render_rgba(report, font, scale)?;
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(
        encoder,
        &page.pixels,
        page.width,
        page.height,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| ReportError::Render(e.to_string()))?;
    Ok(out)
}

/// Write the report as a PNG file.
pub fn write_png(report: &MatchReport, path: &Path) -> Result<(), ReportError> {
    let font = Font::noto_sans()?;
    write_file(path, &render_png(report, &font, 2.0)?)
}

/// Draw a flag scaled into `[x, y, w, h]` (pixels), smoothly filtered.
fn draw_flag(pixmap: &mut Pixmap, f: &FlagBitmap, [x, y, w, h]: [f32; 4]) {
    let rgba: Vec<u8> = f
        .rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let Some(size) = tiny_skia::IntSize::from_wh(f.width, f.height) else {
        return;
    };
    let Some(src) = Pixmap::from_vec(rgba, size) else {
        return;
    };
    let paint = tiny_skia::PixmapPaint {
        quality: tiny_skia::FilterQuality::Bicubic,
        ..Default::default()
    };
    let (sx, sy) = (w / f.width as f32, h / f.height as f32);
    let t = Transform::from_row(sx, 0.0, 0.0, sy, x, y);
    pixmap.draw_pixmap(0, 0, src.as_ref(), &paint, t, None);
}

fn paint(color: [u8; 3]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(color[0], color[1], color[2], 255);
    p.anti_alias = true;
    p
}

/// Fill `text` at `px` pixels per em, baseline at (`x`, `baseline`), anti-aliased.
pub(crate) fn draw_text(
    pixmap: &mut Pixmap,
    font: &Font,
    text: &str,
    x: f32,
    baseline: f32,
    px: f32,
    color: [u8; 3],
) {
    let mut pen = Pen {
        path: PathBuilder::new(),
        x,
        y: baseline,
    };
    for c in text.chars() {
        let g = font.glyph(c);
        font.outline(g, px, &mut pen);
        pen.x += font.advance(g) * px / font.upem;
    }
    if let Some(path) = pen.path.finish() {
        pixmap.fill_path(
            &path,
            &paint(color),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}

/// Collects glyph outlines (y up, baseline origin) into one page path (y down).
struct Pen {
    path: PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.x + x, self.y - y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.x + x, self.y - y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.path
            .quad_to(self.x + cx0, self.y - cy0, self.x + x, self.y - y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.path.cubic_to(
            self.x + cx0,
            self.y - cy0,
            self.x + cx1,
            self.y - cy1,
            self.x + x,
            self.y - y,
        );
    }
    fn close(&mut self) {
        self.path.close();
    }
}
