//! The control API: off by default, bearer token checked, calls handed to the host with their
//! source, the host's answer returned, every call logged without the token.

use crate::support::*;
use courtside::web::{WebControl, token};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Everything logged by this test binary (a global subscriber: the server logs on its runtime's
/// threads).
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_writer(move || SharedWriter(writer.clone()))
            .with_ansi(false)
            .try_init();
        buf
    })
    .clone()
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn rig_with_token(host: bool) -> (Rig, String) {
    let (secret, hash) = token::generate().unwrap();
    let mut o = RigOptions::default();
    o.config.control_enabled = true;
    o.config.control_token = Some(hash);
    o.with_control = host;
    (Rig::with(o), secret)
}

/// Answer every control request with `answer` on a thread; returns what it saw.
fn host(
    rig: &Rig,
    answer: Result<&'static str, &'static str>,
) -> std::thread::JoinHandle<Vec<(WebControl, String)>> {
    let rx = rig.control.clone().unwrap();
    std::thread::Builder::new()
        .name("control-host".into())
        .spawn(move || {
            let mut seen = Vec::new();
            while let Ok(req) = rx.recv_timeout(Duration::from_secs(3)) {
                seen.push((req.action.clone(), req.source.ip().to_string()));
                let _ = req
                    .reply
                    .send(answer.map(str::to_string).map_err(str::to_string));
            }
            seen
        })
        .unwrap()
}

#[test]
fn control_is_disabled_by_default() {
    let rig = Rig::start();
    let a = post(
        rig.addr,
        "/api/v1/obs/save-replay",
        "Authorization: Bearer x\r\n",
        "",
    );
    assert_eq!(a.status, 403);
    assert!(a.json()["error"].as_str().unwrap().contains("disabled"));
}

#[test]
fn control_without_or_with_a_wrong_token_is_refused_and_never_reaches_the_host() {
    let (rig, secret) = rig_with_token(true);
    let seen = host(&rig, Ok("saved"));
    let missing = post(rig.addr, "/api/v1/obs/save-replay", "", "");
    assert_eq!(missing.status, 401);
    assert!(
        missing
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let wrong = post(
        rig.addr,
        "/api/v1/obs/save-replay",
        "Authorization: Bearer cs_wrong\r\n",
        "",
    );
    assert_eq!(wrong.status, 401);
    let almost = format!("Authorization: Bearer {}x\r\n", secret);
    assert_eq!(
        post(rig.addr, "/api/v1/obs/save-replay", &almost, "").status,
        401
    );
    let basic = format!("Authorization: Basic {secret}\r\n");
    assert_eq!(
        post(rig.addr, "/api/v1/obs/save-replay", &basic, "").status,
        401
    );
    assert!(
        seen.join().unwrap().is_empty(),
        "a refused call must not reach the host"
    );
}

#[test]
fn control_with_the_token_reaches_the_host_and_returns_its_answer_logged_without_the_token() {
    let log = log();
    let (rig, secret) = rig_with_token(true);
    let seen = host(&rig, Ok("replay saved"));
    let auth = format!("Authorization: Bearer {secret}\r\n");
    let a = post(rig.addr, "/api/v1/obs/save-replay", &auth, "");
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let doc = a.json();
    assert_eq!(doc["accepted"], true);
    assert_eq!(doc["result"], "replay saved");
    assert_eq!(doc["action"], "save-replay");
    let scene = post(
        rig.addr,
        "/api/v1/obs/switch-scene",
        &auth,
        r#"{"scene":"Replay"}"#,
    );
    assert_eq!(scene.status, 200);
    let bad = post(rig.addr, "/api/v1/obs/switch-scene", &auth, "{}");
    assert_eq!(bad.status, 400);
    let unknown = post(rig.addr, "/api/v1/obs/format-disk", &auth, "");
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["error"]
            .as_str()
            .unwrap()
            .contains("save-replay")
    );
    let seen = seen.join().unwrap();
    assert_eq!(
        seen,
        [
            (WebControl::SaveReplay, "127.0.0.1".to_string()),
            (
                WebControl::SwitchScene("Replay".into()),
                "127.0.0.1".to_string()
            )
        ]
    );
    let text = String::from_utf8_lossy(&log.lock().unwrap()).to_string();
    assert!(
        text.contains("web control: 127.0.0.1:") && text.contains("POST \"save-replay\": 200"),
        "{text}"
    );
    assert!(
        text.contains("POST \"format-disk\": 404"),
        "refused calls are logged too"
    );
    assert!(!text.contains(&secret), "the token must never be logged");
}

#[test]
fn a_refusal_by_the_host_says_not_accepted() {
    let (rig, secret) = rig_with_token(true);
    let seen = host(&rig, Err("the replay buffer is not running"));
    let a = post(
        rig.addr,
        "/api/v1/obs/save-replay",
        &format!("Authorization: Bearer {secret}\r\n"),
        "",
    );
    assert_eq!(a.status, 409);
    let doc = a.json();
    assert_eq!(doc["accepted"], false);
    assert!(doc["error"].as_str().unwrap().contains("replay buffer"));
    seen.join().unwrap();
}

#[test]
fn without_an_obs_host_control_answers_503_and_get_is_405() {
    let (rig, secret) = rig_with_token(false);
    let a = post(
        rig.addr,
        "/api/v1/obs/save-replay",
        &format!("Authorization: Bearer {secret}\r\n"),
        "",
    );
    assert_eq!(a.status, 503);
    assert!(
        a.json()["error"]
            .as_str()
            .unwrap()
            .contains("no OBS control")
    );
    let g = get(rig.addr, "/api/v1/obs/save-replay");
    assert_eq!(
        (g.status, g.header("allow").as_deref()),
        (405, Some("POST"))
    );
}

#[test]
fn enabling_control_without_a_token_says_to_generate_one() {
    let mut o = RigOptions::default();
    o.config.control_enabled = true;
    let rig = Rig::with(o);
    let a = post(
        rig.addr,
        "/api/v1/obs/save-replay",
        "Authorization: Bearer x\r\n",
        "",
    );
    assert_eq!(a.status, 403);
    assert!(a.json()["error"].as_str().unwrap().contains("generate"));
}
