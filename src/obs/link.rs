//! A lenient obs-websocket v5 link for status: events and status reads as plain JSON.
//!
//! Why not obws for this: obws 0.15 types scene events and scene responses with UUIDs, which
//! obs-websocket only sends from 5.5 on. Against OBS 29 (websocket 5.1) obws drops
//! `CurrentProgramSceneChanged` and fails `GetSceneList`. Reading only the fields courtside
//! needs, by name, works on every 5.x server. Control requests still go through obws.

use super::error::{CLOSE_AUTH_FAILED, ObsError, chain};
use super::status::OutputPhase;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, timeout};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Event groups courtside listens to: General, Config, Scenes, Outputs.
const EVENT_SUBSCRIPTIONS: u32 = 1 | (1 << 1) | (1 << 2) | (1 << 6);
/// A ping goes out this often; a link silent for three periods is dead (a pulled cable sends no
/// FIN, so without this a remote OBS would look connected forever).
const PING_EVERY: Duration = Duration::from_secs(5);
/// Longest wait for an answer to a status read.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Which output an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Record,
    Stream,
    ReplayBuffer,
}

/// An OBS event, reduced to what courtside uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkEvent {
    ProgramScene(String),
    SceneList(Vec<String>),
    OutputState {
        output: Output,
        phase: Option<OutputPhase>,
        path: Option<String>,
    },
    RecordFile(String),
    ReplaySaved(String),
    /// The scene collection changed: the scene list must be read again.
    CollectionChanged,
    /// OBS is shutting down.
    Exiting,
}

type Pending = oneshot::Sender<Result<Value, ObsError>>;

/// Sends requests over a link.
#[derive(Clone)]
pub(crate) struct Requester {
    requests: mpsc::Sender<(String, Value, Pending)>,
}

/// An open link. Dropping every part of it closes the connection.
pub(crate) struct Link {
    /// Requests.
    pub requester: Requester,
    /// Events in arrival order; `None` once the connection is gone.
    pub events: mpsc::Receiver<LinkEvent>,
    /// Why the link ended, once it has.
    pub ended: oneshot::Receiver<String>,
}

/// Connect, authenticate and subscribe to events.
pub(crate) async fn connect(
    uri_host: &str,
    port: u16,
    addr: &str,
    password: &str,
    deadline: Duration,
) -> Result<Link, ObsError> {
    let unreachable = |cause: String| ObsError::Unreachable {
        addr: addr.into(),
        cause,
    };
    let builder = ClientBuilder::new()
        .uri(&format!("ws://{uri_host}:{port}"))
        .map_err(|e| unreachable(format!("bad address: {e}")))?;
    let (mut ws, _) = timeout(deadline, builder.connect())
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", deadline.as_secs())))?
        .map_err(|e| unreachable(chain(&e)))?;
    timeout(deadline, identify(&mut ws, addr, password))
        .await
        .map_err(|_| ObsError::Timeout {
            what: "obs-websocket handshake".into(),
            secs: deadline.as_secs(),
        })??;
    let (req_tx, req_rx) = mpsc::channel(64);
    let (ev_tx, ev_rx) = mpsc::channel(256);
    let (end_tx, end_rx) = oneshot::channel();
    tokio::spawn(async move {
        let why = run(ws, req_rx, ev_tx).await;
        // Refused only when the link's owner is gone: nobody is left to tell why it ended.
        let _ = end_tx.send(why);
    });
    Ok(Link {
        requester: Requester { requests: req_tx },
        events: ev_rx,
        ended: end_rx,
    })
}

impl Requester {
    /// Send a request and wait for its answer's `responseData`.
    pub(crate) async fn request(&self, request: &str, data: Value) -> Result<Value, ObsError> {
        let lost = || ObsError::Lost {
            cause: format!("{request} got no answer"),
        };
        let (tx, rx) = oneshot::channel();
        self.requests
            .send((request.to_string(), data, tx))
            .await
            .map_err(|_| lost())?;
        match timeout(REQUEST_TIMEOUT, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(lost()),
            Err(_) => Err(ObsError::Timeout {
                what: request.into(),
                secs: REQUEST_TIMEOUT.as_secs(),
            }),
        }
    }
}

/// The obs-websocket v5 authentication string for a password and the server's salt/challenge.
pub(crate) fn auth_string(password: &str, salt: &str, challenge: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let secret = b64.encode(Sha256::digest(format!("{password}{salt}")));
    b64.encode(Sha256::digest(format!("{secret}{challenge}")))
}

