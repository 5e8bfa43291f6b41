//! Datagram parser: bytes → events. Never panics, never clamps.

use super::messages::*;
use super::types::*;

/// Parse one datagram. Bytes are decoded lossily (invalid UTF-8 becomes U+FFFD); the caller keeps
/// the exact bytes. Always returns at least one event, so every datagram is counted.
pub fn parse_datagram(bytes: &[u8]) -> Vec<Event> {
    parse_text(&String::from_utf8_lossy(bytes))
}

/// Parse the text of one datagram (or one stream-file line).
pub fn parse_text(text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    // TkStrike ends every message with CRLF. Should a datagram hold several such messages, each
    // line is parsed on its own so a line break never glues two messages' fields together.
    for line in text.split(['\r', '\n']) {
        parse_line(line, &mut events);
    }
    if events.is_empty() {
        events.push(Event::Malformed {
            code: String::new(),
            fields: Vec::new(),
            reason: "empty datagram".into(),
        });
    }
    events
}

/// Parse one line (spec style with a trailing `;`, or TkStrike style without) into `events`.
/// A blank line (or a lone `;`) adds nothing; a line of only separators adds one malformed event.
fn parse_line(line: &str, events: &mut Vec<Event>) {
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    let body = trimmed.strip_suffix(';').unwrap_or(trimmed);
    if body.trim().is_empty() {
        return;
    }
    let fields: Vec<&str> = body.split(';').collect();
    let before = events.len();
    let mut i = 0;
    while i < fields.len() {
        let code = fields[i].trim();
        if code.is_empty() {
            // A stray empty field between two messages (`;;`): it belongs to no message.
            i += 1;
            continue;
        }
        let rest = &fields[i + 1..];
        let consumed = parse_message(code, rest, events);
        i += 1 + consumed;
    }
    if events.len() == before {
        events.push(Event::Malformed {
            code: String::new(),
            fields: fields.iter().map(|s| s.to_string()).collect(),
            reason: "no message in datagram".into(),
        });
    }
}

fn is_known_code(field: &str) -> bool {
    let f = field.trim();
    // Called for every optional field of every message: a length check first, then a `match`
    // the compiler turns into a few comparisons instead of a scan of the whole list.
    match f.len() {
        3 => is_three_letter_code(f),
        0..=2 => false,
        _ => f.starts_with("in") && led_code(f).is_some(),
    }
}

/// The three-letter entries of `KNOWN_CODES` (a unit test keeps the two in step).
fn is_three_letter_code(f: &str) -> bool {
    matches!(
        f,
        "pt1"
            | "pt2"
            | "hl1"
            | "hl2"
            | "wg1"
            | "wg2"
            | "ij0"
            | "ij1"
            | "ij2"
            | "ch0"
            | "ch1"
            | "ch2"
            | "brk"
            | "wrd"
            | "wmh"
            | "win"
            | "at1"
            | "at2"
            | "mch"
            | "s11"
            | "s21"
            | "s12"
            | "s22"
            | "s13"
            | "s23"
            | "sc1"
            | "sc2"
            | "avt"
            | "clk"
            | "rnd"
            | "pre"
            | "rdy"
            | "sup"
            | "to1"
            | "to2"
            | "ref"
            | "hel"
            | "bye"
            | "hwt"
    )
}

/// `inlb`, `insl`, `inth`, possibly written as `inlb:VALUE` in one field.
fn led_code(field: &str) -> Option<(&str, Option<&str>)> {
    for code in ["inlb", "insl", "inth"] {
        if let Some(tail) = field.strip_prefix(code) {
            if tail.is_empty() {
                return Some((code, None));
            }
            if let Some(v) = tail.strip_prefix(':') {
                return Some((code, Some(v)));
            }
        }
    }
    None
}

/// Number of leading fields of `rest` that are not a known code, at most `max`.
pub(super) fn optional_count(rest: &[&str], max: usize) -> usize {
    rest.iter()
        .take(max)
        .take_while(|f| !is_known_code(f))
        .count()
}

