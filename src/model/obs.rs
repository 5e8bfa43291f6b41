//! What the OBS panel draws (statuses, connections, rules, the automation log) and the commands
//! it emits. No I/O here: the app runs the commands through the OBS worker and the store writer.

use crate::obs::review_setup::KeyframePolicy;
use crate::obs::{
    ObsAction, ObsConnection, ObsRole, ObsStatus, OutputPhase, Password, Rule, Target,
    status::FiringRecord,
};
use std::collections::VecDeque;

/// Most automation firings kept in memory for the log view (the store keeps them all).
pub const FIRING_LOG_LEN: usize = 500;

/// An OBS command from the panel or a shortcut (wrapped in `Command::Obs`).
#[derive(Debug, Clone, PartialEq)]
pub enum ObsCommand {
    /// Run an action on some instances.
    Run(Target, ObsAction),
    /// Store a new or edited connection, then reconnect it.
    SaveConnection(ObsConnection),
    /// Remove a connection.
    DeleteConnection(u64),
    /// Try a connection once.
    Test(ObsConnection),
    /// Reconnect now (skip the backoff wait).
    Reconnect(u64),
    /// Store and apply the rule set.
    SaveRules(Vec<Rule>),
    /// Pause or resume all automation.
    SetPaused(bool),
}

/// Tabs of the OBS window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObsTab {
    /// Status and control buttons per instance.
    #[default]
    Control,
    /// Add, edit, delete, test connections.
    Connections,
    /// The rule table.
    Automation,
    /// Automation firings.
    Log,
}

/// Edit buffer of one connection. The password field only ever holds what the operator types
/// now; a stored password is never loaded into it. A stored password is never sent to a new
/// address: changing the host or port needs the password again (or "no password").
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionDraft {
    /// The connection edited (`None`: a new one).
    pub id: Option<u64>,
    /// Name.
    pub name: String,
    /// Host.
    pub host: String,
    /// Port as typed.
    pub port: String,
    /// A new password as typed (empty: keep the stored one).
    pub password: String,
    /// The stored connection has a password (in the system keyring or the store).
    pub has_password: bool,
    /// "No password": remove the stored one (OBS without authentication).
    pub clear_password: bool,
    /// Host and port of the stored connection (`None`: a new one), to notice an address change.
    pub stored_addr: Option<(String, u16)>,
    /// Role.
    pub role: ObsRole,
    /// Connect to it.
    pub enabled: bool,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// Waiting for the store.
    pub saving: bool,
}

impl ConnectionDraft {
    /// A draft for a new connection on this machine.
    pub fn new_local(existing: usize) -> ConnectionDraft {
        ConnectionDraft {
            id: None,
            name: if existing == 0 {
                "OBS".into()
            } else {
                format!("OBS {}", existing + 1)
            },
            host: "127.0.0.1".into(),
            port: crate::obs::DEFAULT_PORT.to_string(),
            password: String::new(),
            has_password: false,
            clear_password: false,
            stored_addr: None,
            role: ObsRole::General,
            enabled: true,
            error: None,
            saving: false,
        }
    }

    /// A draft editing `c` (its password stays hidden in the store).
    pub fn edit(c: &ObsConnection) -> ConnectionDraft {
        ConnectionDraft {
            id: Some(c.id),
            name: c.name.clone(),
            host: c.host.clone(),
            port: c.port.to_string(),
            password: String::new(),
            has_password: c.has_password(),
            clear_password: false,
            stored_addr: Some((c.host.trim().to_string(), c.port)),
            role: c.role,
            enabled: c.enabled,
            error: None,
            saving: false,
        }
    }

    /// The connection this draft describes, checked against the others (names must differ).
    pub fn to_connection(&self, all: &[ObsConnection]) -> Result<ObsConnection, String> {
        let port: u16 = self
            .port
            .trim()
            .parse()
            .map_err(|_| format!("port '{}' is not a number 1–65535", self.port.trim()))?;
        let stored = self.id.and_then(|id| all.iter().find(|c| c.id == id));
        self.check_password_for_new_address(port)?;
        let mut conn = match stored {
            Some(s) => s.clone(),
            None => ObsConnection::new(&self.name, &self.host, port),
        };
        conn.name = self.name.trim().to_string();
        conn.host = self.host.trim().to_string();
        conn.port = port;
        conn.role = self.role;
        conn.enabled = self.enabled;
        if !self.password.is_empty() {
            // The vault moves it into the system keyring (replacing `keyring`) on save.
            conn.password = Password::new(self.password.clone());
        } else if self.clear_password {
            conn.password = Password::default();
            conn.keyring = None;
        }
        let mut set: Vec<ObsConnection> = all.iter().filter(|c| c.id != conn.id).cloned().collect();
        set.push(conn.clone());
        crate::obs::validate_all(&set).map_err(|e| e.to_string())?;
        Ok(conn)
    }
}

