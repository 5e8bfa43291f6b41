//! The bench's real-OBS arm: Debian's OBS 29 (obs-websocket 5.1, password required), started
//! headless under Xvfb exactly as the OBS tests start it (`tests/obs/obs_process.rs`, shared
//! through `#[path]`).
//!
//! A real OBS cannot timestamp a request's arrival, so every path is timed to the same thing OBS
//! does in answer, seen by the same independent observer: a source shown or hidden, and the
//! `SceneItemEnableStateChanged` event OBS sends at once to a raw websocket client of its own.
//! (A program scene switch is no good clock: OBS 29 applies it on its next video frame, so every
//! path measured ~100 ms at the tests' 10 fps.) Two rules act on a challenge (`ch1` hides the
//! source, `ch2` shows it), so every sample is a real change. Paths, as in the stand-in arm:
//! baseline (a bare obws `SetSceneItemEnabled`, the item's id looked up once before), automation
//! (a persisted record; courtside looks the id up by name each time, as it does in the app),
//! full (a UDP datagram through listener and store). The target is courtside's part: each
//! path's p99 minus the baseline's p99, ≤ 5 ms.
//!
//! Without OBS the arm fails the bench unless `COURTSIDE_BENCH_NO_REAL_OBS=1` opts out.

use crate::obs_process::{ObsProcess, SCENES, SOURCE};
use crate::verdict::Verdicts;
use crate::{Court, ch_record, court, percentiles, samples};
use courtside::obs::{
    Automation, ObsAction, ObsConnection, ObsNotice, ObsRole, ObsUpdate, ObsWorker,
    ObsWorkerConfig, Password, Rule, RuleAction, Trigger, Visibility,
};
use courtside::protocol::Athlete;
use courtside::store::writer::Persisted;
use crossbeam_channel::{Receiver, Sender, bounded};
use futures_util::{SinkExt, StreamExt};
use obws::requests::scene_items::{Id, SetEnabled};
use obws::requests::scenes::SceneId;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

/// Opt-out of the real-OBS arm (a machine without OBS Studio): set to 1.
pub const OPT_OUT: &str = "COURTSIDE_BENCH_NO_REAL_OBS";
/// Longest wait for OBS to switch and tell, or for the action's notice.
const WAIT: Duration = Duration::from_secs(10);
/// obs-websocket's `SceneItems` event category (`SceneItemEnableStateChanged` is in it).
const SCENE_ITEM_EVENTS: u64 = 1 << 7;

/// Run the arm, or record why it could not run.
pub fn run(verdicts: &mut Verdicts) {
    let what = ["automation", "full (UDP)"]
        .map(|p| format!("real OBS 29: {p} path p99 − bare-request p99 (courtside's part)"));
    if std::env::var(OPT_OUT).is_ok_and(|v| v == "1") {
        for w in &what {
            verdicts.skipped(w, "≤ 5 ms", &format!("opted out by {OPT_OUT}=1"));
        }
        return;
    }
    if let Err(why) = measure(verdicts, &what) {
        println!("real OBS arm: not measured ({why})");
        for w in &what {
            verdicts.not_measured(w, "≤ 5 ms", &why);
        }
    }
}

/// Whether a challenge by blue (`ch1`) or red (`ch2`) makes the source visible, and its datagram.
fn switch_for(blue: bool) -> (bool, &'static str) {
    if blue { (false, "ch1") } else { (true, "ch2") }
}

fn rules() -> Vec<Rule> {
    [true, false]
        .map(|blue| {
            let (visible, _) = switch_for(blue);
            let action = ObsAction::SetSourceVisibility {
                scene: SCENES[0].into(),
                source: SOURCE.into(),
                visible: if visible {
                    Visibility::Show
                } else {
                    Visibility::Hide
                },
            };
            let name = if visible { "show" } else { "hide" };
            let mut rule = Rule::new(
                name,
                Trigger::ChallengeRequested,
                vec![RuleAction::now(action)],
            );
            rule.conditions.athlete = Some(if blue { Athlete::Blue } else { Athlete::Red });
            rule
        })
        .to_vec()
}

/// What the arm runs on: OBS, its observer, courtside's worker and its notices.
struct Real {
    /// First: the worker stops before its runtime goes.
    worker: ObsWorker,
    rt: tokio::runtime::Runtime,
    switched: Receiver<(Instant, bool)>,
    notices: Receiver<ObsNotice>,
    /// Last: OBS goes after everything that talks to it.
    obs: ObsProcess,
}

