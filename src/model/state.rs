//! Everything the panels draw. No I/O here.

use super::row_index::RowIndex;
use super::settings::AppSettings;
use super::table_model::{RecordCache, RowBuilder, TableFilter, TextHits};
use crate::match_state::MatchState;
use crate::store::{EventRecord, MatchRecord, SettingChange};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

pub use super::command::Command;
pub use super::notices::{Level, Notice, Notices, STORE_ERROR_TITLE};

/// One line of the live data log.
#[derive(Debug, Clone)]
pub struct LiveLine {
    /// The stored record.
    pub record: Arc<EventRecord>,
    /// "ok", "unknown", or "malformed: reason".
    pub result: String,
    /// Whether the result is a problem.
    pub problem: bool,
}

/// The live data log: the latest datagrams, bounded.
#[derive(Debug)]
pub struct LiveLog {
    /// Lines, oldest first.
    pub lines: VecDeque<LiveLine>,
    /// Paused: the view is frozen at this many lines; new ones are kept but not shown.
    pub paused_at: Option<usize>,
    /// Scroll to the newest line.
    pub auto_scroll: bool,
    /// Search text.
    pub search: String,
    /// Lines dropped from the front since start (they are in the store).
    pub dropped: u64,
    /// Receive times of datagrams that answered a state request (marked in the log).
    pub answers: super::panels::AnswerMarks,
}

impl Default for LiveLog {
    fn default() -> Self {
        LiveLog {
            lines: VecDeque::new(),
            paused_at: None,
            auto_scroll: true,
            search: String::new(),
            dropped: 0,
            answers: Default::default(),
        }
    }
}

impl LiveLog {
    /// Lines kept in memory (older ones are in the store and the event table).
    pub const CAPACITY: usize = 10_000;

    /// Append a stored datagram.
    pub fn push(&mut self, record: Arc<EventRecord>) {
        let reasons: Vec<String> = record
            .events
            .iter()
            .filter_map(|e| match e {
                crate::protocol::Event::Malformed { reason, code, .. } => {
                    Some(format!("malformed {code}: {reason}"))
                }
                crate::protocol::Event::Unknown { code, .. } => Some(format!("unknown '{code}'")),
                _ => None,
            })
            .collect();
        let problem = !reasons.is_empty();
        let result = if problem {
            reasons.join("; ")
        } else {
            format!("ok ({} msg)", record.events.len())
        };
        self.lines.push_back(LiveLine {
            record,
            result,
            problem,
        });
        if self.lines.len() > Self::CAPACITY {
            self.lines.pop_front();
            self.dropped += 1;
            if let Some(p) = &mut self.paused_at {
                *p = p.saturating_sub(1);
            }
        }
    }
}

/// The event table: rows of one match, filters, cache.
#[derive(Debug)]
pub struct EventTable {
    /// Chosen match (`None` = follow the current match of the scoreboard court).
    pub chosen: Option<u64>,
    /// Match whose rows are loaded.
    pub key: Option<u64>,
    /// Every row of the match.
    pub rows: RowIndex,
    /// Indexes into `rows` that pass the filters; `None` while no filter is set (every row
    /// passes, and a list of two million indexes would cost 8 MB for nothing).
    pub(crate) visible: Option<Vec<u32>>,
    /// Filters as edited.
    pub filter: TableFilter,
    /// Text-search hits for `filter.text` (None while searching or no text).
    pub hits: Option<TextHits>,
    /// Datagrams loaded / total while loading.
    pub loading: Option<(u64, u64)>,
    /// Follow the newest row.
    pub follow: bool,
    /// Cached records for labels and raw text.
    pub cache: RecordCache,
    /// Highest sequence folded into `rows`.
    pub through_seq: u64,
    /// Records asked for and not yet answered.
    pub pending: std::collections::HashSet<u64>,
    pub(crate) builder: RowBuilder,
    pub(crate) generation: u64,
    pub(crate) search_generation: u64,
    pub(crate) filter_applied: Option<TableFilter>,
    pub(crate) waiting_live: Vec<Arc<EventRecord>>,
    /// Row count the view was last scrolled to (follow mode scrolls only when it grows).
    pub(crate) scrolled_to: usize,
}