impl ConnectionDraft {
    /// Whether the host or port differs from the stored connection's.
    pub fn address_changed(&self, port: u16) -> bool {
        self.stored_addr
            .as_ref()
            .is_some_and(|(host, p)| !host.eq_ignore_ascii_case(self.host.trim()) || *p != port)
    }

    /// Refuse to keep a stored password for a new address: it would be sent to another host.
    fn check_password_for_new_address(&self, port: u16) -> Result<(), String> {
        let keeps_stored = self.has_password && self.password.is_empty() && !self.clear_password;
        if keeps_stored && self.address_changed(port) {
            return Err(format!(
                "the address changed to {}:{port}: enter the obs-websocket password for it \
                 again, or tick 'no password' (the stored password is never sent to a new address)",
                self.host.trim()
            ));
        }
        Ok(())
    }
}

/// The rule set being edited.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RulesDraft {
    /// Working copy.
    pub rules: Vec<Rule>,
    /// Rounds condition per rule as typed ("1,2"), in rule order.
    pub rounds: Vec<String>,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// Waiting for the store.
    pub saving: bool,
}

impl RulesDraft {
    /// A draft of `rules`.
    pub fn of(rules: &[Rule]) -> RulesDraft {
        RulesDraft {
            rounds: rules
                .iter()
                .map(|r| rounds_text(&r.conditions.rounds))
                .collect(),
            rules: rules.to_vec(),
            error: None,
            saving: false,
        }
    }

    /// The rules with the typed rounds applied, each validated; the first problem names its rule.
    pub fn checked(&self) -> Result<Vec<Rule>, String> {
        let mut out = self.rules.clone();
        for (i, r) in out.iter_mut().enumerate() {
            let text = self.rounds.get(i).map(String::as_str).unwrap_or("");
            r.conditions.rounds =
                parse_rounds(text).map_err(|e| format!("rule '{}': {e}", r.name))?;
            r.validate()
                .map_err(|e| format!("rule '{}': {e}", r.name))?;
        }
        Ok(out)
    }
}

/// "1, 2" for rounds `[1, 2]`; empty for any round.
pub fn rounds_text(rounds: &[u32]) -> String {
    rounds
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse "1, 2" (empty = any round).
pub fn parse_rounds(text: &str) -> Result<Vec<u32>, String> {
    text.split([',', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u32>()
                .map_err(|_| format!("round '{p}' is not a number (empty = any round)"))
        })
        .collect()
}

/// Everything the OBS panel shows.
#[derive(Debug, Default)]
pub struct ObsView {
    /// The OBS worker runs (false: no runtime, see the notices).
    pub available: bool,
    /// Latest status per instance, in connection order.
    pub statuses: Vec<ObsStatus>,
    /// Stored connections.
    pub connections: Vec<ObsConnection>,
    /// Whether the system keyring answered at the last attempt (`None`: not tried yet).
    pub keyring: Option<Result<(), String>>,
    /// Rules in force.
    pub rules: Vec<Rule>,
    /// Automation paused.
    pub paused: bool,
    /// Recent firings, newest first.
    pub firings: VecDeque<FiringRecord>,
    /// Open tab.
    pub tab: ObsTab,
    /// Connection being edited.
    pub editing: Option<ConnectionDraft>,
    /// Connection waiting for delete confirmation.
    pub confirm_delete: Option<u64>,
    /// Rules being edited (`None`: not opened yet).
    pub rules_draft: Option<RulesDraft>,
    /// Last "test connection" outcome per connection name.
    pub test_results: Vec<(String, Result<String, String>)>,
    /// Source name typed for the visibility toggle, per connection id.
    pub source_input: Vec<(u64, String, String)>,
    /// "Set up OBS for review" (keyframes), run by the review service.
    pub review_setup: ReviewSetupView,
}

/// The keyframe set-up of the review OBS: the policy chosen, whether it runs, its last outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSetupView {
    /// The choice (a keyframe every 0.5 s by default).
    pub policy: KeyframePolicy,
    /// Asked, no answer yet.
    pub running: bool,
    /// What was set, or why it was refused.
    pub last: Option<Result<String, String>>,
}

impl Default for ReviewSetupView {
    fn default() -> ReviewSetupView {
        ReviewSetupView {
            policy: KeyframePolicy::HALF_SECOND,
            running: false,
            last: None,
        }
    }
}

impl ObsView {
    /// Keep `status` (replacing the older one of its instance), in connection order.
    pub fn set_status(&mut self, status: ObsStatus) {
        match self
            .statuses
            .iter_mut()
            .find(|s| s.connection_id == status.connection_id)
        {
            Some(s) => *s = status,
            None => self.statuses.push(status),
        }
        let order = |id: u64| self.connections.iter().position(|c| c.id == id);
        let mut statuses = std::mem::take(&mut self.statuses);
        statuses.sort_by_key(|s| order(s.connection_id).unwrap_or(usize::MAX));
        self.statuses = statuses;
    }

