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
