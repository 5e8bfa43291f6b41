//! The reference for any input: the text split into lines and fields as the protocol defines
//! them, and every event traced back to the field it came from.

use super::under_test::protocol::{Athlete, Event, parse_text};
use super::{MAX_EVENTS, MAX_MESSAGES};

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
pub(super) fn is_cap(e: &Event) -> bool {
    matches!(e, Event::Malformed { code, fields, reason }
        if code.is_empty() && fields.is_empty() && reason.starts_with("too many messages"))
}

/// The numbers in the cap event's reason: messages kept, messages dropped.
pub(super) fn cap_numbers(e: &Event) -> (usize, usize) {
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

pub(super) fn side(a: Athlete) -> char {
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
