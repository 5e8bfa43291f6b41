//! Turning the settings window's edit buffers into validated settings (and back).

use super::settings::Theme;
use super::settings::{
    AppSettings, ColorSource, ListenerSetting, ScoreboardSettings, parse_allowlist,
    parse_hex_color, parse_optional_ip, parse_optional_port, parse_port, validate_listeners,
};
use egui::Color32;
use std::net::IpAddr;

fn color(hex: &str, fallback: Color32) -> Color32 {
    parse_hex_color(hex).map_or(fallback, |[r, g, b]| Color32::from_rgb(r, g, b))
}

fn hex(c: Color32) -> String {
    format!("#{:02X}{:02X}{:02X}", c.r(), c.g(), c.b())
}

impl SettingsDraft {
    /// Edit buffers showing `s`.
    pub fn from_settings(s: &AppSettings) -> SettingsDraft {
        let defaults = [
            Color32::from_rgb(0x00, 0x3D, 0xA5),
            Color32::WHITE,
            Color32::from_rgb(0xD0, 0x10, 0x2B),
            Color32::WHITE,
        ];
        let (custom_colors, colors) = match &s.scoreboard.colors {
            ColorSource::Match => (false, defaults),
            ColorSource::Custom {
                blue_bg,
                blue_fg,
                red_bg,
                red_fg,
            } => (
                true,
                [
                    color(blue_bg, defaults[0]),
                    color(blue_fg, defaults[1]),
                    color(red_bg, defaults[2]),
                    color(red_fg, defaults[3]),
                ],
            ),
        };
        SettingsDraft {
            listeners: s
                .listeners
                .iter()
                .map(ListenerDraft::from_setting)
                .collect(),
            custom_colors,
            colors,
            chroma: s.scoreboard.chroma_key.is_some(),
            chroma_color: s
                .scoreboard
                .chroma_key
                .as_deref()
                .map_or(Color32::from_rgb(0, 255, 0), |h| color(h, Color32::GREEN)),
            font_scale: s.scoreboard.font_scale,
            court: s.scoreboard.court.clone().unwrap_or_default(),
            theme: s.theme,
            store_path: s.store_path.clone().unwrap_or_default(),
            store_path_error: None,
            lock_minutes: s.advanced_lock_minutes.to_string(),
            lock_error: None,
            web: super::web::WebDraft::from_settings(&s.web),
            tournament: super::tournament::TournamentDraft::from_settings(&s.tournament),
            error: None,
            status: None,
            saving: false,
        }
    }

    /// Validate every field. On error, the messages are put beside the fields and `None` is
    /// returned: nothing is saved.
    pub fn to_settings(&mut self) -> Option<AppSettings> {
        self.error = None;
        self.status = None;
        let mut ok = true;
        let mut listeners = Vec::new();
        for d in &mut self.listeners {
            d.port_error = None;
            d.allow_error = None;
            d.bind_error = None;
            d.pss_address_error = None;
            d.request_port_error = None;
            let pss = parse_optional_ip(&d.pss_address).map_err(|e| d.pss_address_error = Some(e));
            let request_port = parse_optional_port(&d.pss_request_port)
                .map_err(|e| d.request_port_error = Some(e));
            let port = parse_port(&d.port).map_err(|e| d.port_error = Some(e));
            let allow = parse_allowlist(&d.allow).map_err(|e| d.allow_error = Some(e));
            let bind = d
                .bind
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| d.bind_error = Some(format!("'{}' is not an IP address", d.bind)));
            match (port, allow, bind, pss, request_port) {
                (Ok(port), Ok(allow), Ok(bind), Ok(pss_address), Ok(pss_request_port)) => listeners
                    .push(ListenerSetting {
                        bind,
                        port,
                        court: d.court.trim().to_string(),
                        allow,
                        lock_source: d.lock_source,
                        pss_address,
                        pss_request_port,
                    }),
                _ => ok = false,
            }
        }
        let web = self.web.to_settings();
        if !ok || web.is_none() {
            self.error = Some("fix the marked fields; nothing was saved".into());
            return None;
        }
        if let Err(e) = validate_listeners(&listeners) {
            self.error = Some(format!("{e}; nothing was saved"));
            return None;
        }
        self.lock_error = None;
        let lock = self.lock_minutes.trim().parse::<u32>().ok();
        let Some(advanced_lock_minutes) =
            lock.filter(|m| super::settings::LOCK_MINUTES.contains(m))
        else {
            self.lock_error = Some("a number of minutes, 1–240".into());
            self.error = Some("fix the marked fields; nothing was saved".into());
            return None;
        };
        if !(0.5..=3.0).contains(&self.font_scale) {
            self.error = Some("font scale must be between 0.5 and 3".into());
            return None;
        }
        let colors = if self.custom_colors {
            ColorSource::Custom {
                blue_bg: hex(self.colors[0]),
                blue_fg: hex(self.colors[1]),
                red_bg: hex(self.colors[2]),
                red_fg: hex(self.colors[3]),
            }
        } else {
            ColorSource::Match
        };
        let store_path = self.checked_store_path()?;
        let Some(tournament) = self.tournament.to_settings() else {
            self.error = Some("fix the marked Tournament fields; nothing was saved".into());
            return None;
        };
        let court = self.court.trim();
        Some(AppSettings {
            listeners,
            scoreboard: ScoreboardSettings {
                colors,
                chroma_key: self.chroma.then(|| hex(self.chroma_color)),
                font_scale: self.font_scale,
                court: (!court.is_empty()).then(|| court.to_string()),
            },
            theme: self.theme,
            store_path,
            advanced_lock_minutes,
            web: web?,
            tournament,
        })
    }
}