async fn next_json(ws: &mut Socket, addr: &str) -> Result<Value, ObsError> {
    loop {
        let msg = ws.next().await.ok_or_else(|| ObsError::Lost {
            cause: "closed during the handshake".into(),
        })?;
        let msg = msg.map_err(|e| ObsError::Lost { cause: chain(&e) })?;
        if let Some((code, reason)) = msg.as_close() {
            if u16::from(code) == CLOSE_AUTH_FAILED {
                return Err(ObsError::AuthFailed { addr: addr.into() });
            }
            return Err(ObsError::Protocol(format!(
                "OBS closed the connection ({}: {reason})",
                u16::from(code)
            )));
        }
        if let Some(text) = msg.as_text() {
            return serde_json::from_str(text)
                .map_err(|e| ObsError::Protocol(format!("unreadable message: {e}")));
        }
    }
}

async fn identify(ws: &mut Socket, addr: &str, password: &str) -> Result<(), ObsError> {
    let hello = next_json(ws, addr).await?;
    if hello["op"] != 0 {
        return Err(ObsError::Protocol("no Hello from obs-websocket".into()));
    }
    let mut d = json!({ "rpcVersion": 1, "eventSubscriptions": EVENT_SUBSCRIPTIONS });
    if let Some(auth) = hello["d"].get("authentication") {
        let salt = auth["salt"].as_str().unwrap_or_default();
        let challenge = auth["challenge"].as_str().unwrap_or_default();
        d["authentication"] = json!(auth_string(password, salt, challenge));
    }
    let identify = json!({ "op": 1, "d": d }).to_string();
    ws.send(Message::text(identify))
        .await
        .map_err(|e| ObsError::Lost { cause: chain(&e) })?;
    let identified = next_json(ws, addr).await?;
    if identified["op"] != 2 {
        return Err(ObsError::Protocol(
            "obs-websocket did not identify the client".into(),
        ));
    }
    Ok(())
}

/// Pump the connection until it ends; returns why.
async fn run(
    mut ws: Socket,
    mut requests: mpsc::Receiver<(String, Value, Pending)>,
    events: mpsc::Sender<LinkEvent>,
) -> String {
    let mut pending: HashMap<String, (String, Pending)> = HashMap::new();
    let mut next_id = 0u64;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            msg = ws.next() => {
                let msg = match msg {
                    None => return "OBS closed the connection".into(),
                    Some(Err(e)) => return chain(&e),
                    Some(Ok(m)) => m,
                };
                last_heard = Instant::now();
                if let Some((code, reason)) = msg.as_close() {
                    return format!("OBS closed the connection ({}: {reason})", u16::from(code));
                }
                let Some(text) = msg.as_text() else { continue };
                if let Some(ev) = dispatch(text, &mut pending)
                    && events.send(ev).await.is_err()
                {
                    return "link closed".into();
                }
            }
            req = requests.recv() => {
                let Some((request, data, reply)) = req else {
                    // Nobody sends requests any more: a polite close; if it fails the socket is
                    // dropped just the same.
                    let _ = ws.close().await;
                    return "link closed".into();
                };
                next_id += 1;
                let id = next_id.to_string();
                let mut d = json!({ "requestType": request, "requestId": id });
                if !data.is_null() {
                    d["requestData"] = data;
                }
                let frame = json!({ "op": 6, "d": d });
                if let Err(e) = ws.send(Message::text(frame.to_string())).await {
                    return chain(&e);
                }
                pending.insert(id, (request, reply));
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > PING_EVERY * 3 {
                    return format!("no answer for {} s", last_heard.elapsed().as_secs());
                }
                if let Err(e) = ws.send(Message::ping("")).await {
                    return chain(&e);
                }
            }
        }
    }
}

/// Route one text frame: answers go to their waiting request; events are returned.
fn dispatch(text: &str, pending: &mut HashMap<String, (String, Pending)>) -> Option<LinkEvent> {
    let frame: Value = serde_json::from_str(text).ok()?;
    let d = &frame["d"];
    match frame["op"].as_u64()? {
        5 => parse_event(d["eventType"].as_str()?, &d["eventData"]),
        7 => {
            let id = d["requestId"].as_str()?;
            let (request, reply) = pending.remove(id)?;
            let status = &d["requestStatus"];
            let answer = if status["result"].as_bool() == Some(true) {
                Ok(d.get("responseData").cloned().unwrap_or(Value::Null))
            } else {
                let code = status["code"].as_u64().unwrap_or(0) as u16;
                Err(ObsError::refused(
                    &request,
                    code,
                    status["comment"].as_str(),
                ))
            };
            // Refused only when the requester stopped waiting (its timeout): nothing to deliver.
            let _ = reply.send(answer);
            None
        }
        _ => None,
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Parse an `OBS_WEBSOCKET_OUTPUT_*` state. Paused/reconnecting outputs are still running.
pub(crate) fn output_phase(state: &str) -> Option<OutputPhase> {
    Some(match state.strip_prefix("OBS_WEBSOCKET_OUTPUT_")? {
        "STARTING" => OutputPhase::Starting,
        "STARTED" | "PAUSED" | "RESUMED" | "RECONNECTING" | "RECONNECTED" => OutputPhase::On,
        "STOPPING" => OutputPhase::Stopping,
        "STOPPED" => OutputPhase::Off,
        _ => return None,
    })
}

/// Scene names in OBS's list order (top first): obs-websocket numbers them bottom-up.
pub(crate) fn scene_names(list: &Value) -> Vec<String> {
    let mut scenes: Vec<(i64, String)> = list
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some((s["sceneIndex"].as_i64().unwrap_or(0), text(s, "sceneName")?))
                })
                .collect()
        })
        .unwrap_or_default();
    scenes.sort_by_key(|s| std::cmp::Reverse(s.0));
    scenes.into_iter().map(|(_, n)| n).collect()
}

