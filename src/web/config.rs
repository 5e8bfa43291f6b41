//! The web server's settings (persisted in the store's settings table) and its run-time
//! configuration.

use super::token::TokenHash;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Settings key of [`WebSettings`] (a JSON object, like the app's other setting groups).
pub const SETTINGS_KEY: &str = "web";
/// Settings key of the control token's hash (a JSON string, `sha256:<hex>`). Kept apart from
/// [`SETTINGS_KEY`] so that saving the settings form never carries or clears the token.
pub const TOKEN_KEY: &str = "web.control_token";
/// Default port.
pub const DEFAULT_PORT: u16 = 8090;

/// What the operator sets in Settings → Web (stored as JSON under [`SETTINGS_KEY`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebSettings {
    /// Serve pages and the API at all.
    pub enabled: bool,
    /// Address to bind: 127.0.0.1 (this machine only) or a LAN address when OBS runs elsewhere.
    pub bind: IpAddr,
    /// TCP port.
    pub port: u16,
    /// Accept `POST /api/v1/obs/<action>` (with the bearer token).
    pub control_enabled: bool,
    /// When not empty, only these addresses (and this machine) may use the server.
    pub allow: Vec<IpAddr>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            enabled: true,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            control_enabled: false,
            allow: Vec::new(),
        }
    }
}

impl WebSettings {
    /// Read the settings and the token hash from the store's `(key, value)` entries. Invalid
    /// values fall back to the defaults, each with a warning naming the key and the cause.
    pub fn from_entries(
        entries: &[(String, String)],
    ) -> (WebSettings, Option<TokenHash>, Vec<String>) {
        let mut settings = WebSettings::default();
        let mut token = None;
        let mut warnings = Vec::new();
        for (key, value) in entries {
            match key.as_str() {
                SETTINGS_KEY => match serde_json::from_str(value) {
                    Ok(s) => settings = s,
                    Err(e) => warnings.push(format!(
                        "stored setting '{key}' is invalid ({e}); using the default"
                    )),
                },
                TOKEN_KEY => match serde_json::from_str::<String>(value)
                    .map_err(|e| e.to_string())
                    .and_then(|s| TokenHash::parse(&s))
                {
                    Ok(h) => token = Some(h),
                    Err(e) => warnings.push(format!(
                        "stored setting '{key}' is invalid ({e}); the control API stays locked \
                         until a new token is generated"
                    )),
                },
                _ => {}
            }
        }
        (settings, token, warnings)
    }

    /// Read `keys` (of [`SETTINGS_KEY`], [`TOKEN_KEY`]) from the store, each on its own: another
    /// damaged setting (say the theme) must not stop the web, and a key that cannot be read or
    /// parsed falls back to its default with a warning naming it.
    pub fn read_stored(
        store: &crate::store::Store,
        keys: &[&str],
    ) -> (WebSettings, Option<TokenHash>, Vec<String>) {
        let mut entries = Vec::new();
        let mut unreadable = Vec::new();
        for &key in keys {
            match store.setting(key) {
                Ok(Some(value)) => entries.push((key.to_string(), value)),
                Ok(None) => {}
                Err(e) => unreadable.push(format!(
                    "stored setting '{key}' cannot be read ({e}); using the default"
                )),
            }
        }
        let (settings, token, mut warnings) = WebSettings::from_entries(&entries);
        unreadable.append(&mut warnings);
        (settings, token, unreadable)
    }

    /// The stored form of the settings: `(SETTINGS_KEY, JSON)`.
    pub fn to_entry(&self) -> (&'static str, String) {
        (
            SETTINGS_KEY,
            serde_json::to_string(self).unwrap_or_else(|_| "{}".into()),
        )
    }

    /// The URL a browser on this machine uses (`http://127.0.0.1:8090`); for an unspecified bind
    /// address, the loopback one.
    pub fn base_url(addr: SocketAddr) -> String {
        let ip = match addr.ip() {
            IpAddr::V4(v) if v.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v) if v.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, addr.port()))
    }
}

/// Limits that keep the server small and the app safe from any client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebLimits {
    /// Most open connections (live streams included); beyond, a connection gets 503 and closes.
    pub max_connections: usize,
    /// Most bytes of a request head.
    pub max_head_bytes: usize,
    /// Most bytes of a request body.
    pub max_body_bytes: usize,
    /// Longest wait for the next request on an idle keep-alive connection.
    pub idle_timeout: Duration,
    /// Longest time to send a request head and body once begun.
    pub request_timeout: Duration,
    /// Longest a live client may take to accept one update before it is dropped as stalled.
    pub stall_timeout: Duration,
    /// Updates queued per live client; a client further behind skips to the newest state.
    pub client_queue: usize,
}

