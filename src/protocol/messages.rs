//! Parsers of single messages, each given the fields after its code: they return the event (or
//! an explicit malformed one) and how many fields they consumed. Plus the field helpers.

use super::parse::optional_count;
use super::types::*;

/// Number of fields after `mch`.
const MCH_FIELDS: usize = 15;

pub(super) fn owned(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|s| s.to_string()).collect()
}

pub(super) fn malformed(code: &str, fields: &[&str], reason: impl Into<String>) -> Event {
    Event::Malformed {
        code: code.to_string(),
        fields: owned(fields),
        reason: reason.into(),
    }
}

pub(super) fn number(field: &str, what: &str) -> Result<u32, String> {
    let f = field.trim();
    if f.is_empty() {
        return Err(format!("missing {what}"));
    }
    f.parse::<u32>().map_err(|_| {
        if f.bytes().all(|b| b.is_ascii_digit()) {
            // Refused rather than clamped: a wrong number on the scoreboard is worse than none.
            format!("{what} is too large (over {}): '{f}'", u32::MAX)
        } else {
            format!("{what} is not a whole number: '{f}'")
        }
    })
}

fn optional_number(field: Option<&&str>, what: &str) -> Result<Option<u32>, String> {
    match field.map(|f| f.trim()) {
        None | Some("") => Ok(None),
        Some(f) => number(f, what).map(Some),
    }
}

/// `m:ss`, `m.ss` (KP&P writes `clk;0.00;stopEnd;`) or bare seconds.
pub(crate) fn parse_clock(field: &str) -> Result<Clock, String> {
    let f = field.trim();
    if f.is_empty() {
        return Err("missing clock value".into());
    }
    let bad = || format!("clock is not m:ss, m.ss or seconds: '{f}'");
    match f.split_once([':', '.']) {
        Some((m, s)) => {
            let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
            if !all_digits(m) || s.len() != 2 || !all_digits(s) {
                return Err(bad());
            }
            let m: u32 = m.parse().map_err(|_| bad())?;
            let s: u32 = s.parse().map_err(|_| bad())?;
            if s >= 60 {
                return Err(bad());
            }
            m.checked_mul(60)
                .and_then(|v| v.checked_add(s))
                .map(Clock::from_secs)
                .ok_or_else(bad)
        }
        None => f.parse::<u32>().map(Clock::from_secs).map_err(|_| bad()),
    }
}

pub(super) fn athlete_of(code: &str) -> Option<Athlete> {
    code.as_bytes()
        .last()
        .and_then(|b| b.checked_sub(b'0'))
        .and_then(Athlete::from_number)
}

/// A message with exactly one numeric field belonging to athlete 1 or 2.
pub(super) fn one_number(
    code: &str,
    rest: &[&str],
    athlete: Option<Athlete>,
    make: impl FnOnce(Athlete, u32) -> Result<Event, String>,
) -> (Event, usize) {
    let used = optional_count(rest, 1);
    let Some(athlete) = athlete else {
        return (malformed(code, &rest[..used], "bad athlete number"), used);
    };
    let result = match rest[..used].first() {
        None => Err("missing value".to_string()),
        Some(f) => number(f, "value").and_then(|v| make(athlete, v)),
    };
    match result {
        Ok(ev) => (ev, used),
        Err(reason) => (malformed(code, &rest[..used], reason), used),
    }
}

pub(super) fn simple_number(code: &str, rest: &[&str]) -> (Event, usize) {
    let used = optional_count(rest, 1);
    let parsed = match rest[..used].first() {
        None => Err("missing value".to_string()),
        Some(f) => number(f, "value"),
    };
    let ev = match parsed {
        Ok(value) => match code {
            "avt" => Event::VideoTime { value },
            "rnd" => Event::Round { round: value },
            "sup" => Event::Superiority { value },
            _ => Event::HardwareTest { value },
        },
        Err(reason) => malformed(code, &rest[..used], reason),
    };
    (ev, used)
}

/// A clock value and its optional action word, or why they are malformed.
type ClockAndAction<A> = Result<(Clock, Option<A>), String>;

