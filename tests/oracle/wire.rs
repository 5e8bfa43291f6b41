//! An independent reference for the parser and `MatchState`, shared by the property tests
//! (`tests/spine/oracle_props.rs`) and the fuzz targets (`fuzz/fuzz_targets/`).
//!
//! Nothing here calls the parser's helpers, the encoder or `Event::code`: the reference splits
//! the text itself, builds its own datagrams from templates whose events it writes out by hand,
//! applies the documented 64-message / 64-event cap itself and computes the scoreboard fields as
//! "the last value sent since the last `pre`". A mismatch panics with what differs (the fuzzer
//! and proptest both report a panic as a failure).
//!
//! The includer names the crate under test `under_test` at its root (`courtside`, or the fuzz
//! crate, which compiles the same source files).

use super::under_test::match_state::MatchState;
use super::under_test::protocol::{Athlete, ClockAction, Event, PointKind, parse_text};

/// The documented caps (`src/protocol/parse.rs`), restated: a reference must not import them.
const MAX_MESSAGES: usize = 64;
const MAX_EVENTS: usize = 64;

/// The lines of a datagram as the protocol defines them: split on CR and LF, trimmed of
/// whitespace and NUL, one trailing `;` removed, then split on `;` (fields kept raw).
fn lines_of(text: &str) -> Vec<Vec<&str>> {
    text.split(['\r', '\n'])
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\0'))
        .map(|l| l.strip_suffix(';').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(';').collect())
        .collect()
}

/// Whether `e` is the "too many messages" event that ends a capped datagram.
fn is_cap(e: &Event) -> bool {
    matches!(e, Event::Malformed { code, fields, reason }
        if code.is_empty() && fields.is_empty() && reason.starts_with("too many messages"))
}

/// The numbers in the cap event's reason: messages kept, messages dropped.
fn cap_numbers(e: &Event) -> (usize, usize) {
    let Event::Malformed { reason, .. } = e else {
        panic!("not a cap event: {e:?}")
    };
    let nums: Vec<usize> = reason
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match nums.as_slice() {
        [kept, dropped] => (*kept, *dropped),
        _ => panic!("cap reason does not name kept and dropped counts: {reason:?}"),
    }
}

fn side(a: Athlete) -> char {
    match a {
        Athlete::Blue => '1',
        Athlete::Red => '2',
    }
}

/// The wire code a typed event must have come from, written out here rather than taken from
/// `Event::code`. `None` for the kinds matched by shape instead (LED, link, unknown, malformed).
fn wire_code(e: &Event) -> Option<String> {
    let s = |p: &str, a: Athlete| format!("{p}{}", side(a));
    let opt = |p: &str, a: Option<Athlete>| format!("{p}{}", a.map_or('0', side));
    Some(match e {
        Event::Point { athlete, .. } => s("pt", *athlete),
        Event::HitLevel { athlete, .. } => s("hl", *athlete),
        Event::Penalties { athlete, .. } => s("wg", *athlete),
        Event::Score { athlete, .. } => s("sc", *athlete),
        Event::AthleteInfo { athlete, .. } => s("at", *athlete),
        Event::Timeout { athlete, .. } => s("to", *athlete),
        Event::RoundScore { athlete, round, .. } => format!("s{}{round}", side(*athlete)),
        Event::Injury { athlete, .. } => opt("ij", *athlete),
        Event::Challenge { by, .. } => opt("ch", *by),
        Event::Break { .. } => "brk".into(),
        Event::RoundWinners { .. } => "wrd".into(),
        Event::WinnerShown { .. } => "wmh".into(),
        Event::Winner { .. } | Event::MatchTie => "win".into(),
        Event::MatchConfig(_) => "mch".into(),
        Event::VideoTime { .. } => "avt".into(),
        Event::Clock { .. } => "clk".into(),
        Event::Round { .. } => "rnd".into(),
        Event::FightLoaded => "pre".into(),
        Event::FightReady => "rdy".into(),
        Event::Superiority { .. } => "sup".into(),
        Event::Referees { .. } => "ref".into(),
        Event::Hello => "hel".into(),
        Event::Bye => "bye".into(),
        Event::HardwareTest { .. } => "hwt".into(),
        Event::RoundStats(_) => "rst".into(),
        Event::RoundStatsEnd => "rsr".into(),
        Event::LedSetting { .. }
        | Event::PssLink { .. }
        | Event::Unknown { .. }
        | Event::Malformed { .. } => return None,
    })
}

