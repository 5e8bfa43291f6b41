//! System & support through the whole app: match export, report and delete from the UI's commands,
//! backup while ingest runs, restore behind advanced mode (refused while locked), applied at the
//! next start; saving automation rules needs advanced mode too.

use super::whole_app::{
    app, configure, free_port, simulate, step_until, unlock_advanced, wait_listening,
};
use courtside::export::{ExportFormat, export_events};
use courtside::model::obs::{ObsCommand, RulesDraft};
use courtside::model::state::{Command, Level};
use courtside::model::support::{SupportCommand, TaskState};
use courtside::store::Store;

fn task_done(a: &courtside::app::CourtsideApp, prefix: &str) -> Option<String> {
    a.state.support.tasks.iter().find_map(|t| match &t.state {
        TaskState::Done(d) if t.what.starts_with(prefix) => Some(d.clone()),
        _ => None,
    })
}

fn task_failed(a: &courtside::app::CourtsideApp, prefix: &str) -> Option<String> {
    a.state.support.tasks.iter().find_map(|t| match &t.state {
        TaskState::Failed(e) if t.what.starts_with(prefix) => Some(e.clone()),
        _ => None,
    })
}

/// An app whose listener received the example match, stored.
struct Played {
    dir: tempfile::TempDir,
    db: std::path::PathBuf,
    port: u16,
    h: egui_kittest::Harness<'static, courtside::app::CourtsideApp>,
    /// The match's key.
    key: u64,
}

fn played() -> Played {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    wait_listening(&mut h);
    simulate(port);
    step_until(&mut h, "match shown", |a| {
        a.state.live.lines.len() == 49 && a.state.court_keys.contains_key("Court 1")
    });
    // The display gets datagrams before their commit: wait for the store too.
    h.state_mut().flush_store();
    let key = h.state().state.court_keys["Court 1"];
    Played {
        dir,
        db,
        port,
        h,
        key,
    }
}

