//! The Review panel in the whole app without an OBS: a challenge datagram through the app's own
//! listener opens the panel with the disputed event preselected, and the panel (and a notice)
//! says OBS is not connected — with no connection set up, and with one whose OBS does not answer.

use crate::app_support::{app, configure_with, free_port};
use crate::whole_app::{step_until, wait_listening};
use courtside::app::CourtsideApp;
use courtside::model::Command;
use courtside::model::state::Level;
use courtside::obs::store as obs_store;
use courtside::obs::{ObsConnection, ObsRole};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};

fn send(udp_port: u16, lines: &[&str]) {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("udp");
    for l in lines {
        s.send_to(l.as_bytes(), (Ipv4Addr::LOCALHOST, udp_port))
            .expect("send");
    }
}

/// A blue head kick, a red punch, then a blue challenge; returns the punch's sequence once the
/// panel has opened on the challenge with an event preselected.
fn challenge(h: &mut Harness<'_, CourtsideApp>, udp: u16) -> u64 {
    wait_listening(h);
    assert!(!h.state().state.prefs.show_review, "closed at start");
    send(udp, &["pre;FightLoaded", "pt1;3", "pt2;1"]);
    step_until(h, "two points listed", |a| a.state.store.events >= 3);
    send(udp, &["ch1"]);
    step_until(h, "the panel opened with the disputed event", |a| {
        a.state.prefs.show_review && a.state.review.selected.is_some()
    });
    h.run_steps(2);
    let review = &h.state().state.review;
    let punch = review
        .entries
        .iter()
        .find(|e| e.label.contains("+1"))
        .expect("the red punch is listed")
        .seq;
    assert_eq!(review.selected, Some(punch), "the last point is disputed");
    assert_eq!(review.entries.len(), 2, "both points listed");
    h.get_by_label_contains("Blue challenge");
    punch
}

/// A court app (scoreboard window closed) on a new store with a loopback listener, `more` written
/// to the store first; with the store's folder (kept for the test) and the listener's port.
fn court_app(
    more: impl FnOnce(&courtside::store::Writer),
) -> (tempfile::TempDir, Harness<'static, CourtsideApp>, u16) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    configure_with(&db, udp, more);
    let mut h = app(db);
    h.state_mut().state.prefs.scoreboard_open = false;
    (dir, h, udp)
}

#[test]
fn a_challenge_opens_the_review_panel_with_the_last_point_and_says_no_obs_is_set_up() {
    let (_dir, mut h, udp) = court_app(|_| {});
    challenge(&mut h, udp);
    h.get_by_label_contains("OBS is not connected: no OBS connection is set up");
    // The save-and-cue is the automation rule's: it comes from the automation thread.
    step_until(&mut h, "a notice says why nothing plays", |a| {
        a.state.notices.items.iter().any(|n| {
            n.level == Level::Error
                && n.cause.contains("OBS is not connected")
                && n.cause.contains("save and cue the disputed moment")
        })
    });
}

#[test]
fn a_challenge_with_the_obs_down_says_obs_is_not_connected_and_why() {
    // A port nobody listens on: bound, read back, closed.
    let dead = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let (_dir, mut h, udp) = court_app(|writer| {
        let mut conn = ObsConnection::new("court OBS", "127.0.0.1", dead);
        conn.role = ObsRole::Recording;
        let (ack, acked) = crossbeam_channel::bounded(1);
        writer
            .sender()
            .send(obs_store::save_connection(conn, Some(ack)))
            .expect("queue");
        acked.recv().expect("ack").expect("connection stored");
    });
    challenge(&mut h, udp);
    step_until(&mut h, "the failed cue is a notice", |a| {
        a.state.notices.items.iter().any(|n| {
            n.level == Level::Error && n.title.contains("save and cue the disputed moment")
        })
    });
    h.run_steps(2);
    h.get_by_label_contains("OBS is not connected: court OBS (127.0.0.1:");
    assert!(!h.state().state.review.obs.connected);
}

#[test]
fn f6_opens_the_review_panel_and_keypad_keys_drive_the_review_but_not_while_typing() {
    let (_dir, mut h, _) = court_app(|_| {});
    h.run_steps(2);
    h.key_press(egui::Key::F6);
    h.run_steps(2);
    assert!(h.state().state.prefs.show_review, "F6 opens the panel");
    h.get_by_label("Scoring events, newest first");
    // Without an OBS every control says so; which one ran shows which key did what.
    for (key, what) in [
        (egui::Key::Num2, "review: speed 50 %"),
        (egui::Key::Num1, "review: speed 25 %"),
        (egui::Key::Num4, "review: step -1 frame(s)"),
        (egui::Key::Num9, "review: step +1000 ms"),
        (egui::Key::Num5, "review: play"),
        (egui::Key::Plus, "review: on air"),
        (egui::Key::Minus, "review: back to live"),
    ] {
        h.key_press(key);
        h.run_steps(2);
        assert_eq!(last(&h).as_deref(), Some(what), "{key:?}");
        let (_, result) = h.state().state.review.last.clone().expect("outcome");
        let why = result.expect_err("no OBS");
        assert!(why.contains("OBS is not connected"), "{why}");
    }
    keys_by_place_and_not_with_ctrl_or_typing(&mut h);
    h.key_press(egui::Key::F6);
    h.run_steps(2);
    assert!(!h.state().state.prefs.show_review, "F6 closes it again");
}

/// The control the panel ran last (its label).
fn last(h: &Harness<'_, CourtsideApp>) -> Option<String> {
    let review = &h.state().state.review;
    review.last.as_ref().map(|(what, _)| what.clone())
}

