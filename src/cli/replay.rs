//! `courtside replay`: parse a stream file offline and print the final state.

use super::ReplayArgs;
use crate::match_state::MatchState;
use crate::protocol::parse_datagram;
use crate::stream_file;
use anyhow::Context;
use std::io::Write;

/// Replay the file; write the output to `out`. Returns the final state.
pub fn replay(args: &ReplayArgs, out: &mut dyn Write) -> anyhow::Result<MatchState> {
    let file = std::fs::read(&args.file)
        .with_context(|| format!("cannot read stream file {}", args.file.display()))?;
    let mut state = MatchState::new();
    for line in stream_file::datagrams(&file) {
        let events = parse_datagram(&line.bytes);
        for e in &events {
            state.apply(e);
        }
        if args.trace {
            let trace = serde_json::json!({
                "line": line.line,
                "raw": String::from_utf8_lossy(&line.bytes),
                "events": events.iter().map(|e| serde_json::json!({
                    "code": e.code(), "label": e.label(), "event": e,
                })).collect::<Vec<_>>(),
                "state": &state,
            });
            writeln!(out, "{trace}")?;
        }
    }
    if args.json {
        writeln!(out, "{}", state.to_json_pretty())?;
    } else if !args.trace {
        write_summary(&state, out)?;
    }
    Ok(state)
}

fn write_summary(s: &MatchState, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "match {} {} {} — round {}, clock {}{}",
        s.info.number,
        s.info.phase,
        s.info.weight,
        s.round,
        s.clock,
        if s.clock_running { " (running)" } else { "" }
    )?;
    for (colour, side) in [("blue", &s.blue), ("red", &s.red)] {
        writeln!(
            out,
            "{colour:>4}: {} ({}) score {} rounds {:?} gam-jeom {} rounds won {}",
            side.long_name,
            side.country,
            side.score,
            side.round_scores,
            side.penalties,
            side.rounds_won
        )?;
    }
    if let Some(w) = s.winner {
        writeln!(
            out,
            "winner: {}{}",
            w.name(),
            s.decision
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )?;
    }
    if s.tie {
        writeln!(
            out,
            "result: tie, no winner{}",
            s.decision
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        )?;
    }
    for r in &s.round_stats {
        writeln!(
            out,
            "round {} stats: blue {}, red {}",
            r.round, r.blue, r.red
        )?;
    }
    writeln!(
        out,
        "messages {}, unknown {}, malformed {}",
        s.counts.messages, s.counts.unknown, s.counts.malformed
    )
}
