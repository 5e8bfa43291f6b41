//! The control API: `POST /api/v1/obs/<action>` with a bearer token, turned into a
//! [`WebControl`] request the host (the app) answers.

use super::http::{Request, Response};
use super::token;
use super::{ControlShared, WebStats};
use crossbeam_channel::TrySendError;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Longest wait for the host to accept or refuse a call.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// An OBS action asked for over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebControl {
    /// Save the replay buffer (`save-replay`).
    SaveReplay,
    /// Start recording (`start-recording`).
    StartRecording,
    /// Stop recording (`stop-recording`).
    StopRecording,
    /// Start the replay buffer (`start-replay-buffer`).
    StartReplayBuffer,
    /// Stop the replay buffer (`stop-replay-buffer`).
    StopReplayBuffer,
    /// Switch the program scene (`switch-scene`, body `{"scene": "<name>"}`).
    SwitchScene(String),
    /// Video review: play the review source (`review-play`).
    ReviewPlay,
    /// Video review: pause it (`review-pause`).
    ReviewPause,
    /// Video review: playback speed in percent, 1–200 (`review-speed`, body `{"percent": 50}`).
    ReviewSpeed(u32),
    /// Video review: step whole frames, negative back (`review-step`, body `{"frames": 1}`).
    ReviewStepFrames(i32),
    /// Video review: step milliseconds, negative back (`review-step`, body `{"ms": -1000}`).
    ReviewStepMs(i64),
    /// Video review: the review scene on air (`review-on-air`).
    ReviewOnAir,
    /// Video review: back to the scene that was on air (`review-back-to-live`).
    ReviewBackToLive,
}

impl WebControl {
    /// The action names of the URL, in the order README lists them.
    pub const ACTIONS: [&'static str; 12] = [
        "save-replay",
        "start-recording",
        "stop-recording",
        "start-replay-buffer",
        "stop-replay-buffer",
        "switch-scene",
        "review-play",
        "review-pause",
        "review-speed",
        "review-step",
        "review-on-air",
        "review-back-to-live",
    ];

    /// Whether the action is a video review control (answered by the review service).
    pub fn is_review(&self) -> bool {
        !matches!(
            self,
            WebControl::SaveReplay
                | WebControl::StartRecording
                | WebControl::StopRecording
                | WebControl::StartReplayBuffer
                | WebControl::StopReplayBuffer
                | WebControl::SwitchScene(_)
        )
    }

    /// The action of `name` with its JSON `body`; an error names what is wrong.
    pub fn parse(name: &str, body: &[u8]) -> Result<WebControl, String> {
        Ok(match name {
            "save-replay" => WebControl::SaveReplay,
            "start-recording" => WebControl::StartRecording,
            "stop-recording" => WebControl::StopRecording,
            "start-replay-buffer" => WebControl::StartReplayBuffer,
            "stop-replay-buffer" => WebControl::StopReplayBuffer,
            "switch-scene" => {
                let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                    format!("switch-scene needs a JSON body {{\"scene\": \"…\"}}: {e}")
                })?;
                match v.get("scene").and_then(|s| s.as_str()).map(str::trim) {
                    Some(s) if !s.is_empty() => WebControl::SwitchScene(s.to_string()),
                    _ => return Err("switch-scene needs a non-empty \"scene\" string".into()),
                }
            }
            "review-play" => WebControl::ReviewPlay,
            "review-pause" => WebControl::ReviewPause,
            "review-on-air" => WebControl::ReviewOnAir,
            "review-back-to-live" => WebControl::ReviewBackToLive,
            "review-speed" => {
                let v = json_body("review-speed", "{\"percent\": 50}", body)?;
                match v.get("percent").and_then(serde_json::Value::as_u64) {
                    Some(p @ 1..=200) => WebControl::ReviewSpeed(p as u32),
                    Some(p) => return Err(format!("review-speed: {p} % is outside 1–200 %")),
                    None => return Err("review-speed needs a whole \"percent\" (1–200)".into()),
                }
            }
            "review-step" => {
                let v = json_body("review-step", "{\"frames\": 1} or {\"ms\": -1000}", body)?;
                let frames = v.get("frames").and_then(serde_json::Value::as_i64);
                let ms = v.get("ms").and_then(serde_json::Value::as_i64);
                match (frames, ms) {
                    (Some(f), None) if (-300..=300).contains(&f) && f != 0 => {
                        WebControl::ReviewStepFrames(f as i32)
                    }
                    (None, Some(ms)) if (-60_000..=60_000).contains(&ms) && ms != 0 => {
                        WebControl::ReviewStepMs(ms)
                    }
                    _ => {
                        return Err("review-step needs one of \"frames\" (±1–300) or \"ms\" \
                                    (±1–60000), not both"
                            .into());
                    }
                }
            }
            other => {
                return Err(format!(
                    "unknown action {other:?}; known: {}",
                    WebControl::ACTIONS.join(", ")
                ));
            }
        })
    }
}

/// The JSON body of `action`, or an error showing the expected `shape`.
fn json_body(action: &str, shape: &str, body: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("{action} needs a JSON body {shape}: {e}"))
}

