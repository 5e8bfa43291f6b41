//! PDF back end: a hand-written single-page PDF 1.7. Text uses the embedded Noto Sans as a
//! Type0/CIDFontType2 font with Identity-H glyph ids (any character the font has, not just
//! Latin-1), a width array for the glyphs used and a ToUnicode map so text can be searched and
//! copied. The font file is zlib-compressed (miniz_oxide, already in the tree); the page content
//! stays plain text so it is easy to inspect.

use super::font::Font;
use super::layout::{Item, PAGE_H, PAGE_W, layout};
use super::{MatchReport, ReportError, write_file};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Build the PDF bytes.
pub fn render_pdf(report: &MatchReport, font: &Font) -> Result<Vec<u8>, ReportError> {
    // glyph id → (advance in 1/1000 em, the character it stands for)
    let mut used: BTreeMap<u16, (f32, char)> = BTreeMap::new();
    let content = page_content(report, font, &mut used);
    let mut doc = Doc::default();
    // Flags are image objects 11 and up, numbered in the order present (the xref table needs
    // consecutive ids).
    let flags: Vec<(&str, &super::FlagBitmap)> = [("FlagB", &report.blue), ("FlagR", &report.red)]
        .into_iter()
        .filter_map(|(name, side)| side.flag.as_ref().map(|f| (name, f)))
        .collect();
    let xobjects: String = flags
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("/{name} {} 0 R ", 11 + i))
        .collect();
    let title = pdf_text_string(&format!("Match report {}", report.number));
    doc.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    doc.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
    doc.obj(
        3,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 5 0 R >> /XObject << {xobjects}>> >> /Contents 4 0 R >>"
        )
        .into_bytes(),
    );
    doc.stream(4, "", content.as_bytes());
    font_objects(&mut doc, font, &used);
    doc.obj(
        10,
        format!("<< /Title {title} /Producer (courtside) >>").into_bytes(),
    );
    for (i, (_, f)) in flags.iter().enumerate() {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&f.rgb, 6);
        let dict = format!(
            "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB \
             /BitsPerComponent 8 /Filter /FlateDecode",
            f.width, f.height
        );
        doc.stream(11 + i as u32, &dict, &packed);
    }
    Ok(doc.finish(10))
}

/// Objects 5–9: the Type0 font, its CID font, descriptor, font file and ToUnicode map.
fn font_objects(doc: &mut Doc, font: &Font, used: &BTreeMap<u16, (f32, char)>) {
    doc.obj(
        5,
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NotoSans-Regular /Encoding /Identity-H \
          /DescendantFonts [6 0 R] /ToUnicode 9 0 R >>"
            .to_vec(),
    );
    let mut widths = String::new();
    for (g, (w, _)) in used {
        // fmt::Write into a String cannot fail.
        let _ = write!(widths, "{g} [{}] ", w.round());
    }
    doc.obj(
        6,
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSans-Regular \
             /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 7 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>"
        )
        .into_bytes(),
    );
    let m = font.metrics();
    let k = 1000.0 / font.upem;
    doc.obj(
        7,
        format!(
            "<< /Type /FontDescriptor /FontName /NotoSans-Regular /Flags 32 \
             /FontBBox [{:.0} {:.0} {:.0} {:.0}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} \
             /CapHeight {:.0} /StemV 80 /FontFile2 8 0 R >>",
            m.bbox[0] * k,
            m.bbox[1] * k,
            m.bbox[2] * k,
            m.bbox[3] * k,
            m.ascent * k,
            m.descent * k,
            m.cap_height * k
        )
        .into_bytes(),
    );
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(font.data, 6);
    doc.stream(
        8,
        &format!("/Filter /FlateDecode /Length1 {}", font.data.len()),
        &packed,
    );
    doc.stream(9, "", to_unicode(used).as_bytes());
}

/// Write the report as a PDF file.
pub fn write_pdf(report: &MatchReport, path: &Path) -> Result<(), ReportError> {
    let font = Font::noto_sans()?;
    write_file(path, &render_pdf(report, &font)?)
}

