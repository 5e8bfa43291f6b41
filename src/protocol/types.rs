//! Event types produced by the parser.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the two competitors. Athlete 1 is blue (chung), athlete 2 is red (hong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Athlete {
    /// Athlete 1 (chung).
    Blue,
    /// Athlete 2 (hong).
    Red,
}

impl Athlete {
    /// Wire number of the athlete (1 = blue, 2 = red).
    pub fn number(self) -> u8 {
        match self {
            Athlete::Blue => 1,
            Athlete::Red => 2,
        }
    }

    /// The athlete for a wire number, if it is 1 or 2.
    pub fn from_number(n: u8) -> Option<Athlete> {
        match n {
            1 => Some(Athlete::Blue),
            2 => Some(Athlete::Red),
            _ => None,
        }
    }

    /// Lower-case colour name, as used in JSON (`"blue"` / `"red"`).
    pub fn name(self) -> &'static str {
        match self {
            Athlete::Blue => "blue",
            Athlete::Red => "red",
        }
    }

    /// The athlete for its lower-case colour name ([`Athlete::name`]), if it is one.
    pub fn from_name(name: &str) -> Option<Athlete> {
        [Athlete::Blue, Athlete::Red]
            .into_iter()
            .find(|a| a.name() == name)
    }
}

/// Type of a scored point (`pt1;N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PointKind {
    /// 1: punch.
    Punch,
    /// 2: body kick.
    Body,
    /// 3: head kick.
    Head,
    /// 4: technical (turning) body kick.
    TechBody,
    /// 5: technical (turning) head kick.
    TechHead,
}

impl PointKind {
    /// Wire number (1–5). Under current WT rules it is also the points the technique is worth
    /// (punch 1 … turning head kick 5), which labels show; `sc` stays the truth of the score.
    pub fn number(self) -> u8 {
        match self {
            PointKind::Punch => 1,
            PointKind::Body => 2,
            PointKind::Head => 3,
            PointKind::TechBody => 4,
            PointKind::TechHead => 5,
        }
    }

    /// The kind for a wire number, if it is 1–5.
    pub fn from_number(n: u8) -> Option<PointKind> {
        Some(match n {
            1 => PointKind::Punch,
            2 => PointKind::Body,
            3 => PointKind::Head,
            4 => PointKind::TechBody,
            5 => PointKind::TechHead,
            _ => return None,
        })
    }

    /// Human label ("Head kick").
    pub fn label(self) -> &'static str {
        match self {
            PointKind::Punch => "Punch",
            PointKind::Body => "Body kick",
            PointKind::Head => "Head kick",
            PointKind::TechBody => "Turning body kick",
            PointKind::TechHead => "Turning head kick",
        }
    }
}

/// A clock value as sent on the wire (`m:ss` or bare seconds), kept in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Clock {
    /// Whole seconds.
    pub secs: u32,
}

impl Clock {
    /// A clock from seconds.
    pub fn from_secs(secs: u32) -> Clock {
        Clock { secs }
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{:02}", self.secs / 60, self.secs % 60)
    }
}

/// Action word that may follow a clock value (`clk`, `to1`/`to2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClockAction {
    /// `start`: the clock starts running.
    Start,
    /// `stop`: the clock is stopped.
    Stop,
    /// `corr`: the value was corrected by the operator.
    Corr,
    /// `stopEnd`: the period ended.
    StopEnd,
}

impl ClockAction {
    /// Wire word.
    pub fn word(self) -> &'static str {
        match self {
            ClockAction::Start => "start",
            ClockAction::Stop => "stop",
            ClockAction::Corr => "corr",
            ClockAction::StopEnd => "stopEnd",
        }
    }

    pub(crate) fn from_word(w: &str) -> Option<ClockAction> {
        Some(match w {
            "start" => ClockAction::Start,
            "stop" => ClockAction::Stop,
            "corr" => ClockAction::Corr,
            "stopEnd" => ClockAction::StopEnd,
            _ => return None,
        })
    }
}

/// Action word after an injury clock (`ij1;1:00;show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InjuryAction {
    /// Injury clock shown.
    Show,
    /// Injury clock hidden.
    Hide,
    /// Injury clock reset (kye-shi over).
    Reset,
}

impl InjuryAction {
    /// Wire word.
    pub fn word(self) -> &'static str {
        match self {
            InjuryAction::Show => "show",
            InjuryAction::Hide => "hide",
            InjuryAction::Reset => "reset",
        }
    }

    pub(crate) fn from_word(w: &str) -> Option<InjuryAction> {
        Some(match w {
            "show" => InjuryAction::Show,
            "hide" => InjuryAction::Hide,
            "reset" => InjuryAction::Reset,
            _ => return None,
        })
    }
}