fn start() -> Result<Real, String> {
    let obs = ObsProcess::start()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let switched = rt.block_on(observer(obs.port, &obs.password))?;
    let (up_tx, updates) = bounded(4096);
    let (notice_tx, notices) = bounded(4096);
    std::thread::Builder::new()
        .name("bench-ui-real".into())
        .spawn(move || drain(updates, notice_tx))
        .map_err(|e| e.to_string())?;
    let mut conn = ObsConnection::new("real OBS", "127.0.0.1", obs.port);
    conn.password = Password::new(&obs.password);
    conn.role = ObsRole::Recording;
    let config = ObsWorkerConfig {
        connections: vec![conn],
        updates: up_tx,
        repaint: Box::new(|| {}),
        store_writer: None,
    };
    let worker = ObsWorker::spawn(rt.handle().clone(), config).map_err(|e| e.to_string())?;
    let end = Instant::now() + Duration::from_secs(60);
    while !worker.statuses().iter().any(|s| s.link.is_connected()) {
        if Instant::now() > end {
            return Err("courtside did not connect to OBS in 60 s".into());
        }
        std::thread::park_timeout(Duration::from_millis(20));
    }
    Ok(Real {
        worker,
        rt,
        switched,
        notices,
        obs,
    })
}

/// The app's UI part: drain the worker's updates, pass the notices on.
fn drain(updates: Receiver<ObsUpdate>, notices: Sender<ObsNotice>) {
    for update in updates {
        if let ObsUpdate::Notice(n) = update
            && notices.send(n).is_err()
        {
            return;
        }
    }
}

/// A raw obs-websocket client (obws's typed events need UUIDs OBS 29 does not send) subscribed
/// to scene-item events only; reports when each visibility change arrives, and to which state.
async fn observer(port: u16, password: &str) -> Result<Receiver<(Instant, bool)>, String> {
    let builder = ClientBuilder::new()
        .uri(&format!("ws://127.0.0.1:{port}"))
        .map_err(|e| e.to_string())?;
    let (mut ws, _) = builder
        .connect()
        .await
        .map_err(|e| format!("observer: {e}"))?;
    let hello = next_json(&mut ws).await?;
    let auth = &hello["d"]["authentication"];
    let mut identify =
        json!({"op": 1, "d": {"rpcVersion": 1, "eventSubscriptions": SCENE_ITEM_EVENTS}});
    if let (Some(salt), Some(challenge)) = (auth["salt"].as_str(), auth["challenge"].as_str()) {
        identify["d"]["authentication"] = auth_string(password, salt, challenge).into();
    }
    ws.send(Message::text(identify.to_string()))
        .await
        .map_err(|e| e.to_string())?;
    let identified = next_json(&mut ws).await?;
    if identified["op"] != 2 {
        return Err(format!("observer not identified: {identified}"));
    }
    let (tx, rx) = bounded(65_536);
    tokio::spawn(async move {
        while let Some(Ok(msg)) = ws.next().await {
            let at = Instant::now();
            let Some(v) = msg
                .as_text()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
            else {
                continue;
            };
            if v["d"]["eventType"] == "SceneItemEnableStateChanged"
                && let Some(enabled) = v["d"]["eventData"]["sceneItemEnabled"].as_bool()
            {
                let _ = tx.try_send((at, enabled));
            }
        }
    });
    Ok(rx)
}

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_json(ws: &mut Socket) -> Result<Value, String> {
    loop {
        let msg = ws
            .next()
            .await
            .ok_or("observer: closed during the handshake")?
            .map_err(|e| e.to_string())?;
        if let Some(text) = msg.as_text() {
            return serde_json::from_str(text).map_err(|e| e.to_string());
        }
    }
}

/// obs-websocket v5 authentication: base64(sha256(base64(sha256(password + salt)) + challenge)).
fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let b64 = base64::engine::general_purpose::STANDARD;
    let secret = b64.encode(Sha256::digest(format!("{password}{salt}")));
    b64.encode(Sha256::digest(format!("{secret}{challenge}")))
}