impl Default for EventTable {
    fn default() -> Self {
        EventTable {
            chosen: None,
            key: None,
            rows: RowIndex::default(),
            visible: None,
            filter: TableFilter::default(),
            hits: None,
            loading: None,
            follow: true,
            cache: RecordCache::default(),
            through_seq: 0,
            pending: Default::default(),
            builder: RowBuilder::default(),
            generation: 0,
            search_generation: 0,
            filter_applied: None,
            waiting_live: Vec::new(),
            scrolled_to: 0,
        }
    }
}

/// Which panels are open, remembered between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UiPrefs {
    /// Live data panel visible.
    pub show_live: bool,
    /// Match panel visible.
    pub show_match: bool,
    /// Settings window open.
    pub show_settings: bool,
    /// Scoreboard window open.
    pub scoreboard_open: bool,
    /// Flags manager open.
    #[serde(default)]
    pub show_flags: bool,
    /// OBS window open.
    #[serde(default)]
    pub show_obs: bool,
    /// "System & support" window open.
    #[serde(default)]
    #[serde(alias = "show_venue")]
    pub show_support: bool,
    /// Scoreboard window place in physical pixels, if known. (Until issue 19 the place was
    /// kept in points as `scoreboard_rect`; that key is ignored and the window opens at its
    /// default place once.)
    #[serde(default)]
    pub scoreboard_place: Option<super::placement::BoardPlace>,
    /// Review panel open.
    #[serde(default)]
    pub show_review: bool,
    /// The hub's "Tournament" window open (`courtside hub` with a window); open the first time.
    #[serde(default = "yes")]
    pub show_tournament: bool,
}

fn yes() -> bool {
    true
}

impl Default for UiPrefs {
    fn default() -> Self {
        UiPrefs {
            show_live: true,
            show_match: true,
            show_settings: false,
            scoreboard_open: true,
            show_flags: false,
            show_obs: false,
            show_support: false,
            scoreboard_place: None,
            show_review: false,
            show_tournament: true,
        }
    }
}

pub use super::settings_draft::{ListenerDraft, SettingsDraft};

/// A network interface to offer as bind address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceChoice {
    /// Address.
    pub addr: String,
    /// Label ("192.168.1.20 — eth0").
    pub label: String,
}

/// Status of one court's listener, for the status bar.
#[derive(Debug, Clone, Default)]
pub struct CourtStatus {
    /// Court name.
    pub court: String,
    /// `address:port`.
    pub addr: String,
    /// "listening", or the error.
    pub status: String,
    /// Whether the listener is fine.
    pub ok: bool,
    /// Datagrams per second (recent).
    pub rate: f64,
    /// Last source address.
    pub last_source: Option<String>,
    /// Malformed messages.
    pub malformed: u64,
    /// Unknown messages.
    pub unknown: u64,
    /// Datagrams.
    pub datagrams: u64,
    /// Who the listener trusts, what it refused, the PSS link, recovery and hints.
    pub trust: ListenerTrust,
}

/// Store status for the status bar.
#[derive(Debug, Clone, Default)]
pub struct StoreStatus {
    /// Store file.
    pub path: String,
    /// Whether the store is open.
    pub open: bool,
    /// Stored datagrams.
    pub events: u64,
    /// Time of the last commit, Unix ns (0 = none this run).
    pub last_commit_ns: i64,
    /// Writer queue depth.
    pub queue: usize,
}

