//! Running one [`ObsAction`] on a connected OBS through obws, and waiting (with deadlines) for the
//! events that prove it happened.
//!
//! OBS 29 queues output starts on its UI thread: `StartReplayBuffer` answers OK before the buffer
//! runs, and a `SaveReplayBuffer` sent in that gap is refused with OutputNotRunning. So a start
//! completes only when the `…StateChanged` event says the output runs, and a save waits for a
//! buffer that is still starting and then for `ReplayBufferSaved` (which names the file).

use super::command::{ObsAction, Visibility};
use super::error::{OUTPUT_NOT_RUNNING, OUTPUT_RUNNING, ObsError, from_obws};
use super::status::{ObsStatus, OutputPhase};
use obws::requests::profiles::SetParameter;
use obws::requests::scene_items::{Id, SetEnabled};
use obws::requests::scenes::SceneId;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::timeout;

/// Longest wait for OBS to answer a request or confirm an output change.
pub(crate) const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);

/// What the command executor sees of the live state (updated from events).
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub status: ObsStatus,
    /// Replays saved since connecting (counts `ReplayBufferSaved` events).
    pub replays_saved: u64,
}

/// A connected instance, as the executor needs it.
pub(crate) struct Ctx<'a> {
    pub client: &'a obws::Client,
    pub live: watch::Receiver<Live>,
    pub addr: &'a str,
    pub websocket: &'a str,
    pub older: bool,
}

impl Ctx<'_> {
    /// Run an obws request with a deadline, translating its error.
    async fn call<T>(
        &self,
        request: &str,
        fut: impl Future<Output = obws::error::Result<T>>,
    ) -> Result<T, ObsError> {
        match timeout(CONFIRM_TIMEOUT, fut).await {
            Ok(r) => r.map_err(|e| from_obws(e, request, self.addr, self.websocket)),
            Err(_) => Err(ObsError::Timeout {
                what: request.into(),
                secs: CONFIRM_TIMEOUT.as_secs(),
            }),
        }
    }

    /// Wait until the live state satisfies `pred`.
    async fn wait(&self, what: &str, pred: impl FnMut(&Live) -> bool) -> Result<Live, ObsError> {
        let mut live = self.live.clone();
        match timeout(CONFIRM_TIMEOUT, live.wait_for(pred)).await {
            Ok(Ok(l)) => Ok(l.clone()),
            Ok(Err(_)) => Err(ObsError::Lost {
                cause: format!("while waiting for {what}"),
            }),
            Err(_) => Err(ObsError::Timeout {
                what: what.into(),
                secs: CONFIRM_TIMEOUT.as_secs(),
            }),
        }
    }

    fn now(&self) -> Live {
        self.live.borrow().clone()
    }
}

/// Run `action`; `Ok` carries a short success detail for the notice.
pub(crate) async fn execute(action: &ObsAction, cx: &Ctx<'_>) -> Result<String, ObsError> {
    match action {
        ObsAction::StartRecording { file_name } => start_recording(file_name.as_deref(), cx).await,
        ObsAction::StopRecording => stop_recording(cx).await,
        ObsAction::StartStreaming => {
            let r = cx.call("StartStream", cx.client.streaming().start()).await;
            r.map(|()| "streaming started".into())
        }
        ObsAction::StopStreaming => {
            let r = cx.call("StopStream", cx.client.streaming().stop()).await;
            not_running_is_fine(r.map(|()| "streaming stopped".into()), "was not streaming")
        }
        ObsAction::StartReplayBuffer => start_replay_buffer(cx).await,
        ObsAction::StopReplayBuffer => {
            let r = cx
                .call("StopReplayBuffer", cx.client.replay_buffer().stop())
                .await;
            not_running_is_fine(
                r.map(|()| "replay buffer stopped".into()),
                "was not running",
            )
        }
        ObsAction::SaveReplay => save_replay(cx).await,
        ObsAction::SetScene { scene } => {
            let scenes = cx.client.scenes();
            let set = scenes.set_current_program_scene(scene.as_str());
            cx.call("SetCurrentProgramScene", set).await?;
            Ok(format!("program scene is '{scene}'"))
        }
        ObsAction::SetSourceVisibility {
            scene,
            source,
            visible,
        } => set_visibility(scene, source, *visible, cx).await,
        ObsAction::SetRecordDirectory { path } => set_record_directory(path, cx).await,
        // Automation hands these to the app's review service; one that reaches a session came
        // from an automation that runs without it (a tool, a test): said, never faked.
        ObsAction::ReviewSaveAndCue | ObsAction::ReviewBackToLive => Err(ObsError::Refused {
            request: action.label(),
            code: 0,
            reason: "review actions run in courtside's video review, which is not running here"
                .into(),
        }),
    }
}