/// Whether `e` can have been parsed from the message starting at field `at` of `fields`; if so,
/// the first field after what it must have used (an unknown message keeps its fields raw).
fn matches_at(e: &Event, fields: &[&str], at: usize) -> Option<usize> {
    let f = fields[at].trim();
    let ok = match e {
        Event::LedSetting { code, .. } => f.starts_with(code.as_str()),
        Event::PssLink { .. } => f.to_ascii_lowercase().ends_with("connected"),
        Event::Unknown { code, fields: rest } => {
            // Byte-exact: the code as sent (trimmed) and every later field untouched.
            let end = at + 1 + rest.len();
            let same = fields
                .get(at + 1..end)
                .is_some_and(|raw| raw == rest.as_slice());
            return (f == code && same).then_some(end);
        }
        Event::Malformed { code, .. } if code.is_empty() => false,
        Event::Malformed { code, .. } => f == code,
        typed => wire_code(typed).is_some_and(|c| c == f),
    };
    ok.then_some(at + 1)
}

/// Check the events of one line against its fields: the first event comes from the line's first
/// non-empty field, and every event from a later field, in order. A line of only separators
/// gives the one "no message" event carrying its fields as sent.
fn check_line(fields: &[&str], events: &[Event]) {
    let Some(first) = fields.iter().position(|f| !f.trim().is_empty()) else {
        assert!(
            matches!(events, [Event::Malformed { code, fields: got, .. }]
                if code.is_empty() && got == fields),
            "a line of only separators {fields:?} gave {events:?}"
        );
        return;
    };
    assert!(!events.is_empty(), "line {fields:?} gave no event");
    let mut at = first;
    for (i, e) in events.iter().enumerate() {
        let found = if i == 0 {
            matches_at(e, fields, first).map(|end| (first, end))
        } else {
            (at..fields.len()).find_map(|p| matches_at(e, fields, p).map(|end| (p, end)))
        };
        let Some((_, end)) = found else {
            panic!("event {i} {e:?} of line {fields:?} comes from no field at or after {at}");
        };
        at = end;
    }
}

/// Checks for any input: the cap, blank datagrams, lines parsed independently of each other,
/// and every event traced back to the field it came from.
pub fn check_any(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let events = parse_text(&text);
    let lines = lines_of(&text);
    if lines.is_empty() {
        assert!(
            matches!(events.as_slice(), [Event::Malformed { code, fields, .. }]
                if code.is_empty() && fields.is_empty()),
            "blank datagram {text:?} gave {events:?}"
        );
        return;
    }
    let caps = events.iter().filter(|e| is_cap(e)).count();
    assert!(caps <= 1, "{caps} cap events");
    if caps == 1 {
        assert!(
            is_cap(&events[events.len() - 1]),
            "the cap event is not last"
        );
        let (kept, dropped) = cap_numbers(&events[events.len() - 1]);
        assert!(
            kept <= MAX_MESSAGES && dropped >= 1,
            "kept {kept}, dropped {dropped}"
        );
        assert!(
            events.len() - 1 <= MAX_EVENTS,
            "{} events kept",
            events.len() - 1
        );
        return;
    }
    assert!(
        events.len() <= MAX_EVENTS,
        "{} events, no cap event",
        events.len()
    );
    // Lines are parsed independently: the datagram's events are its lines' events in order.
    let mut from_lines = Vec::new();
    for fields in &lines {
        // The trailing `;` stands for the one the split removed (a line may end in several).
        let line = format!("{};", fields.join(";"));
        let own = parse_text(&line);
        check_line(fields, &own);
        from_lines.extend(own);
    }
    assert_eq!(
        events, from_lines,
        "datagram {text:?} differs from its lines parsed one by one"
    );
}

/// One message of a generated datagram: its text and the events it must give.
struct Message {
    text: String,
    events: Vec<Event>,
    /// An unknown code: counted as dropped only when it leads what is dropped of its line.
    unknown: bool,
}

