//! Encoder: events → wire text in spec style (fields separated by `;`, trailing `;`).
//! Used by the simulator; `parse_text(&encode_event(e)) == [e]` for every well-formed event.

use super::types::*;

/// Encode one event as one wire message, spec style (`pt1;3;`).
pub fn encode_event(event: &Event) -> String {
    let mut f: Vec<String> = vec![event.code()];
    match event {
        Event::Point { kind, .. } => f.push(kind.number().to_string()),
        Event::HitLevel { level, .. } => f.push(level.to_string()),
        Event::Penalties { count, .. } => f.push(count.to_string()),
        Event::Injury { clock, action, .. } => {
            f.push(clock.to_string());
            f.extend(action.map(|a| a.word().to_string()));
        }
        Event::Challenge { status, .. } => match status {
            ChallengeStatus::Requested => {}
            ChallengeStatus::Accepted => f.push("1".into()),
            ChallengeStatus::Decided { won } => {
                f.push("1".into());
                f.push(if *won { "1" } else { "0" }.into());
            }
            ChallengeStatus::Rejected => f.push("0".into()),
            ChallengeStatus::Closed => f.push("-1".into()),
        },
        Event::Break { clock, action } => {
            f.push(clock.to_string());
            f.extend(action.map(|a| a.word().to_string()));
        }
        Event::RoundWinners { winners } => {
            for (i, w) in winners.iter().enumerate() {
                f.push(format!("rd{}", i + 1));
                f.push(w.to_string());
            }
        }
        Event::WinnerShown { name, decision } => {
            f.push(name.clone());
            f.extend(decision.clone());
        }
        Event::Winner { athlete } => f.push(athlete.name().to_ascii_uppercase()),
        Event::AthleteInfo {
            short_name,
            long_name,
            country,
            ..
        } => {
            f.push(short_name.clone());
            f.push(long_name.clone());
            f.push(country.clone());
        }
        Event::MatchConfig(c) => {
            let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
            let all = [
                c.number.clone(),
                c.phase.clone(),
                c.weight.clone(),
                c.rounds_field.clone(),
                c.blue_bg.clone(),
                c.blue_fg.clone(),
                c.red_bg.clone(),
                c.red_fg.clone(),
                c.match_id.clone().unwrap_or_else(|| "null".into()),
                c.division.clone(),
                opt(c.total_rounds),
                opt(c.round_seconds),
                c.count_mode.clone(),
                opt(c.body_threshold),
                opt(c.head_threshold),
            ];
            f.extend(all.into_iter().take(usize::from(c.fields_present)));
        }
        Event::RoundScore { score, .. } | Event::Score { score, .. } => f.push(score.to_string()),
        Event::VideoTime { value }
        | Event::Superiority { value }
        | Event::HardwareTest { value } => f.push(value.to_string()),
        Event::Clock { clock, action } | Event::Timeout { clock, action, .. } => {
            f.push(clock.to_string());
            f.extend(action.map(|a| a.word().to_string()));
        }
        Event::Round { round } => f.push(round.to_string()),
        Event::FightLoaded => f.push("FightLoaded".into()),
        Event::FightReady => f.push("FightReady".into()),
        Event::Referees { fields } | Event::Unknown { fields, .. } => {
            f.extend(fields.iter().cloned())
        }
        Event::Hello | Event::Bye => {}
        Event::LedSetting { value, .. } => f.push(format!("{value}:")),
        Event::Malformed { fields, .. } => f.extend(fields.iter().cloned()),
        Event::MatchTie => f.push("TIE".into()),
        Event::RoundStats(r) => {
            f.push(r.round.to_string());
            for (label, s) in [("st1", &r.blue), ("st2", &r.red)] {
                f.push(label.into());
                f.push(s.body.to_string());
                f.push(s.head.to_string());
                f.extend(s.other.iter().cloned());
                f.push(s.gam_jeom.to_string());
            }
        }
        Event::RoundStatsEnd => {}
        Event::PssLink { port, connected } => {
            // A status line, not a `;` message: the whole text is the first field.
            let state = if *connected {
                "connected"
            } else {
                "disconnected"
            };
            f = vec![match port {
                Some(p) => format!("Udp Port {p} {state}"),
                None => state.to_string(),
            }];
        }
    }
    let mut s = f.join(";");
    s.push(';');
    s
}

/// Encode several events as one datagram (paired messages: `wg1;0;wg2;1;`).
pub fn encode_datagram(events: &[Event]) -> String {
    events.iter().map(encode_event).collect()
}
