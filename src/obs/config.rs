//! OBS connection settings: one entry per OBS instance the operator drives.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Default obs-websocket port.
pub const DEFAULT_PORT: u16 = 4455;

/// An obs-websocket password. Kept in the system credential store when one is reachable (see
/// [`super::secrets`]), in the courtside store otherwise; sent to OBS, never shown: `Debug` prints
/// a placeholder, there is no `Display` and no public getter, so it cannot leak into logs, notices
/// or error texts. `Serialize` does write the secret (the store's fallback needs it): never
/// serialize a connection for display or export.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wrap a password as typed by the operator.
    pub fn new(secret: impl Into<String>) -> Password {
        Password(secret.into())
    }

    /// True when no password is set (OBS without authentication).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret itself, only for the handshake with OBS and the credential store.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Password(<none>)"
        } else {
            "Password(<redacted>)"
        })
    }
}

/// What an OBS instance is used for; rules and buttons can address instances by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ObsRole {
    /// Records matches and replays.
    Recording,
    /// Streams the court.
    Streaming,
    /// Does both (the usual single-OBS setup).
    General,
}

impl ObsRole {
    /// Every role, for pickers.
    pub const ALL: [ObsRole; 3] = [ObsRole::General, ObsRole::Recording, ObsRole::Streaming];

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            ObsRole::Recording => "recording",
            ObsRole::Streaming => "streaming",
            ObsRole::General => "general",
        }
    }
}

/// Where the system credential store keeps a connection's password: the account name under the
/// service [`super::secrets::SERVICE`]. Only this reference is in the courtside store (and so in
/// its backups), never the password.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyringRef(pub String);

/// One OBS instance to connect to.
///
/// Stored with bincode, field after field: `keyring` is last so a record written before it existed
/// (clear-text password, no reference) fails to decode as this type and is read as
/// [`LegacyConnection`] instead (see [`decode_stored`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObsConnection {
    /// Stable id (unique within the store).
    pub id: u64,
    /// Operator's name for it ("recording PC").
    pub name: String,
    /// Host name or IP address.
    pub host: String,
    /// obs-websocket port.
    pub port: u16,
    /// The password when it is not in the system credential store: kept in the courtside store
    /// because no credential store was reachable, or just typed and not saved yet. Empty when the
    /// password is in the credential store (`keyring`) or there is none (no authentication).
    pub password: Password,
    /// What it is used for.
    pub role: ObsRole,
    /// Whether courtside connects to it.
    pub enabled: bool,
    /// Where the system credential store keeps the password (`None`: it does not). A typed
    /// `password` takes precedence (it replaces the stored one on save).
    pub keyring: Option<KeyringRef>,
}

/// Where a connection's password is, for the Connections tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPlace {
    /// No password (OBS without authentication).
    None,
    /// In the system credential store; the courtside store holds only a reference.
    Keyring,
    /// In the courtside store (and its backups): no credential store was reachable.
    Store,
}

/// A connection as stored before passwords moved to the system credential store (same fields,
/// no `keyring`). Read only, to migrate.
#[derive(Deserialize)]
struct LegacyConnection {
    id: u64,
    name: String,
    host: String,
    port: u16,
    password: Password,
    role: ObsRole,
    enabled: bool,
}

/// Decode a stored connection, current or legacy (a legacy one keeps its clear-text password in
/// `password`, to be moved to the credential store when one is reachable).
pub(crate) fn decode_stored(
    bytes: &[u8],
) -> Result<ObsConnection, crate::store::codec::CodecError> {
    const WHAT: &str = "OBS connection";
    match crate::store::codec::decode::<ObsConnection>(bytes, WHAT) {
        Ok(c) => Ok(c),
        Err(current) => match crate::store::codec::decode::<LegacyConnection>(bytes, WHAT) {
            Ok(l) => Ok(ObsConnection {
                id: l.id,
                name: l.name,
                host: l.host,
                port: l.port,
                password: l.password,
                role: l.role,
                enabled: l.enabled,
                keyring: None,
            }),
            Err(_) => Err(current),
        },
    }
}

/// A connection setting that cannot be used, named so the operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The name is empty.
    #[error("OBS connection needs a name")]
    EmptyName,
    /// The host is empty.
    #[error("OBS connection '{name}' needs a host (e.g. 127.0.0.1)")]
    EmptyHost {
        /// Connection name.
        name: String,
    },
    /// The host contains characters no host name or address has.
    #[error("OBS connection '{name}': '{host}' is not a host name or IP address")]
    BadHost {
        /// Connection name.
        name: String,
        /// The host as entered.
        host: String,
    },
    /// Port 0 cannot be connected to.
    #[error("OBS connection '{name}': port must be 1–65535 (obs-websocket default is 4455)")]
    BadPort {
        /// Connection name.
        name: String,
    },
    /// Two connections share a name.
    #[error("two OBS connections are named '{name}'; names must differ")]
    DuplicateName {
        /// The name.
        name: String,
    },
}

