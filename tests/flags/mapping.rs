//! Flags: the code mapping (persisted, with history), codes seen in matches, the CLI.

use crate::flags_support;

use courtside::cli::{FlagsArgs, FlagsCommand};
use courtside::flags::{FlagResolver, FlagSource, FlagsError, store};
use courtside::store::writer::{Incoming, now_ns};
use courtside::store::{Store, WriteRequest};
use flags_support::*;
use std::path::Path;

fn set(t: &TestStore, from: &str, to: Option<&str>) {
    let op = store::set_mapping_op(from.into(), to.map(Into::into), "test".into(), now_ns());
    store::apply_and_wait(&t.writer.sender(), "mapping", op).unwrap();
}

#[test]
fn mapping_is_applied_first_persisted_and_every_change_is_in_the_history() {
    let t = test_store();
    set(&t, "HRV", Some("CRO"));
    set(&t, "HRV", Some("CRO")); // no-op: no history row
    set(&t, "CLUB1", Some("KOR"));
    set(&t, "HRV", Some("SLO"));
    set(&t, "CLUB1", None);

    let r = FlagResolver::load(&t.store).unwrap();
    let hrv = r.resolve("hrv");
    assert_eq!(
        (hrv.code.as_str(), hrv.mapped, hrv.iso2()),
        ("SLO", true, Some("si"))
    );
    assert_eq!(r.resolve("CLUB1").source, FlagSource::Missing);

    let history = store::mapping_history(&t.store, 10).unwrap();
    let rows: Vec<_> = history
        .iter()
        .map(|c| (c.id, c.from.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            (4, "CLUB1", Some("KOR"), None),
            (3, "HRV", Some("CRO"), Some("SLO")),
            (2, "CLUB1", None, Some("KOR")),
            (1, "HRV", None, Some("CRO")),
        ]
    );

    // Survives closing and reopening the store.
    let TestStore { dir, store, writer } = t;
    writer.shutdown();
    drop(store);
    let reopened = Store::open(&dir.path().join("test.redb")).unwrap();
    assert_eq!(store::mapping(&reopened).unwrap()["HRV"], "SLO");
}

#[test]
fn a_mapped_code_shows_the_imported_flag_of_its_target() {
    let t = test_store();
    let cro = write(t.dir.path(), "CRO.svg", &svg());
    let resolver = FlagResolver::load(&t.store).unwrap();
    let request = courtside::flags::ImportRequest::paths([cro]);
    courtside::flags::import::run_import(&request, &resolver, &t.writer.sender(), &|_| {});
    set(&t, "HRV", Some("CRO"));
    let r = FlagResolver::load(&t.store).unwrap().resolve("HRV");
    assert_eq!((r.source, r.code.as_str()), (FlagSource::Imported, "CRO"));
}

#[test]
fn bad_mappings_are_refused_with_the_reason() {
    let r = FlagResolver::builtin_only();
    let reason = |from: &str, to: Option<&str>| match r.check_mapping(from, to) {
        Err(FlagsError::InvalidCode { reason, .. }) => reason,
        other => panic!("{from}→{to:?} accepted: {other:?}"),
    };
    assert!(reason("HRV", Some("XXX")).contains("no flag"));
    assert!(reason("CRO", Some("cro")).contains("itself"));
    assert!(reason("H R V", Some("CRO")).contains("letters"));
    assert!(reason("HRV", Some("")).contains("letters"));
    assert_eq!(
        r.check_mapping(" hrv", Some("cro")).unwrap(),
        ("HRV".to_string(), Some("CRO".to_string()))
    );
}

fn datagram(text: &str) -> WriteRequest {
    WriteRequest::Datagram(Incoming {
        received_at_ns: now_ns(),
        received: std::time::Instant::now(),
        source: "127.0.0.1:6000".into(),
        court: "Court 1".into(),
        raw: text.as_bytes().to_vec(),
        events: courtside::protocol::parse_datagram(text.as_bytes()),
    })
}

#[test]
fn codes_seen_in_matches_are_listed_with_their_athletes() {
    let t = test_store();
    let tx = t.writer.sender();
    tx.send(datagram("pre;FightLoaded")).unwrap();
    tx.send(datagram("at1;Kim;Kim Minsu;KOR;at2;Horvat;Ivan Horvat;HRV"))
        .unwrap();
    tx.send(datagram("pre;FightLoaded")).unwrap();
    tx.send(datagram("at1;Lee;Lee Jun;kor;at2;Abe;Abe Ken;JPN"))
        .unwrap();
    t.writer.flush().unwrap();
    let seen = store::seen_codes(&t.store).unwrap();
    let mut codes: Vec<_> = seen.iter().map(|s| s.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["HRV", "JPN", "KOR"]);
    let kor = seen.iter().find(|s| s.code == "KOR").unwrap();
    assert_eq!(kor.athletes, ["Lee Jun", "Kim Minsu"]); // latest match first
}

