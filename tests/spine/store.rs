//! Store: reopening keeps everything, settings with history, a store open twice, a newer schema
//! and a file that is not a store are refused with clear errors.

use crate::support::{future_store, store_datagrams, temp_dir};
use courtside::protocol::Athlete;
use courtside::store::{Store, StoreError, Writer, WriterConfig};
use redb::ReadableDatabase;

#[test]
fn reopening_keeps_events_matches_and_settings() {
    let dir = temp_dir();
    let path = dir.path().join("nested/folder/court.redb");
    let raws: [&[u8]; 5] = [
        b"Udp Port 6000 connected;",
        b"pre;FightLoaded\r\n",
        b"at1;J. M\xdcLLER;Jonas M\xdcLLER;GER",
        b"sc1;3;sc2;1;",
        b"win;RED;",
    ];
    let (events, matches) = {
        let store = Store::open(&path).unwrap();
        store_datagrams(&store, "Court 1", &raws);
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
        writer.set_setting("ingest.port", "6001", "test").unwrap();
        writer.shutdown();
        (store.events_page(0, 100).unwrap(), store.matches().unwrap())
    };
    assert_eq!(events.len(), 5);
    for (rec, raw) in events.iter().zip(raws) {
        assert_eq!(rec.raw, raw, "exact bytes of seq {}", rec.seq);
    }
    assert_eq!(
        events.iter().map(|e| e.match_key).collect::<Vec<_>>(),
        [1, 2, 2, 2, 2]
    );

    let store = Store::open(&path).unwrap();
    assert_eq!(store.events_page(0, 100).unwrap(), events);
    assert_eq!(store.matches().unwrap(), matches);
    assert_eq!(matches.iter().map(|m| m.key).collect::<Vec<_>>(), [2, 1]);
    let m = store.match_record(2).unwrap().unwrap();
    assert_eq!((m.event_count, m.state.winner), (4, Some(Athlete::Red)));
    assert!(m.ended_at_ns.is_some());
    assert_eq!(
        store.setting("ingest.port").unwrap().as_deref(),
        Some("6001")
    );
    assert_eq!(store.schema_version().unwrap(), 2);

    // A writer on the reopened store continues the sequence and the current match.
    store_datagrams(&store, "Court 1", &[b"sc1;4;"]);
    let rec = store.event(6).unwrap().unwrap();
    assert_eq!((rec.match_key, rec.raw.as_slice()), (2, &b"sc1;4;"[..]));
    assert_eq!(store.match_event_count(2).unwrap(), 5);
    // The event table fetches the rows on screen by sequence: found ones in the order asked,
    // sequences that do not exist skipped.
    let got = store.events_by_seq(&[5, 99, 1, 6]).unwrap();
    assert_eq!(got.iter().map(|r| r.seq).collect::<Vec<_>>(), [5, 1, 6]);
    assert_eq!(got[0], events[4]);
}

#[test]
fn settings_keep_a_history_without_no_op_rows() {
    let dir = temp_dir();
    let path = dir.path().join("settings.redb");
    {
        let store = Store::open(&path).unwrap();
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
        let first = writer
            .set_setting("obs.host", "localhost", "ui")
            .unwrap()
            .unwrap();
        assert_eq!(
            (first.id, first.old.as_deref(), first.new.as_str()),
            (1, None, "localhost")
        );
        assert_eq!(
            writer.set_setting("obs.host", "localhost", "ui").unwrap(),
            None
        );
        let second = writer
            .set_setting("obs.host", "10.0.0.5", "cli")
            .unwrap()
            .unwrap();
        assert_eq!(
            (second.id, second.old.as_deref(), second.source.as_str()),
            (2, Some("localhost"), "cli")
        );
        writer.set_setting("court.name", "Court 3", "ui").unwrap();
        writer.shutdown();
    }
    let store = Store::open(&path).unwrap();
    let history = store.settings_history(10).unwrap();
    let rows: Vec<(u64, &str, Option<&str>, &str)> = history
        .iter()
        .map(|c| (c.id, c.key.as_str(), c.old.as_deref(), c.new.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (3, "court.name", None, "Court 3"),
            (2, "obs.host", Some("localhost"), "10.0.0.5"),
            (1, "obs.host", None, "localhost"),
        ],
        "newest first, and the no-op left no row"
    );
    assert_eq!(store.settings_history(1).unwrap().len(), 1);
    assert_eq!(
        store.settings().unwrap(),
        [
            ("court.name".to_string(), "Court 3".to_string()),
            ("obs.host".to_string(), "10.0.0.5".to_string())
        ]
    );
    assert_eq!(store.setting("missing").unwrap(), None);
}

