//! The scoreboard's truth: a pure fold of the event sequence.
//!
//! `sc`/`s..` messages set the scores; `pt` only counts points by type (it is the point log, never
//! added on top of `sc`). Rounds won come from `wrd`. `pre` (fight loaded) starts a fresh state.
//! The same stream gives the same state in the GUI, in `courtside replay` and after a restart.

use crate::protocol::{
    Athlete, Clock, ClockAction, Event, InjuryAction, MatchConfig, PointKind, RoundStats,
};
use serde::{Deserialize, Serialize};

/// Match configuration as shown (the `match` object of the JSON state).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchInfo {
    /// Match number as text (`245.A`).
    pub number: String,
    /// Phase ("Final").
    pub phase: String,
    /// Weight / category.
    pub weight: String,
    /// Division ("Senior").
    pub division: String,
    /// Match id; null when sent as `null` or empty.
    pub match_id: Option<String>,
    /// Total rounds.
    pub total_rounds: Option<u32>,
    /// Round length in seconds.
    pub round_seconds: Option<u32>,
    /// Colours from `mch`, `#RRGGBB` as sent (empty until `mch` arrives).
    pub colors: Colors,
}

/// Scoreboard colours from `mch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colors {
    /// Blue background.
    pub blue_bg: String,
    /// Blue foreground.
    pub blue_fg: String,
    /// Red background.
    pub red_bg: String,
    /// Red foreground.
    pub red_fg: String,
}

/// Points counted by type from `pt` messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointCounts {
    /// Punches.
    pub punch: u32,
    /// Body kicks.
    pub body: u32,
    /// Head kicks.
    pub head: u32,
    /// Turning body kicks.
    pub tech_body: u32,
    /// Turning head kicks.
    pub tech_head: u32,
}

impl PointCounts {
    fn bump(&mut self, kind: PointKind) {
        let slot = match kind {
            PointKind::Punch => &mut self.punch,
            PointKind::Body => &mut self.body,
            PointKind::Head => &mut self.head,
            PointKind::TechBody => &mut self.tech_body,
            PointKind::TechHead => &mut self.tech_head,
        };
        *slot = slot.saturating_add(1);
    }
}

/// One side of the scoreboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// Short name.
    pub short_name: String,
    /// Long name.
    pub long_name: String,
    /// IOC country code as sent.
    pub country: String,
    /// Current total (`sc`).
    pub score: u32,
    /// Per-round scores (`s..`), rounds 1–3.
    pub round_scores: [u32; 3],
    /// Gam-jeom total (`wg`).
    pub penalties: u32,
    /// Rounds won, counted from `wrd`.
    pub rounds_won: u32,
    /// Points by type (`pt`).
    pub points: PointCounts,
    /// Last sensor hit level (`hl`), if any.
    pub last_hit_level: Option<u32>,
}

impl Side {
    /// Names and country from `at1`/`at2`. A datagram cut short (TkStrike counts its length in
    /// UTF-16 units) has its last field cut and the ones after it missing: a value already known
    /// for the same athlete is then kept instead of the cut one.
    fn load_athlete(&mut self, fields: [&str; 3], truncated: bool) {
        let old = [&self.short_name, &self.long_name, &self.country].map(|s| s.to_string());
        let mut new = fields.map(str::to_string);
        if truncated {
            let last = fields.iter().rposition(|f| !f.is_empty()).unwrap_or(0);
            let same = !old[0].is_empty()
                && (old[0] == fields[0] || (last == 0 && old[0].starts_with(fields[0])));
            for i in last..3 {
                let cut_of_known = i == last && old[i].starts_with(fields[i]);
                if same && (i > last || cut_of_known) {
                    new[i] = old[i].clone();
                }
            }
        }
        let [short, long, country] = new;
        self.short_name = short;
        self.long_name = long;
        self.country = country;
    }
}

/// Injury (kye-shi) clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injury {
    /// `"blue"`, `"red"`, or null when not identified (`ij0`).
    pub athlete: Option<String>,
    /// Remaining time, `m:ss`.
    pub clock: String,
    /// Whether the clock is shown.
    pub visible: bool,
}

/// The challenge under review or just decided (cleared when the fight resumes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// `"referee"`, `"blue"` or `"red"`.
    pub by: String,
    /// `requested`, `accepted`, `won`, `lost`, `rejected` or `closed` (`ch1;-1`: the review was
    /// closed).
    pub status: String,
}

/// Timeout clock (para-taekwondo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeout {
    /// `"blue"` or `"red"`.
    pub athlete: String,
    /// Remaining time, `m:ss`.
    pub clock: String,
}

/// Message counts since the match was loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Every message applied.
    pub messages: u64,
    /// Unknown codes.
    pub unknown: u64,
    /// Malformed messages.
    pub malformed: u64,
}