/// Action word after a break clock (`brk;0:00;stopEnd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BreakAction {
    /// Break clock stopped.
    Stop,
    /// Break over.
    StopEnd,
}

impl BreakAction {
    /// Wire word.
    pub fn word(self) -> &'static str {
        match self {
            BreakAction::Stop => "stop",
            BreakAction::StopEnd => "stopEnd",
        }
    }

    pub(crate) fn from_word(w: &str) -> Option<BreakAction> {
        Some(match w {
            "stop" => BreakAction::Stop,
            "stopEnd" => BreakAction::StopEnd,
            _ => return None,
        })
    }
}

/// State of a video-review (IVR) challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChallengeStatus {
    /// Bare `ch1`: the challenge was requested.
    Requested,
    /// `ch1;1`: accepted, review under way, no outcome yet.
    Accepted,
    /// `ch1;1;1` / `ch1;1;0`: accepted and decided (won = the challenger was right).
    Decided {
        /// Whether the challenger won the review.
        won: bool,
    },
    /// `ch1;0`: not accepted.
    Rejected,
    /// `ch1;-1`: the review was closed (the review screen shut, whatever came of it). Same
    /// position as the variant once named `Cancelled`, so stored events decode unchanged.
    #[serde(alias = "Cancelled")]
    Closed,
}

impl ChallengeStatus {
    /// The status word of the JSON state and the report (`requested`, `accepted`, `won`,
    /// `lost`, `rejected`, `closed`).
    pub fn word(self) -> &'static str {
        match self {
            ChallengeStatus::Requested => "requested",
            ChallengeStatus::Accepted => "accepted",
            ChallengeStatus::Decided { won: true } => "won",
            ChallengeStatus::Decided { won: false } => "lost",
            ChallengeStatus::Rejected => "rejected",
            ChallengeStatus::Closed => "closed",
        }
    }
}

/// Who raised a challenge: the referee (`ch0`) or an athlete's coach (`ch1`/`ch2`).
pub type ChallengeBy = Option<Athlete>;

/// Match configuration (`mch`). Every field is kept as sent; numbers that fail to parse make the
/// whole message malformed rather than being guessed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchConfig {
    /// Match number as text (`245.A` occurs).
    pub number: String,
    /// Phase ("Quarterfinal").
    pub phase: String,
    /// Weight / category ("M- 68 kg").
    pub weight: String,
    /// The 4th field: rounds, or empty.
    pub rounds_field: String,
    /// Blue background colour (`#RRGGBB` as sent).
    pub blue_bg: String,
    /// Blue foreground colour.
    pub blue_fg: String,
    /// Red background colour.
    pub red_bg: String,
    /// Red foreground colour.
    pub red_fg: String,
    /// Match id; `None` when sent as `null` or empty.
    pub match_id: Option<String>,
    /// Division ("Senior").
    pub division: String,
    /// Total number of rounds.
    pub total_rounds: Option<u32>,
    /// Round length in seconds.
    pub round_seconds: Option<u32>,
    /// `cntDown` / `cntUp` as sent.
    pub count_mode: String,
    /// Body hit-level threshold.
    pub body_threshold: Option<u32>,
    /// Head hit-level threshold.
    pub head_threshold: Option<u32>,
    /// How many of the 15 fields were present (a truncated datagram has fewer).
    pub fields_present: u8,
}

/// One athlete's line of the round statistics (`st1;a;b;c;d;e;f` inside `rst`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AthleteRoundStats {
    /// Field a: body points scored in the round (a count of scoring body kicks).
    pub body: u32,
    /// Field b: head points scored in the round.
    pub head: u32,
    /// Fields c–e as sent (trimmed): their meaning is not documented and they have only been
    /// seen as 0, so they are kept rather than guessed at.
    pub other: [String; 3],
    /// Field f: gam-jeom count in the round.
    pub gam_jeom: u32,
}

/// `body 2 head 1 gam-jeom 1`: the counts as the event table and `replay` print them.
impl fmt::Display for AthleteRoundStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "body {} head {} gam-jeom {}",
            self.body, self.head, self.gam_jeom
        )
    }
}

/// Round statistics (`rst;R;st1;…;st2;…`), sent at each round end.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoundStats {
    /// The round they describe (1–[`RoundStats::MAX_ROUND`]).
    pub round: u32,
    /// Athlete 1 (`st1`).
    pub blue: AthleteRoundStats,
    /// Athlete 2 (`st2`).
    pub red: AthleteRoundStats,
}

impl RoundStats {
    /// Highest round number accepted (3 rounds, a golden round and room for other formats);
    /// anything higher is refused so a stray value cannot grow the match state without bound.
    pub const MAX_ROUND: u32 = 9;
}

