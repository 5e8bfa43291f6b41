//! Match report from stored events: the model, PNG and PDF output; per-match JSON/CSV export
//! whose file contents match the store.

use courtside::export::{ExportFormat, export_match_to_file};
use courtside::flags;
use courtside::protocol::{Athlete, parse_datagram};
use courtside::report::font::Font;
use courtside::report::{MatchReport, ReportError, pdf, png};
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::time::Instant;

const MATCH: &str = "pre;FightLoaded;
at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MØREAU;Lucas MØREAU;FRA;
mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1;
rnd;1;
hl1;72;
pt1;2;
s11;2;s21;0;s12;0;s22;0;s13;0;s23;0;
sc1;2;sc2;0;
hl2;35;
wg2;1;
ch2;
ch2;1;
ch2;1;0;
wrd;rd1;1;rd2;0;rd3;0;
rnd;2;
hl2;88;
pt2;5;
hl2;91;
pt2;3;
s11;2;s21;0;s12;0;s22;9;s13;0;s23;0;
sc1;2;sc2;9;
ch1;
ch1;0;
wrd;rd1;1;rd2;2;rd3;0;
rnd;3;
hl1;100;
pt1;3;
pt1;1;
s11;2;s21;0;s12;0;s22;9;s13;7;s23;0;
sc1;11;sc2;9;
wrd;rd1;1;rd2;2;rd3;1;
ch0;
win;BLUE;
wmh;Kenji TANAKA;2-1 PTF;
";

fn stored_match() -> (tempfile::TempDir, Store, u64) {
    stored_match_with(MATCH, None)
}

/// A store holding `text` as one match, after an optional flag mapping `from → to`.
fn stored_match_with(text: &str, mapping: Option<(&str, &str)>) -> (tempfile::TempDir, Store, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let tx = writer.sender();
    if let Some((from, to)) = mapping {
        let op =
            flags::store::set_mapping_op(from.into(), Some(to.into()), "test".into(), now_ns());
        flags::store::apply_and_wait(&tx, "mapping", op).expect("mapping");
    }
    for line in text.lines() {
        let raw = format!("{line}\n").into_bytes();
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:6000".into(),
            court: "Court 1".into(),
            events: parse_datagram(&raw),
            raw,
        });
        tx.send(req).expect("send");
    }
    drop(tx); // the writer stops once every sender is gone
    writer.shutdown();
    let key = store.matches().expect("matches")[0].key;
    (dir, store, key)
}

#[test]
fn report_model_from_stored_events() {
    let (_dir, store, key) = stored_match();
    let r = MatchReport::load(&store, key).expect("report");
    assert_eq!(r.number, "204");
    assert_eq!(r.blue.name, "Kenji TANAKA");
    assert_eq!(r.red.country, "FRA");
    assert_eq!((r.blue.score, r.red.score), (11, 9));
    assert_eq!(r.blue.round_scores, [2, 0, 7]);
    assert_eq!(r.red.round_scores, [0, 9, 0]);
    assert_eq!(r.round_winners, [1, 2, 1]);
    assert_eq!(
        (r.blue.points.body, r.blue.points.head, r.blue.points.punch),
        (1, 1, 1)
    );
    assert_eq!((r.red.points.tech_head, r.red.points.head), (1, 1));
    assert_eq!(r.red.penalties, 1);
    let levels: Vec<(Athlete, u32, u32)> = r
        .hits
        .iter()
        .map(|h| (h.athlete, h.level, h.round))
        .collect();
    assert_eq!(
        levels,
        [
            (Athlete::Blue, 72, 1),
            (Athlete::Red, 35, 1),
            (Athlete::Red, 88, 2),
            (Athlete::Red, 91, 2),
            (Athlete::Blue, 100, 3)
        ]
    );
    let ch: Vec<(&str, &str, u32)> = r
        .challenges
        .iter()
        .map(|c| (c.by.as_str(), c.outcome.as_str(), c.round))
        .collect();
    assert_eq!(
        ch,
        [
            ("red", "lost", 1),
            ("blue", "rejected", 2),
            ("referee", "pending", 3)
        ]
    );
    assert_eq!(r.winner, Some(Athlete::Blue));
    assert_eq!(r.decision.as_deref(), Some("2-1 PTF"));
    assert!(matches!(
        MatchReport::load(&store, 999_999),
        Err(ReportError::NoSuchMatch(_))
    ));
}

/// Count pixels close to a colour.
fn count_color(img: &image::RgbaImage, c: [u8; 3]) -> usize {
    img.pixels()
        .filter(|p| (0..3).all(|i| (i32::from(p[i]) - i32::from(c[i])).abs() < 8))
        .count()
}

