//! Flags panel (egui_kittest): files dropped onto the window are imported and the grid updates;
//! the texture cache rasterises once per image and size.

use crate::flags_support;
use crate::wait::Repaints;

use courtside::flags::{FlagImage, FlagResolver, FlagTextureCache, FlagsService, no_waker};
use courtside::ui::flags::{FlagsPanel, flags_ui, handle_dropped_files};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flags_support::*;

use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the App would own for the flags panel.
struct FlagsApp {
    panel: FlagsPanel,
    service: FlagsService,
    cache: FlagTextureCache,
}

/// One frame as the App runs it: drain workers, take drops, draw, then run the intents.
fn frame(ui: &mut egui::Ui, app: &mut FlagsApp) {
    app.service.poll();
    if let Some(intent) = handle_dropped_files(ui.ctx()) {
        app.service.execute(intent);
    }
    let intents = flags_ui(ui, &mut app.panel, app.service.state(), &mut app.cache);
    for intent in intents {
        app.service.execute(intent);
    }
}

/// Step the harness until `done` holds, failing after a deadline (workers run on threads);
/// between frames it blocks until a repaint is asked for or a frame wait passes.
fn step_until(
    harness: &mut Harness<'_, FlagsApp>,
    what: &str,
    done: impl Fn(&Harness<'_, FlagsApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let repaints = Repaints::on(&harness.ctx);
    while !done(harness) {
        harness.step();
        if !done(harness) {
            repaints.wait(deadline, what);
        }
    }
}

fn count_label(harness: &Harness<'_, FlagsApp>, label: &str) -> usize {
    harness.query_all_by_label(label).count()
}

#[test]
fn dropping_files_on_the_window_imports_them_and_the_grid_updates() {
    let t = test_store();
    let service = FlagsService::new(t.store.clone(), t.writer.sender(), no_waker());
    let mut panel = FlagsPanel::default();
    panel.search = "kor".into();
    let app = FlagsApp {
        panel,
        service,
        cache: FlagTextureCache::new(),
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1000.0, 800.0))
        .build_ui_state(frame, app);
    step_until(&mut harness, "the first snapshot", |h| {
        h.state().service.state().generation > 0
    });
    harness.step();
    // "kor" matches KOR and PRK ("…Republic of Korea").
    assert_eq!(count_label(&harness, "built-in"), 2, "before the drop");
    assert_eq!(count_label(&harness, "imported"), 0);

    let good = write(t.dir.path(), "KOR.png", &png(60, 40));
    let bad = write(t.dir.path(), "GER.png", b"not a png");
    let input = harness.input_mut();
    input.dropped_files.push(Arc::new(TestDrop(good)));
    input.dropped_files.push(Arc::new(TestDrop(bad)));
    step_until(&mut harness, "the grid to show KOR imported", |h| {
        count_label(h, "imported") == 1
    });
    assert_eq!(count_label(&harness, "built-in"), 1, "PRK still built-in");
    step_until(&mut harness, "the import report", |h| {
        h.query_by_label_contains("GER.png: not a readable image")
            .is_some()
    });
    assert!(
        harness
            .query_by_label_contains("KOR.png: imported as KOR")
            .is_some()
    );

    // Revert from the preview puts the built-in flag back.
    harness.get_by_label("KOR").click();
    harness.step();
    harness.get_by_label("Revert to built-in").click();
    step_until(&mut harness, "the revert", |h| {
        count_label(h, "built-in") == 2
    });
}

#[test]
fn unknown_file_names_are_asked_about_and_import_under_the_confirmed_code() {
    let t = test_store();
    let service = FlagsService::new(t.store.clone(), t.writer.sender(), no_waker());
    let mut panel = FlagsPanel::default();
    panel.search = "hrv".into();
    let app = FlagsApp {
        panel,
        service,
        cache: FlagTextureCache::new(),
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1000.0, 800.0))
        .build_ui_state(frame, app);
    let file = write(t.dir.path(), "hrv.svg", &svg());
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(TestDrop(file)));
    step_until(&mut harness, "the question", |h| {
        h.query_by_label("Import as this code").is_some()
    });
    // ISO alpha-3 HRV is suggested as CRO; confirming imports it as CRO.
    assert!(harness.query_by_label_contains("looks like CRO").is_some());
    harness.get_by_label("Import as this code").click();
    step_until(&mut harness, "the import", |h| {
        h.state().service.resolver().imports().contains_key("CRO")
    });
    assert!(harness.state().service.state().pending.is_empty());
}

