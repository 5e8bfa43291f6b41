//! The review service's request handlers: each does its OBS requests and reads the result back
//! into the [`ReviewState`](super::service::ReviewState).

use super::index::format_offset;
use super::service::{Parts, ReviewRequest, Worker};
use crate::obs::error::ObsError;
use crate::obs::review::{MediaState, MediaStatus};
use crate::obs::review_setup::setup_keyframes;
use serde_json::Value;

pub(super) fn refused(what: &str, reason: String) -> ObsError {
    ObsError::Refused {
        request: what.into(),
        code: 0,
        reason,
    }
}

fn connected(w: &mut Worker) -> Result<Parts<'_>, ObsError> {
    w.parts().ok_or_else(|| ObsError::Lost {
        cause: "the review connection closed".into(),
    })
}

fn at(st: &MediaStatus) -> String {
    st.cursor_ms
        .map_or_else(|| "?".into(), |c| format!("{:.3} s", c as f64 / 1000.0))
}

/// Run one request on a connected worker; `Ok` carries a short success detail.
pub(super) async fn run(w: &mut Worker, r: ReviewRequest) -> Result<String, ObsError> {
    match r {
        ReviewRequest::Challenge {
            disputed_ns,
            fallback,
        } => challenge(w, disputed_ns, fallback).await,
        ReviewRequest::Cue { path, offset_ms } => {
            w.ensure_source().await?;
            cue(&mut connected(w)?, &path, offset_ms).await
        }
        ReviewRequest::Show {
            path,
            offset_ms,
            running,
        } => super::show::show(w, &path, offset_ms, running).await,
        ReviewRequest::Play => play_pause(&mut connected(w)?, true).await,
        ReviewRequest::Pause => play_pause(&mut connected(w)?, false).await,
        ReviewRequest::Speed(percent) => speed(&mut connected(w)?, percent).await,
        ReviewRequest::StepFrames(n) => {
            // A seek lands on the first frame after its target (all-intra video): aim half a
            // frame short so the step is exactly `n` frames.
            let frame = connected(w)?.state.frame_ms.unwrap_or(1000.0 / 30.0);
            let delta = (f64::from(n) * frame - frame / 2.0).round() as i64;
            step(&mut connected(w)?, delta).await
        }
        ReviewRequest::StepMs(ms) => step(&mut connected(w)?, ms).await,
        ReviewRequest::Loop(window) => loop_window(&mut connected(w)?, window).await,
        ReviewRequest::OnAir => on_air(&mut connected(w)?).await,
        ReviewRequest::BackToLive => back_to_live(&mut connected(w)?).await,
        ReviewRequest::Preview { width } => {
            let p = connected(w)?;
            let png = p
                .link
                .screenshot(&p.names.source, width.clamp(16, 3840))
                .await?;
            let n = png.len();
            w.preview(png);
            Ok(format!("preview frame, {n} bytes"))
        }
        ReviewRequest::SetupKeyframes(policy) => setup_keyframes(connected(w)?.link, policy).await,
        ReviewRequest::Chapter { title } => chapter(&mut connected(w)?, &title).await,
    }
}

async fn play_pause(p: &mut Parts<'_>, play: bool) -> Result<String, ObsError> {
    let (action, want) = if play {
        ("PLAY", MediaState::Playing)
    } else {
        ("PAUSE", MediaState::Paused)
    };
    p.link.media_action(&p.names.source, action).await?;
    let st = p
        .link
        .wait_media(&p.names.source, "the media state", |s| s.state == want)
        .await?;
    p.state.media = Some(st);
    Ok(format!("{:?} at {}", st.state, at(&st)))
}

async fn speed(p: &mut Parts<'_>, percent: u32) -> Result<String, ObsError> {
    if !(1..=200).contains(&percent) {
        return Err(refused("speed", format!("{percent} % is outside 1–200 %")));
    }
    let frame = p.state.frame_ms.unwrap_or(1000.0 / 30.0);
    let st = p.link.set_speed(&p.names.source, percent, frame).await?;
    p.state.speed_percent = percent;
    p.state.media = Some(st);
    Ok(format!("speed {percent} % at {}", at(&st)))
}

async fn loop_window(p: &mut Parts<'_>, window: Option<(u64, u64)>) -> Result<String, ObsError> {
    p.state.loop_window = window;
    let Some((from, to)) = window else {
        return Ok("loop off".into());
    };
    if to <= from {
        p.state.loop_window = None;
        return Err(refused(
            "loop",
            format!("the window {from}–{to} ms is empty"),
        ));
    }
    let st = p.link.seek(&p.names.source, from).await?;
    p.link.media_action(&p.names.source, "PLAY").await?;
    p.state.media = Some(st);
    Ok(format!(
        "looping {}–{}",
        format_offset(from),
        format_offset(to)
    ))
}

async fn chapter(p: &mut Parts<'_>, title: &str) -> Result<String, ObsError> {
    if !p.link.has("CreateRecordChapter") {
        return Err(ObsError::Unsupported {
            feature: "adding chapters to a running recording (CreateRecordChapter)".into(),
            websocket: p.link.websocket.clone(),
        });
    }
    let data = serde_json::json!({ "chapterName": title });
    p.link.request("CreateRecordChapter", data).await?;
    Ok(format!("chapter '{title}' added"))
}