/// Ids from the clock, so a new entry gets an id without asking the store. Strictly increasing
/// within the process even when the clock stands still or steps back.
pub(crate) fn new_id() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = u64::try_from(crate::store::writer::now_ns()).unwrap_or(0);
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(prev + 1);
        match LAST.compare_exchange(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(p) => prev = p,
        }
    }
}

impl ObsConnection {
    /// A new enabled connection with a fresh id, no password and the general role.
    pub fn new(name: &str, host: &str, port: u16) -> ObsConnection {
        ObsConnection {
            id: new_id(),
            name: name.trim().to_string(),
            host: host.trim().to_string(),
            port,
            password: Password::default(),
            role: ObsRole::General,
            enabled: true,
            keyring: None,
        }
    }

    /// Where its password is.
    pub fn password_place(&self) -> PasswordPlace {
        if !self.password.is_empty() {
            PasswordPlace::Store
        } else if self.keyring.is_some() {
            PasswordPlace::Keyring
        } else {
            PasswordPlace::None
        }
    }

    /// Whether it has a password anywhere.
    pub fn has_password(&self) -> bool {
        self.password_place() != PasswordPlace::None
    }

    /// `host:port` for status lines (IPv6 in brackets).
    pub fn addr(&self) -> String {
        format!("{}:{}", self.uri_host(), self.port)
    }

    /// The host as it goes into a `ws://` URI.
    pub(crate) fn uri_host(&self) -> String {
        let h = self.host.trim();
        if h.contains(':') && !h.starts_with('[') {
            format!("[{h}]")
        } else {
            h.to_string()
        }
    }

    /// Check that the settings can be used.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ConfigError::EmptyName);
        }
        let host = self.host.trim();
        if host.is_empty() {
            return Err(ConfigError::EmptyHost { name: name.into() });
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_');
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if !bare.chars().all(allowed) || bare.is_empty() {
            return Err(ConfigError::BadHost {
                name: name.into(),
                host: host.into(),
            });
        }
        if self.port == 0 {
            return Err(ConfigError::BadPort { name: name.into() });
        }
        Ok(())
    }
}

/// Check a whole set of connections (each valid, names unique).
pub fn validate_all(connections: &[ObsConnection]) -> Result<(), ConfigError> {
    for (i, c) in connections.iter().enumerate() {
        c.validate()?;
        if connections[..i]
            .iter()
            .any(|o| o.name.trim().eq_ignore_ascii_case(c.name.trim()))
        {
            return Err(ConfigError::DuplicateName {
                name: c.name.trim().into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_never_appears_in_debug() {
        let mut c = ObsConnection::new("rec", "127.0.0.1", DEFAULT_PORT);
        c.password = Password::new("hunter2-secret");
        let shown = format!("{c:?} {:#?}", c);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert_eq!(format!("{:?}", Password::default()), "Password(<none>)");
    }

    #[test]
    fn each_bad_setting_has_its_error() {
        let ok = ObsConnection::new("rec", "obs-pc.local", 4455);
        assert_eq!(ok.validate(), Ok(()));
        let mut c = ok.clone();
        c.name = "  ".into();
        assert_eq!(c.validate(), Err(ConfigError::EmptyName));
        let mut c = ok.clone();
        c.host = "".into();
        assert!(matches!(c.validate(), Err(ConfigError::EmptyHost { .. })));
        let mut c = ok.clone();
        c.host = "obs pc/x".into();
        assert!(matches!(c.validate(), Err(ConfigError::BadHost { .. })));
        let mut c = ok.clone();
        c.port = 0;
        assert!(matches!(c.validate(), Err(ConfigError::BadPort { .. })));
        let twin = ObsConnection::new("REC", "10.0.0.2", 4455);
        assert!(matches!(
            validate_all(&[ok.clone(), twin]),
            Err(ConfigError::DuplicateName { .. })
        ));
        assert_eq!(validate_all(&[ok]), Ok(()));
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let c = ObsConnection::new("v6", "::1", 4455);
        assert_eq!(c.addr(), "[::1]:4455");
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn ids_strictly_increase() {
        let a = new_id();
        let b = new_id();
        assert!(b > a);
    }
}
