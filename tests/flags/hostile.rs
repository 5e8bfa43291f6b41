//! Hostile flag files at import and export (issue 13): extreme aspect ratios, compressed and
//! entity-laden SVGs, `<use>` bombs, reserved export names, each refused with its reason while
//! the rest is still imported or exported. Shared helpers for `drawing`, `links` and `app`.

use crate::flags_support;

use courtside::flags::import::{self, ImportItem, ImportMsg, ImportRequest};
use courtside::flags::raster::{self, RasterError};
use courtside::flags::validate::{self, Rejection};
use courtside::flags::{FlagResolver, ImageFormat, ImportedFlag, ImportedFlagMeta, builtin, store};
use flags_support::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn import_items(t: &TestStore, items: Vec<ImportItem>) -> Vec<ImportMsg> {
    let resolver = FlagResolver::load(&t.store).unwrap();
    let msgs = std::cell::RefCell::new(Vec::new());
    let request = ImportRequest {
        items,
        allow_unknown: false,
    };
    import::run_import(&request, &resolver, &t.writer.sender(), &|m| {
        msgs.borrow_mut().push(m)
    });
    msgs.into_inner()
}

pub fn item(path: PathBuf) -> ImportItem {
    ImportItem { path, code: None }
}

pub fn rejection(msgs: &[ImportMsg], name: &str) -> String {
    msgs.iter()
        .find_map(|m| match m {
            ImportMsg::Rejected { path, reason } if path.ends_with(name) => {
                Some(reason.to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{name} not rejected: {msgs:#?}"))
}

pub fn imported_codes(msgs: &[ImportMsg]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            ImportMsg::Imported { code, .. } => Some(code.clone()),
            _ => None,
        })
        .collect()
}

/// An imported flag as a store written before these checks could hold it.
pub fn stored_flag(code: &str, format: ImageFormat, data: Vec<u8>, w: u32, h: u32) -> ImportedFlag {
    ImportedFlag {
        meta: ImportedFlagMeta {
            code: code.into(),
            source_name: format!("{code}.{}", format.extension()),
            format,
            bytes: data.len() as u64,
            width: w,
            height: h,
            imported_at_ns: 1,
        },
        data: data.into(),
    }
}

/// A gzip stream of `data` (what an `.svgz` file holds).
fn gzip(data: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[test]
fn a_4096_by_8_png_is_refused_at_import_with_the_aspect_reason() {
    let t = test_store();
    let kor = write(t.dir.path(), "KOR.png", &png(4096, 8));
    let msgs = import_items(&t, vec![item(kor)]);
    let reason = rejection(&msgs, "KOR.png");
    assert!(reason.contains("aspect ratio 512:1"), "{reason}");
    assert!(reason.contains("at most 4:1"), "{reason}");
    assert!(store::imported_flags(&t.store).unwrap().is_empty());
}

#[test]
fn aspect_ratios_beyond_4_to_1_either_way_are_refused_and_4_to_1_is_accepted() {
    let t = test_store();
    let d = t.dir.path();
    let svg_of = |w: u32, h: u32| {
        format!(r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}"><rect width="{w}" height="{h}" fill="#00a"/></svg>"##).into_bytes()
    };
    let msgs = import_items(
        &t,
        vec![
            item(write(d, "GER.svg", &svg_of(500, 100))),
            item(write(d, "FRA.png", &png(10, 50))),
            item(write(
                d,
                "ITA.jpg",
                &image_bytes(41, 10, image::ImageFormat::Jpeg),
            )),
            item(write(d, "KOR.svg", &svg_of(400, 100))),
            item(write(d, "JPN.png", &png(25, 100))),
        ],
    );
    assert!(rejection(&msgs, "GER.svg").contains("aspect ratio 5:1 (500×100 px)"));
    assert!(rejection(&msgs, "FRA.png").contains("aspect ratio 5:1 (10×50 px)"));
    assert!(rejection(&msgs, "ITA.jpg").contains("aspect ratio"));
    assert_eq!(imported_codes(&msgs), ["KOR", "JPN"]);
}

#[test]
fn gzip_compressed_svg_is_refused_at_import_and_not_drawn_from_an_old_store() {
    let t = test_store();
    // A valid SVG with a lot of whitespace, compressed: usvg would inflate it.
    let mut inner = br#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20">"#.to_vec();
    inner.extend(std::iter::repeat_n(b' ', 4 * 1024 * 1024));
    inner.extend(br##"<rect width="30" height="20" fill="#0a0"/></svg>"##);
    let usa = gzip(&inner);
    assert!(usa.len() < 64 * 1024, "compressed to {} bytes", usa.len());
    let path = write(t.dir.path(), "USA.svg", &usa);
    let msgs = import_items(&t, vec![item(path)]);
    assert!(rejection(&msgs, "USA.svg").contains("gzip-compressed SVG (svgz) is not accepted"));
    // Stored anyway (an old store): drawing refuses it too, before inflating anything.
    let err = raster::rasterise_data(ImageFormat::Svg, &usa, 192, 4096).unwrap_err();
    assert!(
        matches!(err, RasterError::Refused(Rejection::Compressed)),
        "{err}"
    );
}

#[test]
fn svg_with_a_doctype_or_entity_declaration_is_refused() {
    let t = test_store();
    let d = t.dir.path();
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><text>&c;</text></svg>"#;
    let doctype = br#"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"/>"#;
    let msgs = import_items(
        &t,
        vec![
            item(write(d, "KOR.svg", laughs)),
            item(write(d, "JPN.svg", doctype)),
        ],
    );
    assert!(rejection(&msgs, "KOR.svg").contains("declares a ENTITY"));
    assert!(rejection(&msgs, "JPN.svg").contains("declares a DOCTYPE"));
    let err = raster::rasterise_data(ImageFormat::Svg, laughs, 192, 4096).unwrap_err();
    assert!(
        matches!(err, RasterError::Refused(Rejection::Declaration(_))),
        "{err}"
    );
}

#[test]
fn a_nested_use_bomb_is_refused_at_import_without_being_expanded() {
    let t = test_store();
    // 9 levels of 10 copies: 10^9 rectangles once every <use> is copied in place.
    let mut svg = String::from(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><defs><rect id="l0" width="1" height="1"/>"#,
    );
    for level in 1..=9 {
        let uses = format!(r##"<use href="#l{}"/>"##, level - 1).repeat(10);
        svg.push_str(&format!(r#"<g id="l{level}">{uses}</g>"#));
    }
    svg.push_str(r##"</defs><use href="#l9"/></svg>"##);
    let started = Instant::now();
    let msgs = import_items(
        &t,
        vec![item(write(t.dir.path(), "USA.svg", svg.as_bytes()))],
    );
    let reason = rejection(&msgs, "USA.svg");
    assert!(reason.contains("too complex to draw safely"), "{reason}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn every_built_in_flag_passes_the_svg_checks_and_draws() {
    for (name, svg) in builtin::ASSETS {
        courtside::flags::svg_guard::check_svg_source(svg)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // The most detailed ones draw well within the time limit.
    for code in ["ESP", "MEX", "ECU", "SRB", "BRA"] {
        let image = FlagResolver::builtin_only().resolve(code).image.unwrap();
        let source = (image.format, image.data.clone());
        raster::rasterise_within(&source, 192, 4096, validate::RASTER_TIME_LIMIT)
            .unwrap_or_else(|e| panic!("{code}: {e}"));
    }
}

#[test]
fn export_of_a_reserved_device_name_is_refused_and_the_others_are_exported() {
    let t = test_store();
    let flags = vec![
        stored_flag("CON", ImageFormat::Png, png(30, 20), 30, 20),
        stored_flag("COM1", ImageFormat::Svg, svg(), 30, 20),
        stored_flag("KOR", ImageFormat::Png, png(30, 20), 30, 20),
    ];
    store::apply_and_wait(&t.writer.sender(), "flags", store::put_flags_op(flags)).unwrap();
    let out = t.dir.path().join("out");
    let report = courtside::flags::export::export_flags(&t.store, &out).unwrap();
    let line = |code: &str| {
        report
            .iter()
            .find(|(_, l)| l.contains(&format!("\"{code}\"")))
            .unwrap_or_else(|| panic!("{code}: {report:#?}"))
    };
    for code in ["CON", "COM1"] {
        let (ok, text) = line(code);
        assert!(!ok && text.contains("device name on Windows"), "{text}");
    }
    assert!(out.join("KOR.png").is_file());
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["KOR.png"]);
    let (ok, summary) = report.last().unwrap();
    assert!(
        !ok && summary.contains("exported 1 of 3 flags"),
        "{summary}"
    );
}
