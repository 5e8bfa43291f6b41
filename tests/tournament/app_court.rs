//! The desktop app as a tournament court: Settings → Tournament on, its UDP listener's datagrams
//! reach a real `nats-server -js` (read back here with async-nats), the status bar says how the
//! link is, outages are ridden out, refused credentials are told once and never shown.

use crate::app_support::{app, configure_with, free_port};
use crate::server::{NatsServer, Options};
use crate::support::{example_datagrams, runtime, temp_dir, wait_until};
use crate::wait::step_until_with;
use courtside::app::CourtsideApp;
use courtside::logging::{self, LogConfig, LogLevel};
use courtside::model::settings::keys;
use courtside::model::tournament::{Login, TournamentSettings};
use courtside::model::{Command, SettingsCommand};
use courtside::obs::config::Password;
use courtside::obs::secrets::{CredentialStore, KeyringError};
use courtside::tournament::Link;
use courtside::tournament::wire::CourtDatagram;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::collections::HashMap;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(60);

/// An in-memory keyring (this machine has no Secret Service).
#[derive(Default)]
struct MemKeyring(Mutex<HashMap<String, Password>>);

impl CredentialStore for MemKeyring {
    fn get(&self, account: &str) -> Result<Option<Password>, KeyringError> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, password: &Password) -> Result<(), KeyringError> {
        self.0
            .lock()
            .unwrap()
            .insert(account.into(), password.clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

fn settings(url: &str, tournament: &str) -> TournamentSettings {
    TournamentSettings {
        enabled: true,
        servers: vec![url.to_string()],
        tournament: tournament.into(),
        court: "court-1".into(),
        ..TournamentSettings::default()
    }
}

/// The app on a fresh store with a loopback listener and these tournament settings.
fn court_app(db: &Path, port: u16, t: &TournamentSettings) -> Harness<'static, CourtsideApp> {
    let json = serde_json::to_string(t).unwrap();
    configure_with(db, port, |w| {
        w.set_setting(keys::TOURNAMENT, &json, "test").unwrap();
    });
    let mut h = app(db.to_path_buf());
    h.state_mut().state.prefs.scoreboard_open = false;
    h
}

fn step_until(h: &mut Harness<'_, CourtsideApp>, what: &str, done: impl Fn(&CourtsideApp) -> bool) {
    step_until_with(h, DEADLINE, what, done, |a| {
        format!("now: {}", link_line(a))
    });
    h.run_steps(2);
}

fn link_line(a: &CourtsideApp) -> String {
    a.state
        .tournament
        .status
        .as_ref()
        .map_or("off".into(), |s| s.line())
}

fn link_is(a: &CourtsideApp, f: impl Fn(&Link) -> bool) -> bool {
    a.state
        .tournament
        .status
        .as_ref()
        .is_some_and(|s| f(&s.link))
}

/// Connected with nothing queued and at least `n` datagrams published: "nothing queued" alone
/// also holds between two datagrams of a burst still on their way through the listener.
fn caught_up(a: &CourtsideApp, n: usize) -> bool {
    a.state
        .tournament
        .status
        .as_ref()
        .is_some_and(|s| s.link == Link::Connected && s.queued == 0 && s.published >= n as u64)
}

fn send(port: u16, datagrams: &[Vec<u8>]) {
    let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    for d in datagrams {
        sock.send_to(d, (Ipv4Addr::LOCALHOST, port)).unwrap();
    }
}

/// Every message of the tournament's stream: subject, `Nats-Msg-Id`, the datagram.
fn read_stream(url: &str, tournament: &str) -> Vec<(String, String, CourtDatagram)> {
    let rt = runtime();
    rt.block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut stream = js
            .get_stream(format!("courtside-{tournament}"))
            .await
            .unwrap();
        let last = stream.info().await.unwrap().state.last_sequence;
        let mut out = Vec::new();
        for seq in 1..=last {
            let m = stream.get_raw_message(seq).await.unwrap();
            let id = m.headers.get("Nats-Msg-Id").unwrap().to_string();
            let d = CourtDatagram::from_bytes(&m.payload).unwrap();
            out.push((m.subject.to_string(), id, d));
        }
        out
    })
}

