//! "Show on video" from the event table: list the event's match in the Review panel (an earlier
//! match too, titled as such), read its records and the video index off the UI thread, then play
//! the event's moment from the match's recording (else a saved replay) — or say why not.

use super::{ReviewAppService, current_match};
use crate::app::services::Shared;
use crate::model::review::{PendingShow, ReviewView, plan_show};
use crate::model::state::Level;
use crate::review::ReviewRequest;
use crate::review::show::SHOW;

impl ReviewAppService {
    /// Open the panel on `match_key` and play the event `seq` once the match is loaded (its
    /// records and a fresh video index: a recording may have stopped since the last read).
    pub(super) fn show_event(&mut self, match_key: u64, seq: u64, app: &mut Shared<'_>) {
        app.state.prefs.show_review = true;
        let earlier = current_match(app.state) != Some(match_key);
        let view = &mut app.state.review;
        view.earlier = earlier;
        view.show = Some(PendingShow {
            match_key,
            seq,
            received_at_ns: None,
        });
        self.load(app, match_key);
    }

    /// List the current match again (the panel follows it from now on).
    pub(super) fn back_to_current(&mut self, app: &mut Shared<'_>) {
        let view = &mut app.state.review;
        view.earlier = false;
        view.show = None;
        if let Some(key) = current_match(app.state) {
            self.load(app, key);
        }
    }

    /// After a load: play the event "Show on video" asked for, if it belongs to this match.
    pub(super) fn play_pending(&mut self, app: &mut Shared<'_>) {
        let view = &mut app.state.review;
        let Some(p) = view.take_show() else {
            return;
        };
        // A scoring event is in the panel's list: choose it there (another event: none, so no
        // earlier choice looks like the moment shown).
        view.selected = view.entry(p.seq).map(|e| e.seq);
        let Some(at) = p.received_at_ns else {
            let e = format!("event {} is not in the store for this match", p.seq);
            return refuse(view, &mut app.state.notices, e);
        };
        match plan_show(&view.segments, at) {
            Ok(plan) => {
                let r = ReviewRequest::Show {
                    path: plan.path,
                    offset_ms: plan.offset_ms,
                    running: plan.running,
                };
                self.ask(r, &mut app.state.review, &mut app.state.notices);
            }
            Err(why) => refuse(view, &mut app.state.notices, why),
        }
    }
}

/// Nothing to play: the panel's last line and a warning notice say why.
fn refuse(view: &mut ReviewView, notices: &mut crate::model::state::Notices, why: String) {
    let what = format!("review: {SHOW}");
    notices.push(
        Level::Warning,
        &format!("{what}: nothing to play"),
        &why,
        "Events are stored as always; only the video of this moment is missing.",
    );
    view.last = Some((what, Err(why)));
}