/// A control call handed to the host, with where to answer.
#[derive(Debug)]
pub struct WebControlRequest {
    /// What is asked.
    pub action: WebControl,
    /// Who asked (for the host's log and notices).
    pub source: SocketAddr,
    /// The host's answer: `Ok(what was done)` or `Err(why not)`. Dropping it answers 503.
    pub reply: tokio::sync::oneshot::Sender<Result<String, String>>,
}

/// Handle `POST /api/v1/obs/<action>` from `peer`.
pub async fn handle(
    req: &Request,
    action: &str,
    peer: SocketAddr,
    control: &ControlShared,
    stats: &WebStats,
) -> Response {
    stats.control_calls.fetch_add(1, Ordering::Relaxed);
    let resp = answer(req, action, peer, control).await;
    if resp.status >= 300 {
        stats.control_refused.fetch_add(1, Ordering::Relaxed);
    }
    // Logged with the source, never with the token; the action as quoted text (it comes from
    // the URL and could hold line breaks).
    tracing::info!("web control: {peer} POST {action:?}: {}", resp.status);
    resp
}

async fn answer(
    req: &Request,
    action: &str,
    peer: SocketAddr,
    control: &ControlShared,
) -> Response {
    let (enabled, hash) = control.access();
    if !enabled {
        return Response::error(
            403,
            "the control API is disabled (Settings → Web → control API)",
        );
    }
    let Some(hash) = hash else {
        return Response::error(
            403,
            "the control API has no token yet: generate one in Settings → Web",
        );
    };
    let presented = req.header("authorization").and_then(token::bearer);
    match presented {
        None => {
            return Response::error(401, "missing 'Authorization: Bearer <token>'")
                .with("WWW-Authenticate", "Bearer realm=\"courtside\"");
        }
        Some(t) if !hash.verify(t) => {
            return Response::error(401, "wrong token").with(
                "WWW-Authenticate",
                "Bearer realm=\"courtside\", error=\"invalid_token\"",
            );
        }
        Some(_) => {}
    }
    let name = action;
    let action = match WebControl::parse(name, &req.body) {
        Ok(a) => a,
        Err(e) => return Response::error(if e.starts_with("unknown") { 404 } else { 400 }, &e),
    };
    let Some(host) = control.host() else {
        return Response::error(
            503,
            "this courtside has no OBS control (headless `courtside listen`)",
        );
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let request = WebControlRequest {
        action: action.clone(),
        source: peer,
        reply,
    };
    match host.try_send(request) {
        Ok(()) => control.wake_host(),
        Err(TrySendError::Full(_)) => {
            return Response::error(503, "busy: earlier control calls are still being handled")
                .with("Retry-After", "1");
        }
        Err(TrySendError::Disconnected(_)) => {
            return Response::error(503, "OBS control is not running");
        }
    }
    match tokio::time::timeout(ANSWER_TIMEOUT, answer).await {
        Ok(Ok(Ok(done))) => Response::json(
            200,
            &serde_json::json!({"accepted": true, "action": name, "result": done}),
        ),
        Ok(Ok(Err(why))) => {
            Response::json(409, &serde_json::json!({"accepted": false, "error": why}))
        }
        Ok(Err(_)) => Response::error(503, "OBS control stopped before answering"),
        Err(_) => Response::error(504, "OBS control did not answer within 3 s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_and_bad_ones_are_named() {
        assert_eq!(
            WebControl::parse("save-replay", b""),
            Ok(WebControl::SaveReplay)
        );
        assert_eq!(
            WebControl::parse("switch-scene", br#"{"scene":" Replay "}"#),
            Ok(WebControl::SwitchScene("Replay".into()))
        );
        assert!(
            WebControl::parse("switch-scene", b"{}")
                .unwrap_err()
                .contains("scene")
        );
        assert!(
            WebControl::parse("switch-scene", b"x")
                .unwrap_err()
                .contains("JSON")
        );
        assert!(
            WebControl::parse("reboot", b"")
                .unwrap_err()
                .contains("save-replay")
        );
    }

    #[test]
    fn review_actions_parse_and_bad_bodies_are_named() {
        assert_eq!(
            WebControl::parse("review-speed", br#"{"percent":25}"#),
            Ok(WebControl::ReviewSpeed(25))
        );
        assert_eq!(
            WebControl::parse("review-step", br#"{"frames":-1}"#),
            Ok(WebControl::ReviewStepFrames(-1))
        );
        assert_eq!(
            WebControl::parse("review-step", br#"{"ms":1000}"#),
            Ok(WebControl::ReviewStepMs(1000))
        );
        assert_eq!(
            WebControl::parse("review-on-air", b""),
            Ok(WebControl::ReviewOnAir)
        );
        assert!(WebControl::ReviewPlay.is_review() && !WebControl::SaveReplay.is_review());
        for (action, body, says) in [
            ("review-speed", &br#"{"percent":0}"#[..], "outside 1–200"),
            (
                "review-speed",
                br#"{"percent":"fast"}"#,
                "whole \"percent\"",
            ),
            ("review-speed", b"", "JSON body"),
            ("review-step", br#"{"frames":1,"ms":5}"#, "not both"),
            ("review-step", br#"{"frames":0}"#, "±1–300"),
            ("review-step", br#"{"ms":600000}"#, "±1–60000"),
        ] {
            let e = WebControl::parse(action, body).unwrap_err();
            assert!(
                e.contains(says),
                "{action} {:?}: {e}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
