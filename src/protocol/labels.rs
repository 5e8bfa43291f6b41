//! Human labels of events, for the event table, the live log, exports and OBS logs.

use super::types::*;

impl Event {
    /// A short human label for tables and logs ("Head kick +3", "Gam-jeom 2").
    pub fn label(&self) -> String {
        match self {
            // The wire number is the technique's worth (see `PointKind::number`).
            Event::Point { kind, .. } => format!("{} +{}", kind.label(), kind.number()),
            Event::HitLevel { level, .. } => format!("Hit level {level}"),
            Event::Penalties { count, .. } => format!("Gam-jeom total {count}"),
            Event::Injury { clock, action, .. } => match action {
                Some(a) => format!("Injury {clock} ({})", a.word()),
                None => format!("Injury {clock}"),
            },
            Event::Challenge { status, .. } => match status {
                ChallengeStatus::Requested => "Challenge requested".into(),
                ChallengeStatus::Accepted => "Challenge accepted".into(),
                ChallengeStatus::Decided { won: true } => "Challenge accepted — won".into(),
                ChallengeStatus::Decided { won: false } => "Challenge accepted — lost".into(),
                ChallengeStatus::Rejected => "Challenge rejected".into(),
                ChallengeStatus::Closed => "Challenge review closed".into(),
            },
            Event::Break { clock, action } => match action {
                Some(a) => format!("Break {clock} ({})", a.word()),
                None => format!("Break {clock}"),
            },
            Event::RoundWinners { winners } => {
                format!("Round winners {}/{}/{}", winners[0], winners[1], winners[2])
            }
            Event::WinnerShown { name, decision } => match decision {
                Some(d) => format!("Winner {name} ({d})"),
                None => format!("Winner {name}"),
            },
            Event::Winner { athlete } => format!("Match winner {}", athlete.name()),
            Event::AthleteInfo {
                long_name, country, ..
            } => format!("Athlete {long_name} ({country})"),
            Event::MatchConfig(c) => format!("Match {} {} {}", c.number, c.phase, c.weight),
            Event::RoundScore { round, score, .. } => format!("Round {round} score {score}"),
            Event::Score { score, .. } => format!("Score {score}"),
            Event::VideoTime { value } => format!("Video quota {value}"),
            Event::Clock { clock, action } => match action {
                Some(a) => format!("Clock {clock} {}", a.word()),
                None => format!("Clock {clock}"),
            },
            Event::Round { round } => format!("Round {round}"),
            Event::FightLoaded => "Fight loaded".into(),
            Event::FightReady => "Fight ready".into(),
            Event::Superiority { value } => format!("Superiority {value}"),
            Event::Timeout { clock, action, .. } => match action {
                Some(a) => format!("Timeout {clock} {}", a.word()),
                None => format!("Timeout {clock}"),
            },
            Event::Referees { fields } => officials_label(fields),
            Event::Hello => "Scoring program connected".into(),
            Event::Bye => "Scoring program closing".into(),
            Event::HardwareTest { value } => format!("Hardware test {value}"),
            Event::LedSetting { code, value } => format!("LED {code} {value}"),
            Event::Unknown { code, .. } => format!("Unknown '{code}'"),
            Event::Malformed { code, reason, .. } => format!("Malformed {code}: {reason}"),
            Event::MatchTie => "Match ended in a tie".into(),
            Event::RoundStats(r) => {
                format!("Round {} stats: blue {} · red {}", r.round, r.blue, r.red)
            }
            Event::RoundStatsEnd => "Round statistics end".into(),
            Event::PssLink { port, connected } => {
                let state = if *connected {
                    "connected"
                } else {
                    "disconnected"
                };
                match port {
                    Some(p) => format!("PSS link: port {p} {state}"),
                    None => format!("PSS link: {state}"),
                }
            }
        }
    }
}

/// The label of `ref`: `ref;NAME;CTY;ju1;NAME;CTY;ju2;…;ta;…` (role words as sent; the first
/// pair is the referee). Officials whose name and country are both empty are left out, and a
/// message with none at all (`ref;;;ju1;;;ju2;;;ta;;;`, common) says so instead of a row of
/// blanks.
fn officials_label(fields: &[String]) -> String {
    let is_role = |f: &str| {
        f == "ta"
            || f == "rf"
            || (f.len() > 2 && f.starts_with("ju") && f[2..].bytes().all(|b| b.is_ascii_digit()))
    };
    let mut people: Vec<String> = Vec::new();
    let mut role = "referee".to_string();
    let mut values: Vec<&str> = Vec::new();
    let mut flush = |role: &str, values: &mut Vec<&str>| {
        let name = values.first().copied().unwrap_or("").trim();
        let rest: Vec<&str> = values
            .iter()
            .skip(1)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if !name.is_empty() || !rest.is_empty() {
            let mut p = format!("{role} {name}");
            if !rest.is_empty() {
                p = format!("{} ({})", p.trim_end(), rest.join(", "));
            }
            people.push(p);
        }
        values.clear();
    };
    for f in fields {
        let t = f.trim();
        if is_role(t) {
            flush(&role, &mut values);
            role = t.to_string();
        } else {
            values.push(f);
        }
    }
    flush(&role, &mut values);
    if people.is_empty() {
        "No officials listed".into()
    } else {
        format!("Officials: {}", people.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_label_shows_what_the_technique_is_worth() {
        let labels: Vec<String> = (1..=5)
            .map(|n| {
                let kind = PointKind::from_number(n).unwrap();
                Event::Point {
                    athlete: Athlete::Red,
                    kind,
                }
                .label()
            })
            .collect();
        assert_eq!(
            labels,
            [
                "Punch +1",
                "Body kick +2",
                "Head kick +3",
                "Turning body kick +4",
                "Turning head kick +5"
            ]
        );
    }
}
