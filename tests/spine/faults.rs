//! Faults a venue machine meets (issue 7): a read-only store file, a full disk, a bad settings
//! value in the store. Each gives a clear message and loses nothing already stored. (A taken UDP
//! port: `ingest::a_taken_port_fails_listen_with_address_and_cause`.)

use crate::proc::{Proc, courtside};
use crate::support::{store_datagrams, temp_dir};
use courtside::model::settings::{AppSettings, keys};
use courtside::store::{EventRecord, Store, Writer, WriterConfig};
use std::path::Path;
use std::process::Command;
// The headless-start tests stop the app with SIGINT (`stop_listen`, Unix only); macOS always
// has a display, so it never starts headless.
#[cfg(all(unix, not(target_os = "macos")))]
use {
    crate::proc::stop_listen,
    courtside::model::settings::ListenerSetting,
    std::net::{Ipv4Addr, UdpSocket},
};
// The full-disk test needs RLIMIT_FSIZE through `sh -c ulimit` (Linux).
#[cfg(target_os = "linux")]
use {
    crate::crash::check_store,
    crate::proc::loopback,
    crate::sender::spawn_sender,
    std::sync::Arc,
    std::sync::atomic::{AtomicBool, Ordering},
};

/// A store holding a few datagrams; returns what it holds.
fn filled_store(db: &Path) -> Vec<EventRecord> {
    let store = Store::open(db).unwrap();
    store_datagrams(&store, "Court 1", &[b"pre;FightLoaded;", b"sc1;3;sc2;1;"]);
    store.events_page(1, 100).unwrap()
}

/// Set `key` to `value` in the store, as the settings dialog would.
fn set_setting(db: &Path, key: &str, value: &str) {
    let store = Store::open(db).unwrap();
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new()).unwrap();
    writer.set_setting(key, value, "test").unwrap();
    writer.shutdown();
}

/// A store holding a few datagrams and one listener setting on a free loopback port; returns
/// what it holds and the port.
#[cfg(all(unix, not(target_os = "macos")))]
fn store_with_a_loopback_listener(db: &Path) -> (Vec<EventRecord>, u16) {
    let before = filled_store(db);
    let port = free_port();
    let listeners = vec![ListenerSetting {
        bind: Ipv4Addr::LOCALHOST.into(),
        port,
        court: "Court 1".into(),
        allow: Vec::new(),
        ..ListenerSetting::default()
    }];
    set_setting(
        db,
        keys::LISTENERS,
        &serde_json::to_string(&listeners).unwrap(),
    );
    (before, port)
}

/// `courtside --db DB` with no display: the app's headless mode.
#[cfg(all(unix, not(target_os = "macos")))]
fn start_headless(db: &Path) -> Proc {
    let mut cmd = courtside();
    cmd.arg("--db")
        .arg(db)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    Proc::spawn(cmd)
}

/// `courtside ARGS` as a user who cannot write read-only files. Run as root (a CI container),
/// the permission bits would not stop it, so there it runs without the capabilities that
/// override them (`setpriv`, util-linux).
fn unprivileged(db: &Path, args: &[&str]) -> Command {
    let can_write_anyway = std::fs::OpenOptions::new().write(true).open(db).is_ok();
    if !can_write_anyway {
        let mut c = courtside();
        c.args(args);
        return c;
    }
    let mut c = Command::new("setpriv");
    c.args([
        "--bounding-set=-dac_override,-dac_read_search",
        "--inh-caps=-all",
    ])
    .arg(env!("CARGO_BIN_EXE_courtside"))
    .args(args)
    .env("RUST_LOG", "warn")
    .env("NO_COLOR", "1");
    c
}