/// The live state of one court's match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchState {
    /// Match configuration.
    #[serde(rename = "match")]
    pub info: MatchInfo,
    /// Current round (0 before `rnd`; golden round = 4).
    pub round: u32,
    /// Match clock, `m:ss`.
    pub clock: String,
    /// Whether the match clock is running.
    pub clock_running: bool,
    /// Break countdown while a break is on, else null.
    pub break_clock: Option<String>,
    /// Injury clock, or null.
    pub injury: Option<Injury>,
    /// Winner of each round as sent (0 undecided, 1 blue, 2 red).
    pub round_winners: [u8; 3],
    /// The match winner; `"blue"`, `"red"` or null in JSON and in stored match records (the
    /// colour name, as before this field was typed: old records and `replay --json` readers keep
    /// working).
    #[serde(with = "side_name")]
    pub winner: Option<Athlete>,
    /// Decision text from `wmh` (`2-1 PTF`).
    pub decision: Option<String>,
    /// Athlete 1.
    pub blue: Side,
    /// Athlete 2.
    pub red: Side,
    /// The challenge under review or just decided; null once the clock starts again or the round
    /// changes (a decided challenge is over when the fight resumes: the scoreboard must not keep
    /// showing it for the rest of the match; the event log keeps every challenge).
    pub challenge: Option<Challenge>,
    /// Timeout clock, or null.
    pub timeout: Option<Timeout>,
    /// `rdy` received for this match.
    pub ready: bool,
    /// Message counts.
    pub counts: Counts,
    /// The match ended as a tie (`win;TIE`, sent with a withdrawal): `winner` stays null, and
    /// `decision` tells the rest once `wmh` arrives.
    pub tie: bool,
    /// Round statistics (`rst`), one entry per round in round order; a round sent again
    /// replaces its entry.
    pub round_stats: Vec<RoundStats>,
}

impl Default for MatchState {
    fn default() -> Self {
        MatchState {
            info: MatchInfo::default(),
            round: 0,
            clock: Clock::from_secs(0).to_string(),
            clock_running: false,
            break_clock: None,
            injury: None,
            round_winners: [0; 3],
            winner: None,
            decision: None,
            blue: Side::default(),
            red: Side::default(),
            challenge: None,
            timeout: None,
            ready: false,
            counts: Counts::default(),
            tie: false,
            round_stats: Vec::new(),
        }
    }
}

impl MatchState {
    /// A fresh state (no match loaded).
    pub fn new() -> MatchState {
        MatchState::default()
    }