/// One parsed message. Paired wire messages (`wg1;0;wg2;1`) become one event per athlete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// `pt1`/`pt2`: a point of a type was scored.
    Point {
        /// Who scored.
        athlete: Athlete,
        /// Technique.
        kind: PointKind,
    },
    /// `hl1`/`hl2`: sensor hit level (arrives before its point). Kept as sent, not clamped.
    HitLevel {
        /// Who was credited with the hit.
        athlete: Athlete,
        /// Level, normally 1–100.
        level: u32,
    },
    /// `wg1`/`wg2`: gam-jeom total of one athlete.
    Penalties {
        /// Whose total.
        athlete: Athlete,
        /// Total count.
        count: u32,
    },
    /// `ij0`/`ij1`/`ij2`: injury (kye-shi) clock.
    Injury {
        /// Injured athlete; `None` for `ij0` (not identified).
        athlete: Option<Athlete>,
        /// Clock value.
        clock: Clock,
        /// Optional action word.
        action: Option<InjuryAction>,
    },
    /// `ch0`/`ch1`/`ch2`: video-review challenge.
    Challenge {
        /// `None` = referee.
        by: ChallengeBy,
        /// What happened.
        status: ChallengeStatus,
    },
    /// `brk`: break countdown between rounds.
    Break {
        /// Remaining time.
        clock: Clock,
        /// Optional action word.
        action: Option<BreakAction>,
    },
    /// `wrd`: winners of rounds 1–3 (0 = not decided, 1 blue, 2 red).
    RoundWinners {
        /// Winner per round as sent.
        winners: [u8; 3],
    },
    /// `wmh`: winner shown with round tally and decision (`2-1 PTF`).
    WinnerShown {
        /// Winner's long name.
        name: String,
        /// Decision text, if sent.
        decision: Option<String>,
    },
    /// `win`: match winner.
    Winner {
        /// The winner.
        athlete: Athlete,
    },
    /// `at1`/`at2`: athlete loaded.
    AthleteInfo {
        /// Which athlete.
        athlete: Athlete,
        /// Short name.
        short_name: String,
        /// Long name.
        long_name: String,
        /// IOC country code as sent.
        country: String,
        /// True when the datagram was cut before all three fields arrived.
        truncated: bool,
    },
    /// `mch`: match configuration.
    MatchConfig(Box<MatchConfig>),
    /// `s11`…`s23`: score of one athlete in one round.
    RoundScore {
        /// Whose score.
        athlete: Athlete,
        /// Round 1–3.
        round: u8,
        /// Score.
        score: u32,
    },
    /// `sc1`/`sc2`: current total score (authoritative).
    Score {
        /// Whose score.
        athlete: Athlete,
        /// Score.
        score: u32,
    },
    /// `avt`: video time / quota.
    VideoTime {
        /// Value as sent.
        value: u32,
    },
    /// `clk`: match clock.
    Clock {
        /// Clock value.
        clock: Clock,
        /// Optional action word.
        action: Option<ClockAction>,
    },
    /// `rnd`: current round (golden round = 4).
    Round {
        /// Round number.
        round: u32,
    },
    /// `pre;FightLoaded`: a new match is loaded.
    FightLoaded,
    /// `rdy;FightReady`: the match is ready to start.
    FightReady,
    /// `sup`: superiority / decision helper.
    Superiority {
        /// Value as sent.
        value: u32,
    },
    /// `to1`/`to2`: timeout clock (para-taekwondo).
    Timeout {
        /// Whose timeout.
        athlete: Athlete,
        /// Clock value.
        clock: Clock,
        /// Optional action word.
        action: Option<ClockAction>,
    },
    /// `ref`: officials.
    Referees {
        /// Fields after the code, as sent.
        fields: Vec<String>,
    },
    /// `hel`: the scoring program connected.
    Hello,
    /// `bye`: the scoring program is closing.
    Bye,
    /// `hwt`: hardware test.
    HardwareTest {
        /// Value as sent (0–5).
        value: u32,
    },
    /// `inlb`/`insl`/`inth`: LED display settings.
    LedSetting {
        /// The code (`inlb`, `insl`, `inth`).
        code: String,
        /// Value as sent, without the trailing `:`.
        value: String,
    },
    /// A code courtside does not know (or a non-protocol line). Kept whole.
    Unknown {
        /// The first field (maybe not a code at all).
        code: String,
        /// The remaining fields of the message.
        fields: Vec<String>,
    },
    /// A known code whose fields could not be understood.
    Malformed {
        /// The code.
        code: String,
        /// The fields that belonged to it.
        fields: Vec<String>,
        /// Why it was refused.
        reason: String,
    },
    // New variants go below, never above: stored events are bincode with the variant's index.
    /// `win;TIE`: the match ended without a winner side (seen with a withdrawal).
    MatchTie,
    /// `rst`: round statistics, sent at each round end.
    RoundStats(Box<RoundStats>),
    /// `rsr`: closes the round statistics block (sent right after `rst`; it carries nothing).
    RoundStatsEnd,
    /// A status line of the scoring program about its own UDP link (`Udp Port 8888 connected;`,
    /// `disconnected;`), which can arrive at any time, mid-match too.
    PssLink {
        /// The port named in the line, if any.
        port: Option<u16>,
        /// `connected` (true) or `disconnected` (false).
        connected: bool,
    },
}

