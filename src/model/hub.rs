//! The hub's "Tournament" window as the app shows it (issue 17, `courtside hub` with a window):
//! the hub's status copied from its service, every court as one grid row (pure, from
//! [`CourtView`] and the time now), the chosen court's records of its current match as read off
//! the UI thread, the finished matches, and the results export in flight.

use crate::export::ExportFormat;
use crate::store::EventRecord;
use crate::tournament::results::MatchResult;
use crate::tournament::{CourtView, HubStatus, Link};
use std::path::PathBuf;
use std::sync::Arc;

/// A court not heard for this long is marked stale: a court in a match sends its clock every
/// second, and an idle PSS still answers within a minute.
pub const STALE_AFTER_NS: i64 = 60_000_000_000;
/// Records of the chosen court's match kept for the window (the newest; a match has a few
/// thousand at most, a court left loaded for a day more).
pub const EVENTS_KEPT: usize = 5_000;
/// Records read per job (the next job reads on from the last one).
pub const EVENTS_PAGE: usize = 2_000;

/// What the Tournament window asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum HubCommand {
    /// Show this court's scoreboard and records (`None`: none).
    SelectCourt(Option<String>),
    /// Write the finished matches to a file: ask with a save dialog (`path: None`) or to `path`.
    ExportResults {
        /// CSV or JSON (`courtside results --format`).
        format: ExportFormat,
        /// Target file (`None`: ask).
        path: Option<PathBuf>,
    },
    /// Read the finished matches again.
    ReloadResults,
}

/// The hub as the window shows it; `status` is `None` when this courtside is not a hub.
#[derive(Debug, Default)]
pub struct HubView {
    /// The hub's status and every court's view, as last copied from its service.
    pub status: Option<HubStatus>,
    /// The court whose scoreboard and records are shown.
    pub selected: Option<String>,
    /// The chosen court's records of its current match.
    pub events: CourtEvents,
    /// Finished matches of the hub's store.
    pub results: ResultsList,
    /// The results export running now ("CSV…"), if any.
    pub exporting: Option<String>,
    /// The last export's outcome: what was written, or why not.
    pub last_export: Option<Result<String, String>>,
}

/// The chosen court's records of one match, read in pages off the UI thread.
#[derive(Debug, Default, Clone)]
pub struct CourtEvents {
    /// Court.
    pub court: String,
    /// Its match (hub store key).
    pub match_key: u64,
    /// The newest records read (at most [`EVENTS_KEPT`]), oldest first.
    pub records: Vec<Arc<EventRecord>>,
    /// Records read of this match in all (also those no longer kept).
    pub read: u64,
    /// Why the last read failed.
    pub error: Option<String>,
}

/// What to read next for the chosen court: its match and the sequence to read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsWanted {
    /// Court.
    pub court: String,
    /// Match key.
    pub match_key: u64,
    /// First sequence to read (0: the match from its start).
    pub from_seq: u64,
}

impl CourtEvents {
    /// What to read for `court` (its view now), or `None` when everything it has is read.
    pub fn wanted(&self, court: &str, view: &CourtView) -> Option<EventsWanted> {
        let same = self.court == court && self.match_key == view.match_key;
        if same && self.read >= view.datagrams {
            return None;
        }
        let from_seq = match (same, self.records.last()) {
            (true, Some(last)) => last.seq + 1,
            _ => 0,
        };
        Some(EventsWanted {
            court: court.to_string(),
            match_key: view.match_key,
            from_seq,
        })
    }

    /// Take a page read for `wanted`: a new court or match starts the list again; the oldest
    /// records beyond [`EVENTS_KEPT`] are let go.
    pub fn take(&mut self, wanted: &EventsWanted, page: Vec<EventRecord>) {
        if self.court != wanted.court || self.match_key != wanted.match_key || wanted.from_seq == 0
        {
            *self = CourtEvents {
                court: wanted.court.clone(),
                match_key: wanted.match_key,
                ..CourtEvents::default()
            };
        }
        let next = self.records.last().map_or(0, |r| r.seq + 1);
        // A page that overlaps what is kept (read twice after a retry) adds only what is new.
        let fresh: Vec<_> = page.into_iter().filter(|r| r.seq >= next).collect();
        self.read += fresh.len() as u64;
        self.records.extend(fresh.into_iter().map(Arc::new));
        let over = self.records.len().saturating_sub(EVENTS_KEPT);
        self.records.drain(..over);
        self.error = None;
    }
}

/// The finished matches of the hub's store.
#[derive(Debug, Default, Clone)]
pub struct ResultsList {
    /// Oldest first (as `courtside results` lists them).
    pub items: Vec<MatchResult>,
    /// Why the last read failed.
    pub error: Option<String>,
    /// Read at least once.
    pub loaded: bool,
}

/// A badge beside a court's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    /// A challenge (video review) is on: "Challenge blue".
    Challenge(String),
    /// An injury time-out: "Injury 0:42".
    Injury(String),
    /// The match has a winner: "Winner blue (PTF)".
    Winner(String),
    /// The match ended as a tie.
    Tie,
}

impl Badge {
    /// Its text.
    pub fn text(&self) -> String {
        match self {
            Badge::Challenge(t) | Badge::Injury(t) | Badge::Winner(t) => t.clone(),
            Badge::Tie => "Tie".into(),
        }
    }
}

/// How a court is connected, as the grid shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Heard within [`STALE_AFTER_NS`], and the hub is connected.
    Live,
    /// Not heard for longer: its laptop, its network or its PSS is off.
    Stale,
    /// The hub itself is not connected: nothing from any court arrives.
    HubDown,
}

