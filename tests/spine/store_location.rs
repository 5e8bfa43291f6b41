//! The store location: a pasted path is cleaned (Explorer's quotes, a BOM, line breaks) and
//! checked before it is saved; the saved location is remembered atomically, and a failed save is
//! an error, never a silent success; an unreachable saved location falls back to the default
//! store with a notice; the default store moves out of the roaming folder once, safely.

use crate::support::temp_dir;
use courtside::store::location::{
    LocationError, check_location, check_location_text, clean_location, resolve, save_location_op,
    write_location_file,
};
use courtside::store::relocate::{execute, move_file, plan_move};
use courtside::store::writer::WriteRequest;
use courtside::store::{Store, Writer, WriterConfig};
use std::path::PathBuf;

#[test]
fn explorer_copy_as_path_quotes_a_bom_and_line_breaks_are_stripped() {
    assert_eq!(
        clean_location("\u{FEFF}\"C:\\Users\\op\\courtside.redb\"\r\n"),
        "C:\\Users\\op\\courtside.redb"
    );
    assert_eq!(clean_location("  ' \"/srv/c.redb\" ' \n"), "/srv/c.redb");
    assert_eq!(clean_location("\"\""), "");
    // Quotes inside a path are part of it (only surrounding ones are removed).
    assert_eq!(clean_location("/a/\"b\"/c.redb"), "/a/\"b\"/c.redb");
}

#[test]
fn a_relative_empty_or_folder_location_is_refused_before_saving() {
    assert_eq!(check_location_text(" \"\" "), Err(LocationError::Empty));
    assert_eq!(
        check_location_text("courtside.redb"),
        Err(LocationError::NotAbsolute("courtside.redb".into()))
    );
    let e = check_location_text("data\\courtside.redb").unwrap_err();
    assert!(e.to_string().contains("not a full path"), "{e}");
    let dir = temp_dir();
    let e = check_location(&dir.path().display().to_string()).unwrap_err();
    assert!(matches!(e, LocationError::IsFolder(_)), "{e}");
}

#[test]
fn a_location_in_a_missing_folder_is_refused_naming_the_folder() {
    let dir = temp_dir();
    let missing = dir.path().join("E-drive-gone").join("courtside.redb");
    let e = check_location(&format!("\"{}\"", missing.display())).unwrap_err();
    assert_eq!(
        e,
        LocationError::FolderMissing(dir.path().join("E-drive-gone").display().to_string())
    );
    assert!(e.to_string().contains("does not exist"), "{e}");
}

#[test]
fn a_quoted_location_in_a_writable_folder_is_accepted_cleaned() {
    let dir = temp_dir();
    let want = dir.path().join("venue.redb");
    let got = check_location(&format!("\u{FEFF}\"{}\"\r\n", want.display())).expect("ok");
    assert_eq!(got, want);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "the write probe is removed");
}

#[test]
fn an_unreachable_saved_location_falls_back_to_the_default_with_a_notice() {
    let dir = temp_dir();
    let default = dir.path().join("default.redb");
    let gone = dir.path().join("F-drive").join("courtside.redb");
    let r = resolve(
        None,
        Some(&format!("\"{}\"", gone.display())),
        default.clone(),
    );
    assert_eq!(r.path, default);
    assert_eq!(r.notices.len(), 1);
    let n = &r.notices[0];
    assert!(
        n.contains(&gone.display().to_string())
            && n.contains("does not exist")
            && n.contains(&default.display().to_string()),
        "{n}"
    );
    // A relative saved path is unreachable too.
    let r = resolve(None, Some("courtside.redb"), default.clone());
    assert_eq!((r.path, r.notices.len()), (default.clone(), 1));
    // A reachable one (quoted, with a BOM) is used; --db wins over everything.
    let here = dir.path().join("here.redb");
    let r = resolve(
        None,
        Some(&format!("\u{FEFF}\"{}\"", here.display())),
        default.clone(),
    );
    assert_eq!((r.path, r.notices), (here, Vec::<String>::new()));
    let cli = PathBuf::from("relative-by-choice.redb");
    assert_eq!(resolve(Some(cli.clone()), Some("x"), default).path, cli);
}

#[test]
fn the_location_file_is_replaced_atomically_and_a_failed_write_is_an_error() {
    let dir = temp_dir();
    let file = dir.path().join("cfg").join("store-location.txt");
    write_location_file(&file, Some("/a/one.redb")).expect("first");
    write_location_file(&file, Some("/b/two.redb")).expect("second");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "/b/two.redb");
    let names: Vec<String> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["store-location.txt"], "no temporary file left");
    // A target that cannot be replaced (a folder in its place): an error, nothing left behind.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join("inside")).unwrap();
    assert!(write_location_file(&blocked, Some("/c.redb")).is_err());
    assert!(blocked.join("inside").is_dir());
    let stray = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains(".tmp")
        })
        .count();
    assert_eq!(stray, 0);
    // Forgetting removes it; forgetting twice is fine.
    write_location_file(&file, None).expect("forget");
    assert!(!file.exists());
    write_location_file(&file, None).expect("forget again");
    // Forgetting when not even the config folder exists is fine too.
    write_location_file(&dir.path().join("no-such-folder/x.txt"), None).expect("nothing saved");
}

