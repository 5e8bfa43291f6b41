//! The report font (Noto Sans, embedded): glyph lookup, advances and outlines through skrifa
//! (already in the tree through epaint), so the PNG and the PDF place text identically.

use super::ReportError;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, GlyphId, MetadataProvider};

/// Noto Sans Regular (SIL OFL, see fonts/LICENSE-OFL.txt).
pub const NOTO_SANS: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");

/// A parsed font.
pub struct Font<'a> {
    font: FontRef<'a>,
    /// Raw font file (embedded in PDFs).
    pub data: &'a [u8],
    /// Font units per em.
    pub upem: f32,
}

/// Font-wide metrics in font units.
#[derive(Debug, Clone, Copy)]
pub struct FontMetrics {
    /// Ascender.
    pub ascent: f32,
    /// Descender (negative).
    pub descent: f32,
    /// Cap height.
    pub cap_height: f32,
    /// Bounding box `[x_min, y_min, x_max, y_max]`.
    pub bbox: [f32; 4],
}

impl<'a> Font<'a> {
    /// Parse a TrueType/OpenType font.
    pub fn new(data: &'a [u8]) -> Result<Font<'a>, ReportError> {
        let font = FontRef::new(data).map_err(|e| ReportError::Font(e.to_string()))?;
        let upem = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        Ok(Font {
            font,
            data,
            upem: upem.max(1.0),
        })
    }

    /// The embedded Noto Sans.
    pub fn noto_sans() -> Result<Font<'static>, ReportError> {
        Font::new(NOTO_SANS)
    }

    /// Font-wide metrics.
    pub fn metrics(&self) -> FontMetrics {
        let m = self.font.metrics(Size::unscaled(), LocationRef::default());
        let bbox = m.bounds.map_or([0.0, m.descent, self.upem, m.ascent], |b| {
            [b.x_min, b.y_min, b.x_max, b.y_max]
        });
        FontMetrics {
            ascent: m.ascent,
            descent: m.descent,
            cap_height: m.cap_height.unwrap_or(m.ascent * 0.7),
            bbox,
        }
    }

    /// Glyph of a character (`.notdef`, id 0, when the font lacks it).
    pub fn glyph(&self, c: char) -> GlyphId {
        self.font.charmap().map(c).unwrap_or(GlyphId::new(0))
    }

    /// Advance of a glyph in font units.
    pub fn advance(&self, g: GlyphId) -> f32 {
        self.font
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(g)
            .unwrap_or(0.0)
    }

    /// Width of a text at `size` (same units as `size`).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / self.upem
    }

    /// Draw a glyph's outline at `size` pixels per em into `pen` (y up, origin on the baseline).
    pub fn outline(&self, g: GlyphId, size: f32, pen: &mut impl OutlinePen) {
        if let Some(glyph) = self.font.outline_glyphs().get(g) {
            let settings = DrawSettings::unhinted(Size::new(size), LocationRef::default());
            // A glyph that fails to draw is left blank rather than failing the whole report.
            let _ = glyph.draw(settings, pen);
        }
    }
}