fn cli(command: FlagsCommand, db: &Path) -> (anyhow::Result<()>, String) {
    let mut out = Vec::new();
    let result = courtside::cli::flags(&FlagsArgs { command }, db, &mut out);
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn cli_resolve_prints_code_iso_source_using_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.redb");
    let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect();
    // An explicit store path that does not exist: a clear error, no answer from the built-ins,
    // and no file is created.
    let (r, out) = cli(
        FlagsCommand::Resolve {
            codes: codes(&["KOR", "HRV", "AIN"]),
        },
        &db,
    );
    let err = r.unwrap_err().to_string();
    assert!(
        err.contains(&format!("store {} does not exist", db.display())) && err.contains("--db"),
        "{err}"
    );
    assert_eq!(out, "", "nothing printed from the built-ins");
    assert!(!db.exists());

    let ger = write(dir.path(), "GER.png", &png(30, 20));
    let (r, out) = cli(
        FlagsCommand::Import {
            paths: vec![ger],
            allow_unknown: false,
        },
        &db,
    );
    r.unwrap();
    assert!(out.contains("GER.png as GER"), "{out}");
    let (r, out) = cli(
        FlagsCommand::Resolve {
            codes: codes(&["KOR", "HRV", "AIN", "WT"]),
        },
        &db,
    );
    r.unwrap();
    assert_eq!(
        out,
        "KOR\tkr\tbuiltin\nHRV\t-\tmissing\nAIN\t-\tbuiltin\nWT\t-\tbuiltin\n"
    );
    let (r, _) = cli(
        FlagsCommand::Map {
            from: "HRV".into(),
            to: Some("CRO".into()),
            remove: false,
        },
        &db,
    );
    r.unwrap();
    let (r, out) = cli(
        FlagsCommand::Resolve {
            codes: codes(&["GER", "hrv", "XYZ"]),
        },
        &db,
    );
    r.unwrap();
    assert_eq!(
        out,
        "GER\tde\timported\nhrv\thr\tbuiltin\nXYZ\t-\tmissing\n"
    );
}

#[test]
fn cli_import_reports_each_refused_file_and_fails_after_storing_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.redb");
    let paths = vec![
        write(dir.path(), "KOR.svg", &svg()),
        write(dir.path(), "GER.png", b"garbage"),
        write(dir.path(), "XYZ.svg", &svg()),
    ];
    let (r, out) = cli(
        FlagsCommand::Import {
            paths: paths.clone(),
            allow_unknown: false,
        },
        &db,
    );
    let err = r.unwrap_err().to_string();
    assert!(err.contains("2 file(s) not imported, 1 imported"), "{err}");
    assert!(
        out.contains("rejected") && out.contains("GER.png: not a readable image"),
        "{out}"
    );
    assert!(
        out.contains("XYZ.svg: the file name is not a known IOC code"),
        "{out}"
    );
    // --allow-unknown takes the club code from the name.
    let (r, _) = cli(
        FlagsCommand::Import {
            paths: vec![paths[2].clone()],
            allow_unknown: true,
        },
        &db,
    );
    r.unwrap();
    let store = Store::open(&db).unwrap();
    let codes: Vec<_> = store::imported_flags(&store).unwrap().into_keys().collect();
    assert_eq!(codes, ["KOR", "XYZ"]);
}

#[test]
fn cli_export_writes_original_bytes_and_keeps_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.redb");
    let png_bytes = png(30, 20);
    let kor = write(dir.path(), "KOR.png", &png_bytes);
    let (r, _) = cli(
        FlagsCommand::Import {
            paths: vec![kor],
            allow_unknown: false,
        },
        &db,
    );
    r.unwrap();
    let out_dir = dir.path().join("export");
    let (r, _) = cli(
        FlagsCommand::Export {
            dir: out_dir.clone(),
        },
        &db,
    );
    r.unwrap();
    assert_eq!(std::fs::read(out_dir.join("KOR.png")).unwrap(), png_bytes);
    // A second export does not overwrite: reported, and the command fails.
    std::fs::write(out_dir.join("KOR.png"), b"mine").unwrap();
    let (r, out) = cli(
        FlagsCommand::Export {
            dir: out_dir.clone(),
        },
        &db,
    );
    assert!(r.is_err());
    assert!(out.contains("not exported"), "{out}");
    assert_eq!(std::fs::read(out_dir.join("KOR.png")).unwrap(), b"mine");
}