#[test]
fn a_store_location_save_that_cannot_be_remembered_fails_the_whole_save() {
    let dir = temp_dir();
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).expect("w");
    let file = dir.path().join("store-location.txt");
    let save = |location: Option<String>, file: Option<PathBuf>| {
        let (ack, acked) = crossbeam_channel::bounded(1);
        let entries = vec![("store_path".to_string(), format!("{location:?}"))];
        let op = save_location_op(
            location,
            file,
            courtside::store::write_settings_op(entries, "test".into()),
        );
        writer
            .sender()
            .send(WriteRequest::Apply {
                what: "settings",
                op,
                ack: Some(ack),
            })
            .expect("queue");
        acked.recv().expect("ack")
    };
    // A folder that does not exist: refused, nothing stored, nothing remembered.
    let gone = dir.path().join("gone").join("x.redb").display().to_string();
    let e = save(Some(gone), Some(file.clone())).expect_err("refused");
    assert!(
        e.contains("store_path") && e.contains("does not exist"),
        "{e}"
    );
    assert_eq!(store.setting("store_path").unwrap(), None);
    assert!(!file.exists());
    // The location file cannot be written (a folder in its place): the settings are not saved.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join("x")).unwrap();
    let ok_path = dir.path().join("venue.redb").display().to_string();
    let e = save(Some(ok_path.clone()), Some(blocked)).expect_err("cannot remember");
    assert!(e.contains("cannot remember it in"), "{e}");
    assert_eq!(store.setting("store_path").unwrap(), None);
    // No config folder at all: an error too.
    assert!(save(Some(ok_path.clone()), None).is_err());
    // A good one (pasted with quotes): stored and remembered, cleaned.
    save(Some(format!("\"{ok_path}\"")), Some(file.clone())).expect("saved");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ok_path);
    assert!(store.setting("store_path").unwrap().is_some());
    writer.shutdown();
}

/// A small real store at `path`.
fn make_store(path: &std::path::Path) {
    let s = Store::open(path).expect("store");
    crate::support::store_datagrams(&s, "Court 1", &[b"pre;FightLoaded;"]);
}

#[test]
fn the_roaming_default_store_moves_once_with_its_staged_restore_and_logs() {
    let dir = temp_dir();
    let old = dir.path().join("Roaming/courtside/courtside.redb");
    let new = dir.path().join("Local/courtside/courtside.redb");
    std::fs::create_dir_all(old.parent().unwrap().join("logs")).unwrap();
    make_store(&old);
    std::fs::write(old.parent().unwrap().join("logs/courtside.log"), "log").unwrap();
    std::fs::write(
        dir.path().join("Roaming/courtside/courtside.redb.restore"),
        "r",
    )
    .unwrap();
    let plan = plan_move(&old, &new);
    assert_eq!(plan.files.len(), 2, "{plan:?}");
    assert!(plan.logs.is_some());
    let out = execute(&plan, &new);
    assert_eq!(out.store, new);
    assert!(
        out.notices.iter().any(|n| n.contains("moved")),
        "{:?}",
        out.notices
    );
    assert!(!old.exists());
    assert_eq!(Store::open(&new).unwrap().stats().unwrap().events, 1);
    let local = new.parent().unwrap();
    assert_eq!(
        std::fs::read_to_string(local.join("logs/courtside.log")).unwrap(),
        "log"
    );
    assert_eq!(
        std::fs::read_to_string(local.join("courtside.redb.restore")).unwrap(),
        "r"
    );
    // Once: the next start finds nothing to move.
    assert_eq!(plan_move(&old, &new), Default::default());
}

#[test]
fn an_existing_local_store_is_never_overwritten_by_the_roaming_one() {
    let dir = temp_dir();
    let old = dir.path().join("Roaming/courtside.redb");
    let new = dir.path().join("Local/courtside.redb");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    make_store(&old);
    std::fs::write(&new, "local").unwrap();
    let plan = plan_move(&old, &new);
    assert!(plan.files.is_empty() && plan.left.len() == 1, "{plan:?}");
    let out = execute(&plan, &new);
    assert_eq!(out.store, new);
    assert_eq!(std::fs::read_to_string(&new).unwrap(), "local");
    assert!(old.exists());
    let e = move_file(&old, &new).expect_err("never overwrites");
    assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(old.exists());
}

#[test]
fn the_same_folder_plans_nothing_as_on_linux() {
    let dir = temp_dir();
    let store = dir.path().join("courtside.redb");
    make_store(&store);
    assert_eq!(plan_move(&store, &store), Default::default());
    let alias = dir.path().join(".").join("courtside.redb");
    assert_eq!(plan_move(&store, &alias), Default::default());
}

#[test]
fn a_roaming_store_in_use_is_not_moved_and_is_used_where_it_is() {
    let dir = temp_dir();
    let old = dir.path().join("Roaming/courtside.redb");
    let new = dir.path().join("Local/courtside.redb");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    make_store(&old);
    let held = Store::open(&old).expect("held open");
    let out = execute(&plan_move(&old, &new), &new);
    assert_eq!(out.store, old);
    assert!(
        out.notices.iter().any(|n| n.contains("in use")),
        "{:?}",
        out.notices
    );
    assert!(!new.exists());
    drop(held);
}
