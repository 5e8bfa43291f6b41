//! A local obs-websocket endpoint that requires a password, for tests that check which password
//! courtside sends (no OBS Studio needed): it challenges every connection, closes those that
//! answer wrongly with obs-websocket's "authentication failed" code, counts both, and answers the
//! requests courtside makes while connecting with plausible data.

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio_websockets::{CloseCode, Message, ServerBuilder};

const SALT: &str = "c2FsdHlzYWx0";
const CHALLENGE: &str = "Y2hhbGxlbmdl";

/// Counters of a fake OBS.
#[derive(Default)]
pub struct Counts {
    /// Connections that sent the right password.
    pub accepted: AtomicUsize,
    /// Connections that sent a wrong or no password.
    pub refused: AtomicUsize,
}

/// A fake OBS listening on a loopback port of `rt`.
pub struct FakeObs {
    /// Its port.
    pub port: u16,
    /// What it saw.
    pub counts: Arc<Counts>,
}

impl FakeObs {
    /// Start one that accepts only `password`.
    pub fn start(rt: &tokio::runtime::Runtime, password: &str) -> FakeObs {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let counts = Arc::new(Counts::default());
        let expected = auth_string(password);
        let c = counts.clone();
        rt.spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(serve(s, expected.clone(), c.clone()));
            }
        });
        FakeObs { port, counts }
    }

    /// Connections that authenticated.
    pub fn accepted(&self) -> usize {
        self.counts.accepted.load(Ordering::SeqCst)
    }

    /// Connections refused for their password.
    pub fn refused(&self) -> usize {
        self.counts.refused.load(Ordering::SeqCst)
    }
}

/// obs-websocket v5: base64(sha256(base64(sha256(password + salt)) + challenge)).
fn auth_string(password: &str) -> String {
    let secret = B64.encode(Sha256::digest(format!("{password}{SALT}")));
    B64.encode(Sha256::digest(format!("{secret}{CHALLENGE}")))
}

async fn serve(stream: tokio::net::TcpStream, expected: String, counts: Arc<Counts>) {
    let Ok((_, mut ws)) = ServerBuilder::new().accept(stream).await else {
        return;
    };
    let hello = json!({"op": 0, "d": {"obsWebSocketVersion": "5.5.0", "rpcVersion": 1,
        "authentication": {"challenge": CHALLENGE, "salt": SALT}}});
    if ws.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    while let Some(Ok(msg)) = ws.next().await {
        let Some(text) = msg.as_text() else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let d = &frame["d"];
        let reply = match frame["op"].as_u64() {
            Some(1) if d["authentication"].as_str() == Some(expected.as_str()) => {
                counts.accepted.fetch_add(1, Ordering::SeqCst);
                json!({"op": 2, "d": {"negotiatedRpcVersion": 1}})
            }
            Some(1) => {
                counts.refused.fetch_add(1, Ordering::SeqCst);
                let code = CloseCode::try_from(4009u16).expect("close code");
                let _ = ws
                    .send(Message::close(Some(code), "Authentication failed."))
                    .await;
                return;
            }
            Some(6) => {
                let ty = d["requestType"].as_str().unwrap_or_default();
                json!({"op": 7, "d": {"requestType": ty, "requestId": d["requestId"],
                    "requestStatus": {"result": true, "code": 100}, "responseData": answer(ty)}})
            }
            _ => continue,
        };
        if ws.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
    }
}

fn answer(request: &str) -> Value {
    match request {
        "GetVersion" => json!({"obsVersion": "30.2.0", "obsWebSocketVersion": "5.5.0",
            "rpcVersion": 1, "availableRequests": [], "supportedImageFormats": [],
            "platform": "test", "platformDescription": "test"}),
        "GetSceneList" => json!({"currentProgramSceneName": "A", "scenes": [
            {"sceneName": "A", "sceneIndex": 0}]}),
        "GetReplayBufferStatus" | "GetRecordStatus" | "GetStreamStatus" => {
            json!({"outputActive": false})
        }
        _ => Value::Null,
    }
}
