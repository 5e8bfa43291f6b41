//! Bad input at the command line: each kind gets a clear error naming the thing and the cause, a
//! non-zero exit, and loses nothing (no file truncated, no empty store created).

use crate::match_state::example_final_state;
use crate::proc::{run, write_stream};
use crate::support::{example_stream, future_store, store_datagrams, temp_dir};
use courtside::store::Store;
use std::path::Path;

fn assert_fails(args: &[&str], needles: &[&str]) -> crate::proc::Finished {
    let f = run(args);
    assert!(
        !f.status.success(),
        "{args:?} must fail; stdout {}",
        f.stdout
    );
    for n in needles {
        assert!(
            f.stderr.contains(n),
            "{args:?}: stderr lacks {n:?}:\n{}",
            f.stderr
        );
    }
    f
}

/// A store with two matches (keys 1 and 3) on one court.
fn store_with_two_matches(path: &Path) {
    let store = Store::open(path).unwrap();
    let raws: [&[u8]; 4] = [
        b"pre;FightLoaded;",
        b"sc1;1;",
        b"pre;FightLoaded;",
        b"win;RED;",
    ];
    store_datagrams(&store, "Court 1", &raws);
}

#[test]
fn an_unreadable_stream_file_is_named() {
    let dir = temp_dir();
    let missing = dir.path().join("no-such.pss");
    let missing = missing.to_str().unwrap();
    assert_fails(
        &["simulate", missing, "--to", "127.0.0.1:9"],
        &["cannot read stream file", missing],
    );
    assert_fails(&["replay", missing], &["cannot read stream file", missing]);
    let folder = dir.path().to_str().unwrap();
    assert_fails(
        &["simulate", folder, "--to", "127.0.0.1:9"],
        &["cannot read stream file", folder],
    );
}

#[test]
fn a_bad_destination_is_named() {
    let dir = temp_dir();
    let file = write_stream(dir.path(), "s.pss", b"pre;FightLoaded;\n");
    let file = file.to_str().unwrap();
    for to in ["127.0.0.1", "127.0.0.1:99999", ""] {
        assert_fails(
            &["simulate", file, "--to", to],
            &[&format!("cannot resolve destination '{to}'")],
        );
    }
}

#[test]
fn export_of_an_unknown_match_is_an_error_and_truncates_nothing() {
    let dir = temp_dir();
    let db = dir.path().join("two.redb");
    store_with_two_matches(&db);
    let db = db.to_str().unwrap();
    let out = dir.path().join("earlier-export.json");
    std::fs::write(&out, "an earlier export").unwrap();
    let f = assert_fails(
        &[
            "export",
            "--db",
            db,
            "--match",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        &["no match with key 2", db, "courtside matches"],
    );
    assert!(f.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "an earlier export");

    // A key that exists exports that match only.
    let f = run(&["export", "--db", db, "--match", "3"]);
    assert!(f.status.success(), "{}", f.stderr);
    let json: serde_json::Value = serde_json::from_str(&f.stdout).unwrap();
    let seqs: Vec<u64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [3, 4]);
}

#[test]
fn read_only_commands_refuse_a_missing_store() {
    let dir = temp_dir();
    let db = dir.path().join("typo.redb");
    let db_s = db.to_str().unwrap();
    assert_fails(&["export", "--db", db_s], &["no store at", db_s]);
    assert_fails(&["matches", "--db", db_s], &["no store at", db_s]);
    assert!(!db.exists(), "no empty store was created");
}

#[test]
fn a_store_in_use_is_named() {
    let dir = temp_dir();
    let db = dir.path().join("busy.redb");
    let _open = Store::open(&db).unwrap();
    let db = db.to_str().unwrap();
    assert_fails(&["export", "--db", db], &["already open", db]);
    assert_fails(
        &["listen", "--db", db, "--port", "0"],
        &["already open", db],
    );
}

#[test]
fn a_newer_store_is_refused_by_listen() {
    let dir = temp_dir();
    let db = dir.path().join("future.redb");
    future_store(&db, 3);
    let db = db.to_str().unwrap();
    assert_fails(
        &["listen", "--db", db, "--port", "0"],
        &[db, "schema version 3", "update courtside"],
    );
}

#[test]
fn more_courts_than_ports_is_refused() {
    let dir = temp_dir();
    let db = dir.path().join("c.redb");
    assert_fails(
        &[
            "listen",
            "--db",
            db.to_str().unwrap(),
            "--port",
            "0",
            "--court",
            "A",
            "--court",
            "B",
        ],
        &["2 --court names for 1 --port value(s)"],
    );
    assert!(!db.exists(), "refused before the store was touched");
}

#[test]
fn replay_json_prints_the_hand_written_state() {
    let f = run(&["replay", example_stream().to_str().unwrap(), "--json"]);
    assert!(f.status.success(), "{}", f.stderr);
    let state: serde_json::Value = serde_json::from_str(&f.stdout).unwrap();
    assert_eq!(state, example_final_state());
}

#[test]
fn an_address_not_on_this_machine_is_named() {
    let dir = temp_dir();
    let db = dir.path().join("b.redb");
    // 203.0.113.0/24 is reserved for documentation: no interface here has it.
    assert_fails(
        &[
            "listen",
            "--db",
            db.to_str().unwrap(),
            "--bind",
            "203.0.113.7",
            "--port",
            "0",
        ],
        &["cannot bind UDP 203.0.113.7:0", "address not available"],
    );
}

#[test]
fn a_store_path_that_cannot_exist_is_named() {
    let dir = temp_dir();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let db = file.join("court.redb");
    let db = db.to_str().unwrap();
    assert_fails(
        &["listen", "--db", db, "--port", "0"],
        &["cannot open store", db],
    );
}

#[test]
fn an_export_file_that_cannot_be_created_is_named() {
    let dir = temp_dir();
    let db = dir.path().join("e.redb");
    store_with_two_matches(&db);
    let out = dir.path().join("no-such-folder/export.csv");
    let out = out.to_str().unwrap();
    let args = [
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        out,
    ];
    assert_fails(&args, &["cannot create export file", out]);
}