#[test]
fn png_shows_the_bars_and_text() {
    let (dir, store, key) = stored_match();
    let font = Font::noto_sans().expect("font");
    let r = MatchReport::load(&store, key).expect("report");
    let bytes = png::render_png(&r, &font, 1.0).expect("png");
    assert_eq!(
        png::render_png(&r, &font, 1.0).expect("png"),
        bytes,
        "deterministic"
    );
    let img = image::load_from_memory(&bytes).expect("decode").to_rgba8();
    assert_eq!(img.dimensions(), (595, 842));
    // Without hits and points the coloured area shrinks: the bars are drawn from the data.
    let mut empty = r.clone();
    empty.hits.clear();
    empty.blue.points = Default::default();
    let img_empty = image::load_from_memory(&png::render_png(&empty, &font, 1.0).expect("png"))
        .expect("decode")
        .to_rgba8();
    let blue = courtside::report::layout::BLUE;
    assert!(count_color(&img, blue) > count_color(&img_empty, blue) + 200);
    // Text is drawn: dark ink pixels under the title.
    let ink = (30..70).flat_map(|y| (48..300).map(move |x| (x, y)));
    assert!(ink.filter(|(x, y)| img.get_pixel(*x, *y)[0] < 100).count() > 200);
    let path = dir.path().join("report.png");
    png::write_png(&r, &path).expect("write");
    let big = image::open(&path).expect("open").to_rgba8();
    assert_eq!(big.dimensions(), (1190, 1684));
    if let Ok(out) = std::env::var("COURTSIDE_REPORT_OUT") {
        std::fs::copy(&path, format!("{out}.png")).expect("copy");
        pdf::write_pdf(&r, std::path::Path::new(&format!("{out}.pdf"))).expect("pdf");
    }
}

#[test]
fn pdf_is_well_formed_with_embedded_font_and_text() {
    let (dir, store, key) = stored_match();
    let font = Font::noto_sans().expect("font");
    let r = MatchReport::load(&store, key).expect("report");
    let bytes = pdf::render_pdf(&r, &font).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-1.7\n"));
    assert!(bytes.ends_with(b"%%EOF\n"));
    let text = String::from_utf8_lossy(&bytes);
    // Every xref offset points at its object (the xref part is ASCII; the font is binary).
    let tail_at = bytes.len() - 40;
    let tail = String::from_utf8_lossy(&bytes[tail_at..]);
    let xref_at: usize = tail
        .rsplit("startxref\n")
        .next()
        .and_then(|s| s.lines().next())
        .and_then(|s| s.parse().ok())
        .expect("startxref");
    let xref = std::str::from_utf8(&bytes[xref_at..]).expect("ascii xref");
    // 10 objects, plus the two flags (images 11 and 12).
    assert!(xref.starts_with("xref\n0 13\n"));
    for (i, line) in xref.lines().skip(3).take(12).enumerate() {
        let off: usize = line[..10].parse().expect("offset");
        let head = format!("{} 0 obj", i + 1);
        assert!(
            bytes[off..].starts_with(head.as_bytes()),
            "object {}",
            i + 1
        );
    }
    // The athlete names are in the content as glyph ids of the embedded font (Ø included).
    let hex: String = "Lucas MØREAU"
        .chars()
        .map(|c| format!("{:04X}", font.glyph(c).to_u32()))
        .collect();
    assert!(text.contains(&format!("<{hex}> Tj")), "name drawn");
    assert!(font.glyph('Ø').to_u32() != 0, "the font has Ø");
    assert!(text.contains("/FontFile2 8 0 R") && text.contains("/Identity-H"));
    assert!(
        text.contains("beginbfchar"),
        "ToUnicode map for copy/search"
    );
    let path = dir.path().join("report.pdf");
    pdf::write_pdf(&r, &path).expect("write");
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}