    /// Fold a whole event sequence into a state.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> MatchState {
        let mut s = MatchState::new();
        for e in events {
            s.apply(e);
        }
        s
    }

    /// The side of an athlete.
    pub fn side(&self, a: Athlete) -> &Side {
        match a {
            Athlete::Blue => &self.blue,
            Athlete::Red => &self.red,
        }
    }

    fn side_mut(&mut self, a: Athlete) -> &mut Side {
        match a {
            Athlete::Blue => &mut self.blue,
            Athlete::Red => &mut self.red,
        }
    }

    /// Apply one event. Pure: the result depends only on the state and the event.
    pub fn apply(&mut self, event: &Event) {
        if matches!(event, Event::FightLoaded) {
            *self = MatchState::new();
        }
        self.counts.messages += 1;
        match event {
            Event::Point { athlete, kind } => self.side_mut(*athlete).points.bump(*kind),
            Event::HitLevel { athlete, level } => {
                self.side_mut(*athlete).last_hit_level = Some(*level)
            }
            Event::Penalties { athlete, count } => self.side_mut(*athlete).penalties = *count,
            Event::Injury {
                athlete,
                clock,
                action,
            } => self.apply_injury(*athlete, *clock, *action),
            Event::Challenge { by, status } => {
                self.challenge = Some(Challenge {
                    by: by.map_or("referee", |a| a.name()).to_string(),
                    status: status.word().to_string(),
                })
            }
            Event::Break { clock, action } => {
                self.break_clock = match action {
                    Some(crate::protocol::BreakAction::StopEnd) => None,
                    _ => Some(clock.to_string()),
                }
            }
            Event::RoundWinners { winners } => {
                self.round_winners = *winners;
                let won = |n: u8| winners.iter().filter(|w| **w == n).count() as u32;
                self.blue.rounds_won = won(1);
                self.red.rounds_won = won(2);
            }
            Event::WinnerShown { name, decision } => {
                self.decision = decision.clone();
                if self.winner.is_none() && !self.tie {
                    self.winner = self.athlete_named(name);
                }
            }
            Event::Winner { athlete } => {
                self.winner = Some(*athlete);
                self.tie = false;
            }
            Event::MatchTie => {
                self.winner = None;
                self.tie = true;
            }
            Event::RoundStats(stats) => self.apply_round_stats(stats),
            Event::AthleteInfo {
                athlete,
                short_name,
                long_name,
                country,
                truncated,
            } => {
                self.side_mut(*athlete)
                    .load_athlete([short_name, long_name, country], *truncated);
            }
            Event::MatchConfig(cfg) => self.apply_config(cfg),
            Event::RoundScore {
                athlete,
                round,
                score,
            } => {
                if let Some(slot) = self
                    .side_mut(*athlete)
                    .round_scores
                    .get_mut(usize::from(*round).wrapping_sub(1))
                {
                    *slot = *score;
                }
            }
            Event::Score { athlete, score } => self.side_mut(*athlete).score = *score,
            Event::Clock { clock, action } => {
                let previous = clock_secs(&self.clock);
                self.clock = clock.to_string();
                match action {
                    Some(ClockAction::Start) => {
                        self.clock_running = true;
                        self.break_clock = None;
                        self.challenge = None;
                    }
                    Some(ClockAction::Stop) | Some(ClockAction::StopEnd) => {
                        self.clock_running = false
                    }
                    // A plain tick one second on from the last value (either way: count-down or
                    // count-up) means the clock runs, even when its `start` was never heard:
                    // courtside started mid-round, or the state came from the PSS's answers. A
                    // reset (`clk;2:00` at a new round) or a correction is no such step.
                    None if previous.is_some_and(|p| p.abs_diff(clock.secs) == 1) => {
                        self.clock_running = true
                    }
                    Some(ClockAction::Corr) | None => {}
                }
            }
            Event::Round { round } => {
                if *round != self.round {
                    self.challenge = None;
                }
                self.round = *round;
            }
            Event::FightReady => self.ready = true,
            Event::Timeout {
                athlete,
                clock,
                action,
            } => {
                self.timeout = match action {
                    Some(ClockAction::StopEnd) => None,
                    _ => Some(Timeout {
                        athlete: athlete.name().to_string(),
                        clock: clock.to_string(),
                    }),
                }
            }
            Event::Unknown { .. } => self.counts.unknown += 1,
            Event::Malformed { .. } => self.counts.malformed += 1,
            Event::FightLoaded
            | Event::VideoTime { .. }
            | Event::Superiority { .. }
            | Event::Referees { .. }
            | Event::Hello
            | Event::Bye
            | Event::HardwareTest { .. }
            | Event::LedSetting { .. }
            | Event::RoundStatsEnd
            | Event::PssLink { .. } => {}
        }
    }

    fn apply_round_stats(&mut self, stats: &RoundStats) {
        // The parser refuses other rounds; checked again so the list stays short whatever the
        // source of the event.
        if !(1..=RoundStats::MAX_ROUND).contains(&stats.round) {
            return;
        }
        match self
            .round_stats
            .binary_search_by_key(&stats.round, |r| r.round)
        {
            Ok(i) => self.round_stats[i] = stats.clone(),
            Err(i) => self.round_stats.insert(i, stats.clone()),
        }
    }

    fn apply_injury(
        &mut self,
        athlete: Option<Athlete>,
        clock: Clock,
        action: Option<InjuryAction>,
    ) {
        let visible = match action {
            Some(InjuryAction::Reset) => {
                self.injury = None;
                return;
            }
            Some(InjuryAction::Show) => true,
            Some(InjuryAction::Hide) => false,
            None => self.injury.as_ref().is_none_or(|i| i.visible),
        };
        self.injury = Some(Injury {
            athlete: athlete.map(|a| a.name().to_string()),
            clock: clock.to_string(),
            visible,
        });
    }

    fn apply_config(&mut self, cfg: &MatchConfig) {
        self.info = MatchInfo {
            number: cfg.number.clone(),
            phase: cfg.phase.clone(),
            weight: cfg.weight.clone(),
            division: cfg.division.clone(),
            match_id: cfg.match_id.clone(),
            total_rounds: cfg.total_rounds,
            round_seconds: cfg.round_seconds,
            colors: Colors {
                blue_bg: cfg.blue_bg.clone(),
                blue_fg: cfg.blue_fg.clone(),
                red_bg: cfg.red_bg.clone(),
                red_fg: cfg.red_fg.clone(),
            },
        };
    }

    fn athlete_named(&self, name: &str) -> Option<Athlete> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        [Athlete::Blue, Athlete::Red].into_iter().find(|a| {
            let s = self.side(*a);
            s.long_name.trim() == name || s.short_name.trim() == name
        })
    }

    /// The state as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// An optional side serialised as its colour name (`"blue"` / `"red"` / null), in JSON and in the
/// store codec alike: [`Athlete`]'s own serde form (`"Blue"`, a variant index in bincode) is the
/// one events are stored with, so it stays as it is.
mod side_name {
    use crate::protocol::Athlete;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(side: &Option<Athlete>, s: S) -> Result<S::Ok, S::Error> {
        match side {
            Some(a) => s.serialize_some(a.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Athlete>, D::Error> {
        let Some(name) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        match Athlete::from_name(&name) {
            Some(a) => Ok(Some(a)),
            None => Err(serde::de::Error::custom(format!(
                "side must be blue or red, got '{name}'"
            ))),
        }
    }
}

/// Seconds of a clock as the state keeps it (`m:ss`); `None` before any clock was heard.
fn clock_secs(text: &str) -> Option<u32> {
    let (m, s) = text.split_once(':')?;
    Some(m.parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?)
}
