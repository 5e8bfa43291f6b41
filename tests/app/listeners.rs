//! Listener restarts after a settings save (the old listeners stop on a thread of their own, the
//! new ones start once they have let go): two saves in a row end with exactly one listener, on
//! the last port, receiving.

use crate::whole_app::{app, configure, free_port, simulate, step_until, wait_listening};
use courtside::model::{Command, SettingsCommand};

#[test]
fn two_quick_listener_saves_end_with_the_last_ones_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure(&db, free_port());
    let mut h = app(db);
    wait_listening(&mut h);
    let (second, third) = (free_port(), free_port());
    for port in [second, third] {
        let mut next = h.state().state.settings.clone();
        next.listeners[0].port = port;
        h.state_mut()
            .state
            .commands
            .push(Command::Settings(SettingsCommand::Save(Box::new(next))));
        step_until(&mut h, "saved", |a| {
            a.state.draft.status.as_deref() == Some("Saved and applied.")
        });
        h.state_mut().state.draft.status = None;
    }
    step_until(&mut h, "one listener, on the last port", |a| {
        a.state.listeners.len() == 1
            && a.state.listeners[0].status == "listening"
            && a.state.listeners[0].addr == format!("127.0.0.1:{third}")
    });
    simulate(third);
    step_until(&mut h, "the stream arrives on the new port", |a| {
        a.state.live.lines.len() == 49
    });
    assert_eq!(h.state().state.listeners.len(), 1);
}

#[test]
fn opening_settings_reads_the_interfaces_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure(&db, free_port());
    let mut h = app(db);
    h.step();
    // As if courtside had started before the laptop joined any network.
    h.state_mut().state.interfaces.clear();
    h.step();
    assert!(
        h.state().state.interfaces.is_empty(),
        "not re-read while closed"
    );
    h.state_mut().state.prefs.show_settings = true;
    h.step();
    let addrs: Vec<&str> = h
        .state()
        .state
        .interfaces
        .iter()
        .map(|i| i.addr.as_str())
        .collect();
    assert!(
        addrs.contains(&"0.0.0.0") && addrs.contains(&"127.0.0.1"),
        "{addrs:?}"
    );
}

/// The loopback "other machine" a test sends from (Linux routes 127.0.0.0/8 to `lo`).
#[cfg(target_os = "linux")]
fn send_from(ip: &str, port: u16, datagrams: &[&[u8]]) {
    let s = std::net::UdpSocket::bind((ip, 0)).expect("bind sender");
    for d in datagrams {
        s.send_to(d, ("127.0.0.1", port)).expect("send");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_status_bar_shows_whom_a_locked_listener_ignores_and_unlock_frees_it() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lock.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db);
    wait_listening(&mut h);
    send_from(
        "127.0.0.1",
        port,
        &[b"Udp Port 6000 connected;", b"pre;FightLoaded;"],
    );
    step_until(&mut h, "the scoring program's lines", |a| {
        a.state.live.lines.len() == 2
    });
    let flood: Vec<&[u8]> = vec![b"sc1;9;sc2;9;"; 1234];
    send_from("127.0.0.66", port, &flood);
    step_until(&mut h, "the ignored count", |a| {
        a.state.listeners[0]
            .trust
            .not_stored
            .first()
            .is_some_and(|c| c.ignored == 1234)
    });
    h.run();
    h.get_by_label("ignored 1 234 datagrams from 127.0.0.66");
    h.get_by_label("locked to 127.0.0.1");
    h.get_by_label_contains("PSS connected");
    assert_eq!(h.state().state.live.lines.len(), 2, "nothing of it stored");
    h.get_by_label("unlock").click();
    h.run();
    send_from("127.0.0.66", port, &[b"hel;"]);
    step_until(&mut h, "the new scoring program is stored", |a| {
        a.state.live.lines.len() == 3
    });
    step_until(&mut h, "and locked to", |a| {
        a.state.listeners[0].trust.locked == Some("127.0.0.66".parse().expect("ip"))
    });
}

#[test]
fn a_listener_with_no_allowlist_and_no_lock_shows_a_warning_badge() {
    use courtside::model::settings::{ListenerSetting, keys};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("open.redb");
    let port = free_port();
    crate::app_support::configure_with(&db, port, |w| {
        let open = vec![ListenerSetting {
            bind: std::net::Ipv4Addr::LOCALHOST.into(),
            port,
            lock_source: false,
            ..ListenerSetting::default()
        }];
        let json = serde_json::to_string(&open).expect("json");
        w.set_setting(keys::LISTENERS, &json, "test")
            .expect("setting");
    });
    let mut h = app(db);
    wait_listening(&mut h);
    h.run();
    assert!(h.state().state.listeners[0].trust.trusts_everyone);
    // Hover until the tooltip shows: the status bar may still move (a listener's status line
    // changing width) between the hover and the tooltip's delay, so one hover can miss.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        h.get_by_label("any source").hover();
        h.run();
        if h.query_by_label_contains("any machine on this network can send scores")
            .is_some()
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the badge's tooltip never showed"
        );
    }
}

/// The example match (the fixture the other whole-app tests send).
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/example-match.pss"
);

/// `courtside simulate FILE --answer-port P` (sending to a port nobody listens on), running
/// until killed; returns once it answers.
fn answering_pss(answer_port: u16) -> std::process::Child {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["simulate", EXAMPLE])
        .args(["--to", &format!("127.0.0.1:{}", free_port())])
        .args(["--answer-port", &answer_port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("simulate starts");
    let err = child.stderr.take().expect("stderr");
    // Ends at the line, or at EOF should simulate fail (then the test fails below).
    let ready = std::io::BufReader::new(err)
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("answering until Ctrl-C"));
    assert!(ready, "simulate did not start answering");
    child
}

#[test]
fn a_restarted_app_shows_the_match_from_the_pss_answers_marked_in_the_live_log() {
    use courtside::model::settings::{ListenerSetting, keys};
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("answers.redb");
    let (port, answer_port) = (free_port(), free_port());
    let mut pss = answering_pss(answer_port);
    crate::app_support::configure_with(&db, port, |w| {
        let l = vec![ListenerSetting {
            bind: std::net::Ipv4Addr::LOCALHOST.into(),
            port,
            pss_address: Some(std::net::Ipv4Addr::LOCALHOST.into()),
            pss_request_port: Some(answer_port),
            ..ListenerSetting::default()
        }];
        let json = serde_json::to_string(&l).expect("json");
        w.set_setting(keys::LISTENERS, &json, "test")
            .expect("setting");
    });
    let mut h = app(db);
    // The example match has ended: nine answers, then `win` and `wmh` once asked for.
    step_until(&mut h, "the answers", |a| a.state.live.lines.len() == 11);
    let _ = pss.kill();
    let _ = pss.wait();
    let s = &h.state().state;
    for l in &s.live.lines {
        assert!(
            s.live.answers.contains(l.record.received_at_ns),
            "{:?}",
            l.record.raw
        );
    }
    let board = &s.courts["Court 1"];
    assert_eq!(
        (board.blue.long_name.as_str(), board.red.long_name.as_str()),
        ("Kenji TANAKA", "Lucas MOREAU")
    );
    assert_eq!((board.blue.score, board.red.score, board.round), (6, 5, 3));
    h.run();
    assert_eq!(h.query_all_by_label("answer").count(), 11);
}
