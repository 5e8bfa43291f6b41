//! Whole-app flows on a real listener: text search over the store, choosing an earlier match,
//! F11, and an idle app that stops repainting.

use crate::whole_app::{app, configure, free_port, simulate, step_until, wait_listening};
use courtside::app::CourtsideApp;
use courtside::model::state::Command;
use courtside::protocol::parse_datagram;
use courtside::store::writer::now_ns;
use courtside::stream_file;
use egui_kittest::Harness;
use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/example-match.pss"
);

/// An app on a fresh store whose court has received the example match, table loaded.
fn app_with_example() -> (tempfile::TempDir, Harness<'static, CourtsideApp>, u16) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db);
    wait_listening(&mut h);
    simulate(port);
    step_until(&mut h, "table follows the match", |a| {
        a.state.table.rows.len() == 81 && a.state.table.loading.is_none()
    });
    (dir, h, port)
}

/// Events of the example stream whose label or raw text contains `needle` (lower case),
/// counted from the fixture itself, not from the app.
fn example_events_containing(needle: &str) -> usize {
    let file = std::fs::read(EXAMPLE).expect("example stream");
    stream_file::datagrams(&file)
        .iter()
        .map(|d| {
            let raw = String::from_utf8_lossy(&d.bytes).to_lowercase();
            parse_datagram(&d.bytes)
                .iter()
                .filter(|e| e.label().to_lowercase().contains(needle) || raw.contains(needle))
                .count()
        })
        .sum()
}

#[test]
fn text_search_narrows_the_rows_once_the_results_arrive() {
    let (_dir, mut h, _) = app_with_example();
    let total = h.state().state.table.rows.len();
    let want = example_events_containing("tanaka");
    assert!(want > 0 && want < total, "{want} of {total}");
    h.state_mut().state.table.filter.text = "Tanaka".into();
    h.state_mut()
        .state
        .commands
        .push(Command::SearchText("Tanaka".into()));
    step_until(&mut h, "search results shown", |a| {
        !a.state.table.searching() && a.state.table.visible_len() < total
    });
    assert_eq!(h.state().state.table.visible_len(), want);
    // Clearing the text shows every row again.
    h.state_mut().state.table.filter.text.clear();
    h.state_mut()
        .state
        .commands
        .push(Command::SearchText(String::new()));
    step_until(&mut h, "all rows back", |a| {
        a.state.table.visible_len() == total
    });
}

#[test]
fn choosing_an_earlier_match_loads_its_rows() {
    let (_dir, mut h, port) = app_with_example();
    let example_key = h.state().state.table.key.expect("current match shown");
    // A second, short match on the same court: the table follows it.
    let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    for d in [
        "pre;FightLoaded;",
        "at1;A. KIM;Aram KIM;KOR;at2;B. DIAZ;Bruno DIAZ;ESP;",
        "clk;2:00;",
    ] {
        sender
            .send_to(d.as_bytes(), (Ipv4Addr::LOCALHOST, port))
            .expect("send");
    }
    step_until(&mut h, "the new match is shown", |a| {
        let t = &a.state.table;
        t.key.is_some_and(|k| k != example_key) && t.loading.is_none() && t.rows.len() == 4
    });
    let new_key = h.state().state.table.key.expect("new match shown");
    // The list is read when a match starts, before its names arrive: find both by key.
    step_until(&mut h, "both matches listed", |a| {
        let listed = |k: u64| a.state.match_list.iter().any(|m| m.key == k);
        listed(example_key) && listed(new_key)
    });
    h.state_mut()
        .state
        .commands
        .push(Command::SelectMatch(Some(example_key)));
    step_until(&mut h, "the earlier match's rows", |a| {
        let t = &a.state.table;
        t.key == Some(example_key) && t.loading.is_none() && t.rows.len() == 81
    });
    assert_eq!(h.state().state.table.chosen, Some(example_key));
}

#[test]
fn f11_toggles_scoreboard_fullscreen_and_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure(&db, free_port());
    let mut h = app(db);
    h.run_steps(2);
    let before = h.state().state.scoreboard_fullscreen;
    h.key_press(egui::Key::F11);
    h.run_steps(2);
    assert_eq!(h.state().state.scoreboard_fullscreen, !before);
    h.key_press(egui::Key::F11);
    h.run_steps(2);
    assert_eq!(h.state().state.scoreboard_fullscreen, before);
}

#[test]
fn an_idle_app_wakes_only_when_the_shown_commit_age_changes() {
    let (_dir, mut h, _) = app_with_example();
    // Workers may still wake the UI once or twice (a commit, a system sample); each wake is a
    // frame or two. An app that repaints on every frame never settles, however long we try.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (before, after, delay) = loop {
        while let Err(e) = h.try_run() {
            assert!(
                Instant::now() < deadline,
                "the app keeps repainting while idle: {e}"
            );
        }
        // One more frame, timed closely, to read what the idle app asks for.
        let before = now_ns();
        h.step();
        let after = now_ns();
        let root = h.output().viewport_output.get(&egui::ViewportId::ROOT);
        let delay = root.map(|v| v.repaint_delay).expect("root viewport output");
        // Zero: a worker woke the UI during that frame (a late sample). A frame slower than
        // 250 ms (a loaded machine) cannot be timed closely enough. Either way: look again.
        if delay > Duration::ZERO && after - before < 250_000_000 {
            break (before, after, delay);
        }
        assert!(
            Instant::now() < deadline,
            "the app never settles into a timed idle frame"
        );
    };
    // What the app promises while idle: the next repaint is when the status bar's "last commit
    // N s ago" changes, i.e. when the age of the last commit reaches the next whole second (in
    // its first minute) — not sooner (a busy timer) and not later (a stale age).
    let commit = h.state().state.store.last_commit_ns;
    assert!(commit > 0, "the example match was committed");
    let age_ms = (after - commit) / 1_000_000;
    assert!(age_ms < 60_000, "the test took over a minute: {age_ms} ms");
    assert!(
        delay <= Duration::from_secs(1),
        "idle repaint delay {delay:?}, the age label changes every second"
    );
    // The last frame ran between `before` and `after`; from it, `delay` must land on a whole
    // second of commit age (5 ms slack for egui's own time keeping).
    let slack = 5_000_000;
    let first = before + delay.as_nanos() as i64 - commit - slack;
    let last = after + delay.as_nanos() as i64 - commit + slack;
    let second = 1_000_000_000;
    let boundary = (first + second - 1).div_euclid(second) * second;
    assert!(
        boundary <= last,
        "idle repaint in {delay:?} lands on commit age {}..{} ms, no whole second",
        first / 1_000_000,
        last / 1_000_000
    );
}
