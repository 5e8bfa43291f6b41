//! The court's tournament link as the app shows and edits it (issue 17): the stored settings
//! (the password or token is never among them: it lives in the system keyring), the Settings
//! section's edit buffers, and the publisher's last status for the status bar.

use crate::obs::config::Password;
use crate::tournament::config::check_name;
use crate::tournament::{Auth, CourtConfig, CourtStatus, Link, NatsConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How the court logs in to the NATS server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Login {
    /// No credentials.
    #[default]
    None,
    /// User name and password (the password in the system keyring).
    UserPassword,
    /// A token (in the system keyring).
    Token,
    /// A `.creds` file (JWT + nkey seed).
    CredsFile,
}

impl Login {
    /// Every choice, in the order the Settings section offers them.
    pub const ALL: [Login; 4] = [
        Login::None,
        Login::UserPassword,
        Login::Token,
        Login::CredsFile,
    ];

    /// Label in the Settings section.
    pub fn label(self) -> &'static str {
        match self {
            Login::None => "none",
            Login::UserPassword => "user + password",
            Login::Token => "token",
            Login::CredsFile => ".creds file",
        }
    }

    /// Whether this login needs a secret from the keyring.
    pub fn needs_secret(self) -> bool {
        matches!(self, Login::UserPassword | Login::Token)
    }
}

/// The stored tournament settings (settings key `tournament`). Off by default: scoring never
/// depends on them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentSettings {
    /// Publish this court's datagrams to the tournament.
    pub enabled: bool,
    /// Server URLs (`nats://host:4222`, `tls://host:4222`); several for a cluster.
    pub servers: Vec<String>,
    /// Tournament id (names the subjects, stream and KV bucket).
    pub tournament: String,
    /// This court's name in the tournament.
    pub court: String,
    /// How to log in.
    pub login: Login,
    /// User name (with [`Login::UserPassword`]).
    pub user: String,
    /// The `.creds` file (with [`Login::CredsFile`]).
    pub creds_file: Option<String>,
    /// Extra CA certificate for `tls://` servers with a private CA.
    pub ca_file: Option<String>,
}

impl TournamentSettings {
    /// The publisher's configuration; `secret` is the keyring's password or token (when the
    /// login needs one). The caller validates it (`CourtConfig::validate`).
    pub fn court_config(&self, secret: Option<&Password>) -> Result<CourtConfig, String> {
        let secret = || {
            secret
                .filter(|s| !s.is_empty())
                .map(|s| s.expose().to_string())
                .ok_or_else(|| {
                    "no password or token is known on this computer: enter it in Settings → \
                     Tournament and save"
                        .to_string()
                })
        };
        let auth = match self.login {
            Login::None => Auth::None,
            Login::UserPassword => Auth::UserPassword {
                user: self.user.clone(),
                password: secret()?,
            },
            Login::Token => Auth::Token(secret()?),
            Login::CredsFile => {
                Auth::CredsFile(PathBuf::from(self.creds_file.clone().unwrap_or_default()))
            }
        };
        Ok(CourtConfig {
            nats: NatsConfig {
                servers: self.servers.clone(),
                auth,
                ca_file: self.ca_file.as_ref().map(PathBuf::from),
                tournament: self.tournament.clone(),
            },
            court: self.court.clone(),
        })
    }
}

/// Which file a picker fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TournamentFile {
    /// The `.creds` file.
    Creds,
    /// The CA certificate.
    Ca,
}

/// Edit buffers of the Settings section "Tournament", with per-field errors.
#[derive(Clone, Default)]
pub struct TournamentDraft {
    /// Publish to the tournament.
    pub enabled: bool,
    /// Server URLs, separated by commas or spaces.
    pub servers: String,
    /// Tournament id.
    pub tournament: String,
    /// This court's name.
    pub court: String,
    /// Login.
    pub login: Login,
    /// User name.
    pub user: String,
    /// A newly typed password or token (empty: keep the one in the keyring). Never stored in
    /// the settings; handed to the keyring on save.
    pub secret: String,
    /// `.creds` file path.
    pub creds_file: String,
    /// CA file path.
    pub ca_file: String,
    /// Errors beside the fields: servers, tournament id, court, user, creds file.
    pub errors: TournamentErrors,
}

/// Per-field errors of the Tournament section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TournamentErrors {
    /// Server URLs.
    pub servers: Option<String>,
    /// Tournament id.
    pub tournament: Option<String>,
    /// Court name.
    pub court: Option<String>,
    /// User name.
    pub user: Option<String>,
    /// `.creds` file.
    pub creds_file: Option<String>,
}

