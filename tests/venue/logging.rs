//! Logging through the real subscriber: secrets never reach the log file, the level changes at
//! run time, and the size cap holds.

use courtside::advanced::{AdvancedConfig, AdvancedMode, hash_password};
use courtside::license::{self, LicenseClaims, generate_key, issue};
use courtside::logging::{self, LogConfig, LogLevel, Secret};
use std::path::Path;
use std::time::Instant;

fn random_text(prefix: &str) -> String {
    let mut b = [0u8; 10];
    getrandom::fill(&mut b).expect("random");
    format!(
        "{prefix}{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

fn read_logs(dir: &Path) -> String {
    let mut all = String::new();
    for (p, _) in logging::log_files(dir).expect("list logs") {
        all.push_str(&std::fs::read_to_string(p).expect("read log"));
    }
    all
}

#[test]
fn secrets_never_reach_the_log_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        stderr: false,
        level: LogLevel::Trace,
        ..LogConfig::new(dir.path())
    };
    let (subscriber, control) = logging::build(&config).expect("logging");
    let obs_password = Secret::new(random_text("obs-"));
    let admin_password = Secret::new(random_text("admin-"));
    let key = generate_key().expect("key");
    let claims = LicenseClaims {
        licensee: "Club".into(),
        edition: "venue".into(),
        issued_at: 0,
        expires_at: 1,
    };
    let licence_key = Secret::new(issue(&claims, &key));
    tracing::subscriber::with_default(subscriber, || {
        // What the OBS worker logs when it connects and fails.
        tracing::info!(password = %obs_password, host = "127.0.0.1", "connecting to OBS");
        tracing::debug!(?obs_password, "OBS settings");
        tracing::error!("OBS authentication failed with password {obs_password}");
        // Advanced mode: wrong and right attempts, and every error message.
        let hash = hash_password(&admin_password).expect("hash");
        let mut mode = AdvancedMode::with_hash(Some(hash), AdvancedConfig::default());
        let t = Instant::now();
        for _ in 0..4 {
            if let Err(e) = mode.try_unlock_blocking(&Secret::new(random_text("wrong-")), t) {
                tracing::warn!("advanced mode: {e}");
            }
        }
        let e = mode
            .try_unlock_blocking(&admin_password, t)
            .expect_err("paused");
        tracing::warn!(attempt = ?admin_password, "advanced mode: {e}");
        // Licence: an expired key and a tampered one, with their reasons.
        let report = license::check(
            Some(licence_key.expose()),
            &key.verifying_key(),
            5_000_000_000,
            None,
            license::CLOCK_MARGIN,
        );
        tracing::warn!(key = %licence_key, status = ?report.status, "licence");
        let tampered = format!("{}x", licence_key.expose());
        let s = license::status(Some(&tampered), &key.verifying_key(), 0);
        tracing::warn!(status = ?s, "licence entered");
        tracing::info!("marker-info-visible");
        control.set_level(LogLevel::Warn).expect("set level");
        tracing::info!("marker-info-hidden");
        tracing::warn!("marker-warn-visible");
        assert_eq!(control.level(), LogLevel::Warn);
    });
    drop(control); // flushes the log thread
    let log = read_logs(dir.path());
    assert!(
        log.contains("connecting to OBS"),
        "the log was written:\n{log}"
    );
    assert!(log.contains("too many wrong passwords"));
    assert!(log.contains("Expired"));
    assert!(log.contains("marker-info-visible") && log.contains("marker-warn-visible"));
    assert!(
        !log.contains("marker-info-hidden"),
        "the level change took effect"
    );
    for secret in [&obs_password, &admin_password, &licence_key] {
        assert!(
            !log.contains(secret.expose()),
            "a secret leaked into the log"
        );
    }
    // Neither the signature part nor the claims part of the licence key appear on their own.
    for part in licence_key.expose().split('.').skip(1) {
        assert!(!log.contains(part), "part of the licence key leaked");
    }
}

#[test]
fn size_cap_deletes_old_files_and_bounds_a_log_storm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("courtside.2020-01-01.log");
    std::fs::write(&old, vec![b'x'; 20_000]).expect("write");
    let cap = 16 * 1024;
    let config = LogConfig {
        stderr: false,
        total_cap_bytes: cap,
        ..LogConfig::new(dir.path())
    };
    let (subscriber, control) = logging::build(&config).expect("logging");
    assert!(
        !old.exists(),
        "an old file beyond the cap is deleted at start"
    );
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..2000 {
            tracing::info!(i, "a noisy line that repeats to fill the log quickly");
        }
    });
    // The lossy queue dropped nothing (counted when sending), so missing lines were cut by the cap.
    assert_eq!(control.dropped_lines(), 0);
    drop(control);
    let total: u64 = logging::log_files(dir.path())
        .expect("list")
        .iter()
        .map(|f| f.1)
        .sum();
    let lines = read_logs(dir.path()).lines().count();
    assert!(
        lines > 10 && lines < 2000,
        "{lines} of 2000 lines kept: the storm was cut"
    );
    // The cap is checked every 4 KiB, so the file ends within a step or two of it.
    assert!(
        total <= cap + 2 * 4096 + 200,
        "{total} bytes on disk for a {cap} byte cap"
    );
}