/// A clock value then an optional action word: the shape of `clk`, `to1`/`to2`, `ij0`–`ij2` and
/// `brk`. Returns the fields it used and the clock and action, or why they are malformed.
fn clock_and_action<'r, 'f, A>(
    rest: &'r [&'f str],
    what: &str,
    word: impl Fn(&str) -> Option<A>,
) -> (&'r [&'f str], ClockAndAction<A>) {
    let fields = &rest[..optional_count(rest, 2)];
    let result = parse_clock(fields.first().copied().unwrap_or("")).and_then(|clock| {
        let action = match fields.get(1).map(|f| f.trim()) {
            None | Some("") => None,
            Some(w) => Some(word(w).ok_or_else(|| format!("unknown {what} action '{w}'"))?),
        };
        Ok((clock, action))
    });
    (fields, result)
}

pub(super) fn clock_message(code: &str, rest: &[&str]) -> (Event, usize) {
    let (fields, result) = clock_and_action(rest, "clock", ClockAction::from_word);
    let ev = match result {
        Ok((clock, action)) => match athlete_of(code).filter(|_| code.starts_with("to")) {
            Some(athlete) => Event::Timeout {
                athlete,
                clock,
                action,
            },
            None => Event::Clock { clock, action },
        },
        Err(reason) => malformed(code, fields, reason),
    };
    (ev, fields.len())
}

pub(super) fn injury(code: &str, rest: &[&str]) -> (Event, usize) {
    let (fields, result) = clock_and_action(rest, "injury", InjuryAction::from_word);
    let ev = match result {
        Ok((clock, action)) => Event::Injury {
            athlete: athlete_of(code),
            clock,
            action,
        },
        Err(reason) => malformed(code, fields, reason),
    };
    (ev, fields.len())
}

pub(super) fn break_message(rest: &[&str]) -> (Event, usize) {
    let (fields, result) = clock_and_action(rest, "break", BreakAction::from_word);
    let ev = match result {
        Ok((clock, action)) => Event::Break { clock, action },
        Err(reason) => malformed("brk", fields, reason),
    };
    (ev, fields.len())
}

pub(super) fn challenge(code: &str, rest: &[&str]) -> (Event, usize) {
    let used = optional_count(rest, 2);
    let fields = &rest[..used];
    let f = |i: usize| fields.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
    let status = match (f(0), f(1)) {
        (None, None) => Ok(ChallengeStatus::Requested),
        (Some("-1"), _) => Ok(ChallengeStatus::Closed),
        (Some("0"), None) => Ok(ChallengeStatus::Rejected),
        (Some("1"), None) => Ok(ChallengeStatus::Accepted),
        (Some("1"), Some("1")) => Ok(ChallengeStatus::Decided { won: true }),
        (Some("1"), Some("0")) => Ok(ChallengeStatus::Decided { won: false }),
        (a, b) => Err(format!(
            "challenge fields must be [-1|0|1] [0|1], got '{}' '{}'",
            a.unwrap_or(""),
            b.unwrap_or("")
        )),
    };
    let ev = match status {
        Ok(status) => Event::Challenge {
            by: athlete_of(code),
            status,
        },
        Err(reason) => malformed(code, fields, reason),
    };
    (ev, used)
}

pub(super) fn round_winners(rest: &[&str]) -> (Event, usize) {
    // Every field up to the next code belongs to `wrd`, so a wrong count (a 4th round, a missing
    // one) makes it malformed instead of leaving stray fields to be read as another message.
    let used = optional_count(rest, usize::MAX);
    let fields = &rest[..used];
    let labelled = fields.first().is_some_and(|f| f.trim().starts_with("rd"));
    let result = (|| {
        let values: Vec<&str> = if labelled {
            let mut v = Vec::new();
            for (n, pair) in fields.chunks(2).enumerate() {
                let want = format!("rd{}", n + 1);
                if pair[0].trim() != want {
                    return Err(format!("expected '{want}', got '{}'", pair[0].trim()));
                }
                v.push(
                    *pair
                        .get(1)
                        .ok_or_else(|| format!("missing winner of {want}"))?,
                );
            }
            v
        } else {
            fields.to_vec()
        };
        if values.len() != 3 {
            return Err(format!("expected 3 round winners, got {}", values.len()));
        }
        let mut winners = [0u8; 3];
        for (slot, v) in winners.iter_mut().zip(values) {
            let n = number(v, "round winner")?;
            if n > 2 {
                return Err(format!("round winner must be 0, 1 or 2, got {n}"));
            }
            *slot = n as u8;
        }
        Ok(winners)
    })();
    let ev = match result {
        Ok(winners) => Event::RoundWinners { winners },
        Err(reason) => malformed("wrd", fields, reason),
    };
    (ev, used)
}

