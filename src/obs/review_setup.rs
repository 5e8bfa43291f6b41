//! Setting OBS up for review: the review scene and its media source, and short keyframe intervals
//! in the recordings and replays (without them a seek lands seconds early, see [`super::review`]).
//!
//! Keyframes on OBS 29 (simple output mode, tried): `[SimpleOutput] RecQuality=Stream`,
//! `UseAdvanced=true`, `x264Settings=keyint=N min-keyint=N scenecut=0`, set while no output runs,
//! then a switch to another profile and back so OBS rebuilds its outputs. Without the reload, or
//! with another `RecQuality`, nothing changes. Other encoders and the advanced output mode keep
//! their own keyframe settings: courtside says so instead of pretending.

use super::error::ObsError;
use super::review::ReviewLink;
use serde_json::{Value, json};

/// Names of the review scene and its media source (configurable; created when missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewNames {
    /// Scene shown on air during a review.
    pub scene: String,
    /// The `ffmpeg_source` that plays the file.
    pub source: String,
}

impl Default for ReviewNames {
    fn default() -> ReviewNames {
        ReviewNames {
            scene: "courtside review".into(),
            // OBS names scenes and inputs in one namespace: the source cannot share the scene's.
            source: "courtside review video".into(),
        }
    }
}

/// How often the review's recordings get a keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyframePolicy {
    /// A keyframe every `ms` milliseconds (seeks land at most this early).
    Every {
        /// Interval, ms.
        ms: u32,
    },
    /// Every frame a keyframe: exact frame steps, more bitrate and CPU.
    AllIntra,
}

/// All-intra against a keyframe every 0.5 s (15 frames at 30 fps), measured on the test machine
/// (1280×720 at 30 fps, a moving test pattern, OBS 29 simple output with x264 veryfast at
/// 2 500 kb/s, 20 s each; `cargo test --test obs keyframe_cost -- --ignored --nocapture`,
/// README "Video review"): file bytes per second in OBS. OBS keeps the bitrate, so
/// the size hardly changes there; the cost is picture quality ([`ALL_INTRA_EQUAL_QUALITY_SIZE`]).
pub const ALL_INTRA_SIZE_RATIO: f64 = 1.00;
/// OBS's CPU use while recording all-intra against 0.5 s keyframes, measured with the above.
pub const ALL_INTRA_CPU_RATIO: f64 = 1.00;
/// The file size all-intra needs for the same picture quality (x264 at constant quality, CRF 23,
/// same preset and pattern), against 0.5 s keyframes.
pub const ALL_INTRA_EQUAL_QUALITY_SIZE: f64 = 2.04;

impl KeyframePolicy {
    /// The default: a keyframe every 0.5 s (seeks land at most 0.5 s early; steps by slow play).
    pub const HALF_SECOND: KeyframePolicy = KeyframePolicy::Every { ms: 500 };
}

/// obs-websocket: resource not found / already exists.
const NOT_FOUND: u16 = 600;
const EXISTS: u16 = 601;

