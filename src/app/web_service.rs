//! [`WebAppService`]: the web server (`crate::web::WebService`) in the app. Its feed follows the
//! store writer's early subscription from the start, whether or not it serves, so that turning
//! it on, a new port or a freed port serves current states at once. Settings saves apply live
//! (`apply`); a bind failure is a notice and the app runs on without pages (or on the old
//! address). Control calls from the server are drained in the frame loop and run as the same
//! `Command::Obs` the toolbar sends (`CourtsideApp::poll_web`).

use super::CourtsideApp;
use crate::model::AppState;
use crate::model::obs::ObsCommand as PanelCommand;
use crate::model::review::ReviewCommand;
use crate::model::state::Level;
use crate::model::web::WebRun;
use crate::obs::{ObsAction, Target};
use crate::store::writer::Persisted;
use crate::store::{Store, WriteRequest};
use crate::web::config::TOKEN_KEY;
use crate::web::{
    CONTROL_QUEUE, TokenHash, WebConfig, WebControl, WebControlRequest, WebError, WebFeed,
    WebService, WebSettings,
};
use crossbeam_channel::{Receiver, bounded};

/// Control calls answered per frame (the channel holds [`CONTROL_QUEUE`]).
const CALLS_PER_FRAME: usize = CONTROL_QUEUE;

/// A token generated and sent to the store; shown once the store confirms its hash.
struct PendingToken {
    token: String,
    hash: TokenHash,
}

/// The web server in the app: the running service (feed always, server when on and bound), the
/// control calls it queues, the stored token hash.
#[derive(Default)]
pub(super) struct WebAppService {
    service: Option<WebService>,
    control: Option<Receiver<WebControlRequest>>,
    token: Option<TokenHash>,
    pending: Option<PendingToken>,
}

/// What starting the web server needs from the app.
pub(super) struct WebStart<'a> {
    /// The open store (court states and the token hash are read once, at start).
    pub(super) store: &'a Store,
    /// The writer's early subscription for the web feed.
    pub(super) records: Receiver<Persisted>,
    /// The app's runtime.
    pub(super) runtime: std::io::Result<tokio::runtime::Handle>,
    /// Repaints the UI when a control call is queued.
    pub(super) ctx: egui::Context,
}

impl WebAppService {
    /// Start the feed with the stored court states, then serve as Settings say.
    pub(super) fn start(&mut self, start: WebStart<'_>, state: &mut AppState) {
        self.token = read_token(start.store, state);
        state.web.token_set = self.token.is_some();
        state.web.courts = court_names(state);
        let courts = crate::web::load_courts(start.store).unwrap_or_else(|e| {
            tracing::warn!("web: court states not loaded ({e}); pages start empty");
            Vec::new()
        });
        let (control_tx, control_rx) = bounded(CONTROL_QUEUE);
        let feed = WebFeed {
            records: start.records,
            courts,
            court_names: state.web.courts.clone(),
            flags: state.flag_resolver.clone(),
            control: Some(control_tx),
        };
        let config = self.config(&state.settings.web);
        let spawned = start
            .runtime
            .map_err(|e| e.to_string())
            .and_then(|rt| WebService::spawn_idle(&config, rt, feed).map_err(|e| e.to_string()));
        match spawned {
            Ok(service) => {
                let ctx = start.ctx;
                service.set_control_waker(std::sync::Arc::new(move || ctx.request_repaint()));
                self.service = Some(service);
                self.control = Some(control_rx);
                self.apply(&state.settings.web.clone(), state);
            }
            Err(e) => state.notices.push(
                Level::Error,
                "Web server did not start: no pages or API",
                &e,
                "Scores are received and stored as usual; restart courtside to serve pages.",
            ),
        }
    }

    fn config(&self, settings: &WebSettings) -> WebConfig {
        WebConfig::from_settings(settings, self.token.clone())
    }

