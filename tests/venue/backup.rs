//! Backup while ingest keeps committing; the restored store opens and holds every event
//! committed before the backup began, in a consistent snapshot. Bad inputs give clear errors.

use courtside::backup::{self, BackupError};
use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, Persisted, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use crossbeam_channel::{Receiver, Sender};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn datagram(i: u64) -> WriteRequest {
    let raw: Vec<u8> = if i.is_multiple_of(200) {
        b"pre;FightLoaded;\n".to_vec()
    } else {
        format!("hl{};{};\n", 1 + i % 2, i % 100).into_bytes()
    };
    WriteRequest::Datagram(Incoming {
        received_at_ns: now_ns(),
        received: Instant::now(),
        source: "127.0.0.1:6000".into(),
        court: if i.is_multiple_of(3) {
            "Court 2"
        } else {
            "Court 1"
        }
        .into(),
        events: parse_datagram(&raw),
        raw,
    })
}

/// Feed the writer until told to stop (real ingest pace is far lower; this is a stress).
fn feeder(tx: Sender<WriteRequest>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::Builder::new()
        .name("test-feeder".into())
        .spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                if tx.send(datagram(i)).is_err() {
                    break;
                }
                i += 1;
            }
            i
        })
        .expect("spawn feeder")
}

/// Block until `cond` holds, woken by the writer's commit notices on `commits` (a one-slot
/// subscriber channel: a commit rings it, a full slot drops the extra rings); fails after 60 s.
fn wait_until(commits: &Receiver<Persisted>, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // Drain before checking: a commit after the check then rings the empty slot.
        while commits.try_recv().is_ok() {}
        if cond() {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for {what}");
        let _ = commits.recv_timeout(left);
    }
}

#[test]
fn backup_during_ingest_restores_everything_committed_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live_path = dir.path().join("live.redb");
    let store = Store::open(&live_path).expect("open");
    let (commit_tx, commits) = crossbeam_channel::bounded(1);
    let writer =
        Writer::spawn(store.clone(), WriterConfig::default(), vec![commit_tx]).expect("writer");
    writer
        .set_setting("ui.theme", "dark", "test")
        .expect("setting");
    let stop = Arc::new(AtomicBool::new(false));
    let feed = feeder(writer.sender(), stop.clone());
    let last = |s: &Store| s.stats().expect("stats").last_seq;
    wait_until(&commits, "3000 committed events", || last(&store) >= 3000);

    let before = last(&store);
    let target = dir.path().join("backup.redb");
    let mut tables_seen = Vec::new();
    let summary = backup::backup_with(&store, &target, &mut |name| {
        if tables_seen.is_empty() {
            // Ingest keeps committing while the snapshot is open.
            wait_until(&commits, "commits during the backup", || {
                last(&store) > before + 500
            });
        }
        tables_seen.push(name.to_string());
    })
    .expect("backup");
    stop.store(true, Ordering::Relaxed);
    let sent = feed.join().expect("feeder");
    writer.shutdown();
    assert!(
        summary.last_seq >= before,
        "snapshot holds everything committed before"
    );
    assert!(
        last(&store) > summary.last_seq,
        "later commits are not in the snapshot"
    );
    assert!(sent > summary.last_seq);
    assert!(tables_seen.contains(&"events".to_string()));

    // Restore into a new store location: staged, swapped on "next start".
    let restored_path = dir.path().join("restored").join("courtside.redb");
    std::fs::create_dir_all(restored_path.parent().expect("parent")).expect("mkdir");
    backup::stage_restore(&target, &restored_path).expect("stage");
    assert!(
        backup::apply_pending_restore(&restored_path)
            .expect("apply")
            .is_some()
    );
    assert!(
        backup::apply_pending_restore(&restored_path)
            .expect("again")
            .is_none()
    );
    let restored = Store::open(&restored_path).expect("restored store opens");
    let stats = restored.stats().expect("stats");
    assert_eq!(stats.last_seq, summary.last_seq);
    assert_eq!(
        stats.events, summary.last_seq,
        "no gap: a consistent prefix"
    );
    let mut from = 1;
    while from <= summary.last_seq {
        let a = store.events_page(from, 1000).expect("live page");
        let b = restored.events_page(from, 1000).expect("restored page");
        let n = b.len().min(a.len());
        assert_eq!(a[..n], b[..n]);
        from += 1000;
    }
    for seq in 1..=before {
        assert!(
            restored.event(seq).expect("read").is_some(),
            "event {seq} restored"
        );
    }
    // Match records agree with the event index in the snapshot (same transaction).
    for m in restored.matches().expect("matches") {
        assert_eq!(
            m.event_count,
            restored.match_events(m.key).expect("events").len() as u64
        );
    }
    assert_eq!(
        restored.setting("ui.theme").expect("setting").as_deref(),
        Some("dark")
    );
}