/// Make sure the review scene and the media source in it exist; the source is created, fitted to
/// the canvas, when missing. An input of that name of another kind is an error naming it.
pub async fn ensure_review_source(link: &ReviewLink, names: &ReviewNames) -> Result<(), ObsError> {
    if names.scene == names.source {
        return Err(ObsError::Refused {
            request: "review source".into(),
            code: 0,
            reason: format!(
                "the review scene and its media source are both named '{}': OBS needs two names",
                names.scene
            ),
        });
    }
    match link
        .request("CreateScene", json!({ "sceneName": names.scene }))
        .await
    {
        Err(e) if e.code() != Some(EXISTS) => return Err(e),
        _ => {}
    }
    let input = link
        .request("GetInputSettings", json!({ "inputName": names.source }))
        .await;
    match input {
        Ok(v) => {
            let kind = v["inputKind"].as_str().unwrap_or("");
            if kind != "ffmpeg_source" {
                return Err(ObsError::Refused {
                    request: "review source".into(),
                    code: 0,
                    reason: format!(
                        "'{}' exists in OBS as a '{kind}', not a media source — rename it or \
                         choose another review source name",
                        names.source
                    ),
                });
            }
            let item = link
                .request(
                    "GetSceneItemId",
                    json!({ "sceneName": names.scene, "sourceName": names.source }),
                )
                .await;
            match item {
                Ok(_) => Ok(()),
                Err(e) if e.code() == Some(NOT_FOUND) => {
                    let add = json!({ "sceneName": names.scene, "sourceName": names.source });
                    let v = link.request("CreateSceneItem", add).await?;
                    fit_to_canvas(link, names, &v).await
                }
                Err(e) => Err(e),
            }
        }
        Err(e) if e.code() == Some(NOT_FOUND) => {
            let create = json!({
                "sceneName": names.scene, "inputName": names.source,
                "inputKind": "ffmpeg_source", "sceneItemEnabled": true,
                "inputSettings": { "is_local_file": true, "looping": false,
                    "restart_on_activate": false, "close_when_inactive": false },
            });
            let v = link.request("CreateInput", create).await?;
            fit_to_canvas(link, names, &v).await
        }
        Err(e) => Err(e),
    }
}

/// Scale a new scene item to fill the canvas (keeping the video's aspect).
async fn fit_to_canvas(
    link: &ReviewLink,
    names: &ReviewNames,
    item: &Value,
) -> Result<(), ObsError> {
    let Some(id) = item["sceneItemId"].as_u64() else {
        return Ok(());
    };
    let video = link.request("GetVideoSettings", Value::Null).await?;
    let transform = json!({
        "boundsType": "OBS_BOUNDS_SCALE_INNER", "boundsAlignment": 0,
        "boundsWidth": video["baseWidth"].as_f64().unwrap_or(1920.0),
        "boundsHeight": video["baseHeight"].as_f64().unwrap_or(1080.0),
        "positionX": 0.0, "positionY": 0.0,
    });
    link.request(
        "SetSceneItemTransform",
        json!({ "sceneName": names.scene, "sceneItemId": id, "sceneItemTransform": transform }),
    )
    .await
    .map(drop)
}

/// OBS's frame rate (frames per second).
pub async fn frame_rate(link: &ReviewLink) -> Result<f64, ObsError> {
    let v = link.request("GetVideoSettings", Value::Null).await?;
    let num = v["fpsNumerator"].as_f64().unwrap_or(0.0);
    let den = v["fpsDenominator"].as_f64().unwrap_or(1.0);
    if num > 0.0 && den > 0.0 {
        Ok(num / den)
    } else {
        Err(ObsError::Protocol(format!(
            "GetVideoSettings gave no frame rate ({num}/{den})"
        )))
    }
}

/// `x264Settings` with the keyframe options replaced by `keyint`, others kept.
pub fn x264_settings_with_keyint(old: &str, keyint: u32) -> String {
    let keep = old.split_whitespace().filter(|o| {
        let name = o.split('=').next().unwrap_or("");
        !matches!(name, "keyint" | "min-keyint" | "scenecut")
    });
    let mut out: Vec<String> = keep.map(str::to_string).collect();
    out.push(format!("keyint={keyint} min-keyint={keyint} scenecut=0"));
    out.join(" ")
}

async fn param(link: &ReviewLink, category: &str, name: &str) -> Result<String, ObsError> {
    let v = link
        .request(
            "GetProfileParameter",
            json!({ "parameterCategory": category, "parameterName": name }),
        )
        .await?;
    Ok(v["parameterValue"]
        .as_str()
        .or(v["defaultParameterValue"].as_str())
        .unwrap_or("")
        .to_string())
}