fn svg_image(key: &'static str) -> FlagImage {
    FlagResolver::builtin_only().resolve(key).image.unwrap()
}

#[test]
fn texture_cache_rasterises_once_per_image_and_size() {
    let ctx = egui::Context::default();
    // No budget: how many images fit in a frame depends on the machine (tested below).
    let mut cache = FlagTextureCache::with_budget(Duration::MAX);
    let kor = svg_image("KOR");
    let ger = svg_image("GER");
    let mut sizes = Vec::new();
    for _ in 0..10 {
        let mut out = ctx.run_ui(Default::default(), |ui| {
            let a = cache.texture(ui.ctx(), &kor, 40).unwrap();
            let b = cache.texture(ui.ctx(), &ger, 40).unwrap();
            sizes.push((a.size(), b.size()));
        });
        // No renderer here: textures are not uploaded anywhere.
        out.textures_delta.clear();
    }
    let s = cache.stats();
    assert_eq!((s.misses, s.hits, s.textures), (2, 18, 2));
    assert_eq!(sizes[0], ([53, 40], [53, 40]));
    assert!((s.hit_rate() - 0.9).abs() < 1e-9);
    // Another size is another texture; placeholders shared by several codes share one.
    let mut out = ctx.run_ui(Default::default(), |ui| {
        for (img, px) in [
            (kor.clone(), 80),
            (svg_image("AIN"), 40),
            (svg_image("IOA"), 40),
        ] {
            assert!(cache.texture(ui.ctx(), &img, px).is_some());
        }
    });
    // No renderer here: textures are not uploaded anywhere.
    out.textures_delta.clear();
    let s = cache.stats();
    assert_eq!((s.misses, s.textures), (4, 4));
}

#[test]
fn texture_cache_spreads_rasterising_over_frames_when_over_budget() {
    let ctx = egui::Context::default();
    let mut cache = FlagTextureCache::with_budget(Duration::ZERO);
    let images: Vec<_> = ["KOR", "GER", "CRO"].into_iter().map(svg_image).collect();
    let mut drawn_per_frame = Vec::new();
    for _ in 0..3 {
        let mut out = ctx.run_ui(Default::default(), |ui| {
            let n = images
                .iter()
                .filter(|img| cache.texture(ui.ctx(), img, 30).is_some())
                .count();
            drawn_per_frame.push(n);
        });
        // No renderer here: textures are not uploaded anywhere.
        out.textures_delta.clear();
    }
    // One new image per frame (at least one always, so it converges), cached ones at once.
    assert_eq!(drawn_per_frame, [1, 2, 3]);
    assert_eq!(cache.stats().deferred, 3);
}

fn imported(code: &str, at_ns: i64) -> FlagResolver {
    use courtside::flags::{ImageFormat, ImportedFlag, ImportedFlagMeta};
    let data = svg();
    let flag = ImportedFlag {
        meta: ImportedFlagMeta {
            code: code.into(),
            source_name: format!("{code}.svg"),
            format: ImageFormat::Svg,
            bytes: data.len() as u64,
            width: 30,
            height: 20,
            imported_at_ns: at_ns,
        },
        data: data.into(),
    };
    FlagResolver::new(Default::default(), [(code.to_string(), flag)].into())
}

#[test]
fn texture_cache_frees_replaced_imports_when_the_flags_change() {
    let ctx = egui::Context::default();
    let mut cache = FlagTextureCache::with_budget(Duration::MAX);
    let first = imported("KOR", 1);
    let second = imported("KOR", 2);
    // Imported flags are drawn on a worker thread: frames until both are there.
    let repaints = Repaints::on(&ctx);
    let draw = |cache: &mut FlagTextureCache, resolver: &FlagResolver| {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut drawn = 0;
            let mut out = ctx.run_ui(Default::default(), |ui| {
                for code in ["KOR", "GER"] {
                    let image = resolver.resolve(code).image.unwrap();
                    drawn += cache.texture(ui.ctx(), &image, 20).is_some() as usize;
                }
            });
            // No renderer here: textures are not uploaded anywhere.
            out.textures_delta.clear();
            if drawn == 2 {
                break;
            }
            repaints.wait(deadline, "flags drawn");
        }
    };
    cache.sync(1, &first);
    draw(&mut cache, &first);
    assert_eq!(cache.stats().textures, 2, "imported KOR, built-in GER");
    // Re-imported: both textures exist until the new snapshot is synced, then the old goes.
    draw(&mut cache, &second);
    assert_eq!(cache.stats().textures, 3);
    cache.sync(2, &second);
    assert_eq!(
        cache.stats().textures,
        2,
        "the first import's texture is freed"
    );
    // The same generation again does nothing; the current import's texture is a hit.
    cache.sync(2, &FlagResolver::builtin_only());
    let misses = cache.stats().misses;
    draw(&mut cache, &second);
    assert_eq!(cache.stats().misses, misses);
    // Reverted (a new snapshot without imports): the imported texture goes, built-ins stay.
    cache.sync(3, &FlagResolver::builtin_only());
    assert_eq!(cache.stats().textures, 1);
}

