//! The automation rules' review actions ("review: save and cue the disputed moment", "review:
//! back to live"), run by the review service. The automation thread decides them and sends them
//! here on a bounded channel (with a wake-up); this runs them through the service's request path
//! and logs each outcome in the automation log, like the OBS worker does for OBS actions.
//!
//! A save-and-cue waits until the challenge's record has reached the Review panel and its match
//! is loaded (the panel then knows the disputed event); the service's answer is matched to the
//! action by its label, in order (the service answers its requests one by one, in order).

use super::{Channel, ReviewAppService};
use crate::app::services::Shared;
use crate::model::state::Level;
use crate::obs::command::firing_record;
use crate::obs::{ObsAction, ReviewCall};
use crate::review::ReviewRequest;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Review actions the automation may queue before the app takes them.
pub(super) const CALLS_CAPACITY: usize = 32;
/// A save-and-cue whose challenge has not reached the panel after this long is given up.
const CUE_WAIT: Duration = Duration::from_secs(15);
/// A request with no answer after this long is logged as unanswered.
const ANSWER_WAIT: Duration = Duration::from_secs(60);

/// The review actions in flight.
#[derive(Default)]
pub(super) struct AutoReview {
    /// Delayed actions and when they are due.
    due: Vec<(Instant, ReviewCall)>,
    /// A save-and-cue waiting for its challenge in the panel (since when).
    cue: Option<(Instant, ReviewCall)>,
    /// Actions asked of the service: label, action, when sent.
    sent: VecDeque<(String, ReviewCall, Instant)>,
}

/// The channel of the automation's review actions.
pub(super) type CallsChannel = Channel<ReviewCall>;

impl ReviewAppService {
    /// Where the automation sends review actions.
    pub(in crate::app) fn automation_calls(&self) -> crossbeam_channel::Sender<ReviewCall> {
        self.calls.0.clone()
    }

    /// Take the automation's review actions; run those that are due; give up on stale ones.
    pub(super) fn poll_automation(&mut self, app: &mut Shared<'_>) {
        let now = Instant::now();
        for call in self.calls.1.clone().try_iter().take(CALLS_CAPACITY) {
            // Delays are bounded by the rules' check; an unrepresentable one runs now.
            let due = (call.context.received)
                .checked_add(call.delay)
                .unwrap_or(now);
            self.auto.due.push((due, call));
        }
        let (ready, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.auto.due)
            .into_iter()
            .partition(|(due, _)| *due <= now);
        self.auto.due = later;
        if let Some(next) = self.auto.due.iter().map(|(d, _)| *d).min() {
            app.ctx
                .request_repaint_after(next.saturating_duration_since(now));
        }
        for (_, call) in ready {
            self.run_call(call, app);
        }
        let expired =
            (self.auto.cue.as_ref()).is_some_and(|(since, _)| since.elapsed() >= CUE_WAIT);
        if expired && let Some((_, call)) = self.auto.cue.take() {
            let why = "the challenge did not reach the Review panel in time".to_string();
            self.log(&call, Err(why), None, app);
        }
        let stale = |s: &VecDeque<(String, ReviewCall, Instant)>| {
            s.front()
                .is_some_and(|(_, _, at)| at.elapsed() >= ANSWER_WAIT)
        };
        while stale(&self.auto.sent) {
            if let Some((_, call, at)) = self.auto.sent.pop_front() {
                let why = "the review service did not answer".to_string();
                self.log(&call, Err(why), Some(at), app);
            }
        }
    }

    fn run_call(&mut self, call: ReviewCall, app: &mut Shared<'_>) {
        match call.action {
            ObsAction::ReviewSaveAndCue => {
                let court = app.state.scoreboard_court();
                if call.context.cause.court != court {
                    let why = format!(
                        "the challenge is on court '{}'; the Review panel follows court '{court}' \
                         (the scoreboard's)",
                        call.context.cause.court
                    );
                    return self.log(&call, Err(why), None, app);
                }
                if let Some((_, older)) = self.auto.cue.take() {
                    let why = "a newer challenge came first".to_string();
                    self.log(&older, Err(why), None, app);
                }
                self.auto.cue = Some((Instant::now(), call));
                self.cue_challenge(app);
            }
            ObsAction::ReviewBackToLive => {
                if app.state.review.obs.on_air {
                    self.ask_for(call, ReviewRequest::BackToLive, app);
                } else {
                    let nothing = "the review is not on air: nothing to do".to_string();
                    self.log(&call, Ok(nothing), None, app);
                }
            }
            _ => {
                let why = "not a review action".to_string();
                self.log(&call, Err(why), None, app);
            }
        }
    }

