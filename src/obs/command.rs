//! What can be asked of OBS: actions (shared by buttons, shortcuts and automation rules), which
//! instances they go to, and where they came from.

use super::config::{ObsConnection, ObsRole};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Show, hide or flip a scene item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Make it visible.
    Show,
    /// Hide it.
    Hide,
    /// Flip the current state.
    Toggle,
}

/// One thing to do in OBS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObsAction {
    /// Start recording. `file_name` sets the profile's file name format first (OBS time codes
    /// such as `%CCYY` work); in a rule it is a template (see [`super::rules::expand_template`]).
    StartRecording {
        /// File name format, or `None` to keep OBS's.
        file_name: Option<String>,
    },
    /// Stop recording (success, with a note, when nothing was recording).
    StopRecording,
    /// Start streaming.
    StartStreaming,
    /// Stop streaming.
    StopStreaming,
    /// Make sure the replay buffer runs (success when it already does).
    StartReplayBuffer,
    /// Stop the replay buffer.
    StopReplayBuffer,
    /// Save the replay buffer to a file (waits for a buffer that is still starting).
    SaveReplay,
    /// Switch the program scene.
    SetScene {
        /// Scene name.
        scene: String,
    },
    /// Show/hide a source in a scene.
    SetSourceVisibility {
        /// Scene name.
        scene: String,
        /// Source name.
        source: String,
        /// What to do.
        visible: Visibility,
    },
    /// Set the folder recordings and replays are written to (profile parameters on OBS whose
    /// websocket lacks `SetRecordDirectory`).
    SetRecordDirectory {
        /// Folder path on the OBS machine.
        path: String,
    },
    /// Video review (run by the review service on the court's OBS, not by the OBS worker): save
    /// the replay buffer once and cue the disputed moment (the last point or penalty before the
    /// challenge) in it; with the buffer off, cue it in the recording that holds it. Only on a
    /// challenge request. Variants are appended: stored rules keep their encoding.
    ReviewSaveAndCue,
    /// Video review: put the program scene back to the one the review replaced ("Back to live");
    /// nothing to do (a success) when the review is not on air.
    ReviewBackToLive,
}

impl ObsAction {
    /// Short label for notices and the automation log.
    pub fn label(&self) -> String {
        match self {
            ObsAction::StartRecording { file_name: Some(f) } => format!("start recording '{f}'"),
            ObsAction::StartRecording { file_name: None } => "start recording".into(),
            ObsAction::StopRecording => "stop recording".into(),
            ObsAction::StartStreaming => "start streaming".into(),
            ObsAction::StopStreaming => "stop streaming".into(),
            ObsAction::StartReplayBuffer => "start replay buffer".into(),
            ObsAction::StopReplayBuffer => "stop replay buffer".into(),
            ObsAction::SaveReplay => "save replay".into(),
            ObsAction::SetScene { scene } => format!("switch to scene '{scene}'"),
            ObsAction::SetSourceVisibility {
                scene,
                source,
                visible,
            } => {
                let verb = match visible {
                    Visibility::Show => "show",
                    Visibility::Hide => "hide",
                    Visibility::Toggle => "toggle",
                };
                format!("{verb} '{source}' in '{scene}'")
            }
            ObsAction::SetRecordDirectory { path } => format!("record to folder '{path}'"),
            ObsAction::ReviewSaveAndCue => "review: save and cue the disputed moment".into(),
            ObsAction::ReviewBackToLive => "review: back to live".into(),
        }
    }

    /// Whether the review service runs it (not the OBS worker).
    pub fn is_review(&self) -> bool {
        matches!(
            self,
            ObsAction::ReviewSaveAndCue | ObsAction::ReviewBackToLive
        )
    }
}

/// The OBS that plays reviews (and whose replay the review saves): the first enabled connection
/// that records (`Recording` or `General` role), else the first enabled one. The app's review
/// service and the OBS worker both pick it with this, so they agree.
pub fn review_connection(all: &[ObsConnection]) -> Option<&ObsConnection> {
    let enabled = || all.iter().filter(|c| c.enabled);
    enabled()
        .find(|c| matches!(c.role, ObsRole::Recording | ObsRole::General))
        .or_else(|| enabled().next())
}

