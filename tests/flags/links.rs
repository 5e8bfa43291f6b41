//! Folder import and links (Unix: links are made with `std::os::unix`): links inside a dropped
//! folder are not followed, a link loop ends, a link to an endless device is refused, and the
//! walk stops at the file cap.

use crate::flags_support::*;
use crate::hostile::{import_items, imported_codes, item, rejection};
use courtside::flags::import::{self, ImportMsg};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

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
