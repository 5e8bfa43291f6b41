//! What a court or a hub needs to reach the tournament's NATS server: server URLs, credentials,
//! TLS, the tournament id and (court side) this court's name; and the names derived from them
//! (subjects, stream, KV bucket), in one place so courts and hubs always agree.

use std::path::PathBuf;
use std::time::Duration;

/// How to authenticate to the NATS server.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No credentials (a server without authorisation, e.g. a rehearsal).
    #[default]
    None,
    /// User name and password (`authorization { user, password }` on the server).
    UserPassword {
        /// User name.
        user: String,
        /// Password (never logged: `Debug` hides it).
        password: String,
    },
    /// A token (`authorization { token }` on the server). Never logged.
    Token(String),
    /// A `.creds` file (JWT + nkey seed, as `nsc` writes them for a decentralised set-up).
    CredsFile(PathBuf),
}

impl std::fmt::Debug for Auth {
    // Secrets stay out of logs and test output, also through `{:?}` of a whole configuration.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::UserPassword { user, .. } => write!(f, "UserPassword {{ user: {user:?}, .. }}"),
            Auth::Token(_) => write!(f, "Token(..)"),
            Auth::CredsFile(p) => write!(f, "CredsFile({})", p.display()),
        }
    }
}

/// Connection settings shared by courts and hubs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsConfig {
    /// Server URLs (`nats://host:4222`, `tls://host:4222`); several for a cluster.
    pub servers: Vec<String>,
    /// Credentials.
    pub auth: Auth,
    /// Extra CA certificate (PEM) for `tls://` servers with a private CA; the system roots are
    /// always trusted too.
    pub ca_file: Option<PathBuf>,
    /// Tournament id: names the subjects, the stream and the KV bucket.
    pub tournament: String,
}

/// A court's tournament settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtConfig {
    /// Server and tournament.
    pub nats: NatsConfig,
    /// This court's name in the tournament (a subject token and KV key, e.g. `3` or `court-3`).
    pub court: String,
}

/// A hub's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// Server and tournament.
    pub nats: NatsConfig,
    /// Name of the durable consumer (one per hub: two hubs with their own names each get
    /// everything).
    pub consumer: String,
}

/// A setting that cannot be used, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {value:?}: {reason}")]
pub struct ConfigError {
    /// The setting ("tournament id", "court name", "NATS server URL").
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// Why it is refused and what would do.
    pub reason: String,
}

/// How long the server keeps message ids to drop a re-published datagram (the hub also drops
/// duplicates by sequence, beyond this window).
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(3600);

/// Longest wait for a JetStream acknowledgement before the link counts as offline.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// Check a name used as a subject token, stream, bucket and key part: ASCII letters, digits, `-`
/// and `_` only (NATS gives `.`, `*`, `>` and spaces meaning, and KV buckets allow nothing else).
pub fn check_name(what: &'static str, value: &str) -> Result<(), ConfigError> {
    let refuse = |reason: &str| ConfigError {
        what,
        value: value.to_string(),
        reason: reason.to_string(),
    };
    if value.is_empty() {
        return Err(refuse("must not be empty"));
    }
    if value.len() > 64 {
        return Err(refuse("at most 64 characters"));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(refuse(
            "use only letters A–Z, digits, '-' and '_' (no spaces or dots), e.g. \"court-3\"",
        ));
    }
    Ok(())
}