#[test]
fn a_store_open_twice_is_refused_clearly() {
    let dir = temp_dir();
    let path = dir.path().join("busy.redb");
    let first = Store::open(&path).unwrap();
    let err = Store::open(&path).err().expect("second open must fail");
    assert!(
        matches!(&err, StoreError::AlreadyOpen { path: p } if *p == path),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("already open"), "{msg}");
    drop(first);
    Store::open(&path).expect("free again once the first is closed");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let dir = temp_dir();
    let path = dir.path().join("future.redb");
    future_store(&path, 7);
    let err = Store::open(&path)
        .err()
        .expect("newer schema must be refused");
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 7,
                supported: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    for needle in [
        path.display().to_string(),
        "7".into(),
        "(2)".into(),
        "update courtside".into(),
    ] {
        assert!(msg.contains(&needle), "{msg} lacks {needle}");
    }
    // Refusing must not have changed the file: still version 7, no v2 tables.
    let db = redb::Database::open(&path).unwrap();
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(courtside::store::schema::META).unwrap();
    assert_eq!(meta.get("schema_version").unwrap().unwrap().value(), 7);
    assert!(txn.open_table(courtside::store::schema::EVENTS).is_err());
}

#[test]
fn a_file_that_is_not_a_store_is_refused_clearly() {
    let dir = temp_dir();
    let path = dir.path().join("notes.redb");
    let junk = b"these are my notes, not a database".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    let err = Store::open(&path).err().expect("junk must be refused");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        junk,
        "the file is left as it was"
    );
}

#[test]
fn open_existing_refuses_a_missing_file() {
    let dir = temp_dir();
    let path = dir.path().join("typo.redb");
    let err = Store::open_existing(&path).err().expect("missing store");
    assert!(matches!(err, StoreError::Missing { .. }), "{err:?}");
    assert!(err.to_string().contains("typo.redb"), "{err}");
    assert!(!path.exists(), "no empty store was created");
}

#[test]
fn the_match_list_reads_page_by_page_newest_first() {
    let dir = temp_dir();
    let store = Store::open(&dir.path().join("pages.redb")).unwrap();
    let mut raws: Vec<Vec<u8>> = Vec::new();
    for i in 0..23 {
        raws.push(b"pre;FightLoaded;".to_vec());
        raws.push(format!("mch;{i};Final;M-68;;#0000ff;#ffffff;#ff0000;#ffffff;").into_bytes());
    }
    let raws: Vec<&[u8]> = raws.iter().map(|r| &r[..]).collect();
    store_datagrams(&store, "Court 1", &raws);
    let all = store.matches().unwrap();
    assert!(all.len() >= 23, "{} matches", all.len());
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = store.matches_page(before, 5).unwrap();
        assert!(page.len() <= 5);
        before = page.last().map(|m| m.key);
        let last = page.len() < 5;
        paged.extend(page);
        if last {
            break;
        }
    }
    let keys = |v: &[courtside::store::MatchRecord]| v.iter().map(|m| m.key).collect::<Vec<_>>();
    assert_eq!(keys(&paged), keys(&all), "same matches, same order");
    assert!(keys(&paged).windows(2).all(|w| w[0] > w[1]), "newest first");
    assert!(store.matches_page(Some(0), 5).unwrap().is_empty());
}
