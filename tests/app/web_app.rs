//! The web server in the desktop app: it serves the states of what the app's listener received,
//! the status bar shows its real URL (and copies it), a taken port is a notice while ingest goes
//! on, a settings save rebinds (or keeps the old address when the new one is taken), and the
//! settings turned off stop serving (the control API: `web_control_app.rs`).

use crate::app_support::configure_with;
use crate::whole_app::{app, free_port, simulate, step_until, wait_listening};
use courtside::app::CourtsideApp;
use courtside::model::notices::Notice;
use courtside::model::web::WebRun;
use courtside::web::WebSettings;
use courtside::web::config::{SETTINGS_KEY, TOKEN_KEY};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

/// Store a loopback listener on `udp` and these web settings, as an operator's saved ones.
pub fn configure_web(db: &Path, udp: u16, web: &WebSettings, token: Option<&str>) {
    configure_with(db, udp, |w| {
        let (key, value) = web.to_entry();
        w.set_setting(key, &value, "test").expect("web setting");
        if let Some(t) = token {
            w.set_setting(TOKEN_KEY, t, "test").expect("token");
        }
    });
}

/// Loopback, any free port: `port` 0.
pub fn web(port: u16, control: bool) -> WebSettings {
    WebSettings {
        bind: Ipv4Addr::LOCALHOST.into(),
        port,
        control_enabled: control,
        ..WebSettings::default()
    }
}

/// Step until a notice titled `title` is raised; that notice.
fn wait_notice(h: &mut Harness<'_, CourtsideApp>, title: &str) -> Notice {
    let find = |a: &CourtsideApp| {
        a.state
            .notices
            .items
            .iter()
            .find(|n| n.title == title)
            .cloned()
    };
    step_until(h, title, |a| find(a).is_some());
    find(h.state()).expect("notice")
}

/// Step until the app serves; its URL and address.
pub fn wait_serving(h: &mut Harness<'_, CourtsideApp>) -> (String, SocketAddr) {
    step_until(h, "web serving", |a| {
        matches!(a.state.web.run, WebRun::Serving(_))
    });
    let url = h.state().state.web.url().expect("url").to_string();
    let addr = url.trim_start_matches("http://").parse().expect("addr");
    (url, addr)
}

/// One HTTP exchange (the request asks to close): status and body.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: \
         {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// Wait until nothing listens on `addr` (the stopped server's socket closes on its runtime, a
/// moment after the app dropped it).
pub fn wait_closed(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "{addr} still accepts connections"
        );
        std::thread::park_timeout(Duration::from_millis(10));
    }
}

/// A free TCP port (bound, read back, released).
pub fn free_tcp_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    l.local_addr().expect("addr").port()
}

#[test]
fn the_app_serves_the_state_of_datagrams_its_listener_received() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let udp = free_port();
    configure_web(&db, udp, &web(0, false), None);
    let mut h = app(db);
    wait_listening(&mut h);
    let (_, addr) = wait_serving(&mut h);
    simulate(udp);
    step_until(&mut h, "every datagram shown", |a| {
        a.state.live.lines.len() == 49
    });
    let shown = h
        .state()
        .state
        .courts
        .get("Court 1")
        .cloned()
        .expect("court");
    let expected = serde_json::to_value(&shown).expect("json");
    assert_eq!(
        expected["match"]["number"], "204",
        "the example match arrived"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = http(addr, "GET", "/api/v1/courts/Court%201/state", "", "");
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        if v["state"] == expected {
            assert_eq!(v["court"], "Court 1");
            break;
        }
        assert!(Instant::now() < deadline, "API state never matched: {v}");
        std::thread::park_timeout(Duration::from_millis(20));
    }
    let (status, courts) = http(addr, "GET", "/api/v1/courts", "", "");
    assert_eq!(status, 200);
    assert!(courts.contains("Court 1"), "{courts}");
}

#[test]
fn the_status_bar_shows_the_real_url_and_copy_url_puts_it_on_the_clipboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure_web(&db, free_port(), &web(0, false), None);
    let mut h = app(db);
    let (url, addr) = wait_serving(&mut h);
    assert_ne!(addr.port(), 0, "the real port, not the asked 0");
    h.run_steps(2);
    h.get_by_label(&format!("web: {url}"));
    h.get_by_label("copy URL").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if *t == url));
    assert!(copied, "copy URL copies {url}");
    let tip = h.state().state.web.tooltip();
    for page in ["/overlay/Court%201", "/board/Court%201", "/courts"] {
        assert!(tip.contains(&format!("{url}{page}")), "{tip}");
    }
}

#[test]
fn a_taken_web_port_is_an_error_notice_and_the_app_keeps_ingesting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let udp = free_port();
    configure_web(&db, udp, &web(port, false), None);
    let mut h = app(db);
    let n = wait_notice(&mut h, &format!("Web pages not served on 127.0.0.1:{port}"));
    assert_eq!(n.level, courtside::model::state::Level::Error);
    assert!(n.cause.contains("address in use"), "{}", n.cause);
    assert!(n.action.contains("Settings → Web"), "{}", n.action);
    h.state_mut().state.prefs.scoreboard_open = false;
    h.run_steps(2);
    h.get_by_label("web: port taken");
    assert!(h.query_by_label("copy URL").is_none());
    wait_listening(&mut h);
    simulate(udp);
    step_until(&mut h, "ingest goes on", |a| a.state.live.lines.len() == 49);
    assert!(h.state().state.courts.contains_key("Court 1"));
}