    /// Serve as `settings` say: off, on, on another address. A bind failure keeps the old
    /// server (if any) and raises a notice naming the address, the cause and what to do.
    pub(super) fn apply(&mut self, settings: &WebSettings, state: &mut AppState) {
        state.web.courts = court_names(state);
        let Some(service) = &self.service else {
            return;
        };
        service.add_courts(&state.web.courts);
        if !settings.enabled {
            service.stop_serving();
            state.web.run = WebRun::Off;
            return;
        }
        match service.reconfigure(&self.config(settings)) {
            Ok(()) => {
                if let Some(url) = service.url() {
                    state.web.run = WebRun::Serving(url);
                }
            }
            Err(WebError::Bind { addr, cause }) => {
                let kept = service.url();
                let action = match &kept {
                    Some(url) => format!(
                        "Still serving on {url}. Choose another port in Settings → Web, or stop \
                         the program using it."
                    ),
                    None => "No pages are served; scores are received and stored as usual. \
                             Choose another port in Settings → Web, or stop the program using it."
                        .into(),
                };
                let title = format!("Web pages not served on {addr}");
                state.notices.push(Level::Error, &title, &cause, &action);
                if kept.is_none() {
                    let addr = addr.to_string();
                    state.web.run = WebRun::Failed { addr, cause };
                }
            }
            Err(e) => {
                let e = e.to_string();
                state
                    .notices
                    .push(Level::Error, "Web server", &e, "Restart courtside.");
            }
        }
    }

    /// New flags (an import or a mapping change) for the pages.
    pub(super) fn set_flags(&self, resolver: crate::flags::FlagResolver) {
        if let Some(s) = &self.service {
            s.set_flags(resolver);
        }
    }

    /// Generate a control token and store its hash (in its own key, apart from the settings
    /// form); it is shown once the store confirms.
    pub(super) fn generate_token(&mut self, app: &mut super::services::Shared) {
        let writer = app.data.writer.as_ref();
        let view = &mut app.state.web;
        view.token_error = None;
        view.new_token = None;
        let Some(writer) = writer else {
            view.token_error = Some("the store is not open, so no token can be stored".into());
            return;
        };
        let (token, hash) = match crate::web::token::generate() {
            Ok(t) => t,
            Err(e) => {
                view.token_error = Some(e);
                return;
            }
        };
        let value = crate::store::codec::to_json(&hash.to_stored());
        let op = crate::store::write_settings_op(vec![(TOKEN_KEY.into(), value)], "ui".into());
        let (ack_tx, ack) = bounded(1);
        let req = WriteRequest::Apply {
            what: "web control token",
            op,
            ack: Some(ack_tx),
        };
        if writer.sender().try_send(req).is_err() {
            view.token_error = Some("the store is busy; try again".into());
            return;
        }
        view.token_saving = true;
        self.pending = Some(PendingToken { token, hash });
        // The store's confirmation through the job registry, as every other store write.
        let kind = super::jobs_glue::JobKind::WebToken;
        app.jobs.await_store("web control token", kind, ack);
    }

    /// Take the token's store confirmation (then show it once and use its hash) and the queued
    /// control calls.
    pub(super) fn poll(
        &mut self,
        state: &mut AppState,
        ctx: &egui::Context,
    ) -> Vec<WebControlRequest> {
        if !state.prefs.show_settings {
            // Shown once: closing Settings forgets the new token as "Hide token" does.
            state.web.new_token = None;
        }
        let Some(rx) = &self.control else {
            return Vec::new();
        };
        let calls: Vec<_> = rx.try_iter().take(CALLS_PER_FRAME).collect();
        if !rx.is_empty() {
            ctx.request_repaint();
        }
        calls
    }

    /// The token's hash was stored (show the token once, use the hash) or not (say why).
    pub(super) fn token_stored(&mut self, result: Result<(), String>, state: &mut AppState) {
        let Some(p) = self.pending.take() else {
            return;
        };
        state.web.token_saving = false;
        match result {
            Ok(()) => {
                self.token = Some(p.hash);
                state.web.token_set = true;
                state.web.new_token = Some(p.token);
                // Access changes only: the address is the one in force.
                let settings = state.settings.web.clone();
                self.apply(&settings, state);
            }
            Err(e) => state.web.token_error = Some(format!("token not stored: {e}")),
        }
    }

    /// Stop serving and the feed.
    pub(super) fn stop(&mut self) {
        self.control = None;
        self.service = None;
    }
}

/// The stored token hash; a damaged one is a notice (the control API stays locked).
fn read_token(store: &Store, state: &mut AppState) -> Option<TokenHash> {
    let (_, token, warnings) = WebSettings::read_stored(store, &[TOKEN_KEY]);
    for w in warnings {
        state.notices.push(
            Level::Warning,
            "The web control token cannot be used",
            &w,
            "Generate a new token in Settings → Web.",
        );
    }
    token
}