async fn set_param(
    link: &ReviewLink,
    category: &str,
    name: &str,
    value: &str,
) -> Result<(), ObsError> {
    link.request(
        "SetProfileParameter",
        json!({ "parameterCategory": category, "parameterName": name, "parameterValue": value }),
    )
    .await
    .map(drop)
}

fn refused(reason: String) -> ObsError {
    ObsError::Refused {
        request: "keyframe set-up".into(),
        code: 0,
        reason,
    }
}

/// Give the recordings and replays short keyframe intervals; returns what was set. Refused, with
/// the reason, while an output runs, in advanced output mode, or for an encoder other than x264.
pub async fn setup_keyframes(
    link: &ReviewLink,
    policy: KeyframePolicy,
) -> Result<String, ObsError> {
    for (request, what) in [
        ("GetRecordStatus", "recording"),
        ("GetStreamStatus", "stream"),
        ("GetReplayBufferStatus", "replay buffer"),
    ] {
        let active = match link.request(request, Value::Null).await {
            Ok(v) => v["outputActive"].as_bool() == Some(true),
            Err(e) if e.code() == Some(604) || e.code() == Some(504) => false,
            Err(e) => return Err(e),
        };
        if active {
            return Err(refused(format!(
                "the {what} is running — OBS applies encoder settings only to a stopped output"
            )));
        }
    }
    let mode = param(link, "Output", "Mode").await?;
    if mode == "Advanced" {
        return Err(refused(
            "OBS is in advanced output mode: set \"Keyframe Interval\" in Settings → Output → \
             Recording/Streaming yourself (0.5 s for review)"
                .into(),
        ));
    }
    let encoder = param(link, "SimpleOutput", "StreamEncoder").await?;
    if !matches!(encoder.as_str(), "x264" | "obs_x264" | "") {
        return Err(refused(format!(
            "the encoder is '{encoder}': set its keyframe interval in OBS (Settings → Output); \
             courtside sets it only for x264"
        )));
    }
    let fps = frame_rate(link).await?;
    let keyint = match policy {
        KeyframePolicy::AllIntra => 1,
        KeyframePolicy::Every { ms } => ((fps * f64::from(ms) / 1000.0).round() as u32).max(1),
    };
    let old = param(link, "SimpleOutput", "x264Settings").await?;
    let new = x264_settings_with_keyint(&old, keyint);
    set_param(link, "SimpleOutput", "RecQuality", "Stream").await?;
    set_param(link, "SimpleOutput", "UseAdvanced", "true").await?;
    set_param(link, "SimpleOutput", "x264Settings", &new).await?;
    reload_profile(link).await?;
    Ok(format!(
        "keyframe every {keyint} frame(s) at {fps:.0} fps (x264 '{new}'); profile reloaded"
    ))
}

/// Switch to another profile and back, so OBS rebuilds its outputs with the new parameters. A
/// temporary profile is made (and removed) when there is no other.
async fn reload_profile(link: &ReviewLink) -> Result<(), ObsError> {
    let list = link.request("GetProfileList", Value::Null).await?;
    let current = list["currentProfileName"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let other = list["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|p| *p != current)
        .map(str::to_string);
    let temp = "courtside profile reload";
    match &other {
        Some(p) => {
            link.request("SetCurrentProfile", json!({ "profileName": p }))
                .await?;
        }
        None => {
            link.request("CreateProfile", json!({ "profileName": temp }))
                .await?;
        }
    }
    link.request("SetCurrentProfile", json!({ "profileName": current }))
        .await?;
    if other.is_none() {
        link.request("RemoveProfile", json!({ "profileName": temp }))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyframe_options_are_replaced_and_the_others_kept() {
        assert_eq!(
            x264_settings_with_keyint("keyint=250 bframes=0 scenecut=40", 15),
            "bframes=0 keyint=15 min-keyint=15 scenecut=0"
        );
        assert_eq!(
            x264_settings_with_keyint("", 1),
            "keyint=1 min-keyint=1 scenecut=0"
        );
    }
}
