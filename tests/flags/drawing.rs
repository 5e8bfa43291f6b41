//! Drawing untrusted flags (issue 13): a stored image beyond the import's limits is skipped and
//! reported by code, every drawing fits the GPU's texture limit, a slow SVG is drawn off the UI
//! thread (or abandoned past its time limit), and the report draws flags within the same bounds.

use crate::flags_support::*;
use crate::hostile::stored_flag;
use crate::wait::Repaints;
use courtside::flags::raster;
use courtside::flags::{FlagResolver, FlagTextureCache, ImageFormat};
use courtside::report::FlagBitmap;
use std::time::{Duration, Instant};

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

/// Copies per level of [`slow_svg`] for the tests: 16 blurred layers, accepted by the checks.
const SLOW_N: usize = 4;

#[test]
fn a_stored_4096_by_8_flag_is_not_drawn_and_the_failure_names_its_code() {
    let flag = stored_flag("KOR", ImageFormat::Png, png(4096, 8), 4096, 8);
    let resolver = FlagResolver::new(Default::default(), [("KOR".to_string(), flag)].into());
    let image = resolver.resolve("KOR").image.unwrap();
    let ctx = egui::Context::default();
    let repaints = Repaints::on(&ctx);
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
        repaints.wait(deadline, "a failure reported");
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
fn a_slow_svg_is_drawn_off_the_ui_thread_and_the_frame_returns_while_it_is_pending() {
    let svg = slow_svg(SLOW_N);
    // A file the checks accept: only the time limit stands between it and a frozen UI.
    courtside::flags::svg_guard::check_svg_source(&svg).unwrap();
    let flag = stored_flag("USA", ImageFormat::Svg, svg, 300, 200);
    let resolver = FlagResolver::new(Default::default(), [("USA".to_string(), flag)].into());
    let image = resolver.resolve("USA").image.unwrap();
    let ctx = egui::Context::default();
    let repaints = Repaints::on(&ctx);
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
    // A first frame without flags: egui's own start-up (fonts) is not what is measured.
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
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
        repaints.wait(deadline, "the slow SVG drawn");
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
    let repaints = Repaints::on(&ctx);
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
        repaints.wait(deadline, "the drawing abandoned");
    };
    assert_eq!(failures[0].code, "USA");
    assert!(
        failures[0].reason.contains("too slow to draw"),
        "{failures:?}"
    );
    assert!(failures[0].reason.contains("abandoned"), "{failures:?}");
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
