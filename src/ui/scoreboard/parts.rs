//! What the scoreboard shows, as pure functions of the match state: the drawing code only places
//! these texts, so tests can check what an audience would read without rasterising a frame.

use crate::match_state::{MatchState, Side};
use egui::{Color32, Rect, Vec2};

/// One item of the bottom banner, in the order they are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BannerPart {
    /// The break between rounds is counting down.
    Break {
        /// Remaining time as sent (`0:45`).
        clock: String,
    },
    /// The injury (kye-shi) clock, only while it is shown.
    Injury {
        /// `"blue"`, `"red"`, or `None` when the athlete was not identified.
        athlete: Option<String>,
        /// Remaining time, `m:ss`.
        clock: String,
    },
    /// A timeout clock (para-taekwondo `to1`/`to2`) until it ends.
    Timeout {
        /// `"blue"` or `"red"`.
        athlete: String,
        /// Remaining time, `m:ss`.
        clock: String,
    },
    /// The video-review challenge under review or just decided (gone once the fight resumes).
    Challenge {
        /// `"referee"`, `"blue"` or `"red"`.
        by: String,
        /// `requested`, `accepted`, `won`, `lost`, `rejected` or `closed`.
        status: String,
    },
    /// The match winner.
    Winner {
        /// The winner's long name.
        name: String,
        /// The winner's IOC country code.
        country: String,
        /// Round tally and decision from `wmh` (`2-1 PTF`), if sent.
        decision: Option<String>,
    },
    /// The match ended as a tie (`win;TIE`, sent with a withdrawal): no winner to name.
    Tie {
        /// Round tally and decision from `wmh`, if sent.
        decision: Option<String>,
    },
}

impl BannerPart {
    /// The text as the banner shows it.
    pub fn text(&self) -> String {
        match self {
            BannerPart::Break { clock } => format!("BREAK {clock}"),
            BannerPart::Injury { athlete, clock } => match athlete {
                Some(who) => format!("INJURY {} {clock}", who.to_uppercase()),
                None => format!("INJURY {clock}"),
            },
            BannerPart::Timeout { athlete, clock } => {
                format!("TIMEOUT {} {clock}", athlete.to_uppercase())
            }
            BannerPart::Challenge { by, status } => {
                format!("CHALLENGE {}: {}", by.to_uppercase(), status.to_uppercase())
            }
            BannerPart::Winner {
                name,
                country,
                decision,
            } => {
                let decision = decision
                    .as_ref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default();
                format!("WINNER {name} ({country}){decision}")
            }
            BannerPart::Tie { decision } => match decision {
                Some(d) => format!("TIE — NO WINNER — {d}"),
                None => "TIE — NO WINNER".to_string(),
            },
        }
    }

    /// The colour of this kind of item (the banner uses the last item's colour).
    pub fn color(&self) -> Color32 {
        match self {
            BannerPart::Break { .. } => Color32::from_rgb(255, 210, 80),
            BannerPart::Injury { .. } | BannerPart::Timeout { .. } => {
                Color32::from_rgb(255, 160, 60)
            }
            BannerPart::Challenge { .. } => Color32::from_rgb(120, 200, 255),
            BannerPart::Winner { .. } | BannerPart::Tie { .. } => Color32::from_rgb(120, 255, 140),
        }
    }
}

/// The bottom banner's items; empty when there is nothing to announce (no banner is drawn).
pub fn banner_parts(s: &MatchState) -> Vec<BannerPart> {
    let mut parts = Vec::new();
    if let Some(clock) = &s.break_clock {
        parts.push(BannerPart::Break {
            clock: clock.clone(),
        });
    }
    // A hidden injury clock still runs in the scoring program; the audience must not see it.
    if let Some(inj) = s.injury.as_ref().filter(|i| i.visible) {
        parts.push(BannerPart::Injury {
            athlete: inj.athlete.clone(),
            clock: inj.clock.clone(),
        });
    }
    if let Some(t) = &s.timeout {
        parts.push(BannerPart::Timeout {
            athlete: t.athlete.clone(),
            clock: t.clock.clone(),
        });
    }
    if let Some(c) = &s.challenge {
        parts.push(BannerPart::Challenge {
            by: c.by.clone(),
            status: c.status.clone(),
        });
    }
    if let Some(w) = s.winner {
        let side = s.side(w);
        parts.push(BannerPart::Winner {
            name: side.long_name.clone(),
            country: side.country.clone(),
            decision: s.decision.clone(),
        });
    } else if s.tie {
        parts.push(BannerPart::Tie {
            decision: s.decision.clone(),
        });
    }
    parts
}

/// The banner's one line: the items joined.
pub fn banner_text(parts: &[BannerPart]) -> String {
    parts
        .iter()
        .map(BannerPart::text)
        .collect::<Vec<_>>()
        .join("   ·   ")
}

/// The texts of one athlete's half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideTexts {
    /// Short name, beside the flag.
    pub short_name: String,
    /// IOC country code, under the flag (and in the flag box when there is no flag).
    pub country: String,
    /// Total score (`sc`), the big number.
    pub score: String,
    /// Penalties (`wg`): `GAM-JEOM n`.
    pub gam_jeom: String,
    /// Rounds won (`wrd`): drawn as dots, at most three.
    pub round_dots: u32,
    /// Per-round scores (`s11`..`s23`): `R1 a · R2 b · R3 c`.
    pub round_scores: String,
}

/// What one athlete's half shows.
pub fn side_texts(s: &Side) -> SideTexts {
    let [r1, r2, r3] = s.round_scores;
    SideTexts {
        short_name: s.short_name.clone(),
        country: s.country.clone(),
        score: s.score.to_string(),
        gam_jeom: format!("GAM-JEOM {}", s.penalties),
        round_dots: s.rounds_won.min(3),
        round_scores: format!("R1 {r1} · R2 {r2} · R3 {r3}"),
    }
}

/// The match clock as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFace {
    /// `m:ss` as sent.
    pub text: String,
    /// The clock is stopped: drawn red so the audience sees the pause.
    pub stopped: bool,
}

impl ClockFace {
    /// Red while stopped, white while running.
    pub fn color(&self) -> Color32 {
        if self.stopped {
            Color32::from_rgb(255, 70, 70)
        } else {
            Color32::WHITE
        }
    }
}

/// The match clock of a state.
pub fn clock_face(s: &MatchState) -> ClockFace {
    ClockFace {
        text: s.clock.clone(),
        stopped: !s.clock_running,
    }
}

/// The top line: match number, phase and weight on the left, the round on the right.
pub fn top_texts(s: &MatchState) -> (String, String) {
    let info = &s.info;
    let left = format!("Match {} · {} · {}", info.number, info.phase, info.weight);
    let round = if s.round == 4 {
        "GOLDEN ROUND".to_string()
    } else {
        format!("ROUND {}", s.round)
    };
    (left, round)
}

/// The largest rect with the texture's aspect ratio inside `bbox`, centred ("contain"): flags
/// come in many ratios (flag-icons are 4:3, imported ones anything) and must not be stretched.
/// A texture without a size fills the box.
pub fn fit_contain(bbox: Rect, texture: Vec2) -> Rect {
    if !(texture.x > 0.0 && texture.y > 0.0 && bbox.width() > 0.0 && bbox.height() > 0.0) {
        return bbox;
    }
    let scale = (bbox.width() / texture.x).min(bbox.height() / texture.y);
    Rect::from_center_size(bbox.center(), texture * scale)
}
