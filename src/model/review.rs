//! The Review panel's model: the current match's scoring events with their place on video, the
//! challenge being reviewed, and the review OBS's state as the review service last read it back.
//! Pure: the app fills it from the store (off the UI thread) and from the review service.

use crate::match_state::MatchState;
use crate::protocol::{Athlete, ChallengeStatus, Event};
use crate::review::disputed::is_scoring;
use crate::review::{Prefer, ReviewState, VideoSegment, locate};
use crate::store::EventRecord;
use std::sync::Arc;

#[path = "review_show.rs"]
pub mod show;
pub use show::{PendingShow, ShowPlan, plan_show, why_no_video};

/// Loop window around the moment: from the pre-roll before it to this long after it.
pub const LOOP_AFTER_MS: u64 = 2_000;

/// What the Review panel asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewCommand {
    /// (Re)load the current match's scoring events and the video index.
    Load,
    /// Play the moment of the event with this sequence (its video offset minus the pre-roll).
    Cue {
        /// The event's record sequence.
        seq: u64,
    },
    /// Play.
    Play,
    /// Pause.
    Pause,
    /// Speed, percent (100, 50, 25).
    Speed(u32),
    /// Step whole frames (negative: back).
    StepFrames(i32),
    /// Step milliseconds (negative: back).
    StepMs(i64),
    /// Loop the window around the cued moment (true) or stop looping.
    Loop(bool),
    /// Program scene → review scene.
    OnAir,
    /// Back to the scene that was on air.
    BackToLive,
    /// Set the review OBS up for review: keyframes by this policy (OBS window → Control).
    SetupKeyframes(crate::obs::review_setup::KeyframePolicy),
    /// "Show on video" from the event table: list the event's match in the panel (an earlier
    /// one too) and play the event's moment from the match's recording (else a saved replay).
    ShowEvent {
        /// The event's match.
        match_key: u64,
        /// The event's record sequence.
        seq: u64,
    },
    /// List the current match again (after showing an earlier one).
    BackToCurrent,
}

/// One scoring event of the match, as the panel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewEntry {
    /// Record sequence.
    pub seq: u64,
    /// Receive time, Unix ns.
    pub received_at_ns: i64,
    /// Whose event (colour).
    pub athlete: Option<Athlete>,
    /// "Head kick +3", "Gam-jeom (2)".
    pub label: String,
    /// Round when it came.
    pub round: u32,
    /// Match clock when it came.
    pub clock: String,
    /// The file that holds it and the offset, ms.
    pub video: Option<(String, u64)>,
}

/// A challenge (or referee review) under way.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeInfo {
    /// The challenge record's sequence.
    pub seq: u64,
    /// Its match.
    pub match_key: u64,
    /// Who asked (`None`: the referee).
    pub by: Option<Athlete>,
    /// Latest status.
    pub status: ChallengeStatus,
    /// The disputed event was chosen and the review service asked to cue it.
    pub cued: bool,
}

impl ChallengeInfo {
    /// "Blue challenge", "Referee review".
    pub fn who(&self) -> &'static str {
        match self.by {
            Some(Athlete::Blue) => "Blue challenge",
            Some(Athlete::Red) => "Red challenge",
            None => "Referee review",
        }
    }
}

/// The result of loading a match for the panel (store read off the UI thread).
#[derive(Debug, Clone, Default)]
pub struct ReviewLoad {
    /// Which load this answers.
    pub generation: u64,
    /// The match.
    pub match_key: u64,
    /// Its records in sequence order (the caller keeps only scoring ones).
    pub records: Vec<EventRecord>,
    /// The video index.
    pub segments: Vec<VideoSegment>,
}

/// Everything the Review panel draws.
pub struct ReviewView {
    /// The review service runs (an OBS connection is set up).
    pub available: bool,
    /// Name of the OBS connection that plays reviews, or why there is none.
    pub connection: Result<String, String>,
    /// The review OBS as last read back.
    pub obs: ReviewState,
    /// The match listed.
    pub match_key: Option<u64>,
    /// Its scoring events, oldest first.
    pub entries: Vec<ReviewEntry>,
    /// A load is under way (generation).
    pub loading: Option<u64>,
    /// Latest load generation asked for.
    pub generation: u64,
    /// Records of the match from the live log and those seen while loading (merged after the
    /// load, each once: the store may not have the newest yet).
    pub waiting: Vec<Arc<EventRecord>>,
    /// The match state after `through_seq` (round and clock for new entries).
    pub fold: MatchState,
    /// Highest sequence folded.
    pub through_seq: u64,
    /// The video index as last loaded.
    pub segments: Vec<VideoSegment>,
    /// The event chosen (sequence).
    pub selected: Option<u64>,
    /// The challenge under way or last decided.
    pub challenge: Option<ChallengeInfo>,
    /// The last control's outcome ("review: speed 50 %", result).
    pub last: Option<(String, Result<String, String>)>,
    /// The latest preview frame.
    pub preview: Option<egui::TextureHandle>,
    /// Why the last preview failed.
    pub preview_error: Option<String>,
    /// The listed match is an earlier one chosen by "Show on video", not the current match:
    /// the panel stays on it until a challenge comes or the operator goes back.
    pub earlier: bool,
    /// An event asked for by "Show on video", played once its match is loaded.
    pub show: Option<PendingShow>,
}