impl Real {
    /// When the observer saw OBS make the source `visible` (earlier events for the other state
    /// skipped).
    fn switched_to(&self, visible: bool) -> Result<Instant, String> {
        let end = Instant::now() + WAIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.switched.recv_timeout(left) {
                Ok((at, s)) if s == visible => return Ok(at),
                Ok(_) => continue,
                Err(e) => {
                    return Err(format!(
                        "OBS did not make '{SOURCE}' visible={visible} in {WAIT:?} ({e})"
                    ));
                }
            }
        }
    }

    /// The switch, then the action's notice (so samples do not queue); other notices (e.g. the
    /// older-OBS warning at connect) are passed over.
    fn fired(&self, visible: bool) -> Result<Instant, String> {
        let at = self.switched_to(visible)?;
        let end = Instant::now() + WAIT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.notices.recv_timeout(left) {
                Ok(n) if !n.automation => continue,
                Ok(n) if n.result.is_ok() => return Ok(at),
                Ok(n) => return Err(format!("the switch failed: {n:?}")),
                Err(e) => return Err(format!("no notice of the switch ({e})")),
            }
        }
    }
}

fn measure(verdicts: &mut Verdicts, what: &[String; 2]) -> Result<(), String> {
    let real = start()?;
    println!(
        "\nreal OBS arm: OBS 29 under Xvfb (obs-websocket 5.1, password), port {}",
        real.obs.port
    );
    let direct = real
        .rt
        .block_on(direct_client(real.obs.port, &real.obs.password))?;
    let court: Court = court(&real.worker, rules());
    let mut automation = Automation::new(rules(), false, real.worker.commands());
    // A sample is a millisecond or two and writes nothing: enough of them for a steady p99.
    let n = samples(1000, 500);
    let mut blue = true;
    let mut seq = 0u64;
    let mut next = || {
        let s = switch_for(blue);
        blue = !blue;
        s
    };
    let items = direct.scene_items();
    let id = Id {
        scene: SceneId::Name(SCENES[0]),
        source: SOURCE,
        search_offset: None,
    };
    let item_id = (real.rt.block_on(items.id(id))).map_err(|e| format!("item id: {e}"))?;
    let mut base = Vec::with_capacity(n);
    for _ in 0..n {
        let (visible, _) = next();
        let start = Instant::now();
        let set = items.set_enabled(SetEnabled {
            scene: SceneId::Name(SCENES[0]),
            item_id,
            enabled: visible,
        });
        (real.rt.block_on(set)).map_err(|e| format!("bare request: {e}"))?;
        base.push(real.switched_to(visible)? - start);
    }
    let mut auto = Vec::with_capacity(n);
    for _ in 0..n {
        let (visible, datagram) = next();
        seq += 1;
        let received = Instant::now();
        automation.on_persisted(&Persisted {
            record: ch_record(seq, datagram),
            received,
        });
        auto.push(real.fired(visible)? - received);
    }
    let mut full = Vec::with_capacity(n);
    for _ in 0..n {
        let (visible, datagram) = next();
        let start = Instant::now();
        court
            .pss
            .send_to(datagram.as_bytes(), court.to)
            .map_err(|e| e.to_string())?;
        full.push(real.fired(visible)? - start);
    }
    court.stop();
    let (b50, b99, bmax) = percentiles(base);
    println!(
        "real OBS, datagram → OBS's visibility event at an observer, {n} samples each (p50 / \
         p99 / max, p99 − baseline p99):"
    );
    println!("  baseline   {b50:>10.2?} {b99:>10.2?} {bmax:>10.2?}");
    for ((name, v), w) in [("automation", auto), ("full (UDP)", full)]
        .into_iter()
        .zip(what)
    {
        let (p50, p99, max) = percentiles(v);
        // Signed: a path's tail can be shorter than the baseline's in a noisy run.
        let part_ms = (p99.as_secs_f64() - b99.as_secs_f64()) * 1e3;
        println!("  {name} {p50:>10.2?} {p99:>10.2?} {max:>10.2?}  {part_ms:+.2} ms");
        verdicts.at_most(w, part_ms, 5.0, " ms");
    }
    real.worker.shutdown();
    Ok(())
}

/// A bare obws client with a password (the baseline), past obws's version check for OBS 29.
async fn direct_client(port: u16, password: &str) -> Result<obws::Client, String> {
    let config = obws::client::ConnectConfig {
        host: "127.0.0.1",
        port,
        password: Some(password),
        event_subscriptions: Some(obws::requests::EventSubscription::NONE),
        broadcast_capacity: 16,
        connect_timeout: Duration::from_secs(10),
        dangerous: Some(obws::client::DangerousConnectConfig {
            skip_studio_version_check: true,
            skip_websocket_version_check: true,
        }),
    };
    obws::Client::connect_with_config(config)
        .await
        .map_err(|e| format!("bare obws client: {e}"))
}