impl Event {
    /// The wire code of the event (`pt1`, `sc2`, `clk` …).
    pub fn code(&self) -> String {
        match self {
            Event::Point { athlete, .. } => format!("pt{}", athlete.number()),
            Event::HitLevel { athlete, .. } => format!("hl{}", athlete.number()),
            Event::Penalties { athlete, .. } => format!("wg{}", athlete.number()),
            Event::Injury { athlete, .. } => format!("ij{}", athlete.map_or(0, |a| a.number())),
            Event::Challenge { by, .. } => format!("ch{}", by.map_or(0, |a| a.number())),
            Event::Break { .. } => "brk".into(),
            Event::RoundWinners { .. } => "wrd".into(),
            Event::WinnerShown { .. } => "wmh".into(),
            Event::Winner { .. } => "win".into(),
            Event::AthleteInfo { athlete, .. } => format!("at{}", athlete.number()),
            Event::MatchConfig(_) => "mch".into(),
            Event::RoundScore { athlete, round, .. } => format!("s{}{}", athlete.number(), round),
            Event::Score { athlete, .. } => format!("sc{}", athlete.number()),
            Event::VideoTime { .. } => "avt".into(),
            Event::Clock { .. } => "clk".into(),
            Event::Round { .. } => "rnd".into(),
            Event::FightLoaded => "pre".into(),
            Event::FightReady => "rdy".into(),
            Event::Superiority { .. } => "sup".into(),
            Event::Timeout { athlete, .. } => format!("to{}", athlete.number()),
            Event::Referees { .. } => "ref".into(),
            Event::Hello => "hel".into(),
            Event::Bye => "bye".into(),
            Event::HardwareTest { .. } => "hwt".into(),
            Event::LedSetting { code, .. } => code.clone(),
            Event::Unknown { code, .. } => code.clone(),
            Event::Malformed { code, .. } => code.clone(),
            Event::MatchTie => "win".into(),
            Event::RoundStats(_) => "rst".into(),
            Event::RoundStatsEnd => "rsr".into(),
            Event::PssLink { .. } => "link".into(),
        }
    }

    /// Whether this event ends the match: a winner (`win;BLUE`/`RED`) or a tie (`win;TIE`).
    pub fn ends_match(&self) -> bool {
        matches!(self, Event::Winner { .. } | Event::MatchTie)
    }

    /// The athlete this event concerns, if any.
    pub fn athlete(&self) -> Option<Athlete> {
        match self {
            Event::Point { athlete, .. }
            | Event::HitLevel { athlete, .. }
            | Event::Penalties { athlete, .. }
            | Event::Winner { athlete }
            | Event::AthleteInfo { athlete, .. }
            | Event::RoundScore { athlete, .. }
            | Event::Score { athlete, .. }
            | Event::Timeout { athlete, .. } => Some(*athlete),
            Event::Injury { athlete, .. } => *athlete,
            Event::Challenge { by, .. } => *by,
            _ => None,
        }
    }

    /// Kind used by filters and statistics.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Point { .. } => EventKind::Point,
            Event::HitLevel { .. } => EventKind::HitLevel,
            Event::Penalties { .. } => EventKind::Penalty,
            Event::Clock { .. } | Event::Break { .. } | Event::Timeout { .. } => EventKind::Clock,
            Event::Challenge { .. } => EventKind::Challenge,
            Event::Unknown { .. } => EventKind::Unknown,
            Event::Malformed { .. } => EventKind::Malformed,
            _ => EventKind::Other,
        }
    }
}

/// Coarse event kinds, for filters and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// `pt`.
    Point,
    /// `hl`.
    HitLevel,
    /// `wg`.
    Penalty,
    /// `clk`, `brk`, `to`.
    Clock,
    /// `ch`.
    Challenge,
    /// Unknown code.
    Unknown,
    /// Malformed message.
    Malformed,
    /// Everything else.
    Other,
}