#[test]
fn bad_inputs_are_refused_with_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    // The target exists: never overwritten.
    let existing = dir.path().join("existing.redb");
    std::fs::write(&existing, b"keep me").expect("write");
    assert!(matches!(
        backup::backup(&store, &existing),
        Err(BackupError::Exists(_))
    ));
    assert_eq!(std::fs::read(&existing).expect("read"), b"keep me");
    // A file that is not a store cannot be restored; nothing is staged.
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, vec![7u8; 4096]).expect("write");
    let target = dir.path().join("target.redb");
    let e = backup::stage_restore(&junk, &target).expect_err("junk");
    assert!(
        e.to_string().contains("not a usable courtside store"),
        "{e}"
    );
    assert!(!backup::staged_restore_path(&target).exists());
    // A table this build does not know fails the backup instead of being skipped.
    drop(store);
    {
        let db = redb::Database::create(dir.path().join("s.redb")).expect("db");
        let txn = db.begin_write().expect("txn");
        txn.open_table(redb::TableDefinition::<u64, u64>::new("mystery"))
            .expect("table")
            .insert(1, 2)
            .expect("insert");
        txn.commit().expect("commit");
    }
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let out = dir.path().join("b.redb");
    let e = backup::backup(&store, &out).expect_err("unknown table");
    assert!(e.to_string().contains("'mystery'"), "{e}");
    assert!(
        !out.exists() && !out.with_extension("partial").exists(),
        "no partial file left"
    );
}

#[test]
fn backup_keeps_obs_settings_and_flag_mapping() {
    use courtside::obs::store as obs_store;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).expect("writer");
    let mut conn = courtside::obs::ObsConnection::new("recording PC", "10.0.0.5", 4455);
    conn.password = courtside::obs::Password::new(format!("pw-{}", now_ns()));
    let (ack, acked) = crossbeam_channel::bounded(8);
    let mut rules = courtside::obs::rules::default_rules();
    rules[0].enabled = false;
    let requests = [
        obs_store::save_connection(conn.clone(), Some(ack.clone())),
        obs_store::save_rules(rules.clone(), Some(ack.clone())),
        obs_store::save_paused(true, Some(ack.clone())),
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
    ];
    let n = requests.len();
    for r in requests {
        writer.sender().send(r).expect("queue");
    }
    for _ in 0..n {
        acked.recv().expect("ack").expect("stored");
    }
    writer.shutdown();
    let out = dir.path().join("b.redb");
    let summary = backup::backup(&store, &out).expect("backup");
    for t in ["obs_connections", "obs_rules", "obs_meta", "flag_mapping"] {
        assert!(
            summary
                .tables
                .iter()
                .any(|(name, rows)| name == t && *rows > 0),
            "{t} in {:?}",
            summary.tables
        );
    }
    drop(store);
    let restored = Store::open(&out).expect("backup opens");
    assert_eq!(
        obs_store::load_connections(&restored).expect("conns"),
        vec![conn]
    );
    assert_eq!(obs_store::load_rules(&restored).expect("rules"), rules);
    assert!(obs_store::load_paused(&restored).expect("paused"));
    let mapping = courtside::flags::store::mapping(&restored).expect("mapping");
    assert_eq!(mapping.get("HRV").map(String::as_str), Some("CRO"));
}
