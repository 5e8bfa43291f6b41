//! The reference for well-formed datagrams: built from message templates whose events are
//! written out here by hand, capped and counted as documented.

use super::under_test::protocol::{Athlete, Event, PointKind, parse_text};
use super::wire::{cap_numbers, is_cap, side};
use super::{MAX_EVENTS, MAX_MESSAGES};

/// One message of a generated datagram: its text and the events it must give.
struct Message {
    text: String,
    events: Vec<Event>,
    /// An unknown code: counted as dropped only when it leads what is dropped of its line.
    unknown: bool,
    /// Takes every following field up to the next known code (`wrd`, an unknown code).
    greedy: bool,
}

/// A message built from two input bytes: which template, and the value to put in it.
fn message(pick: u8, value: u8) -> Message {
    let n = u32::from(value) * 7;
    let a = if value.is_multiple_of(2) {
        Athlete::Blue
    } else {
        Athlete::Red
    };
    let m = |text: String, events: Vec<Event>| Message {
        text,
        events,
        unknown: false,
        greedy: false,
    };
    match pick % 14 {
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
        12 => {
            // Round winners, each 0 (undecided), 1 (blue) or 2 (red), from the value's digits
            // in base 3.
            let w = [value % 3, value / 3 % 3, value / 9 % 3];
            Message {
                greedy: true,
                ..m(
                    format!("wrd;rd1;{};rd2;{};rd3;{}", w[0], w[1], w[2]),
                    vec![Event::RoundWinners { winners: w }],
                )
            }
        }
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
                greedy: true,
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
        if msg.unknown && line.last().is_some_and(|m| m.unknown || m.greedy) {
            // An unknown message, like `wrd`, takes every following field that is no known code,
            // so an unknown code right after either would be one of its fields: it starts a
            // new line instead.
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
