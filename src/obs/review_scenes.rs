//! The review link's scene, replay and screenshot requests (see [`super::review`]).

use super::error::ObsError;
use super::review::{MEDIA_TIMEOUT, ReviewEvent, ReviewLink};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

impl ReviewLink {
    /// A PNG of what the source shows now, `width` pixels wide (height follows the aspect).
    pub async fn screenshot(&self, source: &str, width: u32) -> Result<Vec<u8>, ObsError> {
        use base64::Engine as _;
        let v = self
            .request(
                "GetSourceScreenshot",
                json!({ "sourceName": source, "imageFormat": "png", "imageWidth": width }),
            )
            .await?;
        let data = v["imageData"].as_str().unwrap_or_default();
        let b64 = data.split_once("base64,").map_or(data, |(_, b)| b);
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| ObsError::Protocol(format!("screenshot is not base64: {e}")))
    }

    /// The current program scene.
    pub async fn program_scene(&self) -> Result<String, ObsError> {
        let v = self.request("GetCurrentProgramScene", Value::Null).await?;
        v["currentProgramSceneName"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ObsError::Protocol("GetCurrentProgramScene named no scene".into()))
    }

    /// Switch the program scene.
    pub async fn set_program_scene(&self, scene: &str) -> Result<(), ObsError> {
        self.request("SetCurrentProgramScene", json!({ "sceneName": scene }))
            .await
            .map(drop)
    }

    /// Make sure `scene` is shown, so its media plays: it is when it is the program scene;
    /// otherwise studio mode is switched on and it becomes the preview scene (the program, the
    /// live picture, is left alone).
    pub async fn show(&self, scene: &str) -> Result<(), ObsError> {
        if self.program_scene().await? == scene {
            return Ok(());
        }
        let studio = self.request("GetStudioModeEnabled", Value::Null).await?;
        if studio["studioModeEnabled"].as_bool() != Some(true) {
            self.request("SetStudioModeEnabled", json!({ "studioModeEnabled": true }))
                .await?;
        }
        // Studio mode is switched on by OBS's UI thread; the preview request waits for it.
        let end = Instant::now() + MEDIA_TIMEOUT;
        loop {
            let set = self
                .request("SetCurrentPreviewScene", json!({ "sceneName": scene }))
                .await;
            match set {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() < end && e.code() == Some(506) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Save the replay buffer; returns when the request was sent (the anchor of the replay's end)
    /// and the saved file's path (from the `ReplayBufferSaved` event, or `GetLastReplayBufferReplay`
    /// if the event was missed).
    pub async fn save_replay(&mut self) -> Result<(i64, String), ObsError> {
        let sent_ns = crate::store::writer::now_ns();
        self.request("SaveReplayBuffer", Value::Null).await?;
        let end = Instant::now() + MEDIA_TIMEOUT;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.next_event()).await {
                Ok(Some(ReviewEvent::ReplaySaved(path))) => return Ok((sent_ns, path)),
                Ok(Some(_)) => continue,
                Ok(None) => {
                    return Err(ObsError::Lost {
                        cause: "while waiting for the saved replay".into(),
                    });
                }
                Err(_) => {
                    let v = self
                        .request("GetLastReplayBufferReplay", Value::Null)
                        .await?;
                    return v["savedReplayPath"]
                        .as_str()
                        .map(|p| (sent_ns, p.to_string()))
                        .ok_or_else(|| ObsError::Timeout {
                            what: "the saved replay's file".into(),
                            secs: MEDIA_TIMEOUT.as_secs(),
                        });
                }
            }
        }
    }
}
