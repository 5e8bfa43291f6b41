//! Ingest end to end through the real binary: `simulate` → `listen` → SIGINT → `export`, a taken
//! port, several courts at once, a restart in the middle of a match and the source allowlist.
#![cfg(unix)] // SIGINT is how an operator stops `listen`; sent here with `kill -INT`.

use crate::match_state::{example_final_state, replay_file};
use crate::proc::{Proc, hex, run, simulate, start_listen, stop_listen, write_stream};
use crate::sender::spawn_sender;
use crate::support::{example_stream, temp_dir};
use courtside::protocol::parse_datagram;
use courtside::store::Store;
use courtside::stream_file;
use serde_json::Value;
use std::net::UdpSocket;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A stream with everything the wire can throw at ingest: a non-protocol line, TkStrike CRLF
/// lines, a datagram cut in the middle of a UTF-8 letter, invalid bytes, a paired message.
const MIXED: &[u8] = b"# mixed framings\n\
Udp Port 6000 connected;\n\
pre;FightLoaded\r\n\
at1;J. M\xc3\x9cLLER;Jonas M\xc3\x9cLLER;GER;at2;A. M\xc3\n\
mch;245.A;Final;W- 57 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1\r\n\
sc1;99;sc2;0;\n\
hl1;\xff\xfe;\n\
clk;1:59;start\r\n";

fn datagrams_of(file: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(file).expect("stream file");
    stream_file::datagrams(&bytes)
        .into_iter()
        .map(|l| l.bytes)
        .collect()
}

/// Listen on one free port, simulate `file` into it, wait until all is committed, stop.
fn ingest_file(db: &Path, file: &Path, expected_total: u64) {
    let (listen, addrs) = start_listen(db, &[], 1);
    simulate(file, &crate::proc::loopback(addrs[0]));
    listen.wait_committed(expected_total);
    stop_listen(listen);
}

fn export(db: &Path, format: &str) -> crate::proc::Finished {
    let f = run(&["export", "--db", db.to_str().unwrap(), "--format", format]);
    assert!(f.status.success(), "export failed: {}", f.stderr);
    f
}

#[test]
fn simulate_listen_export_keeps_every_byte() {
    let dir = temp_dir();
    let file = write_stream(dir.path(), "mixed.pss", MIXED);
    let db = dir.path().join("court.redb");
    let sent = datagrams_of(&file);
    assert_eq!(sent.len(), 7);
    ingest_file(&db, &file, 7);

    let json: Value = serde_json::from_slice(&export(&db, "json").stdout_bytes).unwrap();
    let records = json.as_array().expect("a JSON array");
    assert_eq!(records.len(), sent.len());
    for (i, (rec, raw)) in records.iter().zip(&sent).enumerate() {
        let text = String::from_utf8_lossy(raw);
        assert_eq!(rec["seq"], i as u64 + 1);
        assert_eq!(rec["raw"], text.as_ref(), "raw text of datagram {i}");
        match std::str::from_utf8(raw) {
            Ok(_) => assert!(rec.get("raw_hex").is_none(), "{rec}"),
            Err(_) => assert_eq!(rec["raw_hex"], hex(raw), "exact bytes of datagram {i}"),
        }
        assert_eq!(rec["court"], "Court 1");
        assert!(
            rec["source"].as_str().unwrap().starts_with("127.0.0.1:"),
            "{rec}"
        );
        assert_eq!(rec["match_key"], if i == 0 { 1 } else { 2 });
        let events: Vec<Value> = parse_datagram(raw)
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect();
        let got: Vec<Value> = rec["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].clone())
            .collect();
        assert_eq!(got, events, "events of datagram {i}");
    }
    assert_eq!(
        records[1]["raw"], "pre;FightLoaded\r\n",
        "TkStrike CRLF kept"
    );

    // CSV: one row per event, the raw text and (for invalid UTF-8) the exact bytes as hex.
    let csv = parse_csv(&export(&db, "csv").stdout);
    assert_eq!(
        csv[0],
        "seq,received_at,source,court,match_key,part,code,label,fields,raw,raw_hex"
            .split(',')
            .collect::<Vec<_>>()
    );
    let mut rows = csv[1..].iter();
    for (i, raw) in sent.iter().enumerate() {
        for (part, event) in parse_datagram(raw).iter().enumerate() {
            let row = rows.next().expect("a row per event");
            assert_eq!(row[0], (i + 1).to_string());
            assert_eq!(
                (row[5].as_str(), row[6].as_str()),
                (part.to_string().as_str(), event.code().as_str())
            );
            assert_eq!(row[9], String::from_utf8_lossy(raw), "raw of datagram {i}");
            let want_hex = std::str::from_utf8(raw).map_or_else(|_| hex(raw), |_| String::new());
            assert_eq!(row[10], want_hex, "raw_hex of datagram {i}");
        }
    }
    assert!(rows.next().is_none(), "no extra rows");

    // And the store itself holds the exact bytes.
    let store = Store::open(&db).unwrap();
    let stored: Vec<Vec<u8>> = store
        .events_page(0, 100)
        .unwrap()
        .into_iter()
        .map(|r| r.raw)
        .collect();
    assert_eq!(stored, sent);
}

/// RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text
        .strip_prefix('\u{FEFF}')
        .expect("a CSV export starts with a UTF-8 BOM")
        .chars()
        .peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "CSV ends with a full row"
    );
    rows
}