/// Save the replay (when the buffer runs) and cue the disputed moment in it; otherwise cue it in
/// the recording the index names.
async fn challenge(
    w: &mut Worker,
    disputed_ns: i64,
    fallback: Option<(String, u64)>,
) -> Result<String, ObsError> {
    w.ensure_source().await?;
    let p = connected(w)?;
    let buffer = match p.link.request("GetReplayBufferStatus", Value::Null).await {
        Ok(v) => v["outputActive"].as_bool() == Some(true),
        Err(e) if e.code() == Some(504) || e.code() == Some(604) => false,
        Err(e) => return Err(e),
    };
    if !buffer {
        let Some((path, offset)) = fallback else {
            return Err(refused(
                "review",
                "the replay buffer is off and no recording holds the disputed moment".into(),
            ));
        };
        let detail = cue(&mut connected(w)?, &path, offset).await?;
        return Ok(format!("replay buffer off — {detail}"));
    }
    let (end_ns, path) = p.link.save_replay().await?;
    p.link.show(&p.names.scene).await?;
    let loaded = p.link.load(&p.names.source, &path).await?;
    let duration = loaded.duration_ms.unwrap_or(0);
    let seg = w.indexed(&path, end_ns, duration);
    let Some(offset) = seg.offset_of(disputed_ns) else {
        let before = (end_ns - disputed_ns) as f64 / 1e9;
        return Err(refused(
            "review",
            format!(
                "the disputed moment ({before:.1} s before the save) is not in the saved replay \
                 ({:.1} s long): {path}",
                duration as f64 / 1000.0
            ),
        ));
    };
    cue(&mut connected(w)?, &path, offset).await
}

/// Show the review scene, load `path` (unless it is loaded), seek to `offset_ms` minus the
/// pre-roll and play.
pub(super) async fn cue(p: &mut Parts<'_>, path: &str, offset_ms: u64) -> Result<String, ObsError> {
    let source = p.names.source.clone();
    p.link.show(&p.names.scene).await?;
    let current = p.link.media_status(&source).await?;
    let loaded = p.state.file.as_deref() == Some(path) && current.state.is_open();
    let status = if loaded {
        current
    } else {
        p.link.load(&source, path).await?
    };
    if status.duration_ms.is_some_and(|d| offset_ms > d) {
        return Err(refused(
            "review",
            format!(
                "the moment ({}) is past the end of {path} ({})",
                format_offset(offset_ms),
                format_offset(status.duration_ms.unwrap_or(0))
            ),
        ));
    }
    p.state.file = Some(path.to_string());
    p.state.moment_ms = Some(offset_ms);
    p.state.loop_window = None;
    p.state.speed_percent = 100;
    let target = offset_ms.saturating_sub(p.pre_roll_ms);
    // Seek while it plays: on OBS 29 a seek made while paused and then played restarted the
    // file from its start a moment later.
    if status.state != MediaState::Playing {
        p.link.media_action(&source, "PLAY").await?;
    }
    let landed = p.link.seek(&source, target).await?;
    p.state.media = Some(landed);
    Ok(format!(
        "playing {path} from {} (moment {}, asked {})",
        at(&landed),
        format_offset(offset_ms),
        format_offset(target)
    ))
}

/// Pause and move by `delta_ms`; the position is OBS's, read back.
async fn step(p: &mut Parts<'_>, delta_ms: i64) -> Result<String, ObsError> {
    let source = p.names.source.clone();
    let st = p.link.media_status(&source).await?;
    if !st.state.is_open() {
        return Err(refused(
            "step",
            "nothing is loaded in the review source (cue a moment first)".into(),
        ));
    }
    if st.state == MediaState::Playing {
        p.link.media_action(&source, "PAUSE").await?;
    }
    let landed = p.link.offset(&source, delta_ms).await?;
    p.state.media = Some(landed);
    Ok(format!("stepped {delta_ms:+} ms to {}", at(&landed)))
}

async fn on_air(p: &mut Parts<'_>) -> Result<String, ObsError> {
    let program = p.link.program_scene().await?;
    if program != p.names.scene {
        p.state.return_scene = Some(program);
        p.link.set_program_scene(&p.names.scene).await?;
    }
    let now = p.link.program_scene().await?;
    p.state.on_air = now == p.names.scene;
    if !p.state.on_air {
        return Err(refused(
            "on air",
            format!("the program scene is still '{now}'"),
        ));
    }
    Ok(format!("'{now}' on air"))
}

async fn back_to_live(p: &mut Parts<'_>) -> Result<String, ObsError> {
    let Some(back) = p.state.return_scene.clone() else {
        return Err(refused(
            "back to live",
            "no scene to return to (the review was not put on air from courtside)".into(),
        ));
    };
    p.link.set_program_scene(&back).await?;
    let now = p.link.program_scene().await?;
    p.state.on_air = now == p.names.scene;
    if now != back {
        return Err(refused(
            "back to live",
            format!("the program scene is '{now}'"),
        ));
    }
    p.state.return_scene = None;
    // Keep the review source shown (preview) so it can be cued again at once.
    p.link.show(&p.names.scene).await?;
    Ok(format!("back to '{back}'"))
}
