//! The bench's fake OBS: a local obs-websocket v5 endpoint that answers like OBS and timestamps
//! each `SaveReplayBuffer` as it arrives.

use crossbeam_channel::Sender;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;
use tokio::sync::broadcast::error::RecvError;
use tokio_websockets::{Message, ServerBuilder};

/// obs-websocket's `Outputs` event category (`ReplayBufferSaved` is in it).
const OUTPUT_EVENTS: u64 = 1 << 6;
/// What a client gets without `eventSubscriptions` in its Identify: OBS's default, all
/// non-high-volume categories.
const DEFAULT_EVENTS: u64 = 0x7ff;

/// What the fake OBS did, for the diagnosis of a failed wait.
#[derive(Default)]
pub struct FakeStats {
    pub saves: AtomicU64,
    pub events_sent: AtomicU64,
    pub connections: AtomicU64,
    pub closed: AtomicU64,
}

/// Serve one fake obs-websocket connection as OBS does: no auth, every request answered with
/// success and plausible data; each `SaveReplayBuffer`'s arrival instant reported, then
/// `ReplayBufferSaved` sent to every connection that subscribed to output events (courtside's
/// status link; its obws control connection and the baseline's client subscribe to none). Like
/// OBS, a client that reads slowly gets every event late, never loses one or its connection.
pub async fn serve(
    stream: tokio::net::TcpStream,
    arrivals: Sender<Instant>,
    saved: tokio::sync::broadcast::Sender<()>,
    stats: Arc<FakeStats>,
) {
    let Ok((_, mut ws)) = ServerBuilder::new().accept(stream).await else {
        return;
    };
    stats.connections.fetch_add(1, Relaxed);
    let mut saved_rx = saved.subscribe();
    let mut subscribed = DEFAULT_EVENTS;
    let hello = json!({"op": 0, "d": {"obsWebSocketVersion": "5.5.0", "rpcVersion": 1}});
    if ws.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    let ev = json!({"op": 5, "d": {"eventType": "ReplayBufferSaved", "eventIntent": OUTPUT_EVENTS,
        "eventData": {"savedReplayPath": "/tmp/bench.mkv"}}})
    .to_string();
    loop {
        let msg = tokio::select! {
            m = ws.next() => match m { Some(Ok(m)) => m, _ => break },
            r = saved_rx.recv() => {
                // Lagged(n): this task fell n saves behind the broadcast's buffer; those events
                // are still owed to the client.
                let owed = match r {
                    Ok(()) => 1,
                    Err(RecvError::Lagged(n)) => n,
                    Err(RecvError::Closed) => break,
                };
                if subscribed & OUTPUT_EVENTS == 0 { continue }
                for _ in 0..owed {
                    if ws.send(Message::text(ev.clone())).await.is_err() { break }
                    stats.events_sent.fetch_add(1, Relaxed);
                }
                continue;
            }
        };
        let arrived = Instant::now();
        let Some(text) = msg.as_text() else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let d = &frame["d"];
        let ty = d["requestType"].as_str().unwrap_or_default().to_string();
        let reply = match frame["op"].as_u64() {
            Some(1) => {
                subscribed = d["eventSubscriptions"].as_u64().unwrap_or(DEFAULT_EVENTS);
                json!({"op": 2, "d": {"negotiatedRpcVersion": 1}})
            }
            Some(6) => json!({"op": 7, "d": {"requestType": ty, "requestId": d["requestId"],
                    "requestStatus": {"result": true, "code": 100}, "responseData": answer(&ty)}}),
            _ => continue,
        };
        if ws.send(Message::text(reply.to_string())).await.is_err() {
            break;
        }
        if ty == "SaveReplayBuffer" {
            stats.saves.fetch_add(1, Relaxed);
            let _ = arrivals.try_send(arrived);
            let _ = saved.send(());
        }
    }
    stats.closed.fetch_add(1, Relaxed);
}

fn answer(request: &str) -> Value {
    match request {
        "GetVersion" => json!({"obsVersion": "30.2.0", "obsWebSocketVersion": "5.5.0",
            "rpcVersion": 1, "availableRequests": [], "supportedImageFormats": [],
            "platform": "bench", "platformDescription": "bench"}),
        "GetSceneList" => json!({"currentProgramSceneName": "A", "scenes": [
            {"sceneName": "A", "sceneIndex": 0}]}),
        "GetReplayBufferStatus" => json!({"outputActive": true}),
        "GetRecordStatus" | "GetStreamStatus" => json!({"outputActive": false}),
        _ => Value::Null,
    }
}