    /// The save-and-cue waiting for the challenge `seq`, taken (the caller runs it).
    pub(super) fn take_cue(&mut self, seq: u64) -> Option<ReviewCall> {
        let waiting =
            (self.auto.cue.as_ref()).is_some_and(|(_, c)| c.context.cause.event_seq == seq);
        if waiting {
            self.auto.cue.take().map(|(_, c)| c)
        } else {
            None
        }
    }

    /// Ask the service for `r` on behalf of `call`; its answer is logged when it comes.
    pub(super) fn ask_for(&mut self, call: ReviewCall, r: ReviewRequest, app: &mut Shared<'_>) {
        let what = r.label();
        let sent = match &self.service {
            Some(s) => s.request(r),
            None => Err(format!(
                "{what}: OBS is not connected — {}",
                app.state
                    .review
                    .connection
                    .clone()
                    .err()
                    .unwrap_or_default()
            )),
        };
        match sent {
            Ok(()) => self.auto.sent.push_back((what, call, Instant::now())),
            Err(e) => {
                // As for the panel's own controls: the review could not even be asked.
                app.state.notices.push(
                    Level::Error,
                    "Video review",
                    &e,
                    "Set up and connect the court's OBS in the OBS window.",
                );
                app.state.review.last = Some((what, Err(e.clone())));
                self.store_firing(&call, Err(e), None, app);
            }
        }
    }

    /// `call` cannot run: `why` goes to the automation log.
    pub(super) fn ask_failed(&mut self, call: ReviewCall, why: &str, app: &mut Shared<'_>) {
        self.log(&call, Err(why.to_string()), None, app);
    }

    /// The service answered `what`: log it for the automation action that asked, if one did.
    pub(super) fn automation_answer(
        &mut self,
        what: &str,
        result: &Result<String, String>,
        app: &mut Shared<'_>,
    ) {
        let Some(i) = self.auto.sent.iter().position(|(w, _, _)| w == what) else {
            return;
        };
        let Some((_, call, at)) = self.auto.sent.remove(i) else {
            return;
        };
        self.store_firing(&call, result.clone(), Some(at), app);
    }

    /// [`Self::store_firing`] an outcome that did not come from the service, with a notice for a
    /// failure (the service's failures have theirs from the panel).
    fn log(
        &self,
        call: &ReviewCall,
        result: Result<String, String>,
        sent: Option<Instant>,
        app: &mut Shared<'_>,
    ) {
        if self.conn.is_none() {
            // A court run without OBS: as the OBS worker does, not logged, no notice per match.
            return;
        }
        if let Err(why) = &result {
            app.state.notices.push(
                Level::Warning,
                &format!("automation: {} failed", call.action.label()),
                why,
                "The automation log lists every action; the Review panel can cue any moment.",
            );
        }
        self.store_firing(call, result, sent, app);
    }

    /// Store the outcome in the automation log and show it in the log view (not without an OBS
    /// set up: like the OBS worker's actions with no OBS to go to).
    fn store_firing(
        &self,
        call: &ReviewCall,
        result: Result<String, String>,
        sent: Option<Instant>,
        app: &mut Shared<'_>,
    ) {
        let Some(connection) = self.conn.as_ref().map(|c| c.name.as_str()) else {
            // No OBS set up: nothing to log (the Review panel says so).
            return;
        };
        let record = firing_record(&call.context, &call.action, connection, result, sent);
        if let Some(w) = &self.writer
            && w.try_send(crate::obs::store::log_firing(record.clone()))
                .is_err()
        {
            tracing::warn!(
                "store queue full: automation log entry for '{}' not stored",
                record.cause.rule_name
            );
        }
        app.state.obs.push_firing(record);
    }
}
