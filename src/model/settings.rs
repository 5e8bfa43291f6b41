//! Typed application settings: what is stored in the `settings` table, defaults, validation.
//!
//! Each group is stored under one key as JSON text, so the history view shows readable
//! old → new values. A value that does not decode is reported and replaced by its default;
//! nothing else is lost.

use crate::ingest::trust::canonical_list;
use crate::ingest::{DEFAULT_MAX_RATE, DEFAULT_PORT, ListenerConfig};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// Settings keys.
pub mod keys {
    /// UDP listeners.
    pub const LISTENERS: &str = "listeners";
    /// Scoreboard appearance.
    pub const SCOREBOARD: &str = "scoreboard";
    /// UI theme.
    pub const THEME: &str = "theme";
    /// Store location used at the next start.
    pub const STORE_PATH: &str = "store_path";
    /// Minutes without activity before advanced mode locks again.
    pub const ADVANCED_LOCK: &str = "advanced_lock_minutes";
    /// The web server (the control token's hash is stored apart, under
    /// [`crate::web::config::TOKEN_KEY`], and never in this form).
    pub const WEB: &str = crate::web::config::SETTINGS_KEY;
    /// Tournament link (issue 17); never holds a password or token.
    pub const TOURNAMENT: &str = "tournament";
}

/// Allowed inactivity before advanced mode locks, minutes.
pub const LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;

/// One UDP listener as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerSetting {
    /// Bind address.
    pub bind: IpAddr,
    /// UDP port.
    pub port: u16,
    /// Court name.
    pub court: String,
    /// Source allowlist (empty = everyone), canonical (`::ffff:a.b.c.d` is kept as `a.b.c.d`).
    pub allow: Vec<IpAddr>,
    /// Lock to the first scoring program that announces itself. Listeners stored before this
    /// setting existed decode with it off (their behaviour does not change under an upgrade;
    /// the status bar warns about a listener that trusts everyone); new listeners have it on.
    #[serde(default)]
    pub lock_source: bool,
    /// The scoring program's address, if set (else the first source heard).
    #[serde(default)]
    pub pss_address: Option<IpAddr>,
    /// The port the scoring program answers state requests on (none: no requests).
    #[serde(default)]
    pub pss_request_port: Option<u16>,
}

impl ListenerSetting {
    /// The ingest configuration for this listener, with the venue's per-source rate bound.
    /// Addresses are passed as stored: settings are canonical from loading and from the draft's
    /// parsing, and the ingest worker puts every configuration in canonical form itself.
    pub fn to_config(&self) -> ListenerConfig {
        ListenerConfig {
            bind: self.bind,
            port: self.port,
            court: self.court.clone(),
            allow: (!self.allow.is_empty()).then(|| self.allow.clone()),
            lock_source: self.lock_source,
            pss_address: self.pss_address,
            pss_request_port: self.pss_request_port,
            max_rate: Some(DEFAULT_MAX_RATE),
        }
    }

    /// The same listener with its addresses in canonical form (how it is stored and compared).
    pub fn canonical(mut self) -> ListenerSetting {
        self.allow = canonical_list(&self.allow);
        self.pss_address = self.pss_address.map(|ip| ip.to_canonical());
        self
    }
}

impl Default for ListenerSetting {
    fn default() -> Self {
        ListenerSetting {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: DEFAULT_PORT,
            court: "Court 1".into(),
            allow: Vec::new(),
            lock_source: true,
            pss_address: None,
            pss_request_port: None,
        }
    }
}

/// Where the scoreboard takes its colours from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColorSource {
    /// The colours the scoring system sends in `mch`.
    Match,
    /// Operator-chosen colours (`#RRGGBB`).
    Custom {
        /// Blue background.
        blue_bg: String,
        /// Blue text.
        blue_fg: String,
        /// Red background.
        red_bg: String,
        /// Red text.
        red_fg: String,
    },
}

/// Scoreboard appearance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreboardSettings {
    /// Colour source.
    pub colors: ColorSource,
    /// Chroma-key background (`#RRGGBB`) for keying in OBS, or none.
    pub chroma_key: Option<String>,
    /// Font scale (1.0 = default).
    pub font_scale: f32,
    /// Which court the scoreboard shows (none = the first).
    pub court: Option<String>,
}

impl Default for ScoreboardSettings {
    fn default() -> Self {
        ScoreboardSettings {
            colors: ColorSource::Match,
            chroma_key: None,
            font_scale: 1.0,
            court: None,
        }
    }
}

