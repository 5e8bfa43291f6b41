//! The review's reactions to records (a challenge opens the panel and cues the disputed moment;
//! its outcome goes back to live) and the Review panel's commands.

use super::{ReviewAppService, current_match};
use crate::app::services::Shared;
use crate::model::AppState;
use crate::model::review::{ChallengeInfo, ReviewCommand, ReviewView};
use crate::model::state::Level;
use crate::obs::review_setup::KeyframePolicy;
use crate::protocol::{ChallengeStatus, Event};
use crate::review::{DEFAULT_PRE_ROLL_MS, Prefer, ReviewRequest, locate};
use crate::store::EventRecord;
use std::sync::Arc;

impl ReviewAppService {
    /// A stored record: follow the listed match; a challenge opens the panel with the disputed
    /// event preselected and cues it; its outcome goes back to live.
    pub(in crate::app) fn record(&mut self, rec: &Arc<EventRecord>, app: &mut Shared<'_>) {
        app.state.review.live(rec);
        if rec.court != app.state.scoreboard_court() {
            return;
        }
        for e in &rec.events {
            let Event::Challenge { by, status } = e else {
                continue;
            };
            match status {
                ChallengeStatus::Requested => self.challenged(rec, *by, app),
                ChallengeStatus::Accepted => set_status(&mut app.state.review, *status),
                ChallengeStatus::Decided { .. }
                | ChallengeStatus::Rejected
                | ChallengeStatus::Closed => self.outcome(*status, app),
            }
        }
    }

    fn challenged(
        &mut self,
        rec: &EventRecord,
        by: Option<crate::protocol::Athlete>,
        app: &mut Shared<'_>,
    ) {
        app.state.prefs.show_review = true;
        // A challenge is about the current match: leave an earlier one shown by "Show on video".
        app.state.review.earlier = false;
        app.state.review.show = None;
        app.state.review.challenge = Some(ChallengeInfo {
            seq: rec.seq,
            match_key: rec.match_key,
            by,
            status: ChallengeStatus::Requested,
            cued: false,
        });
        let view = &app.state.review;
        if view.match_key != Some(rec.match_key) {
            self.load(app, rec.match_key);
        } else if view.loading.is_none() {
            self.cue_challenge(app);
        }
    }

    /// Preselect the disputed event of the challenge under way (once its match is loaded) and,
    /// when the automation rule "review: save and cue the disputed moment" asked for it, have the
    /// service save the replay and cue it (once).
    pub(super) fn cue_challenge(&mut self, app: &mut Shared<'_>) {
        let view = &mut app.state.review;
        let Some(ch) = view.challenge.clone().filter(|c| !c.cued) else {
            return;
        };
        if view.match_key != Some(ch.match_key) || view.loading.is_some() {
            return;
        }
        let disputed = view.disputed(ch.seq).cloned();
        if let Some(d) = &disputed {
            view.selected = Some(d.seq);
        }
        let Some(call) = self.take_cue(ch.seq) else {
            return;
        };
        if let Some(c) = &mut view.challenge {
            c.cued = true;
        }
        let Some(d) = disputed else {
            let why = "nothing to review: no point or penalty before the challenge";
            view.last = Some((ch.who().to_string(), Err(why.into())));
            return self.ask_failed(call, why, app);
        };
        let fallback = locate(&view.segments, d.received_at_ns, Prefer::Recording)
            .map(|s| (s.segment.path, s.offset_ms));
        let r = ReviewRequest::Challenge {
            disputed_ns: d.received_at_ns,
            fallback,
        };
        self.ask_for(call, r, app);
    }

    /// The challenge's outcome: shown in the panel. Going back to live is the automation rule
    /// "challenge over → review: back to live" (one place to change it).
    fn outcome(&mut self, status: ChallengeStatus, app: &mut Shared<'_>) {
        set_status(&mut app.state.review, status);
    }

    /// Run one command of the Review panel.
    pub(in crate::app) fn handle(&mut self, c: ReviewCommand, app: &mut Shared<'_>) {
        let view = &mut app.state.review;
        let r = match c {
            ReviewCommand::Load => {
                let listed = view.match_key.filter(|_| view.earlier);
                if let Some(key) = listed.or_else(|| current_match(app.state)) {
                    self.load(app, key);
                }
                return;
            }
            ReviewCommand::Cue { seq } => {
                view.selected = Some(seq);
                match view.entry(seq).and_then(|e| e.video.clone()) {
                    Some((path, offset_ms)) => ReviewRequest::Cue { path, offset_ms },
                    None => {
                        let e = "no recording or saved replay in the video index holds this \
                                 moment (was OBS recording, or its replay buffer running?)";
                        view.last = Some(("review: show the moment".into(), Err(e.into())));
                        return;
                    }
                }
            }
            ReviewCommand::Play => ReviewRequest::Play,
            ReviewCommand::Pause => ReviewRequest::Pause,
            ReviewCommand::Speed(p) => ReviewRequest::Speed(p),
            ReviewCommand::StepFrames(n) => ReviewRequest::StepFrames(n),
            ReviewCommand::StepMs(ms) => ReviewRequest::StepMs(ms),
            ReviewCommand::Loop(on) => {
                let window = view.loop_window(DEFAULT_PRE_ROLL_MS).filter(|_| on);
                if on && window.is_none() {
                    view.last = Some((
                        "review: loop".into(),
                        Err("cue a moment first: the loop is the window around it".into()),
                    ));
                    return;
                }
                ReviewRequest::Loop(window)
            }
            ReviewCommand::OnAir => ReviewRequest::OnAir,
            ReviewCommand::BackToLive => ReviewRequest::BackToLive,
            ReviewCommand::SetupKeyframes(policy) => {
                let setup = &mut app.state.obs.review_setup;
                setup.running = true;
                setup.last = None;
                ReviewRequest::SetupKeyframes(policy)
            }
            ReviewCommand::ShowEvent { match_key, seq } => {
                return self.show_event(match_key, seq, app);
            }
            ReviewCommand::BackToCurrent => return self.back_to_current(app),
        };
        self.ask(r, &mut app.state.review, &mut app.state.notices);
    }
}

fn set_status(view: &mut ReviewView, status: ChallengeStatus) {
    if let Some(c) = &mut view.challenge {
        c.status = status;
    }
}

/// The keyframe set-up answered (`what` is any review request's label): the OBS window shows
/// it, and a notice says what was set (a refusal has its notice already).
pub(super) fn setup_done(what: &str, result: &Result<String, String>, state: &mut AppState) {
    if what != ReviewRequest::SetupKeyframes(KeyframePolicy::HALF_SECOND).label() {
        return;
    }
    let setup = &mut state.obs.review_setup;
    setup.running = false;
    setup.last = Some(result.clone());
    if let Ok(detail) = result {
        state.notices.push(
            Level::Info,
            "OBS set up for review — done",
            detail,
            "Recordings and replays started from now on have short keyframes.",
        );
    }
}
