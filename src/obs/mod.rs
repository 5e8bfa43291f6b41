//! OBS Studio: connections, control, live status and automation over obs-websocket v5.
//!
//! - [`ObsWorker`]: a named dispatcher thread plus one tokio task per enabled [`ObsConnection`].
//!   Commands go in as [`ObsCommand`] over a bounded channel; statuses, notices and automation
//!   firings come out as [`ObsUpdate`] over a bounded channel, each followed by the repaint
//!   callback. Lost connections retry with a capped, jittered backoff.
//! - Control requests use obws with its version checks skipped, so OBS 29 / websocket 5.1 works
//!   (the status says `older_obs`). Events and status reads use a lenient link ([`link`]) that
//!   reads fields by name, because obws's types require UUIDs older servers do not send.
//! - [`Automation`]: rules ([`rules`]) applied to every persisted PSS datagram; what they decide
//!   goes to the worker, which logs each firing (rule, event, action, result, latency) in the
//!   store ([`store`]).

mod actions;
pub mod automation;
pub mod backoff;
pub mod command;
pub mod config;
pub mod error;
mod fold;
mod hub;
mod link;
pub mod review;
mod review_scenes;
pub mod review_setup;
pub mod rules;
pub mod secrets;
mod session;
pub mod status;
pub mod store;
pub mod vault;
mod video_tracker;
pub mod worker;

pub use automation::{Automation, AutomationHandle, AutomationStats, ReviewRoute, current_states};
pub use command::{
    FiringCause, FiringContext, ObsAction, ObsCommand, Origin, ReviewCall, Target, Visibility,
    review_connection,
};
pub use config::{
    ConfigError, DEFAULT_PORT, KeyringRef, ObsConnection, ObsRole, Password, PasswordPlace,
    validate_all,
};
pub use error::ObsError;
pub use hub::{HubStats, Repaint};
pub use rules::{Conditions, Decision, Rule, RuleAction, RuleEngine, RuleError, Trigger};
pub use status::{
    FiringRecord, FiringResult, LinkProblem, LinkState, ObsNotice, ObsStatus, ObsUpdate,
    OutputPhase, OutputStatus,
};
pub use worker::{ObsWorker, ObsWorkerConfig};

use std::time::Duration;

/// Longest wait for an OBS connection (TCP + handshake).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
