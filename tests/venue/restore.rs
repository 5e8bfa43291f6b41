//! Restore: a backup is checked table by table before it is staged (a bad one is refused with
//! the table and the reason, the current store untouched), and the staged file is swapped in only
//! while the store's lock is held, so a running `courtside listen` on the store makes the swap
//! refuse instead of renaming the file under it.

use crate::proc::{loopback, simulate, start_listen, stop_listen, write_stream};
use crate::raw_store::damage;
use courtside::backup::{self, BackupError};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A store with settings, an OBS rule set, a flag mapping and a few datagrams, backed up; returns
/// the backup file.
fn good_backup(dir: &Path) -> PathBuf {
    let store = Store::open(&dir.join("source.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).expect("writer");
    for line in ["pre;FightLoaded;", "sc1;2;", "sc2;1;"] {
        let raw = line.as_bytes().to_vec();
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: "127.0.0.1:6000".into(),
            court: "Court 1".into(),
            events: parse_datagram(&raw),
            raw,
        });
        writer.sender().send(req).expect("send");
    }
    writer
        .set_setting("theme", "\"Light\"", "test")
        .expect("setting");
    let (ack, acked) = crossbeam_channel::bounded(4);
    let rules = courtside::obs::rules::default_rules();
    for r in [
        courtside::obs::store::save_rules(rules, Some(ack.clone())),
        WriteRequest::Apply {
            what: "flag mapping",
            op: courtside::flags::store::set_mapping_op(
                "HRV".into(),
                Some("CRO".into()),
                "test".into(),
                now_ns(),
            ),
            ack: Some(ack),
        },
    ] {
        writer.sender().send(r).expect("queue");
    }
    for _ in 0..2 {
        acked.recv().expect("ack").expect("stored");
    }
    writer.shutdown();
    let out = dir.join("backup.redb");
    backup::backup(&store, &out).expect("backup");
    out
}

/// Stage `backup_file` for `current`, expecting a refusal naming `table`; the current store's
/// bytes and the backup's stay as they were and nothing is staged.
fn assert_refused(backup_file: &Path, current: &Path, table: &str) {
    let before = std::fs::read(current).expect("read current");
    let backup_before = std::fs::read(backup_file).expect("read backup");
    let e = backup::stage_restore(backup_file, current).expect_err("must be refused");
    let msg = e.to_string();
    assert!(
        matches!(e, BackupError::NotAStore { .. }) && msg.contains(&format!("table '{table}'")),
        "{msg}"
    );
    assert!(
        !backup::staged_restore_path(current).exists(),
        "nothing staged"
    );
    let partial = courtside::store::durable::sibling(current, ".restore-partial");
    assert!(!partial.exists(), "no partial copy left");
    assert_eq!(
        std::fs::read(current).expect("read"),
        before,
        "current store untouched"
    );
    assert_eq!(
        std::fs::read(backup_file).expect("read"),
        backup_before,
        "backup untouched"
    );
}

#[test]
fn a_backup_with_a_damaged_table_is_refused_naming_it_and_the_store_is_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let current = dir.path().join("current.redb");
    Store::open(&current).expect("current store");
    let good = good_backup(dir.path());
    backup::stage_restore(&good, &current).expect("a good backup stages");
    std::fs::remove_file(backup::staged_restore_path(&current)).expect("unstage");

    let copy = |name: &str| {
        let p = dir.path().join(name);
        std::fs::copy(&good, &p).expect("copy");
        p
    };
    use courtside::flags::store::FLAG_MAPPING;
    use courtside::obs::store::RULES;
    use courtside::store::schema::{EVENTS, MATCHES, SETTINGS};
    let garbage = [0xFFu8; 5];

    let b = copy("bad-rules.redb");
    damage(&b, RULES, 0, &garbage);
    assert_refused(&b, &current, "obs_rules");

    let b = copy("bad-setting.redb");
    let empty_listeners = courtside::store::codec::encode(&"[]".to_string(), "s").expect("enc");
    damage(&b, SETTINGS, "listeners", &empty_listeners);
    assert_refused(&b, &current, "settings");

    let b = copy("bad-mapping.redb");
    damage(&b, FLAG_MAPPING, "HRV", &garbage);
    assert_refused(&b, &current, "flag_mapping");

    let b = copy("bad-match.redb");
    damage(&b, MATCHES, 1, &garbage);
    assert_refused(&b, &current, "matches");

    let b = copy("bad-event.redb");
    let mut huge = vec![2u8, 0, 0, 0, 253];
    huge.extend_from_slice(&(1u64 << 60).to_le_bytes());
    damage(&b, EVENTS, 2, &huge);
    assert_refused(&b, &current, "events");
}