#[test]
fn a_settings_save_with_a_new_port_rebinds_and_a_taken_one_keeps_the_old() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure_web(&db, free_port(), &web(free_tcp_port(), false), None);
    let mut h = app(db.clone());
    let (_, old) = wait_serving(&mut h);
    let new_port = free_tcp_port();
    h.state_mut().state.prefs.show_settings = true;
    h.state_mut().state.draft.web.port = new_port.to_string();
    h.run_steps(3);
    h.get_by_label("Save and apply").click();
    step_until(&mut h, "saved", |a| {
        a.state.draft.status.as_deref() == Some("Saved and applied.")
    });
    let (url, addr) = wait_serving(&mut h);
    assert_eq!(url, format!("http://127.0.0.1:{new_port}"));
    assert_eq!(http(addr, "GET", "/api/v1/courts", "", "").0, 200);
    wait_closed(old);
    // A taken port: the save is stored, the old server keeps serving, a notice says why.
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let busy = taken.local_addr().expect("addr").port();
    h.state_mut().state.draft.web.port = busy.to_string();
    h.run_steps(2);
    h.get_by_label("Save and apply").click();
    let n = wait_notice(&mut h, &format!("Web pages not served on 127.0.0.1:{busy}"));
    assert!(n.action.contains(&format!("Still serving on {url}")));
    assert_eq!(h.state().state.web.url(), Some(url.as_str()));
    assert_eq!(http(addr, "GET", "/api/v1/courts", "", "").0, 200);
    drop(h);
    let store = courtside::store::Store::open(&db).expect("reopen");
    let stored = store.setting(SETTINGS_KEY).expect("read").expect("set");
    assert!(stored.contains(&busy.to_string()), "{stored}");
}

#[test]
fn a_court_added_in_settings_is_offered_before_its_first_datagram() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure_web(&db, free_port(), &web(free_tcp_port(), false), None);
    let mut h = app(db);
    let (_, addr) = wait_serving(&mut h);
    let (_, courts) = http(addr, "GET", "/api/v1/courts", "", "");
    assert!(!courts.contains("Mat B"), "{courts}");
    h.state_mut().state.prefs.show_settings = true;
    h.state_mut().state.prefs.scoreboard_open = false;
    let mut row = courtside::model::state::ListenerDraft::new_row(2);
    row.bind = "127.0.0.1".into();
    row.port = free_port().to_string();
    row.court = "Mat B".into();
    h.state_mut().state.draft.listeners.push(row);
    h.run_steps(2);
    // With a second listener row the button is below the fold of the Settings window.
    h.get_by_label("Save and apply").click_accesskit();
    step_until(&mut h, "saved", |a| {
        a.state.draft.status.as_deref() == Some("Saved and applied.")
    });
    let (status, courts) = http(addr, "GET", "/api/v1/courts", "", "");
    assert_eq!(status, 200);
    assert!(courts.contains("Mat B"), "{courts}");
}

#[test]
fn a_web_setting_turned_off_stops_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure_web(&db, free_port(), &web(free_tcp_port(), false), None);
    let mut h = app(db);
    let (_, addr) = wait_serving(&mut h);
    h.state_mut().state.prefs.show_settings = true;
    h.state_mut().state.prefs.scoreboard_open = false;
    h.state_mut().state.draft.web.enabled = false;
    h.run_steps(2);
    h.get_by_label("Save and apply").click();
    step_until(&mut h, "off", |a| a.state.web.run == WebRun::Off);
    h.run_steps(2);
    h.get_by_label("web: off");
    wait_closed(addr);
}

#[test]
fn bad_web_settings_are_refused_beside_their_field_and_nothing_is_saved() {
    use courtside::model::AppState;
    use courtside::model::settings::AppSettings;
    use courtside::model::state::SettingsDraft;
    for (field, text, message) in [
        ("bind", "localhost", "'localhost' is not an IP address"),
        ("port", "0", "port must be 1–65535, not 0"),
        ("port", "80800", "port must be 1–65535, not 80800"),
        ("port", "web", "'web' is not a port number (1–65535)"),
        ("allow", "10.0.0.5, obs-pc", "'obs-pc' is not an IP address"),
    ] {
        let state = AppState {
            draft: SettingsDraft::from_settings(&AppSettings::default()),
            ..Default::default()
        };
        let mut h = Harness::builder()
            .with_size([1400.0, 900.0])
            .with_context_setup(courtside::ui::theme::install_fonts)
            .build_ui_state(courtside::ui::settings::settings_ui, state);
        {
            let d = &mut h.state_mut().draft.web;
            match field {
                "bind" => d.bind = text.into(),
                "port" => d.port = text.into(),
                _ => d.allow = text.into(),
            }
        }
        h.run();
        h.get_by_label("Save and apply").click();
        h.run();
        h.get_by_label(message);
        h.get_by_label("fix the marked fields; nothing was saved");
        assert!(
            h.state().commands.is_empty(),
            "{field} {text:?}: nothing saved"
        );
    }
}
