//! The event table's model: one compact row per event of a match, filters, a record cache.
//!
//! Rows are small (`RowMeta`, no strings) so a match with a million events fits comfortably;
//! labels and raw text come from whole records fetched page by page off the UI thread and kept in
//! a bounded cache.

use crate::match_state::MatchState;
use crate::protocol::{Athlete, Event, PointKind};
use crate::store::EventRecord;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Filterable kind of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RowKind {
    /// Point: punch.
    Punch,
    /// Point: body kick.
    Body,
    /// Point: head kick.
    Head,
    /// Point: turning body kick.
    TechBody,
    /// Point: turning head kick.
    TechHead,
    /// Sensor hit level.
    HitLevel,
    /// Gam-jeom.
    Penalty,
    /// Match, break or timeout clock.
    Clock,
    /// Video-review challenge.
    Challenge,
    /// Everything else that parsed.
    Other,
    /// Unknown code.
    Unknown,
    /// Malformed message.
    Malformed,
}

impl RowKind {
    /// Every kind, in filter order.
    pub const ALL: [RowKind; 12] = [
        RowKind::Punch,
        RowKind::Body,
        RowKind::Head,
        RowKind::TechBody,
        RowKind::TechHead,
        RowKind::HitLevel,
        RowKind::Penalty,
        RowKind::Clock,
        RowKind::Challenge,
        RowKind::Other,
        RowKind::Unknown,
        RowKind::Malformed,
    ];

    /// Bit in a filter mask.
    pub fn bit(self) -> u16 {
        1 << (self as u8)
    }

    /// Filter label.
    pub fn label(self) -> &'static str {
        match self {
            RowKind::Punch => "Punch",
            RowKind::Body => "Body",
            RowKind::Head => "Head",
            RowKind::TechBody => "Turning body",
            RowKind::TechHead => "Turning head",
            RowKind::HitLevel => "Hit levels",
            RowKind::Penalty => "Penalties",
            RowKind::Clock => "Clock",
            RowKind::Challenge => "Challenges",
            RowKind::Other => "Other",
            RowKind::Unknown => "Unknown",
            RowKind::Malformed => "Malformed",
        }
    }

    fn of(e: &Event) -> RowKind {
        match e {
            Event::Point { kind, .. } => match kind {
                PointKind::Punch => RowKind::Punch,
                PointKind::Body => RowKind::Body,
                PointKind::Head => RowKind::Head,
                PointKind::TechBody => RowKind::TechBody,
                PointKind::TechHead => RowKind::TechHead,
            },
            Event::HitLevel { .. } => RowKind::HitLevel,
            Event::Penalties { .. } => RowKind::Penalty,
            Event::Clock { .. } | Event::Break { .. } | Event::Timeout { .. } => RowKind::Clock,
            Event::Challenge { .. } => RowKind::Challenge,
            Event::Unknown { .. } => RowKind::Unknown,
            Event::Malformed { .. } => RowKind::Malformed,
            _ => RowKind::Other,
        }
    }
}

/// One event of the table, without strings. The receive time and the label come from the cached
/// record; the sequence is kept as an offset from the match's first datagram. The table keeps its
/// rows packed in a [`super::row_index::RowIndex`] (about 4 bytes per row instead of these 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowMeta {
    pub(crate) seq_offset: u32,
    /// Match clock at that point, seconds.
    pub clock: u32,
    /// Hit level: the level itself, or for a point the level that preceded it (0 = none).
    pub hit_level: u32,
    /// Index of the event within its datagram.
    pub part: u16,
    /// Round at that point.
    pub round: u8,
    /// Athlete in the low two bits (0 none, 1 blue, 2 red), kind above.
    pub(crate) packed: u8,
}

impl RowMeta {
    /// Datagram sequence, given the match key (the sequence of the match's first datagram).
    pub fn seq(&self, match_key: u64) -> u64 {
        match_key + u64::from(self.seq_offset)
    }

    /// 0 none, 1 blue, 2 red.
    pub fn athlete(&self) -> u8 {
        self.packed & 0b11
    }

    /// Filterable kind.
    pub fn kind(&self) -> RowKind {
        RowKind::ALL[usize::from(self.packed >> 2) % RowKind::ALL.len()]
    }
}

/// Folds records into rows, tracking round, clock and the pending hit level of each athlete.
#[derive(Debug, Clone, Default)]
pub struct RowBuilder {
    state: MatchState,
    pending_hl: [u32; 2],
    /// Set when a record lay more than `u32::MAX` datagrams after its match's first one (rows
    /// from then on are not indexed; the table says so).
    pub overflowed: bool,
}