#[test]
fn a_flag_mapping_to_a_code_without_a_flag_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let current = dir.path().join("current.redb");
    Store::open(&current).expect("current store");
    let source = Store::open(&dir.path().join("src.redb")).expect("open");
    let writer = Writer::spawn(source.clone(), WriterConfig::default(), Vec::new()).expect("w");
    let op = courtside::flags::store::set_mapping_op(
        "HRV".into(),
        Some("QQQ".into()),
        "test".into(),
        now_ns(),
    );
    courtside::flags::store::apply_and_wait(&writer.sender(), "mapping", op).expect("stored");
    writer.shutdown();
    let b = dir.path().join("b.redb");
    backup::backup(&source, &b).expect("backup");
    assert_refused(&b, &current, "flag_mapping");
}

#[test]
fn restore_refuses_while_courtside_listen_holds_the_store_and_applies_after_it_stops() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("live.redb");
    let good = good_backup(dir.path());
    let (listen, addrs) = start_listen(&live, &[], 1);
    let stream = write_stream(dir.path(), "one.pss", b"pre;FightLoaded;\nsc1;1;\n");
    simulate(&stream, &loopback(addrs[0]));
    listen.wait_committed(2);

    backup::stage_restore(&good, &live).expect("staging does not need the lock");
    let staged = backup::staged_restore_path(&live);
    let e = backup::apply_pending_restore_within(&live, Duration::from_millis(300))
        .expect_err("the store is in use");
    let msg = e.to_string();
    assert!(
        matches!(e, BackupError::InUse(_))
            && msg.contains("in use by another courtside")
            && msg.contains("courtside listen"),
        "{msg}"
    );
    assert!(staged.exists(), "the restore stays staged");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("before-restore"))
        .collect();
    assert!(kept.is_empty(), "the live store was not renamed");

    // The listener still writes the store at its path: nothing went into a renamed file.
    simulate(&stream, &loopback(addrs[0]));
    listen.wait_committed(4);
    stop_listen(listen);
    assert_eq!(
        Store::open(&live)
            .expect("open")
            .stats()
            .expect("stats")
            .events,
        4
    );

    // Once it stopped, the swap goes ahead and keeps the old store beside it.
    let kept = backup::apply_pending_restore_within(&live, Duration::ZERO)
        .expect("applied")
        .expect("something was staged");
    assert!(!staged.exists());
    let restored = Store::open(&live).expect("restored");
    assert_eq!(
        restored.stats().expect("stats").events,
        3,
        "the backup's events"
    );
    assert_eq!(
        restored.setting("theme").expect("theme").as_deref(),
        Some("\"Light\"")
    );
    drop(restored);
    assert_eq!(
        Store::open(&kept)
            .expect("kept")
            .stats()
            .expect("stats")
            .events,
        4
    );
}

#[test]
fn restore_refuses_while_this_process_has_the_store_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("live.redb");
    let good = good_backup(dir.path());
    let open = Store::open(&live).expect("open");
    backup::stage_restore(&good, &live).expect("stage");
    let e = backup::apply_pending_restore_within(&live, Duration::ZERO).expect_err("open");
    assert!(matches!(e, BackupError::InUse(_)), "{e}");
    drop(open);
    assert!(
        backup::apply_pending_restore_within(&live, Duration::ZERO)
            .expect("applied")
            .is_some()
    );
}