pub(super) fn winner_shown(rest: &[&str]) -> (Event, usize) {
    let used = optional_count(rest, 2);
    let fields = &rest[..used];
    match fields.first() {
        None => (malformed("wmh", fields, "missing winner name"), used),
        Some(name) => (
            Event::WinnerShown {
                name: name.to_string(),
                decision: fields
                    .get(1)
                    .map(|d| d.trim().to_string())
                    .filter(|d| !d.is_empty()),
            },
            used,
        ),
    }
}

pub(super) fn winner(rest: &[&str]) -> (Event, usize) {
    let used = optional_count(rest, 1);
    let fields = &rest[..used];
    let value = fields.first().map(|s| s.trim()).unwrap_or("");
    let event = match value.to_ascii_uppercase().as_str() {
        "BLUE" | "1" => Event::Winner {
            athlete: Athlete::Blue,
        },
        "RED" | "2" => Event::Winner {
            athlete: Athlete::Red,
        },
        // Sent with a withdrawal: the match is over and neither side is named.
        "TIE" => Event::MatchTie,
        _ => malformed(
            "win",
            fields,
            format!("winner must be BLUE, RED or TIE, got '{value}'"),
        ),
    };
    (event, used)
}

pub(super) fn athlete_info(code: &str, rest: &[&str]) -> (Event, usize) {
    // Names are free text (they may even look like codes), so the three fields are taken by
    // position. A datagram cut short (TkStrike counts UTF-16 units) leaves the last ones missing.
    let used = rest.len().min(3);
    let f = |i: usize| rest.get(i).map(|s| s.to_string()).unwrap_or_default();
    let athlete = athlete_of(code).unwrap_or(Athlete::Blue);
    (
        Event::AthleteInfo {
            athlete,
            short_name: f(0),
            long_name: f(1),
            country: f(2).trim().to_string(),
            truncated: used < 3,
        },
        used,
    )
}

pub(super) fn match_config(rest: &[&str]) -> (Event, usize) {
    let used = rest.len().min(MCH_FIELDS);
    let fields = &rest[..used];
    let text = |i: usize| fields.get(i).map(|s| s.to_string()).unwrap_or_default();
    let result = (|| {
        let match_id = match fields.get(8).map(|s| s.trim()) {
            None | Some("") | Some("null") => None,
            Some(id) => Some(id.to_string()),
        };
        Ok::<_, String>(MatchConfig {
            number: text(0).trim().to_string(),
            phase: text(1),
            weight: text(2),
            rounds_field: text(3),
            blue_bg: text(4).trim().to_string(),
            blue_fg: text(5).trim().to_string(),
            red_bg: text(6).trim().to_string(),
            red_fg: text(7).trim().to_string(),
            match_id,
            division: text(9),
            total_rounds: optional_number(fields.get(10), "total rounds")?,
            round_seconds: optional_number(fields.get(11), "round seconds")?,
            count_mode: text(12).trim().to_string(),
            body_threshold: optional_number(fields.get(13), "body threshold")?,
            head_threshold: optional_number(fields.get(14), "head threshold")?,
            fields_present: used as u8,
        })
    })();
    match result {
        Ok(_) if used == 0 => (malformed("mch", fields, "no fields"), used),
        Ok(cfg) => (Event::MatchConfig(Box::new(cfg)), used),
        Err(reason) => (malformed("mch", fields, reason), used),
    }
}
