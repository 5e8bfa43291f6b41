//! Hostile flag files (issue 13): extreme aspect ratios, compressed and entity-laden SVGs,
//! `<use>` bombs, slow drawings, links in dropped folders, reserved export names. Each is
//! refused with its reason or drawn within bounds; none stops the app or an import.

use crate::flags_support;

use courtside::flags::import::{self, ImportItem, ImportMsg, ImportRequest};
use courtside::flags::raster::{self, RasterError};
use courtside::flags::validate::{self, Rejection};
use courtside::flags::{
    FlagResolver, FlagTextureCache, ImageFormat, ImportedFlag, ImportedFlagMeta, builtin, store,
};
use courtside::report::FlagBitmap;
use flags_support::*;
use std::path::{Path, PathBuf};
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

fn item(path: PathBuf) -> ImportItem {
    ImportItem { path, code: None }
}

fn rejection(msgs: &[ImportMsg], name: &str) -> String {
    msgs.iter()
        .find_map(|m| match m {
            ImportMsg::Rejected { path, reason } if path.ends_with(name) => {
                Some(reason.to_string())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("{name} not rejected: {msgs:#?}"))
}

fn imported_codes(msgs: &[ImportMsg]) -> Vec<String> {
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

/// `n`×`n` filtered full-size rectangles through two levels of `<use>`: within the limits for
/// small `n`, but every copy is blurred over the whole picture, so drawing takes a while — a
/// slow but legitimate file.
pub fn slow_svg(n: usize) -> Vec<u8> {
    let uses = |id: &str| format!(r##"<use href="#{id}"/>"##).repeat(n);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" viewBox="0 0 300 200"><defs><filter id="f" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="20"/></filter><rect id="r" width="300" height="200" fill="#a00" opacity="0.05" filter="url(#f)"/><g id="a">{}</g></defs><g>{}</g></svg>"##,
        uses("r"),
        uses("a")
    )
    .into_bytes()
}

/// Copies per level of [`slow_svg`] for the tests: 36 blurred layers, accepted by the checks.
const SLOW_N: usize = 6;

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
fn a_stored_4096_by_8_flag_is_not_drawn_and_the_failure_names_its_code() {
    let flag = stored_flag("KOR", ImageFormat::Png, png(4096, 8), 4096, 8);
    let resolver = FlagResolver::new(Default::default(), [("KOR".to_string(), flag)].into());
    let image = resolver.resolve("KOR").image.unwrap();
    let ctx = egui::Context::default();
    let mut cache = FlagTextureCache::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut failures = Vec::new();
    while failures.is_empty() {
        assert!(Instant::now() < deadline, "no failure reported");
        let mut out = ctx.run_ui(Default::default(), |ui| {
            // The match panel's size: 36 points (an 18432 px wide texture before the fix).
            assert!(cache.texture(ui.ctx(), &image, 36).is_none());
        });
        out.textures_delta.clear();
        failures = cache.take_failures();
        std::thread::yield_now();
    }
    assert_eq!(failures[0].code, "KOR");
    assert!(
        failures[0].reason.contains("aspect ratio 512:1"),
        "{failures:?}"
    );
    assert_eq!(cache.stats().textures, 0);
    // Reported once, not every frame.
    let mut out = ctx.run_ui(Default::default(), |ui| {
        assert!(cache.texture(ui.ctx(), &image, 36).is_none());
    });
    out.textures_delta.clear();
    assert!(cache.take_failures().is_empty());
}

#[test]
fn every_drawing_fits_the_gpu_texture_limit_at_any_requested_height() {
    let ctx = egui::Context::default();
    let max_side = ctx.input(|i| i.max_texture_side) as u32;
    // 4:1 is accepted; asked 1024 px tall it would be 4096 wide.
    let wide = br##"<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100"><rect width="400" height="100" fill="#00a"/></svg>"##;
    for (format, data) in [
        (ImageFormat::Svg, wide.to_vec()),
        (ImageFormat::Png, png(400, 100)),
        (ImageFormat::Png, png(100, 400)),
    ] {
        for height in [1, 36, 192, 1024, 100_000] {
            let img = raster::rasterise_data(format, &data, height, max_side).unwrap();
            let [w, h] = img.size;
            assert!(
                w as u32 <= max_side && h as u32 <= max_side,
                "{format:?} at {height}: {w}×{h} > {max_side}"
            );
        }
    }
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
fn a_slow_svg_is_drawn_off_the_ui_thread_and_the_frame_returns_while_it_is_pending() {
    let svg = slow_svg(SLOW_N);
    // A file the checks accept: only the time limit stands between it and a frozen UI.
    courtside::flags::svg_guard::check_svg_source(&svg).unwrap();
    let flag = stored_flag("USA", ImageFormat::Svg, svg, 300, 200);
    let resolver = FlagResolver::new(Default::default(), [("USA".to_string(), flag)].into());
    let image = resolver.resolve("USA").image.unwrap();
    let ctx = egui::Context::default();
    let mut cache =
        FlagTextureCache::with_limits(Duration::from_millis(8), Duration::from_secs(60));
    let frame = |cache: &mut FlagTextureCache| {
        let started = Instant::now();
        let mut tex = None;
        let mut out = ctx.run_ui(Default::default(), |ui| {
            tex = cache.texture(ui.ctx(), &image, 192);
        });
        out.textures_delta.clear();
        (tex, started.elapsed())
    };
    let drawing = Instant::now();
    let (first, first_frame) = frame(&mut cache);
    assert!(first.is_none(), "placeholder while the drawing runs");
    assert_eq!(cache.stats().pending, 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    let tex = loop {
        assert!(
            Instant::now() < deadline,
            "never drawn: {:?}",
            cache.stats()
        );
        if let (Some(t), _) = frame(&mut cache) {
            break t;
        }
        std::thread::yield_now();
    };
    let took = drawing.elapsed();
    eprintln!("slow SVG: first frame {first_frame:?}, drawn after {took:?}");
    // The frame did not wait for the drawing.
    assert!(
        first_frame * 4 < took,
        "frame {first_frame:?}, drawing {took:?}"
    );
    assert_eq!(tex.size(), [288, 192]);
    assert!(cache.take_failures().is_empty());
}

#[test]
fn a_drawing_over_its_time_limit_is_abandoned_and_reported_with_the_code() {
    let flag = stored_flag("USA", ImageFormat::Svg, slow_svg(SLOW_N), 300, 200);
    let resolver = FlagResolver::new(Default::default(), [("USA".to_string(), flag)].into());
    let image = resolver.resolve("USA").image.unwrap();
    let ctx = egui::Context::default();
    let mut cache =
        FlagTextureCache::with_limits(Duration::from_millis(8), Duration::from_millis(20));
    let deadline = Instant::now() + Duration::from_secs(30);
    let failures = loop {
        assert!(
            Instant::now() < deadline,
            "not abandoned: {:?}",
            cache.stats()
        );
        let mut out = ctx.run_ui(Default::default(), |ui| {
            assert!(cache.texture(ui.ctx(), &image, 192).is_none());
        });
        out.textures_delta.clear();
        let f = cache.take_failures();
        if !f.is_empty() {
            break f;
        }
        std::thread::yield_now();
    };
    assert_eq!(failures[0].code, "USA");
    assert!(
        failures[0].reason.contains("too slow to draw"),
        "{failures:?}"
    );
    assert!(failures[0].reason.contains("abandoned"), "{failures:?}");
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
fn the_report_draws_a_4_to_1_flag_bounded_and_leaves_a_512_to_1_one_out() {
    let flags = [
        stored_flag("KOR", ImageFormat::Png, png(4096, 8), 4096, 8),
        stored_flag("JPN", ImageFormat::Png, png(400, 100), 400, 100),
    ];
    let resolver = FlagResolver::new(
        Default::default(),
        flags.map(|f| (f.meta.code.clone(), f)).into(),
    );
    assert_eq!(FlagBitmap::for_code(&resolver, "KOR"), None);
    let jpn = FlagBitmap::for_code(&resolver, "JPN").unwrap();
    assert_eq!((jpn.width, jpn.height), (384, 96));
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

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    fn folder(t: &TestStore) -> PathBuf {
        let d = t.dir.path().join("drop");
        std::fs::create_dir_all(&d).unwrap();
        write(&d, "KOR.png", &png(30, 20));
        d
    }

    fn is_link_refusal(reason: &str) {
        assert!(
            reason.contains("symbolic link; links are not followed"),
            "{reason}"
        );
    }

    #[test]
    fn folder_import_does_not_follow_a_link_to_a_file_outside_the_folder() {
        let t = test_store();
        let d = folder(&t);
        let outside = write(t.dir.path(), "secret.png", &png(30, 20));
        symlink(&outside, d.join("JPN.png")).unwrap();
        let msgs = import_items(&t, vec![item(d)]);
        is_link_refusal(&rejection(&msgs, "JPN.png"));
        assert_eq!(imported_codes(&msgs), ["KOR"]);
    }

    #[test]
    fn a_symlink_loop_in_a_dropped_folder_ends_and_each_file_is_imported_once() {
        let t = test_store();
        let d = folder(&t);
        symlink(&d, d.join("loop")).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        symlink(&d, d.join("sub").join("back")).unwrap();
        let msgs = import_items(&t, vec![item(d)]);
        is_link_refusal(&rejection(&msgs, "loop"));
        is_link_refusal(&rejection(&msgs, "back"));
        assert_eq!(imported_codes(&msgs), ["KOR"]);
        let rejected = msgs
            .iter()
            .filter(|m| matches!(m, ImportMsg::Rejected { .. }))
            .count();
        assert_eq!(rejected, 2, "{msgs:#?}");
    }

    #[test]
    fn a_flag_linked_to_dev_zero_is_refused_not_read_forever() {
        let t = test_store();
        let d = folder(&t);
        symlink(Path::new("/dev/zero"), d.join("USA.svg")).unwrap();
        // In a folder: a link, not followed.
        let msgs = import_items(&t, vec![item(d.clone())]);
        is_link_refusal(&rejection(&msgs, "USA.svg"));
        // Named directly (the operator picked it): followed, and refused as a device.
        let msgs = import_items(&t, vec![item(d.join("USA.svg"))]);
        let reason = rejection(&msgs, "USA.svg");
        assert!(reason.contains("not a regular file"), "{reason}");
    }

    #[test]
    fn folder_walk_stops_at_the_file_cap() {
        let t = test_store();
        let d = t.dir.path().join("many");
        std::fs::create_dir_all(&d).unwrap();
        for i in 0..=import::MAX_FOLDER_FILES {
            std::fs::write(d.join(format!("{i:05}.txt")), b"").unwrap();
        }
        let msgs = import_items(&t, vec![item(d)]);
        let reason = rejection(&msgs, "many");
        assert!(reason.contains("more than 2000 files"), "{reason}");
        assert!(imported_codes(&msgs).is_empty());
    }
}
