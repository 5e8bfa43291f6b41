//! The desktop app as the tournament hub (`courtside hub` with a window) against a real
//! `nats-server -js`: a court publishes a match, the Tournament window shows its row, clicking it
//! shows its records, the results export writes what `courtside results` prints; an unwritable
//! export path and refused credentials are told.

use crate::app_support::{configure, free_port};
use crate::server::{NatsServer, Options};
use crate::support::{Court, example_datagrams, nats, runtime, temp_dir};
use crate::wait::step_until_with;
use courtside::app::{AppOptions, CourtsideApp};
use courtside::export::ExportFormat;
use courtside::model::Command;
use courtside::model::hub::HubCommand;
use courtside::tournament::{Auth, HubConfig, Link};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(60);

/// The app on a fresh store at `db` as a hub of `config`.
fn hub_app(db: &Path, config: HubConfig) -> Harness<'static, CourtsideApp> {
    configure(db, free_port());
    let db = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |cc| {
            let options = AppOptions {
                db,
                smoke_frames: None,
                smoke_report: None,
                log: None,
            };
            CourtsideApp::with_hub(&cc.egui_ctx, None, options, Some(config))
        });
    let s = &mut h.state_mut().state.prefs;
    s.scoreboard_open = false;
    s.show_live = false;
    s.show_match = false;
    s.show_tournament = true;
    h
}

fn step_until(h: &mut Harness<'_, CourtsideApp>, what: &str, done: impl Fn(&CourtsideApp) -> bool) {
    step_until_with(h, DEADLINE, what, done, |a| {
        let link = a.state.hub.status.as_ref().map(|s| s.link.clone());
        format!("hub link: {link:?}")
    });
    h.run_steps(2);
}

fn send(h: &mut Harness<'_, CourtsideApp>, c: HubCommand) {
    h.state_mut().state.commands.push(Command::Hub(c));
    h.step();
}

fn results_cli(db: &Path) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_courtside"))
        .env("RUST_LOG", "warn")
        .args(["results", "--format", "json", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_hub_window_shows_a_published_court_its_records_and_exports_what_results_prints() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let config = nats(&server.url(), "win", Auth::None);
    let datagrams = example_datagrams();
    let mut court = Court::start(dir.path(), "court-3", config.clone(), rt.handle());
    court.receive(&datagrams);
    let db = dir.path().join("hub.redb");
    let mut h = hub_app(
        &db,
        HubConfig {
            nats: config,
            consumer: "hub".into(),
        },
    );
    step_until(&mut h, "court-3 with its final score and winner", |a| {
        let court = a
            .state
            .hub
            .status
            .as_ref()
            .and_then(|s| s.courts.get("court-3"));
        court.is_some_and(|v| v.state.winner.is_some() && v.state.blue.score == 6)
    });
    // The grid's row: court, names, score (blue 6 – red 5), winner badge, live link.
    h.get_by_role_and_label(Role::Button, "court-3");
    h.get_by_label("Kenji TANAKA");
    h.get_by_label("Lucas MOREAU");
    h.get_by_label("6 – 5");
    h.get_by_label("Winner blue (2-1 PTF)");
    h.get_by_label("live");

    // Clicking the court shows its scoreboard title and every record of its match.
    h.get_by_role_and_label(Role::Button, "court-3").click();
    // The match opens at `pre` (the first datagram, "Udp Port … connected", belongs to none).
    let in_match = datagrams.len() - 1;
    step_until(&mut h, "court-3's records read", |a| {
        a.state.hub.events.court == "court-3" && a.state.hub.events.records.len() == in_match
    });
    h.get_by_label("court-3 — match 204");
    h.get_by_label("wmh;Kenji TANAKA;2-1 PTF;");
    h.get_by_label(&format!("{in_match} records of match key 2"));

    // The finished match is listed.
    step_until(&mut h, "the results list", |a| {
        a.state.hub.results.items.len() == 1
    });
    h.get_by_label("blue: Kenji TANAKA");

    // An export to a folder that does not exist: a notice naming the file and the cause.
    let bad = dir.path().join("no-such-folder").join("results.json");
    send(
        &mut h,
        HubCommand::ExportResults {
            format: ExportFormat::Json,
            path: Some(bad.clone()),
        },
    );
    step_until(&mut h, "the failed export", |a| {
        a.state.hub.last_export.is_some()
    });
    let notice = h
        .state()
        .state
        .notices
        .items
        .iter()
        .find(|n| n.title == "Results export (JSON) failed")
        .expect("a notice for the failed export")
        .cause
        .clone();
    assert!(notice.contains(&bad.display().to_string()), "{notice}");
    assert!(!bad.exists() && !dir.path().join("no-such-folder").exists());

    // Written where asked: the same JSON as `courtside results` on the hub's store.
    let good: PathBuf = dir.path().join("results.json");
    send(
        &mut h,
        HubCommand::ExportResults {
            format: ExportFormat::Json,
            path: Some(good.clone()),
        },
    );
    step_until(
        &mut h,
        "the export",
        |a| matches!(&a.state.hub.last_export, Some(Ok(t)) if t.contains("results.json")),
    );
    let csv = dir.path().join("results.csv");
    send(
        &mut h,
        HubCommand::ExportResults {
            format: ExportFormat::Csv,
            path: Some(csv.clone()),
        },
    );
    step_until(
        &mut h,
        "the CSV export",
        |a| matches!(&a.state.hub.last_export, Some(Ok(t)) if t.contains("results.csv")),
    );
    drop(h);
    court.stop();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    assert_eq!(written, results_cli(&db));
    assert_eq!(written[0]["court"], "court-3");
    assert_eq!(written[0]["winner"], "blue");
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("court-3,2,204,Quarterfinal"),
        "{csv}"
    );
}