#[test]
fn a_read_only_store_is_refused_naming_the_file_and_keeps_its_data() {
    let dir = temp_dir();
    let db = dir.path().join("ro.redb");
    let before = filled_store(&db);
    let mut perms = std::fs::metadata(&db).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&db, perms.clone()).unwrap();

    let db_arg = db.to_str().unwrap();
    for args in [
        vec![
            "listen",
            "--db",
            db_arg,
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
        ],
        vec!["--db", db_arg, "matches"],
    ] {
        let f = Proc::spawn(unprivileged(&db, &args)).finish();
        assert!(
            !f.status.success(),
            "{args:?} must fail on a read-only store"
        );
        assert!(f.stderr.contains(db_arg), "names the file: {}", f.stderr);
        assert!(f.stderr.contains("read-only"), "says why: {}", f.stderr);
    }

    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&db, perms).unwrap();
    let store = Store::open(&db).unwrap();
    assert_eq!(store.events_page(1, 100).unwrap(), before, "nothing lost");
}

/// A full disk, made with RLIMIT_FSIZE on the listener (writes beyond the limit fail with
/// EFBIG, SIGXFSZ ignored): unlike a small tmpfs it needs no mount privilege, so it runs in CI.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_and_every_reported_commit_survives() {
    let dir = temp_dir();
    let db = dir.path().join("full.redb");
    drop(Store::open(&db).unwrap());
    // 2 MiB (dash counts `ulimit -f` in 512-byte blocks, bash in 1 KiB: either is a few
    // seconds of full-speed ingest above the empty store).
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "trap '' XFSZ; ulimit -f 4096; exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_courtside"),
        "listen",
        "--db",
    ])
    .arg(&db)
    .args(["--bind", "127.0.0.1", "--port", "0", "--print-commits"])
    .env("RUST_LOG", "warn")
    .env("NO_COLOR", "1");
    let listen = Proc::spawn(cmd);
    let addr = listen.wait_listening(1)[0];
    let stop = Arc::new(AtomicBool::new(false));
    let sender = spawn_sender(0, loopback(addr), stop.clone());
    listen.wait_committed(1);
    // The notice: what failed and the OS's reason.
    listen.wait_stderr("cannot store");
    stop.store(true, Ordering::Relaxed);
    let sent = sender.join().unwrap();
    let f = listen.kill();
    assert!(
        f.stderr.contains("File too large"),
        "the cause is given: {}",
        f.stderr
    );

    let store = Store::open(&db).expect("the store opens after a full disk");
    check_store(&store, &[sent], f.committed);
}

/// A free UDP port on loopback right now (bound, read back, released). Not port 0: the headless
/// app takes its listener port from the saved settings, which must be 1–65535.
#[cfg(all(unix, not(target_os = "macos")))]
fn free_port() -> u16 {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[test]
fn an_invalid_listener_setting_falls_back_to_the_default_with_a_warning() {
    let entries = [(keys::LISTENERS.to_string(), "{not json".to_string())];
    let (settings, warnings) = AppSettings::from_entries(&entries);
    assert_eq!(settings.listeners, AppSettings::default().listeners);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("'listeners'"), "{warnings:?}");

    // Valid JSON, invalid value (port 0): refused the same way.
    let zero = r#"[{"bind":"127.0.0.1","port":0,"court":"Court 1","allow":[]}]"#;
    let (settings, warnings) =
        AppSettings::from_entries(&[(keys::LISTENERS.to_string(), zero.to_string())]);
    assert_eq!(settings.listeners, AppSettings::default().listeners);
    assert!(warnings[0].contains("'listeners'"), "{warnings:?}");
}

/// Headless start (no display) with a garbage theme value: starts with the stored listeners,
/// warns naming the key, and keeps what the store held.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn a_garbage_setting_value_starts_headless_with_a_warning_naming_the_key() {
    let dir = temp_dir();
    let db = dir.path().join("bad-setting.redb");
    let (before, port) = store_with_a_loopback_listener(&db);
    set_setting(&db, keys::THEME, "\u{1}garbage{");

    let app = start_headless(&db);
    assert_eq!(
        app.wait_listening(1)[0].port(),
        port,
        "stored listener used"
    );
    app.wait_stderr("stored setting 'theme' is invalid");
    let f = stop_listen(app);
    assert!(f.stderr.contains("using the default"), "{}", f.stderr);

    let store = Store::open(&db).unwrap();
    assert_eq!(store.events_page(1, 100).unwrap(), before, "nothing lost");
    assert_eq!(
        store.setting(keys::THEME).unwrap().as_deref(),
        Some("\u{1}garbage{"),
        "the bad value is kept for the operator to see, not silently overwritten"
    );
}