impl std::fmt::Debug for TournamentDraft {
    // A typed secret stays out of logs and test output, also through `{:?}` of the whole draft.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TournamentDraft")
            .field("enabled", &self.enabled)
            .field("servers", &self.servers)
            .field("tournament", &self.tournament)
            .field("court", &self.court)
            .field("login", &self.login)
            .field("user", &self.user)
            .field("secret", &Password::new(self.secret.clone()))
            .field("creds_file", &self.creds_file)
            .field("ca_file", &self.ca_file)
            .field("errors", &self.errors)
            .finish()
    }
}

impl TournamentDraft {
    /// Edit buffers showing `s` (no secret: the keyring keeps it).
    pub fn from_settings(s: &TournamentSettings) -> TournamentDraft {
        TournamentDraft {
            enabled: s.enabled,
            servers: s.servers.join(", "),
            tournament: s.tournament.clone(),
            court: s.court.clone(),
            login: s.login,
            user: s.user.clone(),
            secret: String::new(),
            creds_file: s.creds_file.clone().unwrap_or_default(),
            ca_file: s.ca_file.clone().unwrap_or_default(),
            errors: TournamentErrors::default(),
        }
    }

    /// Validate (only when enabled: a half-filled, disabled section is kept as typed) and
    /// build the settings; `None` with the fields' errors set when refused.
    pub fn to_settings(&mut self) -> Option<TournamentSettings> {
        self.errors = TournamentErrors::default();
        let servers: Vec<String> = self
            .servers
            .split([',', ' ', '\n', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let s = TournamentSettings {
            enabled: self.enabled,
            servers,
            tournament: self.tournament.trim().to_string(),
            court: self.court.trim().to_string(),
            login: self.login,
            user: self.user.trim().to_string(),
            creds_file: text(&self.creds_file),
            ca_file: text(&self.ca_file),
        };
        if s.enabled {
            self.check(&s);
        }
        (self.errors == TournamentErrors::default()).then_some(s)
    }

    fn check(&mut self, s: &TournamentSettings) {
        let e = &mut self.errors;
        e.tournament = check_name("tournament id", &s.tournament)
            .err()
            .map(|x| x.reason);
        e.court = check_name("court name", &s.court).err().map(|x| x.reason);
        let nats = NatsConfig {
            servers: s.servers.clone(),
            auth: Auth::None,
            ca_file: None,
            // A valid id, so that only the servers are checked here.
            tournament: "t".into(),
        };
        e.servers = nats.validate().err().map(|x| match x.value.is_empty() {
            true => x.reason,
            false => format!("{:?}: {}", x.value, x.reason),
        });
        if s.login == Login::UserPassword && s.user.is_empty() {
            e.user = Some("enter the user name the server expects".into());
        }
        if s.login == Login::CredsFile && s.creds_file.is_none() {
            e.creds_file = Some("choose the .creds file the organiser gave you".into());
        }
    }
}

/// What the app shows of the tournament link.
#[derive(Debug, Clone, Default)]
pub struct TournamentView {
    /// The publisher's status; `None` while the tournament is off (nothing is shown).
    pub status: Option<CourtStatus>,
    /// Where the password or token is: `None` not asked yet, `Ok` in the keyring, `Err` why
    /// not (used for this run only).
    pub secret_kept: Option<Result<(), String>>,
}

impl TournamentView {
    /// The status bar's text and its tooltip (cause and what to do); `None` while off.
    pub fn status_item(&self) -> Option<(String, String)> {
        let s = self.status.as_ref()?;
        let queued = crate::tournament::status::group_digits(s.queued);
        let (short, tip) = match &s.link {
            Link::Connecting => (
                format!("tournament: connecting — {queued} queued"),
                "Connecting to the tournament's NATS server.".to_string(),
            ),
            Link::Connected if s.queued == 0 => (
                "tournament: connected".to_string(),
                format!(
                    "Every stored datagram is on the tournament server ({} sent this run).",
                    s.published
                ),
            ),
            Link::Connected => (
                format!("tournament: connected — sending {queued} queued"),
                "Catching up: the queued datagrams are being sent.".to_string(),
            ),
            Link::Offline { cause, advice } => (
                format!("tournament: offline — {queued} queued"),
                format!("{cause}.\n{advice}. Scoring is not affected."),
            ),
            Link::WrongCredentials { cause, advice } => (
                "tournament: wrong credentials".to_string(),
                format!("{cause}.\n{advice}. {queued} datagrams queued; scoring is not affected."),
            ),
            Link::NoJetStream { cause, advice } => (
                "tournament: server without JetStream".to_string(),
                format!("{cause}.\n{advice}. {queued} datagrams queued."),
            ),
            Link::Misconfigured { cause } => (
                "tournament: not started".to_string(),
                format!("{cause}.\nFix it in Settings → Tournament. Scoring is not affected."),
            ),
            Link::Stopped => (
                "tournament: stopped".to_string(),
                format!("{queued} datagrams queued for the next start."),
            ),
        };
        Some((short, tip))
    }
}

#[cfg(test)]
#[path = "tournament_tests.rs"]
mod tests;
