//! Which moment a challenge is about: the last scoring event (a point or a penalty) of the same
//! match before the challenge. Pure, over the match's stored events.

use crate::protocol::{Event, EventKind};
use crate::store::EventRecord;

/// Whether a challenge can be about this event (a point or a gam-jeom).
pub fn is_scoring(e: &Event) -> bool {
    matches!(e.kind(), EventKind::Point | EventKind::Penalty)
}

/// The last scoring record of `challenge`'s match received before it, from `records` (any order,
/// any matches). `None` when the match has none (nothing to review).
pub fn disputed<'a>(
    records: &'a [EventRecord],
    challenge: &EventRecord,
) -> Option<&'a EventRecord> {
    records
        .iter()
        .filter(|r| r.match_key == challenge.match_key && r.seq < challenge.seq)
        .filter(|r| r.events.iter().any(is_scoring))
        .max_by_key(|r| r.seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Athlete, PointKind};

    fn rec(seq: u64, match_key: u64, events: Vec<Event>) -> EventRecord {
        EventRecord {
            seq,
            received_at_ns: seq as i64 * 1_000_000_000,
            source: "127.0.0.1:1".into(),
            court: "1".into(),
            raw: Vec::new(),
            events,
            match_key,
        }
    }

    #[test]
    fn the_last_point_or_penalty_of_the_same_match_before_the_challenge_is_disputed() {
        let point = |a| Event::Point {
            athlete: a,
            kind: PointKind::Head,
        };
        let penalty = Event::Penalties {
            athlete: Athlete::Red,
            count: 1,
        };
        let records = vec![
            rec(1, 1, vec![Event::FightLoaded]),
            rec(2, 1, vec![point(Athlete::Blue)]),
            rec(3, 1, vec![penalty]),
            rec(
                4,
                1,
                vec![Event::HitLevel {
                    athlete: Athlete::Red,
                    level: 40,
                }],
            ),
            rec(5, 1, vec![Event::FightLoaded]),
            rec(7, 1, vec![point(Athlete::Red)]),
            rec(8, 9, vec![point(Athlete::Red)]),
        ];
        let challenge = rec(6, 1, Vec::new());
        assert_eq!(disputed(&records, &challenge).map(|r| r.seq), Some(3));
        let other_match = rec(9, 9, Vec::new());
        assert_eq!(disputed(&records, &other_match).map(|r| r.seq), Some(8));
        assert_eq!(disputed(&records, &rec(2, 1, Vec::new())), None);
    }
}