/// The stream holds each sent datagram once, in order, under this court's subject and with the
/// `<store id>:<sequence>` message id.
fn assert_published_once_in_order(url: &str, tournament: &str, sent: &[Vec<u8>]) {
    let got = read_stream(url, tournament);
    assert_eq!(got.len(), sent.len(), "messages in the stream");
    for (i, ((subject, id, d), raw)) in got.iter().zip(sent).enumerate() {
        assert_eq!(
            subject,
            &format!("courtside.{tournament}.court.court-1.datagrams")
        );
        assert_eq!(id, &format!("{}:{}", d.store_id, d.seq));
        assert_eq!(d.seq, i as u64 + 1, "store order");
        assert_eq!(&d.raw_bytes(), raw, "datagram {i} as received");
    }
}

#[test]
fn the_app_publishes_its_listeners_datagrams_to_the_stream_and_says_connected() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let port = free_port();
    let db = dir.path().join("court.redb");
    let mut h = court_app(&db, port, &settings(&server.url(), "app1"));
    step_until(&mut h, "connected", |a| {
        link_is(a, |l| *l == Link::Connected)
    });
    let sent = example_datagrams();
    send(port, &sent);
    step_until(&mut h, "every datagram published", |a| {
        a.state
            .tournament
            .status
            .as_ref()
            .is_some_and(|s| s.published == sent.len() as u64 && s.queued == 0)
    });
    h.get_by_label("tournament: connected");
    assert_published_once_in_order(&server.url(), "app1", &sent);
}

#[test]
fn an_outage_shows_offline_with_the_queue_and_after_it_everything_arrives_once() {
    let dir = temp_dir();
    let mut server = NatsServer::start(dir.path());
    let port = free_port();
    let db = dir.path().join("court.redb");
    let mut h = court_app(&db, port, &settings(&server.url(), "app2"));
    step_until(&mut h, "connected", |a| {
        link_is(a, |l| *l == Link::Connected)
    });
    let sent = example_datagrams();
    let (before, during) = sent.split_at(sent.len() / 2);
    send(port, before);
    step_until(&mut h, "the first half published", |a| {
        caught_up(a, before.len())
    });
    server.kill();
    send(port, during);
    let queued = during.len() as u64;
    step_until(&mut h, "offline with the second half queued", |a| {
        a.state
            .tournament
            .status
            .as_ref()
            .is_some_and(|s| matches!(s.link, Link::Offline { .. }) && s.queued == queued)
    });
    let label = format!("tournament: offline — {queued} queued");
    h.get_by_label(&label);
    server.restart();
    step_until(&mut h, "caught up after the outage", |a| {
        caught_up(a, sent.len())
            && a.state
                .tournament
                .status
                .as_ref()
                .is_some_and(|s| s.cursor == sent.len() as u64)
    });
    h.get_by_label("tournament: connected");
    assert_published_once_in_order(&server.url(), "app2", &sent);
}

const RIGHT: &str = "right-pw-5c1e";
const WRONG: &str = "wrong-pw-77ab";

/// Type the login into Settings → Tournament and save, as the operator does.
fn save_login(h: &mut Harness<'_, CourtsideApp>, url: &str, password: &str) {
    let s = &mut h.state_mut().state;
    let d = &mut s.draft.tournament;
    d.enabled = true;
    d.servers = url.into();
    d.tournament = "app3".into();
    d.court = "court-1".into();
    d.login = Login::UserPassword;
    d.user = "court".into();
    d.secret = password.into();
    let new = s.draft.to_settings().expect("valid settings");
    s.commands
        .push(Command::Settings(SettingsCommand::Save(Box::new(new))));
    h.run_steps(2);
}

