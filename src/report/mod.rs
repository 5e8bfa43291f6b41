//! Match report: a one-page summary of a stored match (athletes, countries, per-round scores,
//! round statistics, points by type, hit levels, penalties, challenges, winner), viewable in the app (as an RGBA
//! image) and exportable as PNG or PDF. The page is laid out once ([`layout`]) and drawn by both
//! back ends, so the PNG and the PDF show the same thing.

pub mod font;
pub mod layout;
pub mod pdf;
pub mod png;
mod round_stats;

use crate::match_state::{MatchState, PointCounts};
use crate::protocol::{Athlete, ChallengeStatus, Event, RoundStats};
use crate::store::{EventRecord, Store, StoreError};
use serde::Serialize;

/// Report errors.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The match is not in the store.
    #[error("match {0} is not in the store")]
    NoSuchMatch(u64),
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The font could not be read.
    #[error("cannot read the report font: {0}")]
    Font(String),
    /// Rendering or encoding failed.
    #[error("cannot render the report: {0}")]
    Render(String),
    /// Writing the file failed.
    #[error("cannot write report {path}: {cause}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        cause: String,
    },
}

/// One athlete in the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideReport {
    /// Long name.
    pub name: String,
    /// IOC country code.
    pub country: String,
    /// Final score.
    pub score: u32,
    /// Score per round (1–3).
    pub round_scores: [u32; 3],
    /// Gam-jeom total.
    pub penalties: u32,
    /// Rounds won.
    pub rounds_won: u32,
    /// Points by type.
    pub points: PointCounts,
    /// The flag of `country` (mapping and imports applied), when one is known.
    #[serde(skip)]
    pub flag: Option<FlagBitmap>,
}

/// A flag as opaque RGB pixels (composited on white), for both back ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagBitmap {
    /// Width, pixels.
    pub width: u32,
    /// Height, pixels.
    pub height: u32,
    /// `width * height * 3` bytes, row-major.
    pub rgb: Vec<u8>,
}

/// Pixel height flags are rasterised at (the page shows them 36 pt tall: ~190 dpi).
const FLAG_PX: u32 = 96;

impl FlagBitmap {
    /// The flag for a received country code, through the store's mapping and imports.
    /// Drawn with the app's bounds (aspect, size, SVG checks, time limit on its own thread); an
    /// image that fails them is left out (the page shows the code alone) and logged.
    pub fn for_code(resolver: &crate::flags::FlagResolver, code: &str) -> Option<FlagBitmap> {
        use crate::flags::{raster, validate};
        let image = resolver.resolve(code).image?;
        let source = (image.format, image.data.clone());
        let max_side = (FLAG_PX as f64 * validate::MAX_ASPECT) as u32;
        let img = raster::rasterise_within(&source, FLAG_PX, max_side, validate::RASTER_TIME_LIMIT)
            .map_err(|e| tracing::warn!("report: flag {code} left out: {e}"))
            .ok()?;
        let mut rgb = Vec::with_capacity(img.pixels.len() * 3);
        for p in &img.pixels {
            // Premultiplied: over white is colour + (1 − alpha) · 255.
            let under = 255 - p.a();
            rgb.extend_from_slice(&[
                p.r().saturating_add(under),
                p.g().saturating_add(under),
                p.b().saturating_add(under),
            ]);
        }
        Some(FlagBitmap {
            width: img.size[0] as u32,
            height: img.size[1] as u32,
            rgb,
        })
    }
}

/// One sensor hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Who was credited.
    pub athlete: Athlete,
    /// Level as sent.
    pub level: u32,
    /// Round it happened in (0 before the first `rnd`).
    pub round: u32,
}

/// One video-review challenge and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChallengeReport {
    /// "blue", "red" or "referee".
    pub by: String,
    /// "won", "lost", "rejected", "closed" (`ch1;-1`: review closed) or "pending".
    pub outcome: String,
    /// Round.
    pub round: u32,
}

/// The report of one match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchReport {
    /// Match key in the store.
    pub key: u64,
    /// Court.
    pub court: String,
    /// Match number.
    pub number: String,
    /// Phase.
    pub phase: String,
    /// Weight / category.
    pub weight: String,
    /// Division.
    pub division: String,
    /// First event, Unix ns.
    pub started_at_ns: i64,
    /// Last event, Unix ns.
    pub last_event_at_ns: i64,
    /// Blue (athlete 1).
    pub blue: SideReport,
    /// Red (athlete 2).
    pub red: SideReport,
    /// Winner of each round as sent (0 undecided, 1 blue, 2 red).
    pub round_winners: [u8; 3],
    /// Every sensor hit, in order.
    pub hits: Vec<Hit>,
    /// Every challenge, in order.
    pub challenges: Vec<ChallengeReport>,
    /// Match winner.
    pub winner: Option<Athlete>,
    /// The match ended as a tie (`win;TIE`), so there is no winner.
    pub tie: bool,
    /// Decision text (`2-1 PTF`).
    pub decision: Option<String>,
    /// Round statistics as the scoring program sent them (`rst`), in round order.
    pub round_stats: Vec<RoundStats>,
}

