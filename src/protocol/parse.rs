//! Datagram parser: bytes → events. Never panics, never clamps.

use super::messages::*;
use super::types::*;
use super::venue_messages::{is_link_status, pss_link, round_stats};

/// Most messages one datagram may carry; a paired message (`wg1;…;wg2;…`, `at1;…;at2;…`, the
/// six `s11`…`s23`) counts once. TkStrike sends one message (or one such group) per datagram, so
/// this only bounds what a hostile or broken sender can make one datagram cost: the rest is
/// counted, not parsed, stored or applied one by one.
pub const MAX_MESSAGES: usize = 64;

/// Most events one datagram may yield before the one "too many messages" event (a group of
/// paired messages yields one event per part, so the message limit alone would allow 6 × 64).
/// A group that would not fit whole is dropped whole.
pub const MAX_EVENTS: usize = 64;

/// Parse one datagram. Bytes are decoded lossily (invalid UTF-8 becomes U+FFFD); the caller keeps
/// the exact bytes. Always returns at least one event, so every datagram is counted, and at most
/// [`MAX_EVENTS`] + 1.
pub fn parse_datagram(bytes: &[u8]) -> Vec<Event> {
    parse_text(&String::from_utf8_lossy(bytes))
}

/// Parse the text of one datagram (or one stream-file line).
pub fn parse_text(text: &str) -> Vec<Event> {
    let mut p = Parser::default();
    // TkStrike ends every message with CRLF. Should a datagram hold several such messages, each
    // line is parsed on its own so a line break never glues two messages' fields together.
    for line in text.split(['\r', '\n']) {
        p.line(line);
    }
    let mut events = p.events;
    if p.dropped > 0 {
        events.push(Event::Malformed {
            code: String::new(),
            fields: Vec::new(),
            reason: format!(
                "too many messages in one datagram: the first {} kept, {} more dropped unparsed",
                p.messages, p.dropped
            ),
        });
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

/// The events of one datagram so far, and its message budget.
#[derive(Default)]
struct Parser {
    events: Vec<Event>,
    /// Messages parsed (a paired group counts once).
    messages: usize,
    /// Messages left unparsed once the budget was spent.
    dropped: usize,
}

impl Parser {
    fn spent(&self) -> bool {
        self.messages >= MAX_MESSAGES || self.events.len() >= MAX_EVENTS
    }

    /// Parse one line (spec style with a trailing `;`, or TkStrike style without). A blank line
    /// (or a lone `;`) adds nothing; a line of only separators adds one malformed event.
    fn line(&mut self, line: &str) {
        let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        let body = trimmed.strip_suffix(';').unwrap_or(trimmed);
        if body.trim().is_empty() {
            return;
        }
        let fields: Vec<&str> = body.split(';').collect();
        if self.spent() {
            self.dropped += count_messages(&fields);
            return;
        }
        let before = self.events.len();
        let mut prev: &str = "";
        let mut i = 0;
        while i < fields.len() {
            let code = fields[i].trim();
            if code.is_empty() {
                // A stray empty field between two messages (`;;`): it belongs to no message.
                i += 1;
                continue;
            }
            // A group's later parts always fit: its first part reserved room for all of them,
            // so a group is kept or dropped whole.
            if !continues_group(prev, code) {
                let room = MAX_EVENTS.saturating_sub(self.events.len());
                if self.messages >= MAX_MESSAGES || group_len(code) > room {
                    self.dropped += count_messages(&fields[i..]);
                    return;
                }
                self.messages += 1;
            }
            prev = code;
            let rest = &fields[i + 1..];
            let consumed = parse_message(code, rest, &mut self.events);
            i += 1 + consumed;
        }
        if self.events.len() == before {
            self.messages += 1;
            self.events.push(Event::Malformed {
                code: String::new(),
                fields: fields.iter().map(|s| s.to_string()).collect(),
                reason: "no message in datagram".into(),
            });
        }
    }
}

/// Whether `code` is the next part of the paired message that `prev` began (`wg1` → `wg2`,
/// `s11` → `s21` → `s12` …): such parts count as one message.
fn continues_group(prev: &str, code: &str) -> bool {
    matches!(
        (prev, code),
        ("at1", "at2")
            | ("wg1", "wg2")
            | ("sc1", "sc2")
            | ("s11", "s21")
            | ("s21", "s12")
            | ("s12", "s22")
            | ("s22", "s13")
            | ("s13", "s23")
    )
}

/// Most events a message starting with `code` can yield: the parts of its group from `code` on
/// (`s11` starts six, `s13` two, `wg1` two).
fn group_len(code: &str) -> usize {
    match code {
        "s11" => 6,
        "s21" => 5,
        "s12" => 4,
        "s22" => 3,
        "at1" | "wg1" | "sc1" | "s13" => 2,
        _ => 1,
    }
}

/// How many messages `fields` (the rest of a line) would have been, counted cheaply by their
/// codes without parsing them: each known code that does not continue a group is one, so is a
/// leading field that is no known code (an unknown message, a status line), and a line of only
/// separators is one (it would have been one "no message" event).
fn count_messages(fields: &[&str]) -> usize {
    let mut prev = "";
    let first = fields.iter().map(|f| f.trim()).find(|f| !f.is_empty());
    let mut count = usize::from(first.is_some_and(|f| !is_known_code(f)));
    for f in fields.iter().map(|f| f.trim()) {
        if is_known_code(f) {
            if !continues_group(prev, f) {
                count += 1;
            }
            prev = f;
        }
    }
    count.max(1)
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
            | "rst"
            | "rsr"
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
        "rst" => round_stats(rest),
        "rsr" => (Event::RoundStatsEnd, 0),
        "hel" => (Event::Hello, 0),
        "bye" => (Event::Bye, 0),
        _ => match led_code(code) {
            Some((led, Some(v))) => (led_event(led, v), 0),
            Some((led, None)) => {
                let used = optional_count(rest, 1);
                (led_event(led, rest.first().copied().unwrap_or("")), used)
            }
            None if is_link_status(code) => (pss_link(code), 0),
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
        "rst", "rsr", "inlb", "insl", "inth",
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