impl std::fmt::Debug for ReviewView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReviewView")
            .field("connection", &self.connection)
            .field("obs", &self.obs)
            .field("match_key", &self.match_key)
            .field("entries", &self.entries.len())
            .field("selected", &self.selected)
            .field("challenge", &self.challenge)
            .field("preview", &self.preview.as_ref().map(|t| t.size()))
            .finish_non_exhaustive()
    }
}

impl Default for ReviewView {
    /// No service yet, nothing listed, back to live on the outcome.
    fn default() -> ReviewView {
        ReviewView {
            available: false,
            connection: Err(NO_CONNECTION.into()),
            obs: ReviewState::default(),
            match_key: None,
            entries: Vec::new(),
            loading: None,
            generation: 0,
            waiting: Vec::new(),
            fold: MatchState::new(),
            through_seq: 0,
            segments: Vec::new(),
            selected: None,
            challenge: None,
            last: None,
            preview: None,
            preview_error: None,
            earlier: false,
            show: None,
        }
    }
}

/// Why there is no review OBS when no connection is set up.
pub const NO_CONNECTION: &str = "no OBS connection is set up (OBS window → Connections)";

impl ReviewView {
    /// Start listing `match_key`: forget the old list; returns the generation to load.
    pub fn begin_load(&mut self, match_key: u64) -> u64 {
        if self.match_key != Some(match_key) {
            self.entries.clear();
            self.selected = None;
            self.fold = MatchState::new();
            self.through_seq = 0;
        }
        self.match_key = Some(match_key);
        self.generation += 1;
        self.loading = Some(self.generation);
        self.waiting.clear();
        self.generation
    }

    /// Apply a finished load (ignored when superseded), then the records seen meanwhile.
    pub fn apply_load(&mut self, load: ReviewLoad) -> bool {
        if self.loading != Some(load.generation) || self.match_key != Some(load.match_key) {
            return false;
        }
        self.loading = None;
        if let Some(p) = &mut self.show
            && p.match_key == load.match_key
        {
            let all = load.records.iter().chain(self.waiting.iter().map(|r| &**r));
            p.received_at_ns = all
                .filter(|r| r.seq == p.seq)
                .map(|r| r.received_at_ns)
                .next();
        }
        self.segments = load.segments;
        self.entries.clear();
        self.fold = MatchState::new();
        self.through_seq = 0;
        for r in &load.records {
            self.fold_record(r);
        }
        for r in std::mem::take(&mut self.waiting) {
            self.fold_record(&r);
        }
        true
    }

    /// A live record: folded in when it belongs to the listed match (kept for later while a
    /// load runs). True when it added an entry.
    pub fn live(&mut self, rec: &Arc<EventRecord>) -> bool {
        if self.match_key != Some(rec.match_key) {
            return false;
        }
        if self.loading.is_some() {
            self.waiting.push(rec.clone());
            return false;
        }
        let before = self.entries.len();
        self.fold_record(rec);
        self.entries.len() > before
    }

    fn fold_record(&mut self, rec: &EventRecord) {
        if rec.seq <= self.through_seq && self.through_seq != 0 {
            return;
        }
        self.through_seq = rec.seq;
        for e in &rec.events {
            self.fold.apply(e);
            if is_scoring(e) {
                let video = locate(&self.segments, rec.received_at_ns, Prefer::Replay)
                    .map(|s| (s.segment.path, s.offset_ms));
                self.entries.push(ReviewEntry {
                    seq: rec.seq,
                    received_at_ns: rec.received_at_ns,
                    athlete: e.athlete(),
                    label: label(e),
                    round: self.fold.round,
                    clock: self.fold.clock.clone(),
                    video,
                });
            }
        }
    }

    /// The event asked for by "Show on video", once its match is loaded (taken: played once).
    pub fn take_show(&mut self) -> Option<PendingShow> {
        let ready = self.loading.is_none()
            && self
                .show
                .is_some_and(|p| Some(p.match_key) == self.match_key);
        if ready { self.show.take() } else { None }
    }

    /// The entry with sequence `seq`.
    pub fn entry(&self, seq: u64) -> Option<&ReviewEntry> {
        self.entries.iter().find(|e| e.seq == seq)
    }

    /// The last scoring event before the challenge `seq` (what it is about).
    pub fn disputed(&self, challenge_seq: u64) -> Option<&ReviewEntry> {
        self.entries.iter().rev().find(|e| e.seq < challenge_seq)
    }

    /// The next entry (newer when `newer`) from the selection, for arrow-key navigation.
    pub fn neighbour(&self, newer: bool) -> Option<u64> {
        let i = self
            .selected
            .and_then(|s| self.entries.iter().position(|e| e.seq == s));
        let n = self.entries.len();
        let j = match (i, newer) {
            (None, _) => n.checked_sub(1)?,
            (Some(i), true) => (i + 1).min(n.checked_sub(1)?),
            (Some(i), false) => i.saturating_sub(1),
        };
        self.entries.get(j).map(|e| e.seq)
    }

    /// The loop window around the cued moment (pre-roll before it, [`LOOP_AFTER_MS`] after).
    pub fn loop_window(&self, pre_roll_ms: u64) -> Option<(u64, u64)> {
        let m = self.obs.moment_ms?;
        Some((m.saturating_sub(pre_roll_ms), m + LOOP_AFTER_MS))
    }
}

/// The panel's label of a scoring event ("Head kick +3", "Gam-jeom (2)").
fn label(e: &Event) -> String {
    match e {
        Event::Point { kind, .. } => format!("{} +{}", kind.label(), kind.number()),
        Event::Penalties { count, .. } => format!("Gam-jeom ({count})"),
        other => other.label(),
    }
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