/// UI theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Theme {
    /// Dark (default: court-side halls are often dim).
    #[default]
    Dark,
    /// Light.
    Light,
}

/// Every setting of the app.
#[derive(Debug, Clone, PartialEq)]
pub struct AppSettings {
    /// UDP listeners (at least one).
    pub listeners: Vec<ListenerSetting>,
    /// Scoreboard appearance.
    pub scoreboard: ScoreboardSettings,
    /// Theme.
    pub theme: Theme,
    /// Store location for the next start (none = default location).
    pub store_path: Option<String>,
    /// Advanced mode locks after this many minutes without activity.
    pub advanced_lock_minutes: u32,
    /// The web server (pages, API, control API).
    pub web: crate::web::WebSettings,
    /// Tournament link (off by default).
    pub tournament: super::tournament::TournamentSettings,
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            listeners: vec![ListenerSetting::default()],
            scoreboard: ScoreboardSettings::default(),
            theme: Theme::Dark,
            store_path: None,
            advanced_lock_minutes: 5,
            web: crate::web::WebSettings::default(),
            tournament: Default::default(),
        }
    }
}

impl AppSettings {
    /// Build settings from stored `(key, value)` pairs. Values that do not decode are replaced by
    /// defaults; each such case is returned as a warning naming the key and the cause.
    pub fn from_entries(entries: &[(String, String)]) -> (AppSettings, Vec<String>) {
        let mut s = AppSettings::default();
        let mut warnings = Vec::new();
        for (key, value) in entries {
            let bad = |e: &dyn std::fmt::Display| {
                format!("stored setting '{key}' is invalid ({e}); using the default")
            };
            match key.as_str() {
                keys::LISTENERS => match serde_json::from_str::<Vec<ListenerSetting>>(value) {
                    Ok(l) if validate_listeners(&l).is_ok() => {
                        s.listeners = l.into_iter().map(ListenerSetting::canonical).collect()
                    }
                    Ok(l) => warnings.push(bad(&validate_listeners(&l).err().unwrap_or_default())),
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::SCOREBOARD => match serde_json::from_str(value) {
                    Ok(v) => s.scoreboard = v,
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::THEME => match serde_json::from_str(value) {
                    Ok(v) => s.theme = v,
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::STORE_PATH => match serde_json::from_str(value) {
                    Ok(v) => s.store_path = v,
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::TOURNAMENT => match serde_json::from_str(value) {
                    Ok(v) => s.tournament = v,
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::ADVANCED_LOCK => match serde_json::from_str::<u32>(value) {
                    Ok(v) if LOCK_MINUTES.contains(&v) => s.advanced_lock_minutes = v,
                    Ok(v) => warnings.push(bad(&format!("{v} minutes is outside 1–240"))),
                    Err(e) => warnings.push(bad(&e)),
                },
                keys::WEB => match serde_json::from_str(value) {
                    Ok(v) => s.web = v,
                    Err(e) => warnings.push(bad(&e)),
                },
                _ => {}
            }
        }
        (s, warnings)
    }

    /// The stored form: `(key, JSON value)` for every group.
    pub fn to_entries(&self) -> Vec<(&'static str, String)> {
        use crate::store::codec::to_json;
        vec![
            (keys::LISTENERS, to_json(&self.listeners)),
            (keys::SCOREBOARD, to_json(&self.scoreboard)),
            (keys::THEME, to_json(&self.theme)),
            (keys::STORE_PATH, to_json(&self.store_path)),
            (keys::ADVANCED_LOCK, to_json(&self.advanced_lock_minutes)),
            (keys::WEB, to_json(&self.web)),
            (keys::TOURNAMENT, to_json(&self.tournament)),
        ]
    }
}

/// Check a listener list as a whole: at least one, unique court names, unique bind:port.
pub fn validate_listeners(list: &[ListenerSetting]) -> Result<(), String> {
    if list.is_empty() {
        return Err("at least one UDP listener is needed".into());
    }
    for (i, a) in list.iter().enumerate() {
        if a.port == 0 {
            return Err(format!("{}: port must be 1–65535", a.court));
        }
        if a.pss_request_port == Some(0) {
            return Err(format!("{}: PSS request port must be 1–65535", a.court));
        }
        if a.court.trim().is_empty() {
            return Err("every listener needs a court name".into());
        }
        for b in &list[i + 1..] {
            if a.court.trim() == b.court.trim() {
                return Err(format!("court name '{}' is used twice", a.court));
            }
            let overlaps = a.port == b.port
                && (a.bind == b.bind || a.bind.is_unspecified() || b.bind.is_unspecified());
            if overlaps {
                return Err(format!(
                    "'{}' and '{}' both listen on port {}",
                    a.court, b.court, a.port
                ));
            }
        }
    }
    Ok(())
}

/// Parse a port typed by the operator.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let t = text.trim();
    match t.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        Ok(p) => Err(format!("port must be 1–65535, not {p}")),
        Err(_) if t.is_empty() => Err("enter a port (1–65535)".into()),
        Err(_) => Err(format!("'{t}' is not a port number (1–65535)")),
    }
}

/// Parse a comma/space separated allowlist of IP addresses, in canonical form without
/// duplicates (`::ffff:192.168.1.20` is `192.168.1.20`, the address the sender arrives with).
pub fn parse_allowlist(text: &str) -> Result<Vec<IpAddr>, String> {
    let list = text
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpAddr>()
                .map_err(|_| format!("'{s}' is not an IP address"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(canonical_list(&list))
}

/// Parse an optional port (empty: none), e.g. the scoring program's request port.
pub fn parse_optional_port(text: &str) -> Result<Option<u16>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_port(text).map(Some)
}

/// Parse an optional IP address (empty: none), in canonical form.
pub fn parse_optional_ip(text: &str) -> Result<Option<IpAddr>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<IpAddr>()
        .map(|ip| Some(ip.to_canonical()))
        .map_err(|_| format!("'{t}' is not an IP address"))
}

/// Parse `#RRGGBB` into RGB.
pub fn parse_hex_color(text: &str) -> Option<[u8; 3]> {
    let h = text.trim().strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_time_round_trips_and_bad_values_fall_back_with_a_warning() {
        let s = AppSettings {
            advanced_lock_minutes: 15,
            ..AppSettings::default()
        };
        let entries: Vec<(String, String)> = s
            .to_entries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(AppSettings::from_entries(&entries), (s, vec![]));
        for bad in ["0", "241", "\"ten\"", "-3"] {
            let entries = vec![(keys::ADVANCED_LOCK.to_string(), bad.to_string())];
            let (got, warnings) = AppSettings::from_entries(&entries);
            assert_eq!(got.advanced_lock_minutes, 5, "{bad}");
            assert_eq!(warnings.len(), 1, "{bad}");
            assert!(
                warnings[0].contains("advanced_lock_minutes"),
                "{}",
                warnings[0]
            );
        }
    }

    #[test]
    fn listeners_stored_before_the_lock_existed_still_decode_with_the_lock_off() {
        // The stored form of a listener written by the previous release.
        let old =
            r#"[{"bind":"0.0.0.0","port":6000,"court":"Court 1","allow":["::ffff:192.168.1.20"]}]"#;
        let entries = vec![(keys::LISTENERS.to_string(), old.to_string())];
        let (s, warnings) = AppSettings::from_entries(&entries);
        assert_eq!(warnings, Vec::<String>::new());
        let l = &s.listeners[0];
        assert!(
            !l.lock_source,
            "an upgrade does not change how a stored listener behaves"
        );
        assert_eq!((l.pss_address, l.pss_request_port), (None, None));
        // Canonical once loaded: the mapped form is the plain IPv4 sender.
        assert_eq!(l.allow, vec!["192.168.1.20".parse::<IpAddr>().expect("ip")]);
        assert!(ListenerSetting::default().lock_source, "new listeners lock");
    }

    #[test]
    fn allowlist_entries_are_canonical_and_without_duplicates() {
        let got = parse_allowlist("::ffff:10.0.0.5, 10.0.0.5; fe80::1").expect("valid");
        let want: Vec<IpAddr> = ["10.0.0.5", "fe80::1"]
            .iter()
            .map(|s| s.parse().expect("ip"))
            .collect();
        assert_eq!(got, want);
        assert_eq!(parse_optional_port(" "), Ok(None));
        assert_eq!(parse_optional_port("6001"), Ok(Some(6001)));
        assert!(parse_optional_port("0").is_err());
        assert_eq!(
            parse_optional_ip("::ffff:10.0.0.5"),
            Ok(Some("10.0.0.5".parse().expect("ip")))
        );
        assert!(parse_optional_ip("pss.local").is_err());
    }
}