/// A review action a rule decided, on its way from the automation thread to the app's review
/// service (a bounded channel; the app logs its outcome in the automation log).
#[derive(Debug, Clone)]
pub struct ReviewCall {
    /// [`ObsAction::ReviewSaveAndCue`] or [`ObsAction::ReviewBackToLive`].
    pub action: ObsAction,
    /// Run it this long after the event (the app keeps it until then).
    pub delay: Duration,
    /// Rule, event and receive instant (the challenge is `context.cause.event_seq`).
    pub context: FiringContext,
}

/// Which OBS instances an action goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// Every enabled instance.
    All,
    /// Enabled instances with this role (`General` instances take every role).
    Role(ObsRole),
    /// One instance by id.
    Connection(u64),
}

impl Target {
    /// Whether `conn` is addressed.
    pub fn matches(&self, conn: &ObsConnection) -> bool {
        match self {
            Target::All => true,
            Target::Role(r) => conn.role == *r || conn.role == ObsRole::General,
            Target::Connection(id) => conn.id == *id,
        }
    }
}

/// Which rule fired on which event (kept in the automation log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiringCause {
    /// Rule id.
    pub rule_id: u64,
    /// Rule name at the time of firing.
    pub rule_name: String,
    /// Court whose event fired it.
    pub court: String,
    /// Match key of the event.
    pub match_key: u64,
    /// Store sequence of the datagram.
    pub event_seq: u64,
    /// Event label ("Challenge requested").
    pub event: String,
}

/// The automation firing an action belongs to, carried to the OBS worker so it can log the result
/// and the latency.
#[derive(Debug, Clone)]
pub struct FiringContext {
    /// Rule and event.
    pub cause: FiringCause,
    /// When the datagram was received (latency origin).
    pub received: Instant,
    /// The same event also runs [`ObsAction::ReviewSaveAndCue`], which saves the review OBS's
    /// replay: an undelayed "save replay" of this firing skips that OBS (one replay per
    /// challenge), and says so in the log.
    pub review_saves_replay: bool,
}

/// The automation log entry for an action that finished now: `sent` is when it was handed to
/// OBS (`None`: it never was).
pub fn firing_record(
    ctx: &FiringContext,
    action: &ObsAction,
    connection: &str,
    result: Result<String, String>,
    sent: Option<Instant>,
) -> super::status::FiringRecord {
    use super::status::{FiringRecord, FiringResult};
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    FiringRecord {
        id: 0,
        at_ns: crate::store::writer::now_ns(),
        cause: ctx.cause.clone(),
        action: action.label(),
        connection: connection.to_string(),
        result: match result {
            Ok(d) => FiringResult::Done(d),
            Err(e) => FiringResult::Failed(e),
        },
        latency_us: sent.map(|s| micros(s.saturating_duration_since(ctx.received))),
        round_trip_us: sent.map(|s| micros(s.elapsed())),
    }
}

/// Who asked for an action.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A button or shortcut.
    Operator,
    /// An automation rule.
    Automation(Box<FiringContext>),
}

/// A request to the OBS worker.
#[derive(Debug, Clone)]
pub enum ObsCommand {
    /// Do an action on the targeted instances, after `delay`.
    Run {
        /// Instances.
        target: Target,
        /// What.
        action: ObsAction,
        /// Wait this long first (a later start-recording on the same instance runs a pending
        /// stop-recording at once, so the next match's recording is never cut).
        delay: Duration,
        /// Who asked.
        origin: Origin,
    },
    /// Replace the connection list (after an add/edit/delete); changed entries reconnect.
    SetConnections(Vec<ObsConnection>),
    /// Drop and re-open one connection now (skips the backoff wait).
    Reconnect(u64),
    /// Try a connection once (the "Test" button); the outcome comes back as a notice.
    Test(ObsConnection),
}

impl ObsCommand {
    /// An operator action without delay.
    pub fn operator(target: Target, action: ObsAction) -> ObsCommand {
        ObsCommand::Run {
            target,
            action,
            delay: Duration::ZERO,
            origin: Origin::Operator,
        }
    }
}
