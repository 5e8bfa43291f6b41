//! The Review panel of the whole app (`CourtsideApp` under egui_kittest) against a real OBS 29:
//! a challenge datagram through the app's own listener opens the panel with the disputed point
//! preselected, saves the replay and cues the moment (read back from OBS), a panel button changes
//! OBS, and the preview texture the panel shows holds a real frame.

#![cfg(target_os = "linux")]

use crate::app_obs::{configure, send, step_until};
use crate::app_support::free_port;
use crate::obs_process::{ObsProcess, SCENES};
use crate::obs_ui::runtime;
use crate::review_support::{Review, call, direct, media, pace, wait_active};
use crate::wait::Repaints;
use courtside::app::CourtsideApp;
use courtside::obs::review::{MediaState, MediaStatus, ReviewLink};
use courtside::obs::review_setup::{KeyframePolicy, ReviewNames};
use courtside::review::{DEFAULT_PRE_ROLL_MS, ReviewRequest};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The textures as a renderer receives them (what the GPU would draw): each full upload kept.
#[derive(Clone, Default)]
struct Uploads(Arc<Mutex<HashMap<egui::TextureId, Upload>>>);

/// How many full uploads a texture had before this one, and this one's pixels.
type Upload = (u64, Arc<egui::ColorImage>);

impl egui_kittest::TestRenderer for Uploads {
    fn handle_delta(&mut self, delta: &mut egui::TexturesDelta) {
        let Ok(mut map) = self.0.lock() else {
            return;
        };
        for (id, deltas) in std::mem::take(&mut delta.set) {
            for image in deltas {
                let egui::ImageData::Color(img) = image.image;
                if image.pos.is_none() {
                    let n = map.get(&id).map_or(0, |(n, _)| n + 1);
                    map.insert(id, (n, img));
                }
            }
        }
        for id in std::mem::take(&mut delta.free) {
            map.remove(&id);
        }
    }
}

/// The whole app on `db`, its textures recorded by `uploads`.
fn app_recording(db: std::path::PathBuf, uploads: Uploads) -> Harness<'static, CourtsideApp> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .renderer(uploads)
        .build_eframe(move |cc| {
            CourtsideApp::new(
                &cc.egui_ctx,
                None,
                courtside::app::AppOptions {
                    db,
                    smoke_frames: None,
                    smoke_report: None,
                    log: None,
                },
            )
        })
}

/// Step until the renderer has received a preview upload after the `after`th; its pixels.
fn next_preview(
    h: &mut Harness<'_, CourtsideApp>,
    uploads: &Uploads,
    after: u64,
) -> Arc<egui::ColorImage> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let repaints = Repaints::on(&h.ctx);
    loop {
        h.step();
        let id = h.state().state.review.preview.as_ref().map(|t| t.id());
        let got = id.and_then(|id| uploads.0.lock().ok()?.get(&id).cloned());
        if let Some((n, img)) = got
            && n > after
        {
            return img;
        }
        repaints.wait(deadline, "a preview frame");
    }
}

fn last_done(a: &CourtsideApp, what: &str) -> Option<Result<String, String>> {
    let (w, r) = a.state.review.last.as_ref()?;
    w.starts_with(what).then(|| r.clone())
}

/// A real OBS ready for reviews: every frame a keyframe (frame-exact seeks, set while no output
/// runs) and a green patch on the red canvas (the video is not one colour); a direct link to it.
pub fn prepared_obs(rt: &tokio::runtime::Runtime) -> (ObsProcess, ReviewLink) {
    let obs = ObsProcess::start().expect("start OBS");
    let link = direct(rt, &obs);
    let mut setup = Review::start(rt, &obs, None, None);
    setup.must(ReviewRequest::SetupKeyframes(KeyframePolicy::AllIntra));
    setup.service.shutdown();
    call(
        rt,
        &link,
        "CreateInput",
        json!({ "sceneName": SCENES[0], "inputName": "Patch", "inputKind": "color_source_v3",
                "inputSettings": { "color": 0xFF00FF00u32, "width": 120, "height": 60 } }),
    );
    (obs, link)
}

