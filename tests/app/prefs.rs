//! Window prefs across runs: open panels and the scoreboard window's place and size come back,
//! and the scoreboard window's settings stay the same within a run (egui resizes a window whose
//! builder changes, so saving must not feed the saved size back into the running window).

use crate::whole_app::free_port;
use courtside::app::{AppOptions, CourtsideApp};
use courtside::ui::scoreboard::BoardPlace;
use eframe::App;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
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

    // The operator moves and resizes the scoreboard (on a 150 % screen: kept in pixels), opens
    // the flags manager, hides live data.
    let place = BoardPlace {
        x: 450.0,
        y: 300.0,
        w: 1440.0,
        h: 810.0,
        scale: 1.5,
    };
    h.state().scoreboard().lock().expect("view").place = Some(place);
    h.state_mut().state.prefs.show_flags = true;
    h.state_mut().state.prefs.show_live = false;
    h.state_mut().save(&mut storage);
    h.step();
    // eframe saves every 30 s while running: the window must keep the settings it started with.
    assert_eq!(h.state().scoreboard_builder(), first_builder);
    drop(h);

    let h = app_with(db, &storage);
    let builder = h.state().scoreboard_builder();
    // Opened in points at the scale it was saved with; its first frames correct the pixels.
    assert_eq!(builder.position, Some(egui::pos2(300.0, 200.0)));
    assert_eq!(builder.inner_size, Some(egui::vec2(960.0, 540.0)));
    assert_eq!(h.state().state.prefs.scoreboard_place, Some(place));
    assert!(h.state().state.prefs.show_flags, "flags manager reopened");
    assert!(!h.state().state.prefs.show_live, "live data stays hidden");
}

#[test]
fn reset_scoreboard_position_opens_the_window_and_forgets_the_saved_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    crate::whole_app::configure(&db, free_port());
    let mut h = app_with(db, &MemStorage::default());
    h.step();
    let lost = BoardPlace {
        x: 5000.0,
        y: 0.0,
        w: 1280.0,
        h: 720.0,
        scale: 1.0,
    };
    h.state_mut().state.prefs.scoreboard_open = false;
    h.state_mut().state.prefs.scoreboard_place = Some(lost);
    h.state().scoreboard().lock().expect("view").place = Some(lost);
    h.get_by_label("Reset scoreboard position").click();
    h.step();
    let prefs = &h.state().state.prefs;
    assert!(prefs.scoreboard_open, "the window opens");
    assert_eq!(prefs.scoreboard_place, None, "the lost place is forgotten");
    let view = h.state().scoreboard();
    let v = view.lock().expect("view");
    assert_eq!(v.place, None);
    // The scoreboard window takes the request on its next frame (a deferred viewport).
    assert!(v.reset_place || v.placing.is_some());
}