/// Wait for an output to run after a start request. OBS reports a failed start (e.g. an encoder
/// that cannot open) as Starting → Stopped; that is an error, not a wait until the deadline.
async fn wait_started(
    cx: &Ctx<'_>,
    what: &str,
    phase: fn(&ObsStatus) -> OutputPhase,
) -> Result<Live, ObsError> {
    let mut seen_starting = false;
    let live = cx
        .wait(&format!("{what} to start"), |l| {
            let p = phase(&l.status);
            seen_starting |= p == OutputPhase::Starting;
            p == OutputPhase::On || (seen_starting && p == OutputPhase::Off)
        })
        .await?;
    if phase(&live.status) == OutputPhase::On {
        Ok(live)
    } else {
        Err(ObsError::OutputFailed {
            output: what.into(),
        })
    }
}

fn not_running_is_fine(r: Result<String, ObsError>, note: &str) -> Result<String, ObsError> {
    match r {
        Err(e) if e.code() == Some(OUTPUT_NOT_RUNNING) => Ok(note.into()),
        other => other,
    }
}

async fn start_recording(file_name: Option<&str>, cx: &Ctx<'_>) -> Result<String, ObsError> {
    if let Some(name) = file_name {
        // OBS reads the format from the profile at each start; there is no per-request name.
        let profiles = cx.client.profiles();
        let set = profiles.set_parameter(SetParameter {
            category: "Output",
            name: "FilenameFormatting",
            value: Some(name),
        });
        cx.call("SetProfileParameter FilenameFormatting", set)
            .await?;
    }
    match cx.call("StartRecord", cx.client.recording().start()).await {
        Err(e) if e.code() == Some(OUTPUT_RUNNING) => {
            return Err(ObsError::refused(
                "StartRecord",
                OUTPUT_RUNNING,
                Some("already recording"),
            ));
        }
        other => other?,
    }
    let live = wait_started(cx, "recording", |s| s.recording.phase).await?;
    Ok(match live.status.recording.file {
        Some(f) => format!("recording to {f}"),
        None => "recording".into(),
    })
}

async fn stop_recording(cx: &Ctx<'_>) -> Result<String, ObsError> {
    let stop = timeout(CONFIRM_TIMEOUT, cx.client.recording().stop()).await;
    match stop {
        Ok(Ok(_)) => {}
        // OBS did stop (the request succeeded); only the returned path was not in the shape
        // obws expects. The path comes from the Stopped event anyway.
        Ok(Err(obws::error::Error::DeserializeResponse(_))) => {}
        Ok(Err(e)) => {
            let e = from_obws(e, "StopRecord", cx.addr, cx.websocket);
            return not_running_is_fine(Err(e), "was not recording");
        }
        Err(_) => {
            return Err(ObsError::Timeout {
                what: "StopRecord".into(),
                secs: CONFIRM_TIMEOUT.as_secs(),
            });
        }
    }
    // The file is complete only once the output has stopped.
    let live = cx
        .wait("recording to stop", |l| {
            l.status.recording.phase == OutputPhase::Off
        })
        .await?;
    Ok(match live.status.recording.file {
        Some(f) => format!("recorded {f}"),
        None => "recording stopped".into(),
    })
}

