//! The web server as the app shows it: its run state (status bar), the Settings → Web edit
//! buffers and their validation, the token shown once, and the commands of that section.

use super::settings::{parse_allowlist, parse_port};
pub use crate::web::WebSettings;
use std::net::IpAddr;

/// Whether the server serves, and where.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WebRun {
    /// Not started yet (no store), or the store is not open.
    #[default]
    NotStarted,
    /// Off in Settings.
    Off,
    /// Serving on this URL (`http://127.0.0.1:8090`).
    Serving(String),
    /// The address could not be bound: the address and the cause; no pages are served.
    Failed {
        /// The address asked for.
        addr: String,
        /// The operating system's reason.
        cause: String,
    },
}

/// What the app shows of its web server.
#[derive(Debug, Clone, Default)]
pub struct WebView {
    /// Serving or not.
    pub run: WebRun,
    /// A control token was generated and stored (its hash).
    pub token_set: bool,
    /// A token just generated and stored, shown once in Settings → Web until hidden. Never
    /// logged, never stored (only its hash is).
    pub new_token: Option<String>,
    /// A token is being generated and stored.
    pub token_saving: bool,
    /// Why the last token generation failed.
    pub token_error: Option<String>,
    /// Court names the pages are offered for (the tooltip's examples).
    pub courts: Vec<String>,
}

impl WebView {
    /// The status bar's text: "web: http://…", "web: off", "web: port taken".
    pub fn status_text(&self) -> String {
        match &self.run {
            WebRun::NotStarted => "web: not started".into(),
            WebRun::Off => "web: off".into(),
            WebRun::Serving(url) => format!("web: {url}"),
            WebRun::Failed { cause, .. } if is_in_use(cause) => "web: port taken".into(),
            WebRun::Failed { .. } => "web: not serving".into(),
        }
    }

    /// The URL when serving.
    pub fn url(&self) -> Option<&str> {
        match &self.run {
            WebRun::Serving(url) => Some(url),
            _ => None,
        }
    }

    /// The status bar's tooltip: the pages and API, for the first court.
    pub fn tooltip(&self) -> String {
        let court = self.courts.first().map_or("Court 1", String::as_str);
        let court = court.replace(' ', "%20");
        match &self.run {
            WebRun::Serving(url) => format!(
                "Pages for OBS browser sources and venue screens:\n\
                 {url}/overlay/{court} — broadcast overlay (transparent)\n\
                 {url}/board/{court} — full-screen scoreboard\n\
                 {url}/courts — every court at a glance\n\
                 API: {url}/api/v1/courts\nSettings → Web changes the address and port."
            ),
            WebRun::Failed { addr, cause } => format!(
                "No pages are served: cannot serve HTTP on {addr}: {cause}.\nChoose another port \
                 in Settings → Web, or close the program using it."
            ),
            WebRun::Off => "The web server is off (Settings → Web)".into(),
            WebRun::NotStarted => "The web server did not start (the store is not open)".into(),
        }
    }
}

/// Whether a bind error's cause is a taken address.
pub fn is_in_use(cause: &str) -> bool {
    let c = cause.to_lowercase();
    c.contains("in use") || c.contains("only one usage")
}

/// What Settings → Web asks for besides the save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebCommand {
    /// Generate a new control token: store its hash (the old token stops working), show it once.
    GenerateToken,
}

/// Settings → Web edit buffers, with per-field errors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebDraft {
    /// Serve at all.
    pub enabled: bool,
    /// Bind address text.
    pub bind: String,
    /// Port text.
    pub port: String,
    /// Control API on.
    pub control_enabled: bool,
    /// Allowlist text (addresses separated by commas or spaces).
    pub allow: String,
    /// Why the bind address was refused.
    pub bind_error: Option<String>,
    /// Why the port was refused.
    pub port_error: Option<String>,
    /// Why the allowlist was refused.
    pub allow_error: Option<String>,
}

impl WebDraft {
    /// Edit buffers showing `s`.
    pub fn from_settings(s: &WebSettings) -> WebDraft {
        WebDraft {
            enabled: s.enabled,
            bind: s.bind.to_string(),
            port: s.port.to_string(),
            control_enabled: s.control_enabled,
            allow: s
                .allow
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            ..WebDraft::default()
        }
    }

    /// Whether a field was refused.
    pub fn has_error(&self) -> bool {
        self.bind_error.is_some() || self.port_error.is_some() || self.allow_error.is_some()
    }

    /// The settings, or `None` with the fields' errors set.
    pub fn to_settings(&mut self) -> Option<WebSettings> {
        self.bind_error = None;
        self.port_error = None;
        self.allow_error = None;
        let bind = self.bind.trim().parse::<IpAddr>().map_err(|_| {
            self.bind_error = Some(format!("'{}' is not an IP address", self.bind.trim()))
        });
        let port = parse_port(&self.port).map_err(|e| self.port_error = Some(e));
        let allow = parse_allowlist(&self.allow).map_err(|e| self.allow_error = Some(e));
        let (Ok(bind), Ok(port), Ok(allow)) = (bind, port, allow) else {
            return None;
        };
        Some(WebSettings {
            enabled: self.enabled,
            bind: bind.to_canonical(),
            port,
            control_enabled: self.control_enabled,
            allow,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_round_trips_and_names_each_bad_field() {
        let s = WebSettings {
            allow: vec!["10.0.0.5".parse().unwrap()],
            ..WebSettings::default()
        };
        let mut d = WebDraft::from_settings(&s);
        assert_eq!(d.to_settings(), Some(s));
        d.bind = "localhost".into();
        d.port = "0".into();
        d.allow = "10.0.0.300".into();
        assert_eq!(d.to_settings(), None);
        assert!(d.bind_error.as_deref().unwrap().contains("'localhost'"));
        assert!(d.port_error.as_deref().unwrap().contains("1–65535"));
        assert!(d.allow_error.as_deref().unwrap().contains("10.0.0.300"));
    }

    #[test]
    fn a_damaged_stored_web_setting_falls_back_to_the_default_with_a_warning() {
        use crate::model::settings::AppSettings;
        let entries = [("web".to_string(), "{\"port\": \"x\"}".to_string())];
        let (s, warnings) = AppSettings::from_entries(&entries);
        assert_eq!(s.web, WebSettings::default());
        assert!(warnings.iter().any(|w| w.contains("'web'")), "{warnings:?}");
        let (back, _) = AppSettings::from_entries(
            &s.to_entries()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>(),
        );
        assert_eq!(back.web, s.web, "the web group round-trips with the others");
    }

    #[test]
    fn the_status_text_says_port_taken_only_for_a_taken_address() {
        let mut v = WebView {
            run: WebRun::Failed {
                addr: "127.0.0.1:8090".into(),
                cause: "address in use".into(),
            },
            ..WebView::default()
        };
        assert_eq!(v.status_text(), "web: port taken");
        assert!(v.tooltip().contains("127.0.0.1:8090"));
        v.run = WebRun::Serving("http://127.0.0.1:8090".into());
        assert_eq!(v.status_text(), "web: http://127.0.0.1:8090");
        assert!(v.tooltip().contains("/overlay/Court%201"));
        assert!(v.tooltip().contains("/courts"));
    }
}