impl Default for WebLimits {
    fn default() -> Self {
        WebLimits {
            max_connections: 512,
            max_head_bytes: 16 * 1024,
            max_body_bytes: 4 * 1024,
            idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            stall_timeout: Duration::from_secs(5),
            client_queue: 64,
        }
    }
}

/// What [`super::WebService`] runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// Address and port to bind (port 0: any free port, for tests).
    pub addr: SocketAddr,
    /// The control API: `None` = disabled (403 with a clear message); `Some(hash)` = enabled,
    /// calls need the token whose hash this is.
    pub control_token: Option<TokenHash>,
    /// Control enabled in Settings but no token generated yet: calls are refused with a message
    /// saying to generate one.
    pub control_enabled: bool,
    /// Read allowlist (empty: everyone); loopback is always allowed.
    pub allow: Vec<IpAddr>,
    /// Limits.
    pub limits: WebLimits,
}

impl WebConfig {
    /// The configuration for `settings` and the stored token hash.
    pub fn from_settings(settings: &WebSettings, token: Option<TokenHash>) -> WebConfig {
        WebConfig {
            addr: SocketAddr::new(settings.bind, settings.port),
            control_token: if settings.control_enabled {
                token
            } else {
                None
            },
            control_enabled: settings.control_enabled,
            allow: settings.allow.clone(),
            limits: WebLimits::default(),
        }
    }

    /// Whether `ip` may use the server.
    pub fn allows(&self, ip: IpAddr) -> bool {
        allowed(&self.allow, ip)
    }
}

/// Whether `ip` passes the allowlist `allow` (empty: everyone; loopback always).
pub fn allowed(allow: &[IpAddr], ip: IpAddr) -> bool {
    let ip = ip.to_canonical();
    allow.is_empty() || ip.is_loopback() || allow.iter().any(|a| a.to_canonical() == ip)
}

/// The `--http` option of `courtside listen`: an address or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpOption {
    /// Do not serve.
    Off,
    /// Serve on this address.
    On(SocketAddr),
}

impl std::str::FromStr for HttpOption {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("off") {
            return Ok(HttpOption::Off);
        }
        s.parse::<SocketAddr>().map(HttpOption::On).map_err(|_| {
            format!("{s:?} is neither ADDR:PORT (e.g. 127.0.0.1:8090, 0.0.0.0:8090) nor 'off'")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_to_loopback_8090_with_control_off() {
        let s = WebSettings::default();
        assert!(s.enabled && !s.control_enabled);
        assert_eq!(
            SocketAddr::new(s.bind, s.port).to_string(),
            "127.0.0.1:8090"
        );
    }

    #[test]
    fn stored_settings_round_trip_and_bad_values_warn() {
        let s = WebSettings {
            port: 9000,
            allow: vec!["10.0.0.5".parse().unwrap()],
            ..WebSettings::default()
        };
        let (k, v) = s.to_entry();
        let bad = (TOKEN_KEY.to_string(), "\"md5:00\"".to_string());
        let (back, token, warnings) = WebSettings::from_entries(&[(k.to_string(), v), bad]);
        assert_eq!(back, s);
        assert!(token.is_none());
        assert!(warnings[0].contains(TOKEN_KEY), "{warnings:?}");
    }

    #[test]
    fn http_option_parses_addresses_and_off_and_names_bad_input() {
        assert_eq!("off".parse::<HttpOption>(), Ok(HttpOption::Off));
        assert_eq!(
            "0.0.0.0:8091".parse::<HttpOption>(),
            Ok(HttpOption::On("0.0.0.0:8091".parse().unwrap()))
        );
        let e = "8090".parse::<HttpOption>().unwrap_err();
        assert!(e.contains("\"8090\"") && e.contains("ADDR:PORT"), "{e}");
    }

    #[test]
    fn the_allowlist_admits_listed_and_loopback_addresses_only() {
        let mut c = WebConfig::from_settings(&WebSettings::default(), None);
        assert!(c.allows("192.168.1.9".parse().unwrap()));
        c.allow = vec!["192.168.1.9".parse().unwrap()];
        assert!(c.allows("192.168.1.9".parse().unwrap()));
        assert!(c.allows("::ffff:192.168.1.9".parse().unwrap()));
        assert!(c.allows("127.0.0.1".parse().unwrap()));
        assert!(!c.allows("192.168.1.10".parse().unwrap()));
    }
}