/// The page content stream; records every glyph used.
fn page_content(
    report: &MatchReport,
    font: &Font,
    used: &mut BTreeMap<u16, (f32, char)>,
) -> String {
    let mut out = String::new();
    let rgb = |c: [u8; 3]| {
        format!(
            "{:.3} {:.3} {:.3}",
            f32::from(c[0]) / 255.0,
            f32::from(c[1]) / 255.0,
            f32::from(c[2]) / 255.0
        )
    };
    for item in layout(report) {
        match item {
            Item::Flag {
                x,
                y,
                w,
                h,
                athlete,
            } => {
                if report.side(athlete).flag.is_some() {
                    let name = if athlete == crate::protocol::Athlete::Blue {
                        "FlagB"
                    } else {
                        "FlagR"
                    };
                    // fmt::Write into a String cannot fail.
                    let _ = writeln!(
                        out,
                        "q {w:.2} 0 0 {h:.2} {x:.2} {:.2} cm /{name} Do Q",
                        PAGE_H - y - h
                    );
                }
            }
            Item::Rect { x, y, w, h, color } => {
                // fmt::Write into a String cannot fail.
                let _ = writeln!(
                    out,
                    "{} rg {x:.2} {:.2} {w:.2} {h:.2} re f",
                    rgb(color),
                    PAGE_H - y - h
                );
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
                let mut hex = String::new();
                for c in text.chars() {
                    let g = font.glyph(c);
                    // Noto Sans has fewer than 65 536 glyphs: ids fit the 2-byte Identity-H codes.
                    let id = u16::try_from(g.to_u32()).unwrap_or(0);
                    used.insert(id, (font.advance(g) * 1000.0 / font.upem, c));
                    // fmt::Write into a String cannot fail.
                    let _ = write!(hex, "{id:04X}");
                }
                // fmt::Write into a String cannot fail.
                let _ = writeln!(
                    out,
                    "BT /F1 {size:.2} Tf {} rg {left:.2} {:.2} Td <{hex}> Tj ET",
                    rgb(color),
                    PAGE_H - y
                );
            }
        }
    }
    out
}

/// A ToUnicode CMap for the glyphs used.
fn to_unicode(used: &BTreeMap<u16, (f32, char)>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().filter(|(g, _)| **g != 0).collect();
    for chunk in entries.chunks(100) {
        // fmt::Write into a String cannot fail.
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (g, (_, c)) in chunk {
            let mut utf16 = [0u16; 2];
            let units: String = c
                .encode_utf16(&mut utf16)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            // fmt::Write into a String cannot fail.
            let _ = writeln!(s, "<{g:04X}> <{units}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// A PDF text string in UTF-16BE hex (any character).
fn pdf_text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        // fmt::Write into a String cannot fail.
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

/// Objects with their byte offsets, for the cross-reference table.
#[derive(Default)]
struct Doc {
    bytes: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl Doc {
    fn start(&mut self) {
        if self.bytes.is_empty() {
            // The binary comment line tells transfer tools the file is binary.
            self.bytes
                .extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        }
    }

    fn obj(&mut self, id: u32, body: Vec<u8>) {
        self.start();
        self.offsets.push((id, self.bytes.len()));
        self.bytes
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.bytes.extend_from_slice(&body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: u32, dict: &str, data: &[u8]) {
        let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.obj(id, body);
    }

    fn finish(mut self, info: u32) -> Vec<u8> {
        self.offsets.sort();
        let xref = self.bytes.len();
        let n = self.offsets.len() + 1;
        let mut t = format!("xref\n0 {n}\n0000000000 65535 f \n");
        for (_, off) in &self.offsets {
            // fmt::Write into a String cannot fail.
            let _ = writeln!(t, "{off:010} 00000 n ");
        }
        // fmt::Write into a String cannot fail.
        let _ = write!(
            t,
            "trailer\n<< /Size {n} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        );
        self.bytes.extend_from_slice(t.as_bytes());
        self.bytes
    }
}