fn court_names(state: &AppState) -> Vec<String> {
    state
        .settings
        .listeners
        .iter()
        .map(|l| l.court.clone())
        .collect()
}

/// What a control call runs: the toolbar's OBS action, or the Review panel's command.
#[derive(Debug, Clone, PartialEq)]
enum Routed {
    /// Sent to every connected OBS, as the toolbar does.
    Obs(ObsAction),
    /// Handed to the review service, as the Review panel does.
    Review(ReviewCommand),
}

/// Where a control call goes.
fn route(c: &WebControl) -> Routed {
    match c {
        WebControl::SaveReplay => Routed::Obs(ObsAction::SaveReplay),
        WebControl::StartRecording => Routed::Obs(ObsAction::StartRecording { file_name: None }),
        WebControl::StopRecording => Routed::Obs(ObsAction::StopRecording),
        WebControl::StartReplayBuffer => Routed::Obs(ObsAction::StartReplayBuffer),
        WebControl::StopReplayBuffer => Routed::Obs(ObsAction::StopReplayBuffer),
        WebControl::SwitchScene(scene) => Routed::Obs(ObsAction::SetScene {
            scene: scene.clone(),
        }),
        WebControl::ReviewPlay => Routed::Review(ReviewCommand::Play),
        WebControl::ReviewPause => Routed::Review(ReviewCommand::Pause),
        WebControl::ReviewSpeed(p) => Routed::Review(ReviewCommand::Speed(*p)),
        WebControl::ReviewStepFrames(n) => Routed::Review(ReviewCommand::StepFrames(*n)),
        WebControl::ReviewStepMs(ms) => Routed::Review(ReviewCommand::StepMs(*ms)),
        WebControl::ReviewOnAir => Routed::Review(ReviewCommand::OnAir),
        WebControl::ReviewBackToLive => Routed::Review(ReviewCommand::BackToLive),
    }
}

/// Whether a review control can be sent now: the review OBS's name, or why not.
fn check_review(state: &AppState, c: &WebControl) -> Result<String, String> {
    let r = &state.review;
    let name = match (&r.connection, r.available) {
        (Ok(name), true) if r.obs.connected => name.clone(),
        (Ok(name), true) => return Err(format!("the review OBS ({name}) is not connected")),
        (Err(why), _) => return Err(format!("video review is not available: {why}")),
        (Ok(_), false) => return Err("video review is not running in courtside".into()),
    };
    let needs_media = !matches!(c, WebControl::ReviewOnAir | WebControl::ReviewBackToLive);
    if needs_media && r.obs.media.is_none() {
        return Err(
            "nothing is loaded in the review source: cue a moment first (a challenge, \
                    or an event in the Review panel)"
                .into(),
        );
    }
    Ok(name)
}

/// Whether a control call can be sent now: the connected OBS instances' names, or why not.
pub(super) fn check_call(state: &AppState, c: &WebControl) -> Result<Vec<String>, String> {
    let obs = &state.obs;
    if !obs.available {
        return Err("OBS control is not running in courtside".into());
    }
    let connected: Vec<_> = obs
        .statuses
        .iter()
        .filter(|s| s.link.is_connected())
        .collect();
    if connected.is_empty() {
        return Err(if obs.statuses.is_empty() {
            "OBS is not connected: no OBS connection is set up in courtside".into()
        } else {
            "OBS is not connected: courtside has no live connection to any OBS now".into()
        });
    }
    if let WebControl::SwitchScene(scene) = c
        && !connected.iter().any(|s| s.scenes.contains(scene))
    {
        return Err(format!("no connected OBS has a scene named {scene:?}"));
    }
    Ok(connected.iter().map(|s| s.name.clone()).collect())
}