/// All state the panels draw.
#[derive(Default)]
pub struct AppState {
    /// Live match state per court.
    pub courts: BTreeMap<String, MatchState>,
    /// Current match key per court.
    pub court_keys: BTreeMap<String, u64>,
    /// Listener status per court.
    pub listeners: Vec<CourtStatus>,
    /// Store status.
    pub store: StoreStatus,
    /// Live data log.
    pub live: LiveLog,
    /// Event table.
    pub table: EventTable,
    /// Matches in the store, newest first.
    pub match_list: Vec<MatchRecord>,
    /// Notices.
    pub notices: Notices,
    /// Settings in force.
    pub settings: AppSettings,
    /// Settings being edited.
    pub draft: SettingsDraft,
    /// Settings history, newest first.
    pub history: Vec<SettingChange>,
    /// Panels.
    pub prefs: UiPrefs,
    /// Interfaces to bind to.
    pub interfaces: Vec<InterfaceChoice>,
    /// Commands of this frame (run by the app at its end).
    pub commands: Vec<Command>,
    /// Scoreboard is fullscreen.
    pub scoreboard_fullscreen: bool,
    /// Latest system sample (CPU, memory).
    pub system: Option<crate::sysmon::SysSample>,
    /// Country code → flag (mapping, imports, built-in set).
    pub flag_resolver: crate::flags::FlagResolver,
    /// Flag textures by size.
    pub flag_cache: crate::flags::FlagTextureCache,
    /// The flags service runs (the store is open): the flags window can be shown.
    pub flags_available: bool,
    /// The flags manager panel.
    pub flags_panel: super::panels::FlagsPanel,
    /// What the flags service last reported (imports, mapping, seen codes, its log), copied
    /// after it changes so the panel draws it like any other model state.
    pub flags: crate::flags::FlagsState,
    /// OBS statuses, connections, rules and the automation log.
    pub obs: super::obs::ObsView,
    /// System monitor, diagnostics, logs, data jobs, advanced mode, licence.
    pub support: super::support::SupportView,
    /// The Review panel: the match's scoring events on video, the review OBS's state.
    pub review: super::review::ReviewView,
    /// The web server: serving or not, the token shown once.
    pub web: super::web::WebView,
    /// The tournament link's status (issue 17).
    pub tournament: super::tournament::TournamentView,
    /// The hub's Tournament window (issue 17): `status` is `None` unless this is a hub.
    pub hub: super::hub::HubView,
}

impl AppState {
    /// The court the scoreboard (and the followed table) shows.
    pub fn scoreboard_court(&self) -> String {
        self.settings
            .scoreboard
            .court
            .clone()
            .filter(|c| self.settings.listeners.iter().any(|l| &l.court == c))
            .or_else(|| self.settings.listeners.first().map(|l| l.court.clone()))
            .unwrap_or_default()
    }
}

/// What the status bar shows about whom a listener trusts and what it heard from the PSS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListenerTrust {
    /// No allowlist and no source lock: any machine on the LAN can feed this court.
    pub trusts_everyone: bool,
    /// The source lock is on.
    pub lock_enabled: bool,
    /// The address the listener is locked to.
    pub locked: Option<std::net::IpAddr>,
    /// Datagrams not stored, per source (most first), and from sources beyond the tracked ones.
    pub not_stored: Vec<crate::ingest::SourceCount>,
    /// Datagrams not stored from untracked sources.
    pub not_stored_untracked: u64,
    /// Datagrams over the per-source rate bound.
    pub over_rate: u64,
    /// "PSS connected 12:03:55".
    pub pss_link: Option<String>,
    /// State requests: "asked 10.0.0.5:6001 · 9 answers", or why asking failed.
    pub recovery: Option<String>,
    /// What to check when the listener has heard nothing.
    pub silence_hint: Option<crate::ingest::hints::SilenceHint>,
}

#[cfg(test)]
mod tests {
    use super::UiPrefs;

    #[test]
    fn prefs_saved_before_the_rename_keep_the_support_window_open() {
        let old = r#"{"show_live":true,"show_match":false,"show_settings":false,
                      "scoreboard_open":true,"show_venue":true}"#;
        let prefs: UiPrefs = serde_json::from_str(old).expect("old prefs load");
        assert!(prefs.show_support);
        assert!(!prefs.show_match);
        let saved = serde_json::to_string(&prefs).expect("save");
        assert!(saved.contains("\"show_support\":true"), "{saved}");
    }
}
