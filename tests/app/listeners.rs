//! Listener restarts after a settings save (the old listeners stop on a thread of their own, the
//! new ones start once they have let go): two saves in a row end with exactly one listener, on
//! the last port, receiving.

use crate::whole_app::{app, configure, free_port, simulate, step_until, wait_listening};
use courtside::app::Command;

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
            .push(Command::SaveSettings(Box::new(next)));
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
    use courtside::app::settings::{ListenerSetting, keys};
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
        w.set_setting(keys::LISTENERS, &json, "test").expect("setting");
    });
    let mut h = app(db);
    wait_listening(&mut h);
    h.run();
    assert!(h.state().state.listeners[0].trust.trusts_everyone);
    let badge = h.get_by_label("any source");
    badge.hover();
    h.run();
    h.get_by_label_contains("any machine on this network can send scores");
}