#[test]
fn a_hub_with_wrong_credentials_says_so_in_its_window_and_a_notice() {
    let dir = temp_dir();
    let options = Options {
        user_password: Some(("hub".into(), "right-one".into())),
        ..Options::default()
    };
    let server = NatsServer::start_with(dir.path(), options);
    let auth = Auth::UserPassword {
        user: "hub".into(),
        password: "wrong-one".into(),
    };
    let config = HubConfig {
        nats: nats(&server.url(), "creds", auth),
        consumer: "hub".into(),
    };
    let mut h = hub_app(&dir.path().join("hub.redb"), config);
    step_until(&mut h, "the refusal", |a| {
        let link = a.state.hub.status.as_ref().map(|s| &s.link);
        matches!(link, Some(Link::WrongCredentials { .. }))
    });
    // The window's top line names the refusal and what to check; the password shows nowhere.
    let shown = |h: &Harness<'_, CourtsideApp>, text: &str| {
        h.query_all_by_label_contains(text).next().is_some()
    };
    assert!(shown(&h, "Hub not connected"));
    assert!(shown(&h, "check the user/password"));
    assert!(h.query_by_label_contains("wrong-one").is_none());
    let notices = &h.state().state.notices.items;
    assert!(
        notices
            .iter()
            .any(|n| n.title == "Tournament server refused the hub's credentials"),
        "{:?}",
        notices.iter().map(|n| &n.title).collect::<Vec<_>>()
    );
    h.get_by_label("No court heard yet. Courts appear here once they publish (Settings → Tournament on each court laptop, or courtside listen --nats … --tournament …).");
}

#[test]
fn a_hub_starts_no_udp_listener_whatever_its_settings_hold() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let config = HubConfig {
        nats: nats(&server.url(), "nolisten", Auth::None),
        consumer: "hub".into(),
    };
    // The store's settings name a listener (as a court's would).
    let mut h = hub_app(&dir.path().join("hub.redb"), config);
    step_until(&mut h, "the hub connected", |a| {
        let link = a.state.hub.status.as_ref().map(|s| &s.link);
        matches!(link, Some(Link::Connected))
    });
    let settings = h.state().state.settings.listeners.clone();
    assert_eq!(settings.len(), 1, "the test's store names one listener");
    assert!(
        h.state().state.listeners.is_empty(),
        "a hub runs no listener: {:?}",
        h.state().state.listeners
    );
    h.get_by_label("hub: no UDP listener");
    // Nothing holds the port the settings name.
    let l = &settings[0];
    let free = std::net::UdpSocket::bind((l.bind, l.port));
    assert!(free.is_ok(), "port {} is taken: {free:?}", l.port);
}