#[test]
fn refused_credentials_are_told_once_and_the_password_is_kept_only_in_the_keyring() {
    let dir = temp_dir();
    let logs = dir.path().join("logs");
    let config = LogConfig {
        stderr: false,
        level: LogLevel::Trace,
        ..LogConfig::new(&logs)
    };
    let (subscriber, _control) = logging::build(&config).unwrap();
    // Process-wide: the publisher logs from the runtime's threads. No other test of this binary
    // installs a subscriber; their lines land here too, which only widens the check.
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");
    let options = Options {
        user_password: Some(("court".into(), RIGHT.into())),
        ..Options::default()
    };
    let server = NatsServer::start_with(dir.path(), options);
    let port = free_port();
    let db = dir.path().join("court.redb");
    let off = TournamentSettings {
        enabled: false,
        ..settings(&server.url(), "app3")
    };
    let mut h = court_app(&db, port, &off);
    let keyring = Arc::new(MemKeyring::default());
    h.state_mut().set_tournament_keyring(keyring.clone());
    save_login(&mut h, &server.url(), WRONG);
    step_until(&mut h, "wrong credentials", |a| {
        link_is(a, |l| matches!(l, Link::WrongCredentials { .. }))
    });
    h.get_by_label("tournament: wrong credentials");
    // One notice (a repeat would replace it under a new id); frames do not raise it again.
    let refusals = |a: &CourtsideApp| -> Vec<u64> {
        let title = "Tournament server refused the credentials";
        let items = &a.state.notices.items;
        items
            .iter()
            .filter(|n| n.title == title)
            .map(|n| n.id)
            .collect()
    };
    let told = refusals(h.state());
    assert_eq!(told.len(), 1);
    h.run_steps(20);
    assert_eq!(refusals(h.state()), told);
    let a = h.state();
    let shown = format!(
        "{} {:?} {:?} {:?}",
        link_line(a),
        a.state.tournament.status_item(),
        a.state.notices.items,
        a.state.draft
    );
    assert!(!shown.contains(WRONG) && !shown.contains(RIGHT), "{shown}");
    assert!(h.query_by_label_contains(WRONG).is_none());
    let kept = keyring.get("tournament-nats").unwrap().unwrap();
    assert_eq!(format!("{kept:?}"), "Password(<redacted>)");

    // The right one, typed and saved: connected; still nowhere but the keyring.
    save_login(&mut h, &server.url(), RIGHT);
    step_until(&mut h, "connected", |a| {
        link_is(a, |l| *l == Link::Connected)
    });
    h.get_by_label("tournament: connected");
    h.state_mut().flush_store();
    drop(h);
    let bytes = std::fs::read(&db).unwrap();
    for secret in [WRONG, RIGHT] {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "a password is in the store file");
    }

    // A restart reads it from the keyring.
    let mut h = app(db.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    h.state_mut().set_tournament_keyring(keyring);
    step_until(&mut h, "connected after a restart", |a| {
        link_is(a, |l| *l == Link::Connected)
    });
    drop(h);
    let marker = format!("end of tournament activity {}", std::process::id());
    tracing::info!("{marker}");
    let read = || {
        let mut all = String::new();
        for (p, _) in logging::log_files(&logs).unwrap() {
            all.push_str(&std::fs::read_to_string(p).unwrap());
        }
        all
    };
    wait_until("the log flushed", || read().contains(&marker), String::new);
    let log = read();
    assert!(
        log.contains("tournament: wrong credentials"),
        "the refusal is logged"
    );
    assert!(
        !log.contains(WRONG) && !log.contains(RIGHT),
        "a password is in the log"
    );
}

#[test]
fn a_disabled_tournament_connects_to_nothing_and_shows_nothing() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let port = free_port();
    let db = dir.path().join("court.redb");
    let off = TournamentSettings {
        enabled: false,
        ..settings(&server.url(), "app4")
    };
    let mut h = court_app(&db, port, &off);
    step_until(&mut h, "listener up", |a| {
        a.state
            .listeners
            .first()
            .is_some_and(|l| l.status == "listening")
    });
    let sent = example_datagrams();
    send(port, &sent);
    step_until(&mut h, "datagrams stored", |a| {
        a.state
            .courts
            .values()
            .any(|m| m.counts != Default::default())
    });
    h.state_mut().flush_store();
    h.run_steps(3);
    assert!(h.state().state.tournament.status.is_none());
    assert!(h.query_by_label_contains("tournament:").is_none());
    // A court that connected would have made the stream.
    let rt = runtime();
    let stream = rt.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        js.get_stream("courtside-app4").await.map(|_| ())
    });
    assert!(
        stream.is_err(),
        "nothing connected, nothing made the stream"
    );
}

#[test]
fn a_missing_creds_file_stops_the_link_with_its_path_and_scoring_goes_on() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let port = free_port();
    let db = dir.path().join("court.redb");
    let missing = dir.path().join("no-such.creds");
    let t = TournamentSettings {
        login: Login::CredsFile,
        creds_file: Some(missing.display().to_string()),
        ..settings(&server.url(), "app5")
    };
    let mut h = court_app(&db, port, &t);
    step_until(&mut h, "not started", |a| {
        link_is(
            a,
            |l| matches!(l, Link::Misconfigured { cause } if cause.contains("no-such.creds")),
        )
    });
    h.get_by_label("tournament: not started");
    let sent = example_datagrams();
    send(port, &sent);
    step_until(&mut h, "scoring goes on", |a| {
        a.state
            .courts
            .values()
            .any(|m| m.counts != Default::default())
    });
}
