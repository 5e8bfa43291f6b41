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