impl NatsConfig {
    /// Check the server list and the tournament id.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_name("tournament id", &self.tournament)?;
        if self.servers.is_empty() {
            return Err(ConfigError {
                what: "NATS server URL",
                value: String::new(),
                reason: "give at least one, e.g. nats://192.168.1.10:4222".into(),
            });
        }
        for s in &self.servers {
            let scheme_ok =
                !s.contains("://") || ["nats://", "tls://"].iter().any(|p| s.starts_with(p));
            if s.trim().is_empty() || !scheme_ok {
                return Err(ConfigError {
                    what: "NATS server URL",
                    value: s.clone(),
                    reason: "use nats://host:port or tls://host:port".into(),
                });
            }
        }
        Ok(())
    }

    /// Whether any server is reached over TLS.
    pub fn wants_tls(&self) -> bool {
        self.servers.iter().any(|s| s.starts_with("tls://"))
    }

    /// The JetStream stream holding every court's datagrams.
    pub fn stream_name(&self) -> String {
        format!("courtside-{}", self.tournament)
    }

    /// The KV bucket with each court's live match state.
    pub fn bucket_name(&self) -> String {
        format!("courtside-{}", self.tournament)
    }

    /// The subject a court publishes its datagrams to.
    pub fn datagram_subject(&self, court: &str) -> String {
        format!("courtside.{}.court.{court}.datagrams", self.tournament)
    }

    /// The subjects of the stream (every court).
    pub fn all_datagrams(&self) -> String {
        self.datagram_subject("*")
    }

    /// The court named by a datagram subject of this tournament.
    pub fn court_of_subject<'a>(&self, subject: &'a str) -> Option<&'a str> {
        let rest = subject.strip_prefix("courtside.")?;
        let rest = rest.strip_prefix(self.tournament.as_str())?;
        let court = rest.strip_prefix(".court.")?.strip_suffix(".datagrams")?;
        check_name("court name", court).ok().map(|_| court)
    }
}

impl CourtConfig {
    /// Check every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.nats.validate()?;
        check_name("court name", &self.court)
    }
}

impl HubConfig {
    /// Check every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.nats.validate()?;
        check_name("consumer name", &self.consumer)
    }
}

/// Read a secret (password or token) from a file: its first line, without the line end. For the
/// command line, which must never take a secret as an argument (it would show in the process
/// list and the shell history).
pub fn read_secret_file(path: &std::path::Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        what: "secret file",
        value: path.display().to_string(),
        reason: format!("cannot read it: {e}"),
    })?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(ConfigError {
            what: "secret file",
            value: path.display().to_string(),
            reason: "its first line is empty".into(),
        });
    }
    Ok(line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nats(t: &str) -> NatsConfig {
        NatsConfig {
            servers: vec!["nats://127.0.0.1:4222".into()],
            auth: Auth::None,
            ca_file: None,
            tournament: t.into(),
        }
    }

    #[test]
    fn names_with_dots_spaces_or_wildcards_are_refused_with_the_reason() {
        for bad in ["", "court 3", "a.b", "a*", ">", "ü"] {
            let e = check_name("court name", bad).unwrap_err();
            assert_eq!(e.what, "court name");
        }
        check_name("court name", "court-3_A").unwrap();
    }

    #[test]
    fn subjects_stream_and_bucket_follow_the_tournament_id() {
        let c = nats("wtc2026");
        assert_eq!(
            c.datagram_subject("3"),
            "courtside.wtc2026.court.3.datagrams"
        );
        assert_eq!(c.stream_name(), "courtside-wtc2026");
        assert_eq!(c.bucket_name(), "courtside-wtc2026");
        assert_eq!(
            c.court_of_subject("courtside.wtc2026.court.3.datagrams"),
            Some("3")
        );
        assert_eq!(
            c.court_of_subject("courtside.other.court.3.datagrams"),
            None
        );
    }

    #[test]
    fn server_urls_must_be_nats_or_tls() {
        let mut c = nats("t");
        c.servers = vec!["http://x:4222".into()];
        assert!(c.validate().is_err());
        c.servers = vec![];
        assert!(c.validate().is_err());
        c.servers = vec!["tls://x:4222".into(), "127.0.0.1:4222".into()];
        c.validate().unwrap();
        assert!(c.wants_tls());
    }

    #[test]
    fn debug_output_hides_passwords_and_tokens() {
        let a = Auth::UserPassword {
            user: "court3".into(),
            password: "s3cret-pw".into(),
        };
        let t = Auth::Token("tok-123".into());
        let shown = format!("{a:?} {t:?}");
        assert!(shown.contains("court3"));
        assert!(!shown.contains("s3cret-pw") && !shown.contains("tok-123"));
    }

    #[test]
    fn a_secret_file_gives_its_first_line_and_an_empty_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "pa ss\r\nignored\n").unwrap();
        assert_eq!(read_secret_file(&p).unwrap(), "pa ss");
        std::fs::write(&p, "\n").unwrap();
        assert!(read_secret_file(&p).unwrap_err().reason.contains("empty"));
        let missing = read_secret_file(&dir.path().join("none")).unwrap_err();
        assert!(missing.reason.contains("cannot read"));
    }
}