/// A message built from two input bytes: which template, and the value to put in it.
fn message(pick: u8, value: u8) -> Message {
    let n = u32::from(value) * 7;
    let a = if value % 2 == 0 {
        Athlete::Blue
    } else {
        Athlete::Red
    };
    let m = |text: String, events: Vec<Event>| Message {
        text,
        events,
        unknown: false,
    };
    match pick % 13 {
        0 => {
            let kinds = [
                PointKind::Punch,
                PointKind::Body,
                PointKind::Head,
                PointKind::TechBody,
                PointKind::TechHead,
            ];
            let k = usize::from(value) % 5;
            m(
                format!("pt{};{}", side(a), k + 1),
                vec![Event::Point {
                    athlete: a,
                    kind: kinds[k],
                }],
            )
        }
        1 => m(
            format!("hl{};{n}", side(a)),
            vec![Event::HitLevel {
                athlete: a,
                level: n,
            }],
        ),
        2 => m(
            format!("wg1;{};wg2;{}", value % 10, value / 10),
            vec![
                Event::Penalties {
                    athlete: Athlete::Blue,
                    count: u32::from(value % 10),
                },
                Event::Penalties {
                    athlete: Athlete::Red,
                    count: u32::from(value / 10),
                },
            ],
        ),
        3 => m(
            format!("sc1;{n};sc2;{value}"),
            vec![
                Event::Score {
                    athlete: Athlete::Blue,
                    score: n,
                },
                Event::Score {
                    athlete: Athlete::Red,
                    score: u32::from(value),
                },
            ],
        ),
        4 => {
            let mut text = Vec::new();
            let mut events = Vec::new();
            for round in 1..=3u8 {
                for athlete in [Athlete::Blue, Athlete::Red] {
                    let score = n + u32::from(round) + u32::from(side(athlete) == '2');
                    text.push(format!("s{}{round};{score}", side(athlete)));
                    events.push(Event::RoundScore {
                        athlete,
                        round,
                        score,
                    });
                }
            }
            m(text.join(";"), events)
        }
        5 => m(
            format!("rnd;{}", value % 5),
            vec![Event::Round {
                round: u32::from(value % 5),
            }],
        ),
        6 => m(
            format!("avt;{value}"),
            vec![Event::VideoTime {
                value: u32::from(value),
            }],
        ),
        7 => m("pre;FightLoaded".into(), vec![Event::FightLoaded]),
        8 => m("rdy;FightReady".into(), vec![Event::FightReady]),
        9 => m("hel".into(), vec![Event::Hello]),
        10 => m("bye".into(), vec![Event::Bye]),
        11 => match value % 3 {
            0 => m(
                "win;BLUE".into(),
                vec![Event::Winner {
                    athlete: Athlete::Blue,
                }],
            ),
            1 => m(
                "win;RED".into(),
                vec![Event::Winner {
                    athlete: Athlete::Red,
                }],
            ),
            _ => m("win;TIE".into(), vec![Event::MatchTie]),
        },
        _ => {
            // An unknown code with fields that are no code: kept whole, leading spaces and all.
            let code = format!("Q{}", char::from(b'a' + value % 26));
            let fields: Vec<String> = (0..value % 3).map(|i| format!(" X{i}{value}")).collect();
            let mut text = code.clone();
            for f in &fields {
                text.push(';');
                text.push_str(f);
            }
            Message {
                text,
                events: vec![Event::Unknown { code, fields }],
                unknown: true,
            }
        }
    }
}

/// A datagram built from `bytes` (three per message: template, value, separator) and its
/// messages line by line.
fn script(bytes: &[u8]) -> (String, Vec<Vec<Message>>) {
    let mut lines: Vec<Vec<Message>> = vec![Vec::new()];
    let mut text = String::new();
    for chunk in bytes.chunks_exact(3) {
        let msg = message(chunk[0], chunk[1]);
        let line = lines.last_mut().expect("there is always a current line");
        if msg.unknown && line.last().is_some_and(|m| m.unknown) {
            // An unknown message takes every following field that is no known code, a second
            // unknown code included: two in a row are one message, so they go on two lines.
            text.push_str("\r\n");
            lines.push(Vec::new());
        }
        text.push_str(&msg.text);
        lines.last_mut().expect("current line").push(msg);
        match chunk[2] % 5 {
            0 | 1 => text.push(';'),
            2 => text.push_str("\r\n"),
            3 => text.push_str(";\r\n"),
            _ => text.push_str("\n\n"),
        }
        if chunk[2] % 5 >= 2 {
            lines.push(Vec::new());
        }
    }
    (text, lines)
}

/// The text of the datagram [`check_script`] builds from `bytes` (to feed `MatchState` real
/// values).
pub fn script_text(bytes: &[u8]) -> String {
    script(bytes).0
}

/// Builds a datagram from `bytes` (three per message: template, value, separator) and checks
/// the parser gives exactly the events written out for it, capped as documented: messages are
/// kept in order while fewer than 64 are kept and the next one's events fit in 64; once one does
/// not, the rest of its line is dropped and counted.
pub fn check_script(bytes: &[u8]) {
    let (text, lines) = script(bytes);
    let mut expected = Vec::new();
    let (mut kept, mut dropped) = (0usize, 0usize);
    for line in &lines {
        let mut cut = false;
        for msg in line {
            if !cut && (kept >= MAX_MESSAGES || expected.len() + msg.events.len() > MAX_EVENTS) {
                // The message that does not fit is counted whatever its code; after it, the
                // rest of the line is counted by its known codes only (an unknown code is not
                // told from a field without parsing).
                cut = true;
                dropped += 1;
            } else if cut {
                dropped += usize::from(!msg.unknown);
            } else {
                kept += 1;
                expected.extend(msg.events.iter().cloned());
            }
        }
    }
    let mut events = parse_text(&text);
    if dropped > 0 {
        let last = events.pop();
        let Some(cap) = last.filter(is_cap) else {
            panic!("{dropped} messages over the cap but no cap event last in {text:?}");
        };
        assert_eq!(
            cap_numbers(&cap),
            (kept, dropped),
            "messages kept and dropped"
        );
    }
    if kept == 0 && dropped == 0 {
        assert_eq!(events.len(), 1, "an empty datagram is one event");
        return;
    }
    assert_eq!(events, expected, "datagram {text:?}");
}