fn keys_by_place_and_not_with_ctrl_or_typing(h: &mut Harness<'_, CourtsideApp>) {
    // The keypad with NumLock off types arrows (4 = Left), yet its place is what counts.
    h.input_mut().events.push(egui::Event::Key {
        key: egui::Key::ArrowLeft,
        physical_key: Some(egui::Key::Num4),
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.state_mut().state.review.last = None;
    h.run_steps(2);
    assert_eq!(last(h).as_deref(), Some("review: step -1 frame(s)"));
    // Ctrl+digit is not a review key.
    h.state_mut().state.review.last = None;
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num2);
    h.run_steps(2);
    assert_eq!(last(h), None, "Ctrl+2 is not speed 50 %");
    // Typing in a text field (a search box) is not a review control.
    h.state_mut().state.review.last = None;
    let search = h
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .next()
        .expect("a text field");
    search.focus();
    h.run_steps(1);
    h.key_press(egui::Key::Num2);
    h.run_steps(2);
    assert_eq!(
        last(h),
        None,
        "a digit typed into a field changes no review"
    );
}

/// Two matches on the court (a head kick in the first, a punch in the second); the event table
/// shows the first (earlier) one. Returns its key.
fn earlier_match_in_the_table(h: &mut Harness<'_, CourtsideApp>, udp: u16) -> u64 {
    wait_listening(h);
    send(udp, &["pre;FightLoaded", "pt1;3"]);
    step_until(h, "the first match stored", |a| a.state.store.events >= 2);
    send(udp, &["pre;FightLoaded", "pt2;1"]);
    step_until(h, "two matches listed", |a| a.state.match_list.len() >= 2);
    let first = (h.state().state.match_list.iter().map(|m| m.key).min()).expect("a match");
    h.state_mut()
        .state
        .commands
        .push(Command::SelectMatch(Some(first)));
    step_until(h, "the earlier match in the table", |a| {
        a.state.table.key == Some(first) && a.state.table.cache.get(first + 1).is_some()
    });
    drawn(h, "Head kick +3");
    first
}

/// Step until a widget labelled `label` is drawn (the table lays out its rows frames after the
/// records arrive).
fn drawn(h: &mut Harness<'_, CourtsideApp>, label: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while h.query_all_by_label(label).next().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "'{label}' never drawn"
        );
        h.step();
    }
}

/// The outcome of the last "Show on video".
fn shown(a: &CourtsideApp) -> Option<Result<String, String>> {
    let (what, result) = a.state.review.last.as_ref()?;
    (what == "review: show on video").then(|| result.clone())
}

#[test]
fn a_rows_context_menu_shows_an_earlier_event_on_video_and_says_no_recording_holds_it() {
    let (_dir, mut h, udp) = court_app(|_| {});
    let first = earlier_match_in_the_table(&mut h, udp);
    h.get_by_label("Head kick +3").click_secondary();
    h.run_steps(2);
    h.get_by_label_contains("no recording or replay known to hold it");
    h.get_by_label("Show on video").click();
    step_until(&mut h, "the show answered", |a| shown(a).is_some());
    let why = shown(h.state()).expect("shown").expect_err("no video");
    assert!(
        why.starts_with("no recording or replay holds this moment")
            && why.contains("OBS was not recording"),
        "{why}"
    );
    let review = &h.state().state.review;
    assert!(h.state().state.prefs.show_review, "the panel opened");
    assert_eq!(
        review.match_key,
        Some(first),
        "the panel lists the earlier match"
    );
    assert!(review.earlier);
    assert_eq!(review.entries.len(), 1, "its one point");
    let notices = &h.state().state.notices.items;
    assert!(
        notices
            .iter()
            .any(|n| n.level == Level::Warning && n.cause == why),
        "{notices:?}"
    );
    h.run_steps(2);
    h.get_by_label_contains("Earlier match: ");
    h.get_by_label("Back to the current match").click();
    step_until(&mut h, "the current match listed again", |a| {
        !a.state.review.earlier && a.state.review.match_key.is_some_and(|k| k > first)
    });
}

#[test]
fn v_shows_the_selected_row_on_video_and_without_an_obs_says_obs_is_not_connected() {
    // A recording known to the video index since an hour ago, still running.
    let (_dir, mut h, udp) = court_app(|writer| {
        let now = courtside::store::writer::now_ns();
        let seg = courtside::review::VideoSegment {
            connection_id: 1,
            connection: "court OBS".into(),
            kind: courtside::review::VideoKind::Recording,
            path: "/videos/court1.mkv".into(),
            start_ns: Some(now - 3_600_000_000_000),
            end_ns: None,
            duration_ms: None,
            anchor: courtside::review::Anchor::Reported,
        };
        (writer.sender())
            .send(courtside::review::store::save_segment(seg))
            .expect("queue");
    });
    earlier_match_in_the_table(&mut h, udp);
    step_until(&mut h, "the video column", |a| {
        !a.state.review.segments.is_empty()
    });
    h.run_steps(2);
    // V does nothing before a row is chosen.
    h.key_press(egui::Key::V);
    h.run_steps(2);
    assert_eq!(shown(h.state()), None);
    h.get_by_label("Head kick +3").click();
    h.run_steps(1);
    h.key_press(egui::Key::V);
    step_until(&mut h, "the show answered", |a| shown(a).is_some());
    let why = shown(h.state()).expect("shown").expect_err("no OBS");
    assert!(
        why.contains("OBS is not connected") && why.contains("no OBS connection is set up"),
        "{why}"
    );
}
