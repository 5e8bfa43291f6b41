//! Unit tests of `logging` (kept apart so the module stays short).
use super::*;

#[test]
fn secret_never_prints() {
    let s = Secret::new("hunter2-xyz");
    assert_eq!(format!("{s}"), "***");
    assert_eq!(format!("{s:?}"), "***");
    assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
    assert_eq!(s.expose(), "hunter2-xyz");
}

#[test]
fn level_names_round_trip() {
    for l in LogLevel::ALL {
        assert_eq!(LogLevel::parse(l.name()), Some(l));
    }
    assert_eq!(LogLevel::parse(" DEBUG "), Some(LogLevel::Debug));
    assert_eq!(LogLevel::parse("loud"), None);
}

#[test]
fn prune_deletes_oldest_beyond_cap_but_never_the_newest() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (day, size) in [
        ("2026-01-01", 400),
        ("2026-01-02", 400),
        ("2026-01-03", 300),
    ] {
        let p = dir.path().join(format!("courtside.{day}.log"));
        std::fs::write(p, vec![b'x'; size]).expect("write");
    }
    std::fs::write(dir.path().join("other.txt"), vec![b'y'; 5000]).expect("write");
    let stats = CapStats::default();
    let newest = prune(dir.path(), 800, &stats).expect("prune");
    assert_eq!(newest, 300);
    let left: Vec<String> = log_files(dir.path())
        .expect("list")
        .iter()
        .map(|(p, _)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map(Option::unwrap_or_default)
        .collect();
    assert_eq!(
        left,
        ["courtside.2026-01-02.log", "courtside.2026-01-03.log"]
    );
    assert!(
        dir.path().join("other.txt").exists(),
        "foreign files are kept"
    );
    // A cap below the newest file's size still keeps it.
    prune(dir.path(), 10, &stats).expect("prune");
    assert_eq!(log_files(dir.path()).expect("list").len(), 1);
    assert_eq!(stats.deleted.load(Ordering::Relaxed), 2);
}

/// An old log "file" that cannot be deleted. On Windows that is a file another program holds
/// open; here a directory under the log file's name, whose `remove_file` fails for root too.
fn undeletable_log(dir: &Path, day: &str) -> PathBuf {
    let p = dir.join(format!("courtside.{day}.log"));
    std::fs::create_dir(&p).expect("mkdir");
    std::fs::write(p.join("held-open"), b"x").expect("write");
    p
}

#[test]
fn prune_skips_and_counts_a_file_it_cannot_delete_and_deletes_the_next_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let held = undeletable_log(dir.path(), "2026-01-01");
    for (day, size) in [("2026-01-02", 400), ("2026-01-03", 300)] {
        let p = dir.path().join(format!("courtside.{day}.log"));
        std::fs::write(p, vec![b'x'; size]).expect("write");
    }
    let stats = CapStats::default();
    let newest = prune(dir.path(), 350, &stats).expect("a failed deletion is no error");
    assert_eq!(newest, 300);
    assert!(held.exists(), "the undeletable one is still there");
    assert!(
        !dir.path().join("courtside.2026-01-02.log").exists(),
        "the next older file was deleted instead"
    );
    assert!(dir.path().join("courtside.2026-01-03.log").exists());
    assert_eq!(stats.undeletable.load(Ordering::Relaxed), 1);
    assert_eq!(stats.deleted.load(Ordering::Relaxed), 1);
}

#[test]
fn file_logging_starts_when_an_old_log_file_cannot_be_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    undeletable_log(dir.path(), "2000-01-01");
    let config = LogConfig {
        total_cap_bytes: 1,
        stderr: false,
        ..LogConfig::new(dir.path())
    };
    let (_subscriber, control) = build(&config).expect("logging starts");
    assert_eq!(control.undeletable_files(), 1);
    assert_eq!(control.cap.deleted.load(Ordering::Relaxed), 0);
}