/// Checks `state` (what `MatchState::apply` made of `events`) against values read straight off
/// the events: since the last `pre`, each score and penalty total is the last `sc`/`wg` sent for
/// that side, each round score the last `s..`, points are counted per type, the round, clock
/// and winner are the last sent, and the counts are the events since (and with) that `pre`.
pub fn check_state(events: &[Event], state: &MatchState) {
    let start = events
        .iter()
        .rposition(|e| matches!(e, Event::FightLoaded))
        .unwrap_or(0);
    let now = &events[start..];
    let last = |f: &dyn Fn(&Event) -> Option<u32>| now.iter().rev().find_map(f).unwrap_or(0);
    for a in [Athlete::Blue, Athlete::Red] {
        let s = state.side(a);
        let score = last(&|e| match e {
            Event::Score { athlete, score } if *athlete == a => Some(*score),
            _ => None,
        });
        assert_eq!(s.score, score, "{a:?} score is not the last sc");
        let pen = last(&|e| match e {
            Event::Penalties { athlete, count } if *athlete == a => Some(*count),
            _ => None,
        });
        assert_eq!(s.penalties, pen, "{a:?} penalties are not the last wg");
        for r in 1..=3u8 {
            let rs = last(&|e| match e {
                Event::RoundScore {
                    athlete,
                    round,
                    score,
                } if *athlete == a && *round == r => Some(*score),
                _ => None,
            });
            assert_eq!(
                s.round_scores[usize::from(r - 1)],
                rs,
                "{a:?} round {r} score"
            );
        }
        let count = |k: PointKind| {
            now.iter()
                .filter(
                    |e| matches!(e, Event::Point { athlete, kind } if *athlete == a && *kind == k),
                )
                .count() as u32
        };
        let p = s.points;
        let got = [p.punch, p.body, p.head, p.tech_body, p.tech_head];
        let want = [
            count(PointKind::Punch),
            count(PointKind::Body),
            count(PointKind::Head),
            count(PointKind::TechBody),
            count(PointKind::TechHead),
        ];
        assert_eq!(got, want, "{a:?} points by type");
    }
    let round = last(&|e| match e {
        Event::Round { round } => Some(*round),
        _ => None,
    });
    assert_eq!(state.round, round, "round is not the last rnd");
    assert_eq!(
        state.ready,
        now.iter().any(|e| matches!(e, Event::FightReady)),
        "ready"
    );
    if let Some(Event::Clock { clock, .. }) =
        now.iter().rev().find(|e| matches!(e, Event::Clock { .. }))
    {
        assert_eq!(state.clock, clock.to_string(), "clock is not the last clk");
    }
    let running = now.iter().rev().find_map(|e| match e {
        Event::Clock {
            action: Some(ClockAction::Start),
            ..
        } => Some(true),
        Event::Clock {
            action: Some(ClockAction::Stop | ClockAction::StopEnd),
            ..
        } => Some(false),
        _ => None,
    });
    assert_eq!(
        state.clock_running,
        running.unwrap_or(false),
        "clock running"
    );
    let ended = now
        .iter()
        .rev()
        .find(|e| matches!(e, Event::Winner { .. } | Event::MatchTie));
    assert_eq!(
        state.tie,
        matches!(ended, Some(Event::MatchTie)),
        "tie is not the last win"
    );
    if let Some(Event::Winner { athlete }) = ended {
        let name = if *athlete == Athlete::Blue {
            "blue"
        } else {
            "red"
        };
        assert_eq!(
            state.winner.as_deref(),
            Some(name),
            "winner is not the last win"
        );
    } else if matches!(ended, Some(Event::MatchTie))
        || !now.iter().any(|e| matches!(e, Event::WinnerShown { .. }))
    {
        assert_eq!(state.winner, None, "a winner without win or wmh");
    }
    let kind = |unknown: bool| {
        now.iter()
            .filter(|e| match e {
                Event::Unknown { .. } => unknown,
                Event::Malformed { .. } => !unknown,
                _ => false,
            })
            .count() as u64
    };
    assert_eq!(
        state.counts.messages,
        now.len() as u64,
        "messages since pre"
    );
    assert_eq!(state.counts.unknown, kind(true), "unknown since pre");
    assert_eq!(state.counts.malformed, kind(false), "malformed since pre");
}
