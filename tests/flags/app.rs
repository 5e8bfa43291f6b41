//! Flags in the real app (`CourtsideApp` under `build_eframe`, a real loopback listener, a temp
//! store): the missing-flags list follows a newly loaded match, a stored mapping reaches the
//! scoreboard, files dropped on the main window are imported and reported.

use crate::app_support::{app, configure_with, free_port};
use crate::flags_support::{TestDrop, png, write};
use crate::wait::Repaints;

use courtside::app::CourtsideApp;
use courtside::flags::store;
use courtside::store::writer::now_ns;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Store a loopback listener on `port` (and an optional flag mapping) before the app starts,
/// as an operator's earlier session would have.
fn configure(db: &Path, port: u16, mapping: Option<(&str, &str)>) {
    configure_with(db, port, |writer| {
        if let Some((from, to)) = mapping {
            let op = store::set_mapping_op(from.into(), Some(to.into()), "test".into(), now_ns());
            store::apply_and_wait(&writer.sender(), "mapping", op).expect("mapping");
        }
    });
}

/// Step the app until `done` holds, failing after a deadline (workers run on threads); between
/// frames it blocks until the app is asked for a repaint or a frame wait passes.
fn step_until(
    h: &mut Harness<'_, CourtsideApp>,
    what: &str,
    done: impl Fn(&Harness<'_, CourtsideApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let repaints = Repaints::on(&h.ctx);
    while !done(h) {
        h.step();
        if !done(h) {
            repaints.wait(deadline, what);
        }
    }
}

/// A started app with its listener receiving, and a socket to play the scoring system.
struct Court {
    dir: tempfile::TempDir,
    h: Harness<'static, CourtsideApp>,
    pss: UdpSocket,
    port: u16,
}

fn court(mapping: Option<(&str, &str)>) -> Court {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port, mapping);
    let mut h = app(db);
    step_until(&mut h, "listener up", |h| {
        h.state()
            .state
            .listeners
            .first()
            .is_some_and(|l| l.status == "listening")
    });
    let pss = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("pss socket");
    Court { dir, h, pss, port }
}

impl Court {
    fn send(&self, datagram: &str) {
        self.pss
            .send_to(datagram.as_bytes(), (Ipv4Addr::LOCALHOST, self.port))
            .expect("send");
    }

    /// Load a match whose athletes come from `blue` and `red`.
    fn load_match(&self, blue: &str, red: &str) {
        self.send("pre;FightLoaded");
        self.send(&format!("at1;A;Ann {blue};{blue};at2;B;Bo {red};{red}"));
    }
}

#[test]
fn missing_flags_list_follows_a_match_loaded_while_the_app_runs() {
    let mut c = court(None);
    c.h.state_mut().state.prefs.show_flags = true;
    c.h.run_steps(3);
    assert!(
        c.h.query_by_label_contains("XYZ — no flag").is_none(),
        "nothing received yet"
    );
    c.load_match("XYZ", "KOR");
    step_until(&mut c.h, "XYZ in the missing-flags list", |h| {
        h.query_by_label_contains("XYZ — no flag").is_some()
    });
    // KOR has a built-in flag: not listed.
    assert!(c.h.query_by_label_contains("KOR — ").is_none());
    // A second match with another unknown country is listed too (the refresh is rate-limited,
    // not dropped).
    c.load_match("QQQ", "KOR");
    step_until(&mut c.h, "QQQ in the missing-flags list", |h| {
        h.query_by_label_contains("QQQ — no flag").is_some()
    });
}