/// Parse the message starting with `code`; push its events; return how many fields of `rest`
/// it consumed.
fn parse_message(code: &str, rest: &[&str], out: &mut Vec<Event>) -> usize {
    let (event, used) = match code {
        "pt1" | "pt2" | "hl1" | "hl2" | "wg1" | "wg2" | "sc1" | "sc2" => {
            one_number(code, rest, athlete_of(code), |athlete, v| {
                match &code[..2] {
                    "pt" => match u8::try_from(v).ok().and_then(PointKind::from_number) {
                        Some(kind) => Ok(Event::Point { athlete, kind }),
                        None => Err(format!("point type must be 1–5, got {v}")),
                    },
                    "hl" => Ok(Event::HitLevel { athlete, level: v }),
                    "wg" => Ok(Event::Penalties { athlete, count: v }),
                    _ => Ok(Event::Score { athlete, score: v }),
                }
            })
        }
        "s11" | "s21" | "s12" | "s22" | "s13" | "s23" => {
            let round = code.as_bytes()[2] - b'0';
            one_number(code, rest, athlete_of(&code[..2]), |athlete, score| {
                Ok(Event::RoundScore {
                    athlete,
                    round,
                    score,
                })
            })
        }
        "avt" | "rnd" | "sup" | "hwt" => simple_number(code, rest),
        "clk" | "to1" | "to2" => clock_message(code, rest),
        "ij0" | "ij1" | "ij2" => injury(code, rest),
        "brk" => break_message(rest),
        "ch0" | "ch1" | "ch2" => challenge(code, rest),
        "wrd" => round_winners(rest),
        "wmh" => winner_shown(rest),
        "win" => winner(rest),
        "at1" | "at2" => athlete_info(code, rest),
        "mch" => match_config(rest),
        "pre" | "rdy" => {
            let used = optional_count(rest, 1);
            let ev = if code == "pre" {
                Event::FightLoaded
            } else {
                Event::FightReady
            };
            (ev, used)
        }
        "ref" => (
            Event::Referees {
                fields: owned(rest),
            },
            rest.len(),
        ),
        "hel" => (Event::Hello, 0),
        "bye" => (Event::Bye, 0),
        _ => match led_code(code) {
            Some((led, Some(v))) => (led_event(led, v), 0),
            Some((led, None)) => {
                let used = optional_count(rest, 1);
                (led_event(led, rest.first().copied().unwrap_or("")), used)
            }
            None => {
                let used = optional_count(rest, usize::MAX);
                (
                    Event::Unknown {
                        code: code.to_string(),
                        fields: owned(&rest[..used]),
                    },
                    used,
                )
            }
        },
    };
    out.push(event);
    used
}

fn led_event(code: &str, value: &str) -> Event {
    let v = value.trim();
    Event::LedSetting {
        code: code.to_string(),
        value: v.strip_suffix(':').unwrap_or(v).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the parser knows, as the protocol lists them.
    const KNOWN_CODES: &[&str] = &[
        "pt1", "pt2", "hl1", "hl2", "wg1", "wg2", "ij0", "ij1", "ij2", "ch0", "ch1", "ch2", "brk",
        "wrd", "wmh", "win", "at1", "at2", "mch", "s11", "s21", "s12", "s22", "s13", "s23", "sc1",
        "sc2", "avt", "clk", "rnd", "pre", "rdy", "sup", "to1", "to2", "ref", "hel", "bye", "hwt",
        "inlb", "insl", "inth",
    ];

    #[test]
    fn known_codes_are_exactly_the_protocol_list() {
        for code in KNOWN_CODES {
            assert!(is_known_code(code), "{code}");
            assert!(is_known_code(&format!(" {code} ")), "{code} with spaces");
        }
        // Every three-character string of letters and digits: known only if listed.
        let chars: Vec<char> = ('a'..='z').chain('0'..='9').collect();
        for a in &chars {
            for b in &chars {
                for c in &chars {
                    let f: String = [*a, *b, *c].iter().collect();
                    assert_eq!(is_known_code(&f), KNOWN_CODES.contains(&f.as_str()), "{f}");
                }
            }
        }
        assert!(is_known_code("inlb:3"));
        for not in [
            "", "in", "inl", "inlbx", "inlb3", "PT1", "pt", "pt12", "xinlb",
        ] {
            assert!(!is_known_code(not), "{not:?}");
        }
    }
}