#[test]
fn sigint_right_after_sending_stores_and_counts_everything() {
    let dir = temp_dir();
    let db = dir.path().join("flush.redb");
    let sent = datagrams_of(&example_stream());
    let n = sent.len();
    let (listen, addrs) = start_listen(&db, &[], 1);
    simulate(&example_stream(), &crate::proc::loopback(addrs[0]));
    // No wait for commits: stopping must drain the socket and the writer queue, then count.
    let f = stop_listen(listen);
    for line in [
        // The example's `Udp Port 6000 connected;` is the PSS's link status, not an unknown.
        format!("courtside: Court 1: {n} datagrams (0 unknown, 0 malformed messages, 0 refused"),
        format!("courtside: stopped; {n} datagrams stored this run"),
    ] {
        assert!(f.stdout.contains(&line), "no {line:?} in\n{}", f.stdout);
    }
    let store = Store::open(&db).unwrap();
    let stored: Vec<Vec<u8>> = store
        .events_page(0, 1000)
        .unwrap()
        .into_iter()
        .map(|r| r.raw)
        .collect();
    assert_eq!(stored, sent);
}

#[test]
fn sigint_stops_a_listener_under_steady_traffic_and_stores_all_it_received() {
    let dir = temp_dir();
    let db = dir.path().join("steady.redb");
    // No rate bound: this is about the stop under full-speed traffic, not about a flood.
    let (listen, addrs) = start_listen(&db, &["--max-rate", "0"], 1);
    let stop = Arc::new(AtomicBool::new(false));
    let sender = spawn_sender(0, crate::proc::loopback(addrs[0]), stop.clone());
    listen.wait_commit_lines(1);
    // The sender keeps going: the stop must not wait for a pause in the traffic, and what was
    // received but not yet committed when the signal came must still be stored.
    let f = stop_listen(listen);
    stop.store(true, Ordering::Relaxed);
    let sent = sender.join().unwrap();
    let received = number_before(&f.stdout, " datagrams (");
    let stored = number_before(&f.stdout, " datagrams stored this run");
    assert_eq!(received, stored, "received vs stored:\n{}", f.stdout);
    let store = Store::open(&db).unwrap();
    assert_eq!(
        crate::crash::check_store(&store, &[sent], f.committed),
        stored
    );
}