/// With the review OBS connected and its replay buffer running, play a match to a blue head kick
/// and raise red's challenge; returns when the challenge was sent.
pub fn kick_then_challenge(
    h: &mut Harness<'_, CourtsideApp>,
    rt: &tokio::runtime::Runtime,
    link: &ReviewLink,
    udp: u16,
) -> Instant {
    step_until(h, "review OBS connected", |a| {
        a.state.review.obs.connected && a.state.listeners.first().is_some_and(|l| l.ok)
    });
    call(rt, link, "StartReplayBuffer", Value::Null);
    wait_active(rt, link, "GetReplayBufferStatus");
    pace(Duration::from_secs(6));
    send(udp, &["pre;FightLoaded", "pt2;1", "pt1;3"]);
    pace(Duration::from_secs(1));
    let asked = Instant::now();
    send(udp, &["ch2"]);
    asked
}

#[test]
fn a_challenge_opens_the_review_panel_cues_the_disputed_point_in_obs_and_previews_it() {
    let rt = runtime();
    let (obs, link) = prepared_obs(&rt);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    configure(&db, udp, &obs);
    let uploads = Uploads::default();
    let mut h = app_recording(db, uploads.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    let asked = kick_then_challenge(&mut h, &rt, &link, udp);
    step_until(&mut h, "replay saved and cued", |a| {
        last_done(a, "review: save and cue").is_some()
    });
    let cue_took = asked.elapsed();
    let st = media(&rt, &link);
    let done = last_done(h.state(), "review: save and cue").expect("done");
    assert!(done.is_ok(), "{done:?}");
    eprintln!("challenge datagram → cued in {cue_took:?}: {done:?}; OBS {st:?}");
    check_cue(&mut h, &rt, &link, st, cue_took);
    check_preview(&mut h, &uploads);
    check_speed_and_outcome(&mut h, &rt, &link, udp);
}

/// The panel is open with the head kick (the last point before the challenge) preselected; OBS
/// played the saved replay from the kick's offset (as the video index lists it) minus the
/// pre-roll; the event table's video column shows the kick's place too.
fn check_cue(
    h: &mut Harness<'_, CourtsideApp>,
    rt: &tokio::runtime::Runtime,
    link: &ReviewLink,
    st: MediaStatus,
    cue_took: Duration,
) {
    let file = (h.state().state.review.obs.file.clone()).expect("file loaded");
    step_until(h, "the kick located in the replay", |a| {
        a.state
            .review
            .entries
            .iter()
            .any(|e| e.label.contains("+3") && e.video.as_ref().is_some_and(|(p, _)| *p == file))
    });
    let review = &h.state().state.review;
    assert!(h.state().state.prefs.show_review, "the panel opened");
    let kick = (review.entries.iter())
        .find(|e| e.label.contains("+3"))
        .expect("kick listed");
    assert_eq!(
        review.selected,
        Some(kick.seq),
        "the disputed point is preselected"
    );
    let (_, offset) = kick.video.clone().expect("video");
    let target = offset.saturating_sub(DEFAULT_PRE_ROLL_MS);
    let cursor = st.cursor_ms.expect("cursor");
    assert_eq!(st.state, MediaState::Playing, "{st:?}");
    assert!(
        cursor + 150 >= target && cursor <= target + 150 + cue_took.as_millis() as u64,
        "OBS cursor {cursor} ms, the kick at {offset} ms − pre-roll = {target} ms"
    );
    let input = review_input(rt, link);
    assert_eq!(input["inputSettings"]["local_file"], file.as_str());
    h.run_steps(2);
    h.get_by_label_contains("Red challenge");
    // Exact label: the panel's entries say more.
    let cell = format!("video {}", courtside::review::format_offset(offset));
    let deadline = Instant::now() + Duration::from_secs(20);
    let repaints = Repaints::on(&h.ctx);
    while h.query_all_by_label(&cell).next().is_none() {
        repaints.wait(deadline, "the video column");
        h.step();
    }
}

/// The review source's settings, read from OBS.
fn review_input(rt: &tokio::runtime::Runtime, link: &ReviewLink) -> Value {
    let source = ReviewNames::default().source;
    call(rt, link, "GetInputSettings", json!({ "inputName": source }))
}

/// The preview: a real frame of the replay (red canvas, green patch), not one colour.
fn check_preview(h: &mut Harness<'_, CourtsideApp>, uploads: &Uploads) {
    let frame = next_preview(h, uploads, 1);
    let pixels = &frame.pixels;
    assert!(frame.width() >= 100, "{:?}", frame.size);
    let first = pixels[0];
    assert!(
        pixels.iter().any(|p| *p != first),
        "{} preview pixels, all {first:?}",
        pixels.len()
    );
    assert!(pixels.iter().any(|p| p.r() > 200 && p.g() < 60), "red seen");
    assert!(
        pixels.iter().any(|p| p.g() > 200 && p.r() < 60),
        "green seen"
    );
}

/// A panel button changes OBS (50 %, read back from OBS); the outcome closes the review: on air
/// first, then `ch2;1;0` goes back to live.
fn check_speed_and_outcome(
    h: &mut Harness<'_, CourtsideApp>,
    rt: &tokio::runtime::Runtime,
    link: &ReviewLink,
    udp: u16,
) {
    h.get_by_label("50 %").click();
    step_until(h, "speed 50 % done", |a| {
        last_done(a, "review: speed 50").is_some()
    });
    let r = last_done(h.state(), "review: speed 50").expect("done");
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(review_input(rt, link)["inputSettings"]["speed_percent"], 50);
    h.get_by_label("On air").click();
    step_until(h, "on air", |a| a.state.review.obs.on_air);
    let program = || call(rt, link, "GetCurrentProgramScene", Value::Null);
    let scene = ReviewNames::default().scene;
    assert_eq!(program()["currentProgramSceneName"], scene.as_str());
    send(udp, &["ch2;1;0"]);
    step_until(h, "back to live on the outcome", |a| {
        !a.state.review.obs.on_air && last_done(a, "review: back to live").is_some()
    });
    assert_eq!(program()["currentProgramSceneName"], SCENES[0]);
}

/// For a person to look at the panel (`cargo test --test obs look_at_the_review_panel --
/// --ignored`): the real courtside binary on its own Xvfb display against a real OBS, a
/// challenge, then a screenshot of the screen (ImageMagick `import`) written to
/// `target/review-panel.png` (or `$COURTSIDE_REVIEW_SHOT`).
#[test]
#[ignore = "writes a screenshot for a person to look at"]
fn look_at_the_review_panel() {
    let rt = runtime();
    let (obs, link) = prepared_obs(&rt);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    configure(&db, udp, &obs);
    let screen = crate::xvfb::Xvfb::with_screen("1600x1000x24").expect("Xvfb");
    let mut app = std::process::Command::new(env!("CARGO_BIN_EXE_courtside"))
        .arg("--db")
        .arg(&db)
        .env("DISPLAY", screen.display())
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env_remove("WAYLAND_DISPLAY")
        .spawn()
        .expect("courtside");
    call(&rt, &link, "StartReplayBuffer", Value::Null);
    wait_active(&rt, &link, "GetReplayBufferStatus");
    // The scoreboard window opens over the main window on a first run: hide it (no window
    // manager on Xvfb to arrange them).
    crate::obs_process::wait_until(Duration::from_secs(30), "the scoreboard window", || {
        std::process::Command::new("xdotool")
            .args(["search", "--name", "scoreboard", "windowunmap", "%@"])
            .env("DISPLAY", screen.display())
            .status()
            .is_ok_and(|s| s.success())
    })
    .expect("scoreboard window hidden");
    pace(Duration::from_secs(6));
    send(
        udp,
        &[
            "pre;FightLoaded",
            "rnd;1",
            "pt2;1",
            "pt1;2",
            "wg2;1",
            "pt1;3",
        ],
    );
    pace(Duration::from_secs(1));
    send(udp, &["ch1"]);
    crate::obs_process::wait_until(Duration::from_secs(40), "the review playing", || {
        let source = ReviewNames::default().source;
        rt.block_on(link.media_status(&source))
            .is_ok_and(|m| m.state == MediaState::Playing)
    })
    .expect("playing");
    // Let a few preview frames reach the panel, then pause at the moment.
    pace(Duration::from_secs(2));
    let shot = std::env::var("COURTSIDE_REVIEW_SHOT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/target/review-panel.png").into());
    let status = std::process::Command::new("import")
        .args(["-display", screen.display(), "-window", "root", &shot])
        .status()
        .expect("import (ImageMagick)");
    let _ = app.kill();
    let _ = app.wait();
    assert!(status.success(), "screenshot");
    eprintln!("screenshot: {shot}");
}