impl Connection {
    /// The grid's text.
    pub fn text(self) -> &'static str {
        match self {
            Connection::Live => "live",
            Connection::Stale => "stale",
            Connection::HubDown => "hub offline",
        }
    }
}

/// One court's grid row.
#[derive(Debug, Clone, PartialEq)]
pub struct CourtRow {
    /// Court name.
    pub court: String,
    /// Match number ("" before a match is loaded).
    pub number: String,
    /// Phase.
    pub phase: String,
    /// Blue: name and country code.
    pub blue: (String, String),
    /// Red: name and country code.
    pub red: (String, String),
    /// Blue's and red's scores.
    pub score: (u32, u32),
    /// "R2", "Golden round", or "" before the first round.
    pub round: String,
    /// The match clock (with "break" while a break is on).
    pub clock: String,
    /// Challenge, injury, winner badges.
    pub badges: Vec<Badge>,
    /// "3 s ago", "never".
    pub age: String,
    /// Its connection.
    pub connection: Connection,
}

/// Every court's row, by court name.
pub fn court_rows(status: &HubStatus, now_ns: i64) -> Vec<CourtRow> {
    let hub_up = matches!(status.link, Link::Connected);
    status
        .courts
        .values()
        .map(|v| court_row(v, hub_up, now_ns))
        .collect()
}

/// One court's row; `hub_up`: the hub is connected.
pub fn court_row(v: &CourtView, hub_up: bool, now_ns: i64) -> CourtRow {
    let s = &v.state;
    let seen = last_seen_ns(v);
    let connection = if !hub_up {
        Connection::HubDown
    } else if seen == 0 || now_ns.saturating_sub(seen) > STALE_AFTER_NS {
        Connection::Stale
    } else {
        Connection::Live
    };
    let name = |side: &crate::match_state::Side| {
        let n = if side.long_name.is_empty() {
            &side.short_name
        } else {
            &side.long_name
        };
        (n.clone(), side.country.clone())
    };
    let clock = match &s.break_clock {
        Some(b) => format!("break {b}"),
        None => s.clock.clone(),
    };
    CourtRow {
        court: v.court.clone(),
        number: s.info.number.clone(),
        phase: s.info.phase.clone(),
        blue: name(&s.blue),
        red: name(&s.red),
        score: (s.blue.score, s.red.score),
        round: round_text(s.round),
        clock,
        badges: badges(s),
        age: age_text(seen, now_ns),
        connection,
    }
}

/// When the hub last heard the court: its store time this run, else (after a hub restart,
/// before anything new) the court's own receive time of its latest datagram.
fn last_seen_ns(v: &CourtView) -> i64 {
    if v.last_stored_at_ns > 0 {
        v.last_stored_at_ns
    } else {
        v.last_received_at_ns
    }
}

/// "R1".."R3", "Golden round" (round 4), "" before the first round.
pub fn round_text(round: u32) -> String {
    match round {
        0 => String::new(),
        4 => "Golden round".into(),
        n => format!("R{n}"),
    }
}

fn badges(s: &crate::match_state::MatchState) -> Vec<Badge> {
    let mut out = Vec::new();
    if let Some(c) = &s.challenge {
        out.push(Badge::Challenge(format!("Challenge {} {}", c.by, c.status)));
    }
    if let Some(i) = &s.injury {
        out.push(Badge::Injury(format!("Injury {}", i.clock)));
    }
    if let Some(w) = s.winner {
        let decision = s
            .decision
            .as_ref()
            .map_or(String::new(), |d| format!(" ({d})"));
        out.push(Badge::Winner(format!("Winner {}{decision}", w.name())));
    } else if s.tie {
        out.push(Badge::Tie);
    }
    out
}

/// "just now", "3 s ago", "4 min ago", "2 h 5 min ago"; "never" for no time.
pub fn age_text(seen_ns: i64, now_ns: i64) -> String {
    if seen_ns <= 0 {
        return "never".into();
    }
    let secs = now_ns.saturating_sub(seen_ns).max(0) / 1_000_000_000;
    match secs {
        0 => "just now".into(),
        1..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        _ => format!("{} h {} min ago", secs / 3600, secs % 3600 / 60),
    }
}

/// The hub's link for the window's top line: its text, and whether it is a fault.
pub fn link_text(link: &Link) -> (String, bool) {
    match link {
        Link::Connecting => ("Hub: connecting to the tournament server…".into(), false),
        Link::Connected => ("Hub: connected".into(), false),
        Link::Offline { cause, advice }
        | Link::WrongCredentials { cause, advice }
        | Link::NoJetStream { cause, advice } => {
            (format!("Hub not connected: {cause}. {advice}."), true)
        }
        Link::Misconfigured { cause } => (format!("Hub not running: {cause}"), true),
        Link::Stopped => ("Hub stopped".into(), true),
    }
}

/// A result's round scores, "3–0 · 0–5 · 3–0".
pub fn round_scores_text(r: &MatchResult) -> String {
    r.round_scores
        .iter()
        .map(|s| format!("{}–{}", s.blue, s.red))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A result's winner, "blue: Kenji TANAKA", or "—" (a tie, no winner).
pub fn winner_text(r: &MatchResult) -> String {
    match r.winner.as_deref() {
        Some("blue") => format!("blue: {}", r.blue.name),
        Some("red") => format!("red: {}", r.red.name),
        Some(other) => other.to_string(),
        None => "—".into(),
    }
}

#[cfg(test)]
#[path = "hub_tests.rs"]
mod hub_tests;
