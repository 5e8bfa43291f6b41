//! The review as automation rules, in the whole app against a real OBS 29: a challenge gives
//! exactly one saved replay even with an extra "save replay" rule on the challenge (the review's
//! save-and-cue saves it; the worker skips that OBS and logs why), the review source plays the
//! disputed moment, and the "challenge over → back to live" rule switches the program scene back
//! (all read back from OBS and from its replay folder).

#![cfg(target_os = "linux")]

use crate::app_obs::{save_obs_connection, send, step_until};
use crate::app_support::{configure_with, free_port};
use crate::obs_process::{ObsProcess, SCENES};
use crate::obs_ui::runtime;
use crate::review_app::kick_then_challenge;
use crate::review_support::pace;
use crate::review_support::{call, direct, media};
use courtside::app::CourtsideApp;
use courtside::obs::review::MediaState;
use courtside::obs::review_setup::ReviewNames;
use courtside::obs::rules::default_rules;
use courtside::obs::status::FiringResult;
use courtside::obs::store as obs_store;
use courtside::obs::{ObsAction, Rule, RuleAction, Trigger};
use courtside::review::DEFAULT_PRE_ROLL_MS;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// The replay files OBS has written to `dir` (its replay file names start with "Replay").
fn replays(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("record folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("Replay"))
        .collect();
    out.sort();
    out
}

/// The automation log entry of `action` (newest), once there is one.
fn fired(a: &CourtsideApp, action: &str) -> Option<FiringResult> {
    (a.state.obs.firings.iter())
        .find(|f| f.action.starts_with(action))
        .map(|f| f.result.clone())
}

/// The default rules plus an operator's own "save replay" on the challenge, stored as saved.
fn rules_with_an_extra_save() -> Vec<Rule> {
    let mut rules = default_rules();
    rules.push(Rule::new(
        "Challenge: keep a replay",
        Trigger::ChallengeRequested,
        vec![RuleAction::now(ObsAction::SaveReplay)],
    ));
    rules
}

#[test]
fn a_challenge_rule_saves_one_replay_cues_the_moment_and_the_outcome_rule_goes_back_to_live() {
    let rt = runtime();
    let obs = ObsProcess::start().expect("start OBS");
    let link = direct(&rt, &obs);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    let udp = free_port();
    configure_with(&db, udp, |w| {
        save_obs_connection(w, &obs);
        let (ack, acked) = crossbeam_channel::bounded(1);
        let save = obs_store::save_rules(rules_with_an_extra_save(), Some(ack));
        w.sender().send(save).expect("queue");
        acked.recv().expect("ack").expect("rules stored");
    });
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
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
        });
    h.state_mut().state.prefs.scoreboard_open = false;
    let asked = kick_then_challenge(&mut h, &rt, &link, udp);
    step_until(&mut h, "the review rule's save and cue logged", |a| {
        fired(a, "review: save and cue").is_some() && fired(a, "save replay").is_some()
    });
    let cue_took = asked.elapsed();
    // Read at once: the replay ends a few seconds after the moment, where it would stop.
    let st = media(&rt, &link);
    let done = fired(h.state(), "review: save and cue").expect("logged");
    assert!(matches!(done, FiringResult::Done(_)), "{done:?}");
    let extra = fired(h.state(), "save replay").expect("logged");
    assert!(
        matches!(&extra, FiringResult::Done(d) if d.starts_with("skipped")),
        "the extra save skips the review OBS: {extra:?}"
    );
    // Anything still under way in OBS would show within a few seconds.
    pace(Duration::from_secs(3));
    let files = replays(&obs.record_dir);
    assert_eq!(files.len(), 1, "one replay per challenge: {files:?}");
    check_cued(&mut h, st, &files[0], cue_took);
    check_back_to_live(&mut h, &rt, &link, udp);
}

/// The review source plays the one replay from the disputed head kick minus the pre-roll.
fn check_cued(
    h: &mut Harness<'_, CourtsideApp>,
    st: courtside::obs::review::MediaStatus,
    replay: &str,
    cue_took: Duration,
) {
    assert_eq!(st.state, MediaState::Playing, "{st:?}");
    let file = h
        .state()
        .state
        .review
        .obs
        .file
        .clone()
        .expect("file loaded");
    assert!(file.ends_with(replay), "{file} is {replay}");
    step_until(h, "the kick located in the replay", |a| {
        (a.state.review.entries.iter())
            .any(|e| e.label.contains("+3") && e.video.as_ref().is_some_and(|(p, _)| *p == file))
    });
    let review = &h.state().state.review;
    let kick = (review.entries.iter())
        .find(|e| e.label.contains("+3"))
        .expect("kick");
    assert_eq!(
        review.selected,
        Some(kick.seq),
        "the disputed point is preselected"
    );
    let (_, offset) = kick.video.clone().expect("video");
    let target = offset.saturating_sub(DEFAULT_PRE_ROLL_MS);
    let cursor = st.cursor_ms.expect("cursor");
    // Read once the cue was logged: it has played on since, at most for as long as it took.
    let played = cue_took.as_millis() as u64;
    // The test OBS keeps a keyframe every 10 frames at 10 fps: a seek lands on the keyframe at
    // or before the target, up to 1 s early (frame-exact cues are review_app's, all-intra).
    let keyframe_ms = 1_000;
    assert!(
        cursor + 150 + keyframe_ms >= target && cursor <= target + 150 + played,
        "OBS cursor {cursor} ms, the kick at {offset} ms − pre-roll = {target} ms"
    );
}

/// On air, then the challenge's outcome: the back-to-live rule puts the live scene back.
fn check_back_to_live(
    h: &mut Harness<'_, CourtsideApp>,
    rt: &tokio::runtime::Runtime,
    link: &courtside::obs::review::ReviewLink,
    udp: u16,
) {
    let program = || call(rt, link, "GetCurrentProgramScene", Value::Null);
    // Clicked while the preview's frames arrive: the preview's box is fixed, so the button stays
    // where the click lands (it once moved under the first frame and the click missed).
    h.get_by_label("On air").click();
    step_until(h, "on air", |a| a.state.review.obs.on_air);
    let scene = ReviewNames::default().scene;
    assert_eq!(program()["currentProgramSceneName"], scene.as_str());
    send(udp, &["ch2;1;0"]);
    step_until(h, "back to live by the rule", |a| {
        !a.state.review.obs.on_air && fired(a, "review: back to live").is_some()
    });
    let r = fired(h.state(), "review: back to live").expect("logged");
    assert!(matches!(r, FiringResult::Done(_)), "{r:?}");
    assert_eq!(program()["currentProgramSceneName"], SCENES[0]);
}