/// Reduce an event to what courtside uses; `None` for the rest.
pub(crate) fn parse_event(kind: &str, data: &Value) -> Option<LinkEvent> {
    let output = |output| LinkEvent::OutputState {
        output,
        phase: data["outputState"].as_str().and_then(output_phase),
        path: text(data, "outputPath"),
    };
    Some(match kind {
        "CurrentProgramSceneChanged" => LinkEvent::ProgramScene(text(data, "sceneName")?),
        "SceneListChanged" => LinkEvent::SceneList(scene_names(&data["scenes"])),
        "RecordStateChanged" => output(Output::Record),
        "StreamStateChanged" => output(Output::Stream),
        "ReplayBufferStateChanged" => output(Output::ReplayBuffer),
        "RecordFileChanged" => LinkEvent::RecordFile(text(data, "newOutputPath")?),
        "ReplayBufferSaved" => LinkEvent::ReplaySaved(text(data, "savedReplayPath")?),
        "CurrentSceneCollectionChanged" => LinkEvent::CollectionChanged,
        "ExitStarted" => LinkEvent::Exiting,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_string_matches_an_independent_computation() {
        // Expected value computed outside Rust (Python hashlib/base64) from the protocol's
        // formula: base64(sha256(base64(sha256(password + salt)) + challenge)).
        let salt = "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=";
        let challenge = "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=";
        assert_eq!(
            auth_string("supersecretpassword", salt, challenge),
            "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="
        );
        assert_ne!(
            auth_string("supersecretpassworD", salt, challenge),
            auth_string("supersecretpassword", salt, challenge)
        );
    }

    #[test]
    fn websocket_5_1_events_parse_without_uuids() {
        let scene = json!({ "sceneName": "Scene B" });
        assert_eq!(
            parse_event("CurrentProgramSceneChanged", &scene),
            Some(LinkEvent::ProgramScene("Scene B".into()))
        );
        let rec = json!({ "outputActive": true, "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED" });
        assert_eq!(
            parse_event("RecordStateChanged", &rec),
            Some(LinkEvent::OutputState {
                output: Output::Record,
                phase: Some(OutputPhase::On),
                path: None
            })
        );
        let list = json!({ "scenes": [
            { "sceneName": "Scene B", "sceneIndex": 0 },
            { "sceneName": "Scene A", "sceneIndex": 1 } ] });
        assert_eq!(
            parse_event("SceneListChanged", &list),
            Some(LinkEvent::SceneList(vec![
                "Scene A".into(),
                "Scene B".into()
            ]))
        );
        // Missing required fields or unknown events are ignored, never a crash.
        assert_eq!(parse_event("CurrentProgramSceneChanged", &json!({})), None);
        assert_eq!(parse_event("InputVolumeMeters", &json!({})), None);
        assert_eq!(output_phase("OBS_WEBSOCKET_OUTPUT_SOMETHING_NEW"), None);
    }

    #[test]
    fn answers_reach_their_request_and_refusals_carry_the_code() {
        let mut pending = HashMap::new();
        let (tx, mut rx) = oneshot::channel();
        pending.insert("7".to_string(), ("SaveReplayBuffer".to_string(), tx));
        let answer = json!({ "op": 7, "d": { "requestType": "SaveReplayBuffer", "requestId": "7",
            "requestStatus": { "result": false, "code": 501 } } });
        assert_eq!(dispatch(&answer.to_string(), &mut pending), None);
        let got = rx.try_recv().expect("answered");
        assert_eq!(got.expect_err("refused").code(), Some(501));
        assert!(pending.is_empty());
        // Garbage and answers to unknown ids are dropped quietly.
        assert_eq!(dispatch("not json", &mut pending), None);
        assert_eq!(dispatch(&answer.to_string(), &mut pending), None);
    }
}