impl MatchReport {
    /// The report of a stored match.
    pub fn load(store: &Store, key: u64) -> Result<MatchReport, ReportError> {
        let record = store
            .match_record(key)?
            .ok_or(ReportError::NoSuchMatch(key))?;
        let events = store.match_events(key)?;
        let mut report = MatchReport::from_records(key, &record.court, &events);
        // Without the store's flags (unreadable mapping) the built-in set still applies.
        let resolver = crate::flags::FlagResolver::load(store)
            .unwrap_or_else(|_| crate::flags::FlagResolver::builtin_only());
        for side in [&mut report.blue, &mut report.red] {
            side.flag = FlagBitmap::for_code(&resolver, &side.country);
        }
        Ok(report)
    }

    /// The report from a match's stored datagrams, in order.
    pub fn from_records(key: u64, court: &str, records: &[EventRecord]) -> MatchReport {
        let mut state = MatchState::new();
        let mut hits = Vec::new();
        let mut challenges = Vec::new();
        let mut open: Option<ChallengeReport> = None;
        for e in records.iter().flat_map(|r| &r.events) {
            state.apply(e);
            match e {
                Event::HitLevel { athlete, level } => hits.push(Hit {
                    athlete: *athlete,
                    level: *level,
                    round: state.round,
                }),
                Event::Challenge { by, status } => {
                    track_challenge(&mut open, &mut challenges, *by, *status, state.round)
                }
                Event::FightLoaded => {
                    hits.clear();
                    challenges.clear();
                    open = None;
                }
                _ => {}
            }
        }
        challenges.extend(open);
        let side = |s: &crate::match_state::Side| SideReport {
            name: if s.long_name.is_empty() {
                s.short_name.clone()
            } else {
                s.long_name.clone()
            },
            country: s.country.clone(),
            score: s.score,
            round_scores: s.round_scores,
            penalties: s.penalties,
            rounds_won: s.rounds_won,
            points: s.points,
            flag: None,
        };
        MatchReport {
            key,
            court: court.to_string(),
            number: state.info.number.clone(),
            phase: state.info.phase.clone(),
            weight: state.info.weight.clone(),
            division: state.info.division.clone(),
            started_at_ns: records.first().map_or(0, |r| r.received_at_ns),
            last_event_at_ns: records.last().map_or(0, |r| r.received_at_ns),
            blue: side(&state.blue),
            red: side(&state.red),
            round_winners: state.round_winners,
            hits,
            challenges,
            winner: state.winner,
            tie: state.tie,
            decision: state.decision.clone(),
            round_stats: state.round_stats.clone(),
        }
    }

    /// One side.
    pub fn side(&self, a: Athlete) -> &SideReport {
        match a {
            Athlete::Blue => &self.blue,
            Athlete::Red => &self.red,
        }
    }

    /// The report as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Fold challenge messages into one entry per challenge: a bare request opens one, a decision,
/// rejection or a closed review (`-1`) closes it; one still open at the end is "pending".
fn track_challenge(
    open: &mut Option<ChallengeReport>,
    done: &mut Vec<ChallengeReport>,
    by: Option<Athlete>,
    status: ChallengeStatus,
    round: u32,
) {
    let by = by.map_or("referee", |a| a.name()).to_string();
    let outcome = match status {
        ChallengeStatus::Requested | ChallengeStatus::Accepted => None,
        ChallengeStatus::Decided { won: true } => Some("won"),
        ChallengeStatus::Decided { won: false } => Some("lost"),
        ChallengeStatus::Rejected => Some("rejected"),
        ChallengeStatus::Closed => Some("closed"),
    };
    let same = open.as_ref().is_some_and(|o| o.by == by);
    if matches!(status, ChallengeStatus::Requested) || !same {
        done.extend(open.take());
        *open = Some(ChallengeReport {
            by,
            outcome: "pending".into(),
            round,
        });
    }
    if let Some(outcome) = outcome
        && let Some(mut c) = open.take()
    {
        c.outcome = outcome.to_string();
        done.push(c);
    }
}

/// Write bytes to a file via a temporary file beside it (no half-written report on failure).
pub(crate) fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |e: std::io::Error| ReportError::Io {
        path: path.display().to_string(),
        cause: e.to_string(),
    };
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        crate::store::durable::remove_leftover(&tmp);
        err(e)
    })
}
