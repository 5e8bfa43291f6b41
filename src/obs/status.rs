//! What the UI is told about each OBS instance: a status snapshot, notices for command outcomes,
//! and automation firings.

use super::config::ObsRole;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Why an instance is not connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// OBS refused the password.
    AuthFailed,
    /// Nothing answered (OBS not running, wrong host/port, firewall).
    Unreachable(String),
    /// The connection dropped.
    Lost(String),
    /// Anything else (protocol error, unsupported version).
    Failed(String),
}

impl LinkProblem {
    /// Human text.
    pub fn label(&self) -> String {
        match self {
            LinkProblem::AuthFailed => "authentication failed — check the password".into(),
            LinkProblem::Unreachable(why) => format!("unreachable: {why}"),
            LinkProblem::Lost(why) => format!("connection lost: {why}"),
            LinkProblem::Failed(why) => why.clone(),
        }
    }
}

/// Connection state of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// The connection is disabled in the settings.
    Disabled,
    /// Connecting now.
    Connecting,
    /// Connected and identified.
    Connected,
    /// Not connected; the next attempt is at `retry_at`.
    Waiting {
        /// Why.
        problem: LinkProblem,
        /// When the next attempt starts.
        retry_at: Instant,
    },
}

impl LinkState {
    /// Status text, e.g. "connection lost: … — reconnecting in 4 s".
    pub fn label(&self, now: Instant) -> String {
        match self {
            LinkState::Disabled => "disabled".into(),
            LinkState::Connecting => "connecting…".into(),
            LinkState::Connected => "connected".into(),
            LinkState::Waiting { problem, retry_at } => {
                let secs = retry_at.saturating_duration_since(now).as_secs_f32().ceil();
                format!("{} — reconnecting in {secs:.0} s", problem.label())
            }
        }
    }

    /// True when connected.
    pub fn is_connected(&self) -> bool {
        matches!(self, LinkState::Connected)
    }
}

/// Phase of an OBS output (recording, streaming, replay buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputPhase {
    /// Not known yet (not connected).
    #[default]
    Unknown,
    /// Not running.
    Off,
    /// Asked to start, not running yet.
    Starting,
    /// Running.
    On,
    /// Asked to stop.
    Stopping,
    /// This OBS cannot do it (e.g. replay buffer not enabled in its output settings).
    Unavailable,
}

impl OutputPhase {
    /// True while running (or paused/reconnecting, which OBS reports as active).
    pub fn is_on(self) -> bool {
        self == OutputPhase::On
    }
}

/// One output's status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutputStatus {
    /// Phase.
    pub phase: OutputPhase,
    /// When it started (for the elapsed time).
    pub since: Option<Instant>,
    /// The file being written or last written (recording, replay).
    pub file: Option<String>,
}

impl OutputStatus {
    /// Time running so far, if running.
    pub fn elapsed(&self, now: Instant) -> Option<Duration> {
        if self.phase.is_on() {
            self.since.map(|s| now.saturating_duration_since(s))
        } else {
            None
        }
    }
}

/// Status of one OBS instance, as shown in the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObsStatus {
    /// Connection id.
    pub connection_id: u64,
    /// Connection name.
    pub name: String,
    /// Role.
    pub role: ObsRole,
    /// `host:port`.
    pub addr: String,
    /// Connection state.
    pub link: LinkState,
    /// OBS Studio version, once connected.
    pub obs_version: Option<String>,
    /// obs-websocket version, once connected.
    pub websocket_version: Option<String>,
    /// OBS older than 30.2 / websocket older than 5.5: connected with the version checks
    /// skipped; some features are unavailable (see `unavailable`). Show a notice.
    pub older_obs: bool,
    /// Recording.
    pub recording: OutputStatus,
    /// Streaming.
    pub streaming: OutputStatus,
    /// Replay buffer (`file` = last saved replay).
    pub replay_buffer: OutputStatus,
    /// Current program scene.
    pub program_scene: Option<String>,
    /// Scenes in OBS's order (top first).
    pub scenes: Vec<String>,
    /// Features this OBS could not provide, with why (shown, never retried in a loop).
    pub unavailable: Vec<String>,
}

impl ObsStatus {
    /// A status for an instance that has not connected yet.
    pub fn new(conn: &super::config::ObsConnection) -> ObsStatus {
        ObsStatus {
            connection_id: conn.id,
            name: conn.name.clone(),
            role: conn.role,
            addr: conn.addr(),
            link: if conn.enabled {
                LinkState::Connecting
            } else {
                LinkState::Disabled
            },
            obs_version: None,
            websocket_version: None,
            older_obs: false,
            recording: OutputStatus::default(),
            streaming: OutputStatus::default(),
            replay_buffer: OutputStatus::default(),
            program_scene: None,
            scenes: Vec::new(),
            unavailable: Vec::new(),
        }
    }

    /// Forget everything learnt from a connection (it dropped).
    pub(crate) fn clear_live(&mut self) {
        self.recording = OutputStatus::default();
        self.streaming = OutputStatus::default();
        self.replay_buffer.phase = OutputPhase::Unknown;
        self.replay_buffer.since = None;
        self.program_scene = None;
        self.scenes.clear();
    }

    /// Record that a feature is missing on this OBS (once).
    pub(crate) fn mark_unavailable(&mut self, what: String) {
        if !self.unavailable.contains(&what) {
            self.unavailable.push(what);
        }
    }
}

/// Outcome of one command, for the notice area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObsNotice {
    /// Connection name ("" for the worker itself).
    pub connection: String,
    /// What was asked ("save replay").
    pub what: String,
    /// Success detail or failure reason.
    pub result: Result<String, String>,
    /// True when an automation rule asked.
    pub automation: bool,
}

/// Outcome of an automation action, as logged in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FiringResult {
    /// OBS did it; detail (e.g. the saved file).
    Done(String),
    /// It failed; why.
    Failed(String),
}

/// One automation action that ran (or tried to), as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiringRecord {
    /// Log id, assigned when stored (0 before).
    pub id: u64,
    /// When the outcome was known, Unix ns.
    pub at_ns: i64,
    /// Rule and event.
    pub cause: super::command::FiringCause,
    /// Action label.
    pub action: String,
    /// OBS connection name.
    pub connection: String,
    /// Outcome.
    pub result: FiringResult,
    /// Datagram received → request handed to the websocket, µs (None: never sent).
    pub latency_us: Option<u64>,
    /// Request sent → OBS answered, µs.
    pub round_trip_us: Option<u64>,
}

/// A message from the OBS worker to the UI.
#[derive(Debug, Clone)]
pub enum ObsUpdate {
    /// New status of one instance.
    Status(Box<ObsStatus>),
    /// An instance was removed from the settings.
    Removed(u64),
    /// A command finished.
    Notice(ObsNotice),
    /// An automation action finished (also stored).
    Firing(Box<FiringRecord>),
}
