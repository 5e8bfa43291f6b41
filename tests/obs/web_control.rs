//! The web control API of the app against the real OBS (issue 16: "works with the right one
//! against the real OBS of the OBS tests"): the app's server with control enabled and a token
//! stored (as "Generate control token" stores it: only the hash), a Companion-style POST → the
//! app's OBS service → OBS starts and stops recording, read back from OBS by an independent
//! client; without the token or with a wrong one OBS is not touched.

use crate::app_obs::{save_obs_connection, step_until};
use crate::app_support::{app, configure_with, free_port};
use crate::obs_process::{ObsProcess, wait_until};
use crate::obs_ui::{direct_client, runtime};
use crate::wait::Repaints;
use courtside::app::CourtsideApp;
use courtside::model::web::WebRun;
use courtside::web::WebSettings;
use courtside::web::config::TOKEN_KEY;
use egui_kittest::Harness;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(40);

/// One POST to the control API on its own thread, the app stepped until it is answered (the app
/// answers control calls in its frame loop): status and body.
fn post(
    h: &mut Harness<'_, CourtsideApp>,
    addr: SocketAddr,
    action: &str,
    token: Option<&str>,
) -> (u16, String) {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let req = format!(
        "POST /api/v1/obs/{action} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\
         Content-Length: 0\r\n\r\n"
    );
    let call = std::thread::Builder::new()
        .name("control-call".into())
        .spawn(move || {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.set_read_timeout(Some(DEADLINE)).expect("timeout");
            s.write_all(req.as_bytes()).expect("write");
            let mut answer = String::new();
            s.read_to_string(&mut answer).expect("answer");
            answer
        })
        .expect("thread");
    let deadline = Instant::now() + DEADLINE;
    let repaints = Repaints::on(&h.ctx);
    while !call.is_finished() {
        h.step();
        repaints.wait(deadline, "the control call's answer");
    }
    let answer = call.join().expect("call");
    let status = answer[9..12].parse().expect("status");
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

#[test]
fn the_control_api_records_on_a_real_obs_with_the_token_and_touches_nothing_without_it() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
    let recording = || {
        rt.block_on(direct.recording().status())
            .expect("status")
            .active
    };
    // A token as the app generates it; only its hash is stored.
    let (token, hash) = courtside::web::token::generate().expect("token");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    configure_with(&db, free_port(), |writer| {
        save_obs_connection(writer, &obs);
        let web = WebSettings {
            bind: Ipv4Addr::LOCALHOST.into(),
            port: 0,
            control_enabled: true,
            ..WebSettings::default()
        };
        let (key, value) = web.to_entry();
        writer.set_setting(key, &value, "test").expect("web");
        let stored = serde_json::to_string(&hash.to_stored()).expect("json");
        writer
            .set_setting(TOKEN_KEY, &stored, "test")
            .expect("token");
    });
    let mut h = app(db);
    h.state_mut().state.prefs.scoreboard_open = false;
    step_until(&mut h, "OBS connected and the web server serving", |a| {
        let obs_up = (a.state.obs.statuses.first())
            .is_some_and(|s| s.link.is_connected() && !s.scenes.is_empty());
        obs_up && matches!(a.state.web.run, WebRun::Serving(_))
    });
    let url = h.state().state.web.url().expect("url").to_string();
    let addr: SocketAddr = url.trim_start_matches("http://").parse().expect("addr");
    assert!(!recording(), "OBS idle at the start");

    // Without the token, and with a wrong one: refused, OBS untouched.
    let (status, body) = post(&mut h, addr, "start-recording", None);
    assert_eq!(status, 401, "{body}");
    let wrong = format!("{token}x");
    let (status, body) = post(&mut h, addr, "start-recording", Some(&wrong));
    assert_eq!(status, 401, "{body}");
    assert!(!recording(), "a refused call does not reach OBS");

    // With it: OBS records (read back from OBS itself), then stops.
    let (status, body) = post(&mut h, addr, "start-recording", Some(&token));
    assert_eq!(status, 200, "{body}");
    wait_until(DEADLINE, "OBS recording", recording).expect("OBS records");
    let (status, body) = post(&mut h, addr, "stop-recording", Some(&token));
    assert_eq!(status, 200, "{body}");
    wait_until(DEADLINE, "OBS stopped recording", || !recording()).expect("OBS stops");
    assert!(!body.contains(&token), "the answer never echoes the token");
}
