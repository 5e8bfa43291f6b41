//! Finished matches of a store — a court's or a hub's — for the results desk: `courtside
//! results` and the "Tournament" window's export. One entry per match that has a winner, a tie
//! or an end, oldest first.

use crate::export::csv_field;
use crate::store::{MatchRecord, Store, StoreError};
use serde::Serialize;
use std::io::Write;

/// An athlete as the results list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Athlete {
    /// Long name (the short one when no long name was sent).
    pub name: String,
    /// Country code as sent (IOC).
    pub country: String,
}

/// One round's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundScore {
    /// Round number, from 1.
    pub round: u32,
    /// Blue's points in that round.
    pub blue: u32,
    /// Red's points in that round.
    pub red: u32,
}

/// One finished match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchResult {
    /// Court name.
    pub court: String,
    /// Key of the match in this store (`courtside export --match`).
    pub match_key: u64,
    /// Match number.
    pub number: String,
    /// Phase (final, semi-final …).
    pub phase: String,
    /// Weight category.
    pub weight: String,
    /// Blue athlete.
    pub blue: Athlete,
    /// Red athlete.
    pub red: Athlete,
    /// `"blue"`, `"red"` or null (a tie, or a match ended without a winner).
    pub winner: Option<String>,
    /// Decision text as the scoring system sent it (`PTF`, `2-1 PTF` …), or null.
    pub decision: Option<String>,
    /// Winner of each round: `"blue"`, `"red"` or null (undecided).
    pub round_winners: Vec<Option<&'static str>>,
    /// Each round's score.
    pub round_scores: Vec<RoundScore>,
}

/// Whether a match is over: a winner, a tie, or an end recorded.
fn finished(m: &MatchRecord) -> bool {
    m.ended_at_ns.is_some() || m.state.winner.is_some() || m.state.tie
}

fn athlete(side: &crate::match_state::Side) -> Athlete {
    let name = if side.long_name.is_empty() {
        &side.short_name
    } else {
        &side.long_name
    };
    Athlete {
        name: name.clone(),
        country: side.country.clone(),
    }
}

/// The result of one match record.
pub fn result_of(m: &MatchRecord) -> MatchResult {
    let s = &m.state;
    let rounds = s.info.total_rounds.unwrap_or(3).clamp(1, 3) as usize;
    MatchResult {
        court: m.court.clone(),
        match_key: m.key,
        number: s.info.number.clone(),
        phase: s.info.phase.clone(),
        weight: s.info.weight.clone(),
        blue: athlete(&s.blue),
        red: athlete(&s.red),
        winner: s.winner.map(|w| w.name().to_string()),
        decision: s.decision.clone(),
        round_winners: s.round_winners[..rounds]
            .iter()
            .map(|w| match w {
                1 => Some("blue"),
                2 => Some("red"),
                _ => None,
            })
            .collect(),
        round_scores: (0..rounds)
            .map(|i| RoundScore {
                round: i as u32 + 1,
                blue: s.blue.round_scores[i],
                red: s.red.round_scores[i],
            })
            .collect(),
    }
}

/// Every finished match of the store, oldest first.
pub fn finished_matches(store: &Store) -> Result<Vec<MatchResult>, StoreError> {
    let mut out: Vec<MatchResult> = store
        .matches()?
        .iter()
        .filter(|m| finished(m))
        .map(result_of)
        .collect();
    out.reverse();
    Ok(out)
}

/// The results as a JSON array (pretty, one match per object).
pub fn write_json(results: &[MatchResult], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, results)?;
    writeln!(out)
}

/// CSV header: the JSON fields flattened; three rounds, each with its winner and both scores.
pub const CSV_HEADER: &str = "court,match_key,number,phase,weight,blue_name,blue_country,\
red_name,red_country,winner,decision,round1_winner,round1_blue,round1_red,round2_winner,\
round2_blue,round2_red,round3_winner,round3_blue,round3_red";

/// The results as CSV (header, one row per match; cells quoted and formula-guarded like the
/// event export).
pub fn write_csv(results: &[MatchResult], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    for r in results {
        let mut cells = vec![
            csv_field(&r.court),
            r.match_key.to_string(),
            csv_field(&r.number),
            csv_field(&r.phase),
            csv_field(&r.weight),
            csv_field(&r.blue.name),
            csv_field(&r.blue.country),
            csv_field(&r.red.name),
            csv_field(&r.red.country),
            r.winner.clone().unwrap_or_default(),
            csv_field(r.decision.as_deref().unwrap_or("")),
        ];
        for i in 0..3 {
            cells.push(
                r.round_winners
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or("")
                    .into(),
            );
            let score = r.round_scores.get(i);
            cells.push(score.map_or(String::new(), |s| s.blue.to_string()));
            cells.push(score.map_or(String::new(), |s| s.red.to_string()));
        }
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}