    /// Keep a saved connection (replacing the older one with its id).
    pub fn replace_connection(&mut self, c: ObsConnection) {
        match self.connections.iter_mut().find(|o| o.id == c.id) {
            Some(o) => *o = c,
            None => self.connections.push(c),
        }
    }

    /// Add a firing to the log view.
    pub fn push_firing(&mut self, f: FiringRecord) {
        self.firings.push_front(f);
        self.firings.truncate(FIRING_LOG_LEN);
    }

    /// Whether any connected instance is in `phase_of`'s "on" state.
    pub fn any_on(&self, phase_of: impl Fn(&ObsStatus) -> OutputPhase) -> bool {
        self.statuses
            .iter()
            .any(|s| s.link.is_connected() && phase_of(s).is_on())
    }

    /// The action a toggle shortcut takes: stop when any instance runs it, else start.
    pub fn toggle(&self, which: Toggle) -> ObsAction {
        match which {
            Toggle::Recording if self.any_on(|s| s.recording.phase) => ObsAction::StopRecording,
            Toggle::Recording => ObsAction::StartRecording { file_name: None },
            Toggle::Streaming if self.any_on(|s| s.streaming.phase) => ObsAction::StopStreaming,
            Toggle::Streaming => ObsAction::StartStreaming,
            Toggle::ReplayBuffer if self.any_on(|s| s.replay_buffer.phase) => {
                ObsAction::StopReplayBuffer
            }
            Toggle::ReplayBuffer => ObsAction::StartReplayBuffer,
        }
    }
}

/// Outputs a shortcut turns on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// Recording.
    Recording,
    /// Streaming.
    Streaming,
    /// Replay buffer.
    ReplayBuffer,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_parse_and_reject() {
        assert_eq!(parse_rounds(""), Ok(vec![]));
        assert_eq!(parse_rounds("1, 3"), Ok(vec![1, 3]));
        assert!(parse_rounds("two").unwrap_err().contains("'two'"));
        assert_eq!(rounds_text(&[1, 2]), "1, 2");
    }

    #[test]
    fn draft_keeps_stored_password_unless_replaced_or_cleared() {
        let mut stored = ObsConnection::new("rec", "127.0.0.1", 4455);
        stored.password = Password::new("typed-earlier");
        let all = vec![stored.clone()];
        let d = ConnectionDraft::edit(&stored);
        assert!(d.password.is_empty(), "a stored password is never loaded");
        assert!(d.has_password);
        assert_eq!(d.to_connection(&all).unwrap().password, stored.password);
        let mut cleared = d.clone();
        cleared.clear_password = true;
        assert!(cleared.to_connection(&all).unwrap().password.is_empty());
        let mut bad = d.clone();
        bad.port = "44x".into();
        assert!(bad.to_connection(&all).unwrap_err().contains("44x"));
        let mut twin = ConnectionDraft::new_local(1);
        twin.name = "REC".into();
        assert!(twin.to_connection(&all).unwrap_err().contains("named"));
    }

    #[test]
    fn changing_host_or_port_needs_the_password_again() {
        let mut stored = ObsConnection::new("rec", "10.0.0.5", 4455);
        stored.keyring = Some(crate::obs::KeyringRef("obs-connection-1".into()));
        let all = vec![stored.clone()];
        let d = ConnectionDraft::edit(&stored);
        // Same address (any case): the stored password is kept.
        let mut same = d.clone();
        same.host = "10.0.0.5 ".into();
        same.name = "recording".into();
        assert_eq!(same.to_connection(&all).unwrap().keyring, stored.keyring);
        for (host, port) in [("evil.example", "4455"), ("10.0.0.5", "4456")] {
            let mut moved = d.clone();
            moved.host = host.into();
            moved.port = port.into();
            let err = moved.to_connection(&all).unwrap_err();
            assert!(
                err.contains("enter the obs-websocket password") && err.contains("no password"),
                "{err}"
            );
            let mut typed = moved.clone();
            typed.password = "for-the-new-host".into();
            let c = typed.to_connection(&all).unwrap();
            assert_eq!(c.password, Password::new("for-the-new-host"));
            let mut none = moved.clone();
            none.clear_password = true;
            let c = none.to_connection(&all).unwrap();
            assert_eq!(c.password_place(), crate::obs::PasswordPlace::None);
        }
        // Without a stored password there is nothing to protect.
        let open = ObsConnection::new("open", "10.0.0.6", 4455);
        let mut d = ConnectionDraft::edit(&open);
        d.host = "10.0.0.7".into();
        assert!(d.to_connection(&[open]).is_ok());
    }
}