#[test]
fn every_control_of_the_flags_panel_has_a_tooltip() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::NodeT;
    let t = test_store();
    // Everything on screen at once: a mapping (with history), a seen code without a flag, an
    // imported flag selected in the preview, a file waiting for a code, the report.
    let tx = t.writer.sender();
    let op = courtside::flags::store::set_mapping_op(
        "HRV".into(),
        Some("CRO".into()),
        "test".into(),
        courtside::store::writer::now_ns(),
    );
    courtside::flags::store::apply_and_wait(&tx, "mapping", op).unwrap();
    let text = "at1;A;Ann;XYZ;at2;B;Bo;KOR";
    tx.send(courtside::store::WriteRequest::Datagram(
        courtside::store::writer::Incoming {
            received_at_ns: courtside::store::writer::now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:6000".into(),
            court: "Court 1".into(),
            raw: text.as_bytes().to_vec(),
            events: courtside::protocol::parse_datagram(text.as_bytes()),
        },
    ))
    .unwrap();
    t.writer.flush().unwrap();
    let service = FlagsService::new(t.store.clone(), t.writer.sender(), no_waker());
    let mut panel = FlagsPanel::default();
    panel.search = "kor".into();
    panel.selected = Some("KOR".into());
    let app = FlagsApp {
        panel,
        service,
        cache: FlagTextureCache::new(),
    };
    // The app's fonts (the mapping editor draws "→"), before the first frame: the store's
    // snapshot may arrive in time for it.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1000.0, 1200.0))
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(frame, app);
    let kor = write(t.dir.path(), "KOR.png", &png(60, 40));
    let unknown = write(t.dir.path(), "mystery.svg", &svg());
    let input = harness.input_mut();
    input.dropped_files.push(Arc::new(TestDrop(kor)));
    input.dropped_files.push(Arc::new(TestDrop(unknown)));
    for label in [
        "Import as this code",
        "XYZ — no flag",
        "Revert to built-in",
        "Code mapping (1)",
    ] {
        step_until(&mut harness, label, |h| {
            h.query_by_label_contains(label).is_some()
        });
    }
    // Closed when first drawn before the store was read, open when the store's snapshot came
    // first (it has a mapping): open it if closed (a click on an open one would close it, and
    // its closing animation still shows "History" for a few frames), then its history.
    if harness.query_by_label("History").is_none() {
        harness.get_by_label("Code mapping (1)").click();
    }
    step_until(&mut harness, "the mapping editor", |h| {
        h.query_by_label("History").is_some()
    });
    harness.get_by_label("History").click();
    harness.step();
    harness.step();
    let interactive = [Role::Button, Role::TextInput, Role::CheckBox];
    let controls: Vec<_> = harness
        .query_all_by(|n| interactive.contains(&n.role()))
        .map(|n| {
            let n = n.accesskit_node();
            (n.role(), n.label(), n.description())
        })
        .collect();
    // Buttons, the code/search/mapping fields, the checkbox, the grid's codes, the headers.
    let fields = controls
        .iter()
        .filter(|(r, ..)| *r == Role::TextInput)
        .count();
    assert!(
        fields >= 4,
        "code, search, two mapping fields: {controls:#?}"
    );
    assert!(controls.len() >= 15, "{controls:#?}");
    let bare: Vec<_> = controls
        .iter()
        .filter(|(.., description)| description.as_deref().is_none_or(str::is_empty))
        .collect();
    assert!(bare.is_empty(), "controls without a tooltip: {bare:#?}");
}