impl SettingsDraft {
    /// The store location as typed or pasted, cleaned (quotes from Explorer's "Copy as path", a
    /// BOM, spaces and line breaks removed; the field shows the cleaned text) and checked for
    /// what needs no disk: empty is the default store, anything else must be a full path to a
    /// file. `None` (with the field's error set) when refused. The folder itself is checked when
    /// the save reaches the store writer (file I/O stays off the UI thread).
    fn checked_store_path(&mut self) -> Option<Option<String>> {
        self.store_path_error = None;
        let cleaned = crate::store::location::clean_location(&self.store_path);
        self.store_path.clone_from(&cleaned);
        if cleaned.is_empty() {
            return Some(None);
        }
        match crate::store::location::check_location_text(&cleaned) {
            Ok(p) => Some(Some(p.display().to_string())),
            Err(e) => {
                self.store_path_error = Some(e.to_string());
                self.error = Some("fix the marked fields; nothing was saved".into());
                None
            }
        }
    }
}

/// Edit buffers of the settings window, with per-field errors.
#[derive(Debug, Clone, Default)]
pub struct SettingsDraft {
    /// Listener rows being edited.
    pub listeners: Vec<ListenerDraft>,
    /// Scoreboard: use custom colours.
    pub custom_colors: bool,
    /// Custom colours (blue bg, blue fg, red bg, red fg).
    pub colors: [egui::Color32; 4],
    /// Chroma-key on.
    pub chroma: bool,
    /// Chroma-key colour.
    pub chroma_color: egui::Color32,
    /// Font scale.
    pub font_scale: f32,
    /// Scoreboard court.
    pub court: String,
    /// Theme.
    pub theme: Theme,
    /// Store location text.
    pub store_path: String,
    /// Why the store location was refused.
    pub store_path_error: Option<String>,
    /// Advanced-mode lock time in minutes, as typed.
    pub lock_minutes: String,
    /// Why the lock time was refused.
    pub lock_error: Option<String>,
    /// Settings → Web.
    pub web: super::web::WebDraft,
    /// The Tournament section.
    pub tournament: super::tournament::TournamentDraft,
    /// Error not tied to one field.
    pub error: Option<String>,
    /// Result of the last save.
    pub status: Option<String>,
    /// A save is waiting for the store.
    pub saving: bool,
}

/// One listener row being edited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListenerDraft {
    /// Bind address text.
    pub bind: String,
    /// Port text.
    pub port: String,
    /// Court name.
    pub court: String,
    /// Allowlist text.
    pub allow: String,
    /// Error shown beside the port field.
    pub port_error: Option<String>,
    /// Error shown beside the allowlist field.
    pub allow_error: Option<String>,
    /// Error shown beside the bind field.
    pub bind_error: Option<String>,
    /// Lock to the first scoring program that announces itself.
    pub lock_source: bool,
    /// The scoring program's address text (empty: the first source heard).
    pub pss_address: String,
    /// The scoring program's request port text (empty: no state requests).
    pub pss_request_port: String,
    /// Error shown beside the PSS address field.
    pub pss_address_error: Option<String>,
    /// Error shown beside the request port field.
    pub request_port_error: Option<String>,
}

impl ListenerDraft {
    /// Edit buffer for a stored listener.
    pub fn from_setting(l: &ListenerSetting) -> ListenerDraft {
        ListenerDraft {
            bind: l.bind.to_string(),
            port: l.port.to_string(),
            court: l.court.clone(),
            allow: l
                .allow
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            lock_source: l.lock_source,
            pss_address: l.pss_address.map(|ip| ip.to_string()).unwrap_or_default(),
            pss_request_port: l
                .pss_request_port
                .map(|p| p.to_string())
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    /// A new listener row: the next port and court number, locked to its scoring program.
    pub fn new_row(n: usize) -> ListenerDraft {
        ListenerDraft {
            bind: "0.0.0.0".into(),
            port: (6000 + n - 1).to_string(),
            court: format!("Court {n}"),
            lock_source: true,
            ..Default::default()
        }
    }
}