impl CourtsideApp {
    /// Answer the web server's control calls: each one checked, then run as the toolbar's
    /// `Command::Obs` for every connected OBS. The answer says it was sent: the OBS worker
    /// does not report back per command, so OBS's own result shows in the OBS window.
    pub(super) fn poll_web(&mut self) {
        let calls = self.services.web.poll(&mut self.state, &self.ctx);
        for call in calls {
            // Checked, then sent as the toolbar (OBS) or the Review panel (review) sends it.
            let answer = match route(&call.action) {
                Routed::Obs(action) => check_call(&self.state, &call.action).map(|names| {
                    let c = PanelCommand::Run(Target::All, action);
                    self.handle(crate::model::Command::Obs(c));
                    format!(
                        "sent to OBS ({}); courtside does not wait for OBS's confirmation: its \
                         result shows in courtside's OBS window",
                        names.join(", ")
                    )
                }),
                Routed::Review(c) => check_review(&self.state, &call.action).map(|name| {
                    self.handle(crate::model::Command::Review(c));
                    format!(
                        "sent to the review service ({name}); its result shows in courtside's \
                         Review panel"
                    )
                }),
            };
            match &answer {
                Ok(_) => tracing::info!("web control from {}: {:?} sent", call.source, call.action),
                Err(why) => tracing::info!("web control from {}: refused: {why}", call.source),
            }
            // Err: the caller gave up (timeout, closed); nothing to tell.
            let _ = call.reply.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obs::{LinkState, ObsConnection, ObsStatus};

    fn status(name: &str, link: LinkState, scenes: &[&str]) -> ObsStatus {
        let mut s = ObsStatus::new(&ObsConnection::new(name, "127.0.0.1", 4455));
        s.link = link;
        s.scenes = scenes.iter().map(|s| s.to_string()).collect();
        s
    }

    #[test]
    fn a_control_call_is_refused_with_the_reason_obs_cannot_take_it() {
        let mut state = AppState::default();
        let replay = WebControl::SaveReplay;
        let err = check_call(&state, &replay).unwrap_err();
        assert!(err.contains("not running"), "{err}");
        state.obs.available = true;
        let err = check_call(&state, &replay).unwrap_err();
        assert!(err.contains("no OBS connection is set up"), "{err}");
        state.obs.statuses = vec![status("Main", LinkState::Connecting, &[])];
        let err = check_call(&state, &replay).unwrap_err();
        assert!(err.contains("no live connection"), "{err}");
        state
            .obs
            .statuses
            .push(status("Stream", LinkState::Connected, &["Fight"]));
        assert_eq!(check_call(&state, &replay), Ok(vec!["Stream".to_string()]));
        let scene = WebControl::SwitchScene("Replay".into());
        let err = check_call(&state, &scene).unwrap_err();
        assert!(err.contains("\"Replay\""), "{err}");
        let scene = WebControl::SwitchScene("Fight".into());
        assert!(check_call(&state, &scene).is_ok());
    }

    #[test]
    fn each_control_call_is_the_toolbar_action_or_the_review_panels_command() {
        assert_eq!(
            route(&WebControl::SaveReplay),
            Routed::Obs(ObsAction::SaveReplay)
        );
        assert_eq!(
            route(&WebControl::StartRecording),
            Routed::Obs(ObsAction::StartRecording { file_name: None })
        );
        assert_eq!(
            route(&WebControl::SwitchScene("A".into())),
            Routed::Obs(ObsAction::SetScene { scene: "A".into() })
        );
        assert_eq!(
            route(&WebControl::ReviewSpeed(50)),
            Routed::Review(ReviewCommand::Speed(50))
        );
        assert_eq!(
            route(&WebControl::ReviewStepFrames(-1)),
            Routed::Review(ReviewCommand::StepFrames(-1))
        );
        assert_eq!(
            route(&WebControl::ReviewBackToLive),
            Routed::Review(ReviewCommand::BackToLive)
        );
    }

    #[test]
    fn a_review_control_is_refused_with_why_until_the_review_obs_plays_something() {
        let mut state = AppState::default();
        let play = WebControl::ReviewPlay;
        let err = check_review(&state, &play).unwrap_err();
        assert!(err.starts_with("video review is not"), "{err}");
        state.review.available = true;
        state.review.connection = Ok("court OBS".into());
        let err = check_review(&state, &play).unwrap_err();
        assert_eq!(err, "the review OBS (court OBS) is not connected");
        state.review.obs.connected = true;
        let err = check_review(&state, &play).unwrap_err();
        assert!(err.contains("cue a moment first"), "{err}");
        // On air needs no loaded file.
        assert_eq!(
            check_review(&state, &WebControl::ReviewOnAir).as_deref(),
            Ok("court OBS")
        );
        state.review.obs.media = Some(crate::obs::review::MediaStatus {
            state: crate::obs::review::MediaState::Paused,
            cursor_ms: Some(2_900),
            duration_ms: Some(14_000),
        });
        assert_eq!(check_review(&state, &play).as_deref(), Ok("court OBS"));
    }
}
