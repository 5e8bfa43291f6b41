//! Window prefs across runs: open panels and the scoreboard window's place and size come back,
//! and the scoreboard window's settings stay the same within a run (egui resizes a window whose
//! builder changes, so saving must not feed the saved size back into the running window).

use crate::whole_app::free_port;
use courtside::app::{AppOptions, CourtsideApp};
use eframe::App;
use egui_kittest::Harness;
use std::collections::HashMap;
use std::path::PathBuf;

/// eframe's key-value storage, in memory.
#[derive(Default)]
struct MemStorage(HashMap<String, String>);

impl eframe::Storage for MemStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn app_with(db: PathBuf, storage: &MemStorage) -> Harness<'static, CourtsideApp> {
    let saved = storage.0.clone();
    Harness::builder()
        .with_size([1200.0, 800.0])
        .build_eframe(move |cc| {
            let storage = MemStorage(saved);
            CourtsideApp::new(
                &cc.egui_ctx,
                Some(&storage),
                AppOptions {
                    db,
                    smoke_frames: None,
                    smoke_report: None,
                    log: None,
                },
            )
        })
}

#[test]
fn panels_and_scoreboard_rect_come_back_and_the_running_window_is_not_resized() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    crate::whole_app::configure(&db, free_port());

    let mut storage = MemStorage::default();
    let mut h = app_with(db.clone(), &storage);
    h.step();
    let first_builder = h.state().scoreboard_builder();
    assert_eq!(first_builder.inner_size, Some(egui::vec2(1280.0, 720.0)));
    assert_eq!(first_builder.position, None);

    // The operator moves and resizes the scoreboard, opens the flags manager, hides live data.
    let rect = [300.0, 200.0, 960.0, 540.0];
    h.state().scoreboard().lock().expect("view").rect = Some(rect);
    h.state_mut().state.prefs.show_flags = true;
    h.state_mut().state.prefs.show_live = false;
    h.state_mut().save(&mut storage);
    h.step();
    // eframe saves every 30 s while running: the window must keep the settings it started with.
    assert_eq!(h.state().scoreboard_builder(), first_builder);
    drop(h);

    let h = app_with(db, &storage);
    let builder = h.state().scoreboard_builder();
    assert_eq!(builder.position, Some(egui::pos2(300.0, 200.0)));
    assert_eq!(builder.inner_size, Some(egui::vec2(960.0, 540.0)));
    assert!(h.state().state.prefs.show_flags, "flags manager reopened");
    assert!(!h.state().state.prefs.show_live, "live data stays hidden");
}

#[test]
fn the_scoreboard_remembers_its_windowed_place_not_its_fullscreen_one() {
    let mut info = egui::ViewportInfo {
        outer_rect: Some(egui::Rect::from_min_size(
            egui::pos2(100.0, 50.0),
            egui::vec2(1296.0, 759.0),
        )),
        inner_rect: Some(egui::Rect::from_min_size(
            egui::pos2(108.0, 81.0),
            egui::vec2(1280.0, 720.0),
        )),
        ..Default::default()
    };
    // Outer position (where the window manager places the frame), inner size (what the builder
    // sets): a frame-sized outer size would grow the window by its frame at every start.
    assert_eq!(
        courtside::ui::scoreboard::remembered_rect(&info),
        Some([100.0, 50.0, 1280.0, 720.0])
    );
    info.fullscreen = Some(true);
    assert_eq!(courtside::ui::scoreboard::remembered_rect(&info), None);
}