/// Overwrite `key`'s stored bytes with something the codec cannot decode (a damaged value, as a
/// bug in another version or a bad restore could leave it).
fn damage_setting(db: &Path, key: &str) {
    let table: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("settings");
    let db = redb::Database::open(db).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(table)
        .unwrap()
        .insert(key, &[0xFF_u8, 0xFF, 0xFF][..])
        .unwrap();
    txn.commit().unwrap();
}

#[test]
fn an_undecodable_setting_costs_only_its_own_key() {
    let dir = temp_dir();
    let db = dir.path().join("damaged-setting.redb");
    filled_store(&db);
    set_setting(&db, keys::THEME, "light");
    set_setting(&db, "scoreboard.font_scale", "1.5");
    damage_setting(&db, keys::THEME);
    let store = Store::open(&db).unwrap();
    assert!(store.settings().is_err(), "the strict read refuses it");
    let (good, bad) = store.settings_checked().unwrap();
    assert_eq!(
        good,
        [("scoreboard.font_scale".to_string(), "1.5".to_string())]
    );
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("'theme'") && bad[0].contains("using the default"));
}

/// A settings save is one transaction: when one key cannot be written (its stored value is
/// damaged, so its history row cannot be made), the other keys of the same save stay unchanged.
#[test]
fn a_settings_save_is_all_or_nothing() {
    let dir = temp_dir();
    let db = dir.path().join("settings-save.redb");
    set_setting(&db, "scoreboard.font_scale", "1.0");
    set_setting(&db, keys::THEME, "dark");
    damage_setting(&db, keys::THEME);
    let store = Store::open(&db).unwrap();
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
    let save = |entries: &[(&str, &str)]| {
        let (ack, done) = crossbeam_channel::bounded(1);
        let entries = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        writer
            .sender()
            .send(courtside::store::WriteRequest::Apply {
                what: "settings",
                op: courtside::store::write_settings_op(entries, "ui".into()),
                ack: Some(ack),
            })
            .unwrap();
        done.recv().unwrap()
    };
    let refused = save(&[("scoreboard.font_scale", "2.0"), (keys::THEME, "light")]);
    assert!(refused.is_err(), "the damaged key fails the save");
    assert_eq!(
        store.setting("scoreboard.font_scale").unwrap().as_deref(),
        Some("1.0"),
        "the other key of the failed save is not half-applied"
    );
    let history = store.settings_history(10).unwrap().len();
    save(&[("scoreboard.font_scale", "2.0"), ("ui.extra", "x")]).unwrap();
    assert_eq!(
        store.setting("scoreboard.font_scale").unwrap().as_deref(),
        Some("2.0")
    );
    assert_eq!(store.settings_history(10).unwrap().len(), history + 2);
    writer.shutdown();
}

/// Headless start with a damaged (undecodable) value: the other stored settings still apply,
/// the damaged key is named, nothing stored is lost.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn a_damaged_setting_value_starts_headless_with_the_other_settings() {
    let dir = temp_dir();
    let db = dir.path().join("damaged-headless.redb");
    let (before, port) = store_with_a_loopback_listener(&db);
    set_setting(&db, keys::THEME, "light");
    damage_setting(&db, keys::THEME);

    let app = start_headless(&db);
    assert_eq!(
        app.wait_listening(1)[0].port(),
        port,
        "stored listener used"
    );
    app.wait_stderr("stored setting 'theme' cannot be read");
    stop_listen(app);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.events_page(1, 100).unwrap(), before, "nothing lost");
}
