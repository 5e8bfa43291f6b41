//! Damaged or crafted rows: a value whose length prefix claims far more than the row holds is a
//! clear error naming the table and the key, read through the store's public API, never an
//! allocation that aborts the process.

use crate::raw_store::damage;
use crate::support::{store_datagrams, temp_dir};
use courtside::store::schema::{EVENTS, MATCHES, SETTINGS};
use courtside::store::{Store, Writer, WriterConfig};

/// A bincode varint announcing `len` items: marker 253, then the length as u64 little-endian.
fn varint_u64(len: u64) -> Vec<u8> {
    let mut b = vec![253u8];
    b.extend_from_slice(&len.to_le_bytes());
    b
}

#[test]
fn an_event_claiming_a_2_pow_60_element_vec_or_string_is_a_named_error_not_an_abort() {
    let dir = temp_dir();
    let path = dir.path().join("damaged.redb");
    {
        let store = Store::open(&path).expect("open");
        store_datagrams(
            &store,
            "Court 1",
            &[b"pre;FightLoaded;", b"sc1;1;", b"sc2;1;"],
        );
    }
    // EventRecord: seq, time, source, court, raw, events, match key.
    // Row 2: `source`, a String of 2^60 bytes (unbounded, bincode allocates it before reading:
    // the process aborts).
    let mut string_row = vec![2u8, 0];
    string_row.extend(varint_u64(1 << 60));
    string_row.extend_from_slice(b"only a few bytes follow");
    damage(&path, EVENTS, 2, &string_row);
    // Row 3: `raw`, a Vec of 2^60 elements.
    let mut vec_row = vec![3u8, 0, 0, 0];
    vec_row.extend(varint_u64(1 << 60));
    vec_row.extend_from_slice(b"xyz");
    damage(&path, EVENTS, 3, &vec_row);

    let store = Store::open(&path).expect("reopen");
    let msg = store.event(2).expect_err("damaged event 2").to_string();
    assert!(
        msg.contains("stored event in table 'events', key 2") && msg.contains("claims more data"),
        "{msg}"
    );
    let msg = store.event(3).expect_err("damaged event 3").to_string();
    assert!(msg.contains("table 'events', key 3"), "{msg}");
    // The page reader names the first damaged row; the healthy event still reads.
    let msg = store.events_page(0, 10).expect_err("page").to_string();
    assert!(msg.contains("table 'events', key 2"), "{msg}");
    assert_eq!(
        store.event(1).expect("event 1").expect("stored").raw,
        b"pre;FightLoaded;"
    );
}

#[test]
fn a_match_claiming_a_huge_court_name_is_a_named_error() {
    let dir = temp_dir();
    let path = dir.path().join("damaged-match.redb");
    {
        let store = Store::open(&path).expect("open");
        store_datagrams(&store, "Court 1", &[b"pre;FightLoaded;"]);
    }
    // MatchRecord: key 1, then `court`: a String claiming 2^60 bytes.
    let mut bytes = vec![1u8];
    bytes.extend(varint_u64(1 << 60));
    damage(&path, MATCHES, 1, &bytes);

    let store = Store::open(&path).expect("reopen");
    let msg = store.match_record(1).expect_err("match").to_string();
    assert!(
        msg.contains("stored match in table 'matches', key 1"),
        "{msg}"
    );
    let msg = store.matches().expect_err("list").to_string();
    assert!(msg.contains("table 'matches', key 1"), "{msg}");
}

#[test]
fn a_setting_claiming_a_huge_string_names_its_key_and_spares_the_others() {
    let dir = temp_dir();
    let path = dir.path().join("damaged-setting.redb");
    {
        let store = Store::open(&path).expect("open");
        let writer = Writer::spawn(store, WriterConfig::default(), Vec::new()).expect("writer");
        writer.set_setting("ui.theme", "dark", "test").expect("set");
        writer.shutdown();
    }
    {
        let db = redb::Database::open(&path).expect("open raw");
        let txn = db.begin_write().expect("txn");
        txn.open_table(SETTINGS)
            .expect("table")
            .insert("ingest.port", varint_u64(1 << 60).as_slice())
            .expect("insert");
        txn.commit().expect("commit");
    }
    let store = Store::open(&path).expect("reopen");
    let msg = store
        .setting("ingest.port")
        .expect_err("setting")
        .to_string();
    assert!(msg.contains("table 'settings', key ingest.port"), "{msg}");
    let (good, bad) = store.settings_checked().expect("checked");
    assert_eq!(good, vec![("ui.theme".to_string(), "dark".to_string())]);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].contains("'ingest.port'"), "{}", bad[0]);
}
