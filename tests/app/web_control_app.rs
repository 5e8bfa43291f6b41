//! The control API of the app's web server: disabled → 403, no token yet → 403, the token the
//! app generated (shown once, only its hash stored) → the call reaches the app's OBS service,
//! which answers that OBS is not connected; a wrong or missing token → 401; a damaged stored
//! token is a notice and keeps the API locked.

use crate::web_app::{configure_web, http, wait_serving, web};
use crate::whole_app::{app, free_port, step_until};
use courtside::app::CourtsideApp;
use courtside::web::config::TOKEN_KEY;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A control call on its own thread (the app answers it in its frame loop), stepped until
/// answered.
fn control_call(
    h: &mut Harness<'_, CourtsideApp>,
    addr: SocketAddr,
    action: &str,
    token: Option<&str>,
) -> (u16, serde_json::Value) {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let path = format!("/api/v1/obs/{action}");
    let call = std::thread::Builder::new()
        .name("control-call".into())
        .spawn(move || http(addr, "POST", &path, &auth, ""))
        .expect("thread");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !call.is_finished() {
        assert!(Instant::now() < deadline, "control call not answered");
        h.step();
        // Wait for the next event without spinning (the server wakes the UI when it queues).
        std::thread::park_timeout(Duration::from_millis(10));
    }
    let (status, body) = call.join().expect("call thread");
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (status, json)
}

/// An app serving on a free port, control API on or off, an optional stored token value; its
/// folder (kept while the test runs), harness and the server's address.
fn serving(
    control: bool,
    token: Option<&str>,
) -> (
    tempfile::TempDir,
    Harness<'static, CourtsideApp>,
    SocketAddr,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    configure_web(&db, free_port(), &web(0, control), token);
    let mut h = app(db);
    let (_, addr) = wait_serving(&mut h);
    (dir, h, addr)
}

#[test]
fn a_disabled_control_api_answers_403() {
    let (_dir, mut h, addr) = serving(false, None);
    let (status, v) = control_call(&mut h, addr, "save-replay", Some("cs_anything"));
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("disabled"), "{v}");
}

/// The Settings section's header.
const WEB_SECTION: &str = "Web (overlays, venue screens, API)";

/// Click "Generate control token" in Settings → Web; the token shown once.
fn generate_token(h: &mut Harness<'_, CourtsideApp>) -> String {
    h.state_mut().state.prefs.show_settings = true;
    h.state_mut().state.prefs.scoreboard_open = false;
    h.run_steps(3);
    h.get_by_label(WEB_SECTION).click();
    h.run_steps(2);
    h.get_by_label("Generate control token").click();
    step_until(h, "token shown", |a| a.state.web.new_token.is_some());
    h.run_steps(2);
    h.get_by_label("Copy token");
    h.state().state.web.new_token.clone().expect("token")
}

#[test]
fn the_generated_token_reaches_the_obs_service_which_says_obs_is_not_connected() {
    let (dir, mut h, addr) = serving(true, None);
    let db = dir.path().join("s.redb");
    let (status, v) = control_call(&mut h, addr, "save-replay", Some("cs_guess"));
    assert_eq!(status, 403, "no token yet: {v}");
    assert!(v.to_string().contains("generate one"), "{v}");
    let token = generate_token(&mut h);
    // The app's answer, from its OBS service's state: no OBS is set up here.
    let (status, v) = control_call(&mut h, addr, "save-replay", Some(&token));
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["accepted"], false);
    let error = v["error"].as_str().expect("error");
    assert!(error.starts_with("OBS is not connected"), "{error}");
    // Hidden, the token is gone from the app; only its hash is stored.
    h.get_by_label("Hide token").click_accesskit();
    h.run_steps(2);
    assert!(h.state().state.web.new_token.is_none());
    assert!(h.query_by_label("Copy token").is_none());
    drop(h);
    let store = courtside::store::Store::open(&db).expect("reopen");
    let stored = store.setting(TOKEN_KEY).expect("read").expect("set");
    assert!(!stored.contains(&token), "only the hash is stored");
    let hash: String = serde_json::from_str(&stored).expect("json string");
    let hash = courtside::web::TokenHash::parse(&hash).expect("hash");
    assert!(hash.verify(&token));
}

#[test]
fn a_wrong_or_missing_token_answers_401() {
    let (_dir, mut h, addr) = serving(true, None);
    let token = generate_token(&mut h);
    let wrong = format!("{token}x");
    let (status, v) = control_call(&mut h, addr, "save-replay", Some(&wrong));
    assert_eq!(status, 401, "{v}");
    assert!(v.to_string().contains("wrong token"), "{v}");
    let (status, _) = control_call(&mut h, addr, "save-replay", None);
    assert_eq!(status, 401);
    // Shown once: closing Settings forgets it.
    h.state_mut().state.prefs.show_settings = false;
    h.run_steps(2);
    assert!(h.state().state.web.new_token.is_none());
}

#[test]
fn a_damaged_stored_token_is_a_notice_and_the_control_api_stays_locked() {
    let (_dir, mut h, addr) = serving(true, Some("\"md5:00\""));
    let n = h
        .state()
        .state
        .notices
        .items
        .iter()
        .find(|n| n.title == "The web control token cannot be used");
    let n = n.expect("notice").clone();
    assert!(
        n.cause.contains(TOKEN_KEY) && n.cause.contains("sha256:"),
        "{}",
        n.cause
    );
    let (status, v) = control_call(&mut h, addr, "save-replay", Some("cs_any"));
    assert_eq!(status, 403, "{v}");
}

#[test]
fn review_controls_over_the_api_say_why_they_cannot_run_and_bad_bodies_are_400() {
    let (_dir, mut h, addr) = serving(true, None);
    let token = generate_token(&mut h);
    // No OBS set up here: the review service cannot play anything; the answer says why.
    let (status, v) = control_call(&mut h, addr, "review-play", Some(&token));
    assert_eq!(status, 409, "{v}");
    let error = v["error"].as_str().expect("error");
    assert!(error.starts_with("video review is not"), "{error}");
    // A bad body is the caller's mistake: 400 naming the expected shape.
    let (status, v) = control_call(&mut h, addr, "review-speed", Some(&token));
    assert_eq!(status, 400, "{v}");
    assert!(v.to_string().contains("percent"), "{v}");
}