impl RowBuilder {
    /// Append the rows of `rec` to `out` (a `Vec<RowMeta>` or the table's `RowIndex`).
    pub fn push(&mut self, rec: &EventRecord, out: &mut impl Extend<RowMeta>) {
        let Some(seq_offset) = rec
            .seq
            .checked_sub(rec.match_key)
            .and_then(|d| u32::try_from(d).ok())
        else {
            self.overflowed = true;
            return;
        };
        for (part, e) in rec.events.iter().enumerate() {
            self.state.apply(e);
            let athlete = e.athlete().map_or(0, Athlete::number);
            let hit_level = match e {
                Event::HitLevel { athlete, level } => {
                    self.pending_hl[usize::from(athlete.number() - 1)] = *level;
                    *level
                }
                Event::Point { athlete, .. } => {
                    std::mem::take(&mut self.pending_hl[usize::from(athlete.number() - 1)])
                }
                _ => 0,
            };
            out.extend(Some(RowMeta {
                seq_offset,
                part: part.min(usize::from(u16::MAX)) as u16,
                round: self.state.round.min(255) as u8,
                clock: clock_secs(&self.state.clock),
                packed: athlete | ((RowKind::of(e) as u8) << 2),
                hit_level,
            }));
        }
    }
}

/// Seconds of a state clock text (`m:ss`, as MatchState writes it).
fn clock_secs(text: &str) -> u32 {
    let (m, s) = text.split_once(':').unwrap_or(("0", text));
    m.parse::<u32>().unwrap_or(0) * 60 + s.parse::<u32>().unwrap_or(0)
}

/// Athlete filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AthleteFilter {
    /// Every row.
    #[default]
    All,
    /// Blue only.
    Blue,
    /// Red only.
    Red,
    /// Rows about neither athlete.
    Neither,
}

/// The table's filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFilter {
    /// Athlete.
    pub athlete: AthleteFilter,
    /// Mask of [`RowKind::bit`]s shown.
    pub kinds: u16,
    /// Round, or every round.
    pub round: Option<u8>,
    /// Free text (matched against label and raw text, case-insensitive).
    pub text: String,
}

impl Default for TableFilter {
    fn default() -> Self {
        TableFilter {
            athlete: AthleteFilter::All,
            kinds: RowKind::ALL.iter().fold(0, |m, k| m | k.bit()),
            round: None,
            text: String::new(),
        }
    }
}

impl TableFilter {
    /// Whether a row passes the filters other than text.
    pub fn passes(&self, row: &RowMeta) -> bool {
        self.passes_fields(row.athlete(), row.kind(), row.round)
    }

    /// Whether a row of this athlete, kind and round passes the filters other than text.
    pub fn passes_fields(&self, athlete: u8, kind: RowKind, round: u8) -> bool {
        let athlete_ok = match self.athlete {
            AthleteFilter::All => true,
            AthleteFilter::Blue => athlete == 1,
            AthleteFilter::Red => athlete == 2,
            AthleteFilter::Neither => athlete == 0,
        };
        athlete_ok && self.kinds & kind.bit() != 0 && self.round.is_none_or(|r| r == round)
    }

    /// Whether every row passes (no filter set).
    pub fn shows_everything(&self) -> bool {
        *self == TableFilter::default()
    }

    /// Whether an event matches the free text.
    pub fn text_matches(needle_lower: &str, rec: &EventRecord, part: usize) -> bool {
        if needle_lower.is_empty() {
            return true;
        }
        let label = rec.events.get(part).map(|e| e.label()).unwrap_or_default();
        label.to_lowercase().contains(needle_lower)
            || String::from_utf8_lossy(&rec.raw)
                .to_lowercase()
                .contains(needle_lower)
    }
}

/// A bounded cache of whole records by sequence (oldest evicted first).
#[derive(Debug, Default)]
pub struct RecordCache {
    map: HashMap<u64, Arc<EventRecord>>,
    order: VecDeque<u64>,
}

impl RecordCache {
    /// Most records kept. A screen shows about fifty rows and fetches only those; 4096 records
    /// keep scrolling back and forth cheap without holding a whole match's records (a
    /// 20 000-record cache was ~7 MB, most of the app's memory growth in a soak's first 40
    /// matches).
    pub const CAPACITY: usize = 4096;

    /// Look up a record.
    pub fn get(&self, seq: u64) -> Option<&Arc<EventRecord>> {
        self.map.get(&seq)
    }

    /// Insert a record.
    pub fn insert(&mut self, rec: Arc<EventRecord>) {
        if self.map.insert(rec.seq, rec.clone()).is_none() {
            self.order.push_back(rec.seq);
        }
        while self.order.len() > Self::CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }

    /// Number of cached records.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Text-search hits: (seq, part).
pub type TextHits = HashSet<(u64, u16)>;
