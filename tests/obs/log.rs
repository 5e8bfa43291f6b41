//! The OBS passwords never reach the log file, even at trace level: a real OBS, one connection
//! with the right password and one with a wrong one (refused), a connection test with the wrong
//! one, all logged through courtside's own file logging.

#![cfg(target_os = "linux")]

use crate::obs_process::{ObsProcess, random_password, wait_until};
use crate::obs_ui::{DEADLINE, TestUi, connection, runtime};
use courtside::logging::{self, LogConfig, LogLevel};
use courtside::obs::{LinkProblem, LinkState, ObsCommand, Password};
use std::path::Path;

fn read_logs(dir: &Path) -> String {
    let mut all = String::new();
    for (p, _) in logging::log_files(dir).expect("list logs") {
        all.push_str(&std::fs::read_to_string(p).expect("read log"));
    }
    all
}

#[test]
fn obs_passwords_never_reach_the_log_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = LogConfig {
        stderr: false,
        level: LogLevel::Trace,
        ..LogConfig::new(dir.path())
    };
    let (subscriber, _control) = logging::build(&config).expect("logging");
    // Process-wide: the worker logs from its own threads. No other test of this binary installs
    // a subscriber; their lines land here too, which only widens the check.
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let good = connection("good", obs.port, &obs.password);
    let wrong = random_password();
    let mut bad = connection("bad", obs.port, &obs.password);
    bad.password = Password::new(wrong.clone());
    let (worker, mut ui) = TestUi::spawn(&rt, vec![good.clone(), bad.clone()], None);
    ui.wait("one connected, one refused", |seen| {
        let state = |id| seen.status.get(&id).map(|s| s.link.clone());
        matches!(state(good.id), Some(LinkState::Connected))
            && matches!(
                state(bad.id),
                Some(LinkState::Waiting {
                    problem: LinkProblem::AuthFailed,
                    ..
                })
            )
    });
    worker
        .commands()
        .send(ObsCommand::Test(bad.clone()))
        .expect("queue");
    ui.wait("test reported", |seen| {
        seen.notices
            .iter()
            .any(|n| n.what == "test connection" && n.result.is_err())
    });
    worker.shutdown();
    let marker = random_password();
    tracing::info!("end of OBS activity {marker}");
    wait_until(DEADLINE, "log written", || {
        read_logs(dir.path()).contains(&marker)
    })
    .expect("log flushed");
    let log = read_logs(dir.path());
    assert!(
        log.contains("OBS 'good' connected") && log.contains("OBS 'bad': authentication failed"),
        "the OBS activity is in the log"
    );
    assert!(
        !log.contains(&obs.password),
        "the right password is in the log"
    );
    assert!(!log.contains(&wrong), "the wrong password is in the log");
}