async fn start_replay_buffer(cx: &Ctx<'_>) -> Result<String, ObsError> {
    if cx.now().status.replay_buffer.phase == OutputPhase::On {
        return Ok("already running".into());
    }
    match cx
        .call("StartReplayBuffer", cx.client.replay_buffer().start())
        .await
    {
        Err(e) if e.code() == Some(OUTPUT_RUNNING) => return Ok("already running".into()),
        other => other?,
    }
    wait_started(cx, "replay buffer", |s| s.replay_buffer.phase).await?;
    Ok("replay buffer running".into())
}

async fn save_replay(cx: &Ctx<'_>) -> Result<String, ObsError> {
    let before = cx.now();
    if before.status.replay_buffer.phase == OutputPhase::Starting {
        cx.wait("replay buffer to start", |l| {
            l.status.replay_buffer.phase != OutputPhase::Starting
        })
        .await?;
    }
    let saved_before = before.replays_saved;
    match cx
        .call("SaveReplayBuffer", cx.client.replay_buffer().save())
        .await
    {
        Err(e) if e.code() == Some(OUTPUT_NOT_RUNNING) => {
            return Err(ObsError::refused(
                "SaveReplayBuffer",
                OUTPUT_NOT_RUNNING,
                Some("the replay buffer is off — start it first"),
            ));
        }
        other => other?,
    }
    // The save is queued on OBS's UI thread too; the event names the finished file.
    let live = cx
        .wait("the replay file", |l| l.replays_saved > saved_before)
        .await?;
    Ok(match live.status.replay_buffer.file {
        Some(f) => format!("saved {f}"),
        None => "replay saved".into(),
    })
}

async fn set_visibility(
    scene: &str,
    source: &str,
    visible: Visibility,
    cx: &Ctx<'_>,
) -> Result<String, ObsError> {
    let items = cx.client.scene_items();
    let id = Id {
        scene: SceneId::Name(scene),
        source,
        search_offset: None,
    };
    let item_id = cx.call("GetSceneItemId", items.id(id)).await?;
    let enabled = match visible {
        Visibility::Show => true,
        Visibility::Hide => false,
        Visibility::Toggle => {
            let now = items.enabled(SceneId::Name(scene), item_id);
            !cx.call("GetSceneItemEnabled", now).await?
        }
    };
    let set = items.set_enabled(SetEnabled {
        scene: SceneId::Name(scene),
        item_id,
        enabled,
    });
    cx.call("SetSceneItemEnabled", set).await?;
    let state = if enabled { "shown" } else { "hidden" };
    Ok(format!("'{source}' {state} in '{scene}'"))
}

async fn set_record_directory(path: &str, cx: &Ctx<'_>) -> Result<String, ObsError> {
    if !cx.older {
        let config = cx.client.config();
        let set = config.set_record_directory(path);
        cx.call("SetRecordDirectory", set).await?;
        return Ok(format!("recording to folder {path}"));
    }
    // websocket < 5.3 has no SetRecordDirectory: write the folder of the active output mode.
    let profiles = cx.client.profiles();
    let mode = cx
        .call(
            "GetProfileParameter Output/Mode",
            profiles.parameter("Output", "Mode"),
        )
        .await?;
    let (category, name) = match mode.value.as_deref() {
        Some("Advanced") => ("AdvOut", "RecFilePath"),
        _ => ("SimpleOutput", "FilePath"),
    };
    let set = profiles.set_parameter(SetParameter {
        category,
        name,
        value: Some(path),
    });
    cx.call("SetProfileParameter record folder", set).await?;
    Ok(format!(
        "recording to folder {path} (profile {category}/{name})"
    ))
}