#[test]
fn export_report_backup_and_restore_from_the_app() {
    let Played {
        dir,
        db,
        port,
        mut h,
        key,
    } = played();

    // Export and report, as the Data tab asks for them (with the path a dialog would give).
    let json = dir.path().join("match.json");
    let commands = &mut h.state_mut().state.commands;
    commands.push(Command::Support(SupportCommand::ExportMatch {
        key,
        format: ExportFormat::Json,
        path: Some(json.clone()),
    }));
    commands.push(Command::Support(SupportCommand::OpenReport(key)));
    step_until(&mut h, "export done", |a| task_done(a, "Export").is_some());
    step_until(&mut h, "report shown", |a| a.state.support.report.is_some());
    let title = h
        .state()
        .state
        .support
        .report
        .as_ref()
        .map(|r| r.title.clone());
    assert!(
        title.as_deref().is_some_and(|t| t.contains("Kenji TANAKA")),
        "{title:?}"
    );

    // Saving rules and restoring are refused while advanced mode is locked.
    let rules = h.state().state.obs.rules.clone();
    h.state_mut().state.obs.rules_draft = Some(RulesDraft::of(&rules));
    let backup = dir.path().join("backup.redb");
    h.state_mut()
        .state
        .commands
        .push(Command::Obs(ObsCommand::SaveRules(rules.clone())));
    h.state_mut()
        .state
        .commands
        .push(Command::Support(SupportCommand::Restore {
            path: Some(backup.clone()),
        }));
    h.state_mut()
        .state
        .commands
        .push(Command::Support(SupportCommand::DeleteMatch(key)));
    h.step();
    h.step();
    let refused = task_failed(h.state(), "Delete match");
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("advanced mode")),
        "{refused:?}"
    );
    let draft_error = h
        .state()
        .state
        .obs
        .rules_draft
        .as_ref()
        .and_then(|d| d.error.clone());
    assert!(
        draft_error
            .as_deref()
            .is_some_and(|e| e.contains("advanced mode")),
        "{draft_error:?}"
    );
    assert!(
        h.state()
            .state
            .notices
            .items
            .iter()
            .any(|n| n.title == "Restore needs advanced mode")
    );

    // Back up now (49 datagrams), then more traffic that the backup does not hold.
    h.state_mut()
        .state
        .commands
        .push(Command::Support(SupportCommand::Backup {
            path: Some(backup.clone()),
        }));
    step_until(&mut h, "backup done", |a| task_done(a, "Backup").is_some());
    simulate(port);
    step_until(&mut h, "second match shown", |a| {
        a.state.live.lines.len() == 98
    });
    h.state_mut().flush_store();

    // Set the advanced-mode password (first use), then restore.
    unlock_advanced(&mut h);
    // The first match is finished (the second one started): it can be deleted now.
    h.state_mut()
        .state
        .commands
        .push(Command::Support(SupportCommand::DeleteMatch(key)));
    step_until(&mut h, "match deleted", |a| {
        task_done(a, "Delete match").is_some() && !a.state.match_list.iter().any(|m| m.key == key)
    });
    assert_eq!(
        task_done(h.state(), "Delete match").as_deref(),
        // The second stream's first datagram came before its `pre`: it joined this match.
        Some("49 datagrams removed")
    );
    h.state_mut()
        .state
        .commands
        .push(Command::Support(SupportCommand::Restore {
            path: Some(backup.clone()),
        }));
    step_until(&mut h, "restore staged", |a| {
        task_done(a, "Restore").is_some() || task_failed(a, "Restore").is_some()
    });
    assert!(
        task_done(h.state(), "Restore").is_some(),
        "{:?}",
        task_failed(h.state(), "Restore")
    );
    h.state_mut().flush_store();
    drop(h);

    // The match is gone from the store (98 − 49 datagrams left) …
    let store = Store::open_existing(&db).expect("reopen");
    assert_eq!(store.stats().expect("stats").events, 49);
    assert!(store.match_record(key).expect("read").is_none());
    drop(store);
    // … and the export holds exactly what the store held for it then (as the backup does).
    let held = Store::open_existing(&backup).expect("backup opens");
    let mut expected = Vec::new();
    export_events(&held, Some(key), ExportFormat::Json, &mut expected).expect("export");
    drop(held);
    let expected: Vec<serde_json::Value> = serde_json::from_slice(&expected).expect("json");
    let file = std::fs::read(&json).expect("exported file");
    let file: Vec<serde_json::Value> = serde_json::from_slice(&file).expect("exported json");
    assert_eq!(file.len(), 48);
    assert!(file == expected, "exported records differ from the store's");
    // The hand-made formatter itself, on a leap day one nanosecond before midnight.
    assert_eq!(
        utc_micros(1_709_251_199_999_999_999),
        "2024-02-29T23:59:59.999999Z"
    );
    for r in &file {
        let ns = r["received_at_ns"].as_i64().expect("received_at_ns");
        assert_eq!(r["received_at"].as_str(), Some(utc_micros(ns).as_str()));
    }

    // Next start: the staged backup replaces the store (49 datagrams), the old one is kept.
    let h = app(db.clone());
    assert!(
        h.state()
            .state
            .notices
            .items
            .iter()
            .any(|n| n.level == Level::Info && n.title == "Store restored from the backup")
    );
    assert_eq!(h.state().state.store.events, 49);
    drop(h);
    let kept = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().contains("before-restore"));
    assert!(kept, "the replaced store is kept");
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` worked out by hand (the export's `received_at` format: UTC,
/// microseconds truncated), the date from the day count with Howard Hinnant's civil algorithm.
fn utc_micros(ns: i64) -> String {
    let (secs, sub) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
    let (days, tod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        sub / 1000
    )
}

#[test]
fn exports_and_reports_are_listed_among_slow_operations() {
    let Played {
        dir, mut h, key, ..
    } = played();
    // Every operation counts as slow from here on (the traffic is over: few commits follow).
    slow(h.state_mut()).set_threshold(std::time::Duration::ZERO);
    slow(h.state_mut()).clear();
    let commands = &mut h.state_mut().state.commands;
    commands.push(Command::Support(SupportCommand::ExportMatch {
        key,
        format: ExportFormat::Csv,
        path: Some(dir.path().join("match.csv")),
    }));
    commands.push(Command::Support(SupportCommand::OpenReport(key)));
    step_until(&mut h, "export done", |a| task_done(a, "Export").is_some());
    step_until(&mut h, "report shown", |a| a.state.support.report.is_some());
    let listed: Vec<String> = slow(h.state_mut())
        .entries()
        .iter()
        .map(|e| e.what.clone())
        .collect();
    let export = format!("Export of match {key} (csv)");
    let report = format!("Report of match {key}");
    assert!(listed.contains(&export), "{listed:?}");
    assert!(listed.contains(&report), "{listed:?}");
}

/// The diagnostics tab's slow-operations list.
fn slow(a: &mut courtside::app::CourtsideApp) -> &mut courtside::model::diagnostics::SlowOps {
    let d = a.state.support.diagnostics.as_mut().expect("diagnostics");
    d.slow_ops()
}