/// The debug name egui keeps for a texture (the cache names it after the image's key).
fn texture_name(h: &Harness<'_, CourtsideApp>, tex: &egui::TextureHandle) -> String {
    let manager = h.ctx.tex_manager();
    let manager = manager.read();
    manager
        .meta(tex.id())
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

#[test]
fn a_stored_mapping_puts_the_mapped_flag_on_the_scoreboard() {
    let mut c = court(Some(("HRV", "CRO")));
    c.load_match("HRV", "XYZ");
    step_until(&mut c.h, "the blue flag", |h| {
        let board = h.state().scoreboard();
        let board = board.lock().expect("lock");
        board.blue_flag.is_some()
    });
    let board = c.h.state().scoreboard();
    let (blue, red) = {
        let b = board.lock().expect("lock");
        (b.blue_flag.clone(), b.red_flag.clone())
    };
    let blue = blue.expect("blue flag");
    // HRV alone is not a flag (ISO alpha-3); mapped to CRO it shows Croatia's flag-icons file.
    assert_eq!(
        texture_name(&c.h, &blue),
        "flag builtin:flag-icons/hr@192",
        "blue flag"
    );
    assert!(red.is_none(), "XYZ has no flag");
}

#[test]
fn a_folder_dropped_on_the_main_window_is_imported_and_bad_files_are_named() {
    let mut c = court(None);
    let drop_dir = c.dir.path().join("drop");
    std::fs::create_dir_all(&drop_dir).expect("drop dir");
    write(&drop_dir, "KOR.png", &png(60, 40));
    write(&drop_dir, "GER.png", b"not a png");
    c.h.state_mut().state.flags_panel.search = "kor".into();
    c.h.run_steps(2);
    assert!(
        !c.h.state().state.prefs.show_flags,
        "manager closed at start"
    );
    c.h.input_mut()
        .dropped_files
        .push(Arc::new(TestDrop(drop_dir)));
    step_until(&mut c.h, "the grid to show KOR imported", |h| {
        h.query_all_by_label("imported").count() == 1
    });
    assert!(
        c.h.state().state.prefs.show_flags,
        "a drop opens the manager"
    );
    // "kor" also matches PRK, which stays built-in.
    assert_eq!(c.h.query_all_by_label("built-in").count(), 1);
    step_until(&mut c.h, "the import report", |h| {
        h.query_by_label_contains("GER.png: not a readable image")
            .is_some()
    });
    assert!(
        c.h.query_by_label_contains("KOR.png: imported as KOR")
            .is_some()
    );
    assert!(
        c.h.query_by_label_contains("import done: 1 imported, 1 rejected")
            .is_some()
    );
    // The app's resolver (what the scoreboard uses) has the import too.
    assert!(
        c.h.state()
            .state
            .flag_resolver
            .imports()
            .contains_key("KOR")
    );
}

#[test]
fn live_country_changes_refresh_at_most_once_a_gap_and_none_is_lost() {
    use courtside::flags::live::{LiveCodes, RefreshDue};
    let gap = Duration::from_secs(1);
    let t0 = Instant::now();
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let mut live = LiveCodes::new(gap);
    assert_eq!(live.note(&[], at(0)), RefreshDue::Idle, "no countries yet");
    assert_eq!(live.note(&["KOR", "XYZ"], at(0)), RefreshDue::Now);
    // Same set (order, case, spaces and empties do not matter): nothing to do.
    assert_eq!(live.note(&["xyz ", "", "KOR"], at(100)), RefreshDue::Idle);
    // A new match inside the gap waits for the rest of it, and is not forgotten.
    assert_eq!(
        live.note(&["KOR", "QQQ"], at(300)),
        RefreshDue::After(Duration::from_millis(700))
    );
    assert_eq!(
        live.note(&["KOR", "QQQ"], at(900)),
        RefreshDue::After(Duration::from_millis(100))
    );
    assert_eq!(live.note(&["KOR", "QQQ"], at(1000)), RefreshDue::Now);
    assert_eq!(live.note(&["KOR", "QQQ"], at(5000)), RefreshDue::Idle);
}

/// True when a notice names `code` as a flag that cannot be drawn.
fn has_flag_notice(h: &Harness<'_, CourtsideApp>, code: &str) -> bool {
    h.state()
        .state
        .notices
        .items
        .iter()
        .any(|n| n.title == format!("Flag {code} cannot be drawn") && n.cause.contains("512:1"))
}

#[test]
fn a_4096_by_8_png_dropped_on_the_app_is_refused_with_the_aspect_reason() {
    let mut c = court(None);
    let drop_dir = c.dir.path().join("drop");
    std::fs::create_dir_all(&drop_dir).expect("drop dir");
    let file = write(&drop_dir, "KOR.png", &png(4096, 8));
    c.h.input_mut().dropped_files.push(Arc::new(TestDrop(file)));
    step_until(&mut c.h, "the import report", |h| {
        h.query_by_label_contains("import done: 0 imported, 1 rejected")
            .is_some()
    });
    assert!(
        c.h.query_by_label_contains("KOR.png: aspect ratio 512:1")
            .is_some()
    );
    // The first match naming KOR afterwards draws the built-in flag, no crash.
    c.load_match("KOR", "JPN");
    step_until(&mut c.h, "KOR on the court", |h| {
        h.state()
            .state
            .courts
            .values()
            .any(|m| m.blue.country == "KOR")
    });
    c.h.run_steps(5);
}

#[test]
fn a_store_holding_a_4096_by_8_flag_keeps_the_app_running_now_and_after_a_restart() {
    use crate::hostile::stored_flag;
    use courtside::flags::ImageFormat;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    // As a store imported before the aspect check would hold it.
    configure_with(&db, port, |writer| {
        let flag = stored_flag("KOR", ImageFormat::Png, png(4096, 8), 4096, 8);
        let op = store::put_flags_op(vec![flag]);
        store::apply_and_wait(&writer.sender(), "old flag", op).expect("flag");
    });
    let mut h = app(db.clone());
    step_until(&mut h, "listener up", |h| {
        h.state()
            .state
            .listeners
            .first()
            .is_some_and(|l| l.status == "listening")
    });
    step_until(&mut h, "the imported KOR", |h| {
        h.state().state.flag_resolver.imports().contains_key("KOR")
    });
    let pss = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("pss socket");
    let send = |d: &str| {
        pss.send_to(d.as_bytes(), (Ipv4Addr::LOCALHOST, port))
            .expect("send");
    };
    send("pre;FightLoaded");
    send("at1;A;Ann KOR;KOR;at2;B;Bo JPN;JPN");
    step_until(&mut h, "a notice naming KOR", |h| has_flag_notice(h, "KOR"));
    // Still running: more frames, the other side's built-in flag is drawn as usual.
    h.run_steps(10);
    assert!(
        h.state()
            .state
            .courts
            .values()
            .any(|m| m.blue.country == "KOR")
    );
    drop(h);

    // The court's current match still names KOR: the next start must not crash either.
    let mut h = app(db);
    step_until(&mut h, "a notice naming KOR after the restart", |h| {
        has_flag_notice(h, "KOR")
    });
    h.run_steps(10);
}