#[test]
fn export_file_matches_the_store() {
    let (dir, store, key) = stored_match();
    let events = store.match_events(key).expect("events");
    let json_path = dir.path().join("m.json");
    let n = export_match_to_file(&store, key, ExportFormat::Json, &json_path).expect("json");
    assert_eq!(n, events.len() as u64);
    let parsed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).expect("read")).expect("valid json");
    // Each record against the store's own fields (the full format is pinned by hand in
    // export_pinned.rs).
    let records = parsed.as_array().expect("an array");
    assert_eq!(records.len(), events.len());
    for (r, e) in records.iter().zip(&events) {
        assert_eq!(r["seq"], e.seq);
        assert_eq!(r["received_at_ns"], e.received_at_ns);
        assert_eq!(
            (&r["source"], &r["court"]),
            (&e.source.as_str().into(), &e.court.as_str().into())
        );
        assert_eq!(r["match_key"], key);
        assert_eq!(r["raw"].as_str().map(str::as_bytes), Some(&e.raw[..]));
        let codes: Vec<&str> = (r["events"].as_array().expect("events").iter())
            .map(|v| v["code"].as_str().expect("code"))
            .collect();
        let stored: Vec<String> = e.events.iter().map(|ev| ev.code()).collect();
        assert_eq!(codes, stored);
    }
    let csv_path = dir.path().join("m.csv");
    export_match_to_file(&store, key, ExportFormat::Csv, &csv_path).expect("csv");
    let csv = std::fs::read_to_string(&csv_path).expect("read");
    let rows = parse_csv(&csv);
    let total: usize = events.iter().map(|e| e.events.len()).sum();
    assert_eq!(rows.len(), 1 + total, "header + one row per event");
    let first_seqs: Vec<u64> = rows[1..]
        .iter()
        .map(|r| r[0].parse().expect("seq"))
        .collect();
    let expected_seqs: Vec<u64> = events
        .iter()
        .flat_map(|e| e.events.iter().map(|_| e.seq))
        .collect();
    assert_eq!(first_seqs, expected_seqs);
    // The raw column holds the exact datagram text, newline included.
    let raws: Vec<&str> = rows[1..].iter().map(|r| r[9].as_str()).collect();
    let expected_raws: Vec<String> = events
        .iter()
        .flat_map(|e| {
            e.events
                .iter()
                .map(|_| String::from_utf8_lossy(&e.raw).into_owned())
        })
        .collect();
    assert_eq!(raws, expected_raws);
    // A folder that does not exist: a clear error and no partial file.
    let bad = dir.path().join("missing").join("m.json");
    let e = export_match_to_file(&store, key, ExportFormat::Json, &bad).expect_err("no folder");
    assert!(e.to_string().contains("m.json"), "{e}");
}

/// A small RFC 4180 reader (quoted fields may hold commas, quotes and newlines).
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = s
        .strip_prefix('\u{FEFF}')
        .expect("a CSV export starts with a UTF-8 BOM")
        .chars()
        .peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn flags_are_drawn_in_png_and_embedded_in_pdf() {
    let (_dir, store, key) = stored_match();
    let font = Font::noto_sans().expect("font");
    let r = MatchReport::load(&store, key).expect("report");
    let (jpn, fra) = (
        r.blue.flag.as_ref().expect("JPN flag"),
        r.red.flag.as_ref().expect("FRA flag"),
    );
    assert_eq!(jpn.rgb.len() as u32, jpn.width * jpn.height * 3);
    assert!(fra.width > fra.height, "flags keep their aspect");
    // The flag sits before the country code in the blue box (x 58..82, y 126..142 at scale 1):
    // Japan's red disc is there, a colour found nowhere else in the blue box.
    let img = image::load_from_memory(&png::render_png(&r, &font, 2.0).expect("png"))
        .expect("decode")
        .to_rgba8();
    let disc = (2 * 58..2 * 82)
        .flat_map(|x| (2 * 126..2 * 142).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let p = img.get_pixel(x, y);
            p[0] > 160 && p[1] < 90 && p[2] < 110
        })
        .count();
    assert!(disc > 100, "red disc pixels: {disc}");
    let mut flagless = r.clone();
    flagless.blue.flag = None;
    let img2 = image::load_from_memory(&png::render_png(&flagless, &font, 2.0).expect("png"))
        .expect("decode")
        .to_rgba8();
    assert_ne!(img, img2);
    // PDF: two image objects, each drawn once.
    let bytes = pdf::render_pdf(&r, &font).expect("pdf");
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(text.matches("/Subtype /Image").count(), 2);
    assert!(text.contains("/FlagB Do") && text.contains("/FlagR Do"));
    let only_red = pdf::render_pdf(&flagless, &font).expect("pdf");
    let only_red = String::from_utf8_lossy(&only_red);
    assert_eq!(only_red.matches("/Subtype /Image").count(), 1);
    assert!(!only_red.contains("/FlagB"));
}

#[test]
fn the_report_shows_the_mapped_flag_of_a_stored_mapping() {
    // The scoring system sends ISO alpha-3 HRV; the operator mapped it to the IOC's CRO.
    let text = MATCH.replace(";JPN;", ";HRV;");
    let croatia = flags::FlagResolver::builtin_only();
    let croatia = courtside::report::FlagBitmap::for_code(&croatia, "CRO").expect("CRO flag");
    let (_dir, store, key) = stored_match_with(&text, Some(("HRV", "CRO")));
    let r = MatchReport::load(&store, key).expect("report");
    assert_eq!(r.blue.country, "HRV", "the report keeps the code received");
    assert_eq!(r.blue.flag.as_ref(), Some(&croatia), "Croatia's flag");
    // Without the mapping HRV has no flag (ISO codes are never guessed).
    let (_dir2, store2, key2) = stored_match_with(&text, None);
    let r2 = MatchReport::load(&store2, key2).expect("report");
    assert_eq!(r2.blue.flag, None);
    assert!(r2.red.flag.is_some(), "FRA is unaffected");
}