/// The number just before `suffix` in `text` (from the listen summary).
fn number_before(text: &str, suffix: &str) -> u64 {
    let end = text
        .find(suffix)
        .unwrap_or_else(|| panic!("no {suffix:?} in\n{text}"));
    let start = text[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    text[start..end].parse().unwrap()
}

#[test]
fn a_taken_port_fails_listen_with_address_and_cause() {
    let dir = temp_dir();
    let holder = UdpSocket::bind("0.0.0.0:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let db = dir.path().join("x.redb");
    let f = run(&["listen", "--db", db.to_str().unwrap(), "--port", &port]);
    assert!(!f.status.success(), "listen must fail on a taken port");
    assert!(
        f.stderr.contains(&format!("0.0.0.0:{port}")),
        "{}",
        f.stderr
    );
    assert!(f.stderr.contains("address in use"), "{}", f.stderr);
}

#[test]
fn several_courts_at_once_are_tagged_with_their_court() {
    let dir = temp_dir();
    let db = dir.path().join("two.redb");
    let other = write_stream(
        dir.path(),
        "b.pss",
        b"pre;FightLoaded;\nat1;A. KIM;Ara KIM;KOR;at2;B. CHEN;Bo CHEN;CHN;\nsc1;1;sc2;4;\nwin;RED;\n",
    );
    let (a, b) = (datagrams_of(&example_stream()), datagrams_of(&other));
    let (listen, addrs) = start_listen(&db, &["--court", "Mat A", "--court", "Mat B"], 2);
    // Both simulators at once, so the two courts' datagrams interleave in the store.
    let mut sims = Vec::new();
    for (file, addr) in [(example_stream(), addrs[0]), (other.clone(), addrs[1])] {
        let mut cmd = crate::proc::courtside();
        cmd.arg("simulate")
            .arg(&file)
            .arg("--to")
            .arg(crate::proc::loopback(addr));
        sims.push(Proc::spawn(cmd));
    }
    for s in sims {
        assert!(s.finish().status.success());
    }
    listen.wait_committed((a.len() + b.len()) as u64);
    stop_listen(listen);

    let store = Store::open(&db).unwrap();
    let events = store.events_page(0, 1000).unwrap();
    for (court, sent) in [("Mat A", &a), ("Mat B", &b)] {
        let raws: Vec<&Vec<u8>> = events
            .iter()
            .filter(|e| e.court == court)
            .map(|e| &e.raw)
            .collect();
        assert_eq!(
            raws,
            sent.iter().collect::<Vec<_>>(),
            "datagrams of {court}, in order"
        );
    }
    let current = store.current_matches().unwrap();
    assert_eq!(current.len(), 2);
    for (court, key) in current {
        let state = store.rebuild_state(key).unwrap();
        match court.as_str() {
            "Mat A" => assert_eq!(serde_json::to_value(&state).unwrap(), example_final_state()),
            "Mat B" => assert_eq!(state, replay_file(&std::fs::read(&other).unwrap())),
            other => panic!("unexpected court {other}"),
        }
        assert_eq!(store.match_record(key).unwrap().unwrap().state, state);
    }
}

#[test]
fn a_restart_mid_match_rebuilds_the_same_state() {
    let dir = temp_dir();
    let db = dir.path().join("restart.redb");
    let bytes = std::fs::read(example_stream()).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // Stop right after the challenge in round 2.
    let cut = text.find("ch1;1;0;\n").unwrap() + "ch1;1;0;\n".len();
    let first = write_stream(dir.path(), "first.pss", &bytes[..cut]);
    let second = write_stream(dir.path(), "second.pss", &bytes[cut..]);
    let (n1, n2) = (
        datagrams_of(&first).len() as u64,
        datagrams_of(&second).len() as u64,
    );

    ingest_file(&db, &first, n1);
    let key = {
        let store = Store::open(&db).unwrap();
        let [(court, key)] = &store.current_matches().unwrap()[..] else {
            panic!("one court expected");
        };
        assert_eq!(court, "Court 1");
        let before = replay_file(&bytes[..cut]);
        assert_eq!(store.rebuild_state(*key).unwrap(), before);
        assert_eq!(store.match_record(*key).unwrap().unwrap().state, before);
        assert_eq!(before.round, 2, "really mid-match");
        *key
    };

    // The second run must continue the same match, not start a new one.
    let (listen, addrs) = start_listen(&db, &[], 1);
    simulate(&second, &crate::proc::loopback(addrs[0]));
    listen.wait_committed(n1 + n2);
    stop_listen(listen);
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.current_matches().unwrap(),
        [("Court 1".to_string(), key)]
    );
    let after = store.rebuild_state(key).unwrap();
    assert_eq!(serde_json::to_value(&after).unwrap(), example_final_state());
    let record = store.match_record(key).unwrap().unwrap();
    assert_eq!(record.state, after);
    // Every datagram from the `pre` on belongs to the match (the first line came before it).
    assert_eq!(record.event_count, n1 + n2 - 1);
}

#[cfg(target_os = "linux")] // 127.0.0.2 is a loopback address only on Linux by default.
#[test]
fn the_allowlist_refuses_and_counts_other_sources() {
    let dir = temp_dir();
    let db = dir.path().join("allow.redb");
    let (listen, addrs) = start_listen(&db, &["--allow", "127.0.0.2"], 1);
    let to = crate::proc::loopback(addrs[0]);
    let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..5 {
        stranger
            .send_to(format!("sc1;{i};").as_bytes(), &to)
            .unwrap();
    }
    // The allowed source speaks last: once its datagram is stored, the five were handled.
    let pss = UdpSocket::bind("127.0.0.2:0").unwrap();
    pss.send_to(b"pre;FightLoaded;", &to).unwrap();
    listen.wait_committed(1);
    let f = stop_listen(listen);
    assert!(
        f.stdout.contains(
            "6 datagrams (0 unknown, 0 malformed messages, 5 refused by the source allowlist, 0 \
             ignored from other sources than the locked one, 0 over the per-source rate bound)"
        ),
        "{}",
        f.stdout
    );
    let store = Store::open(&db).unwrap();
    let events = store.events_page(0, 10).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].raw, b"pre;FightLoaded;");
    assert_eq!(events[0].source, pss.local_addr().unwrap().to_string());
}
