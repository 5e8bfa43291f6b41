use super::*;
use crate::protocol::{Athlete, Event, PointKind};
use crate::review::{Anchor, VideoKind};

const S: i64 = 1_000_000_000;

fn rec(seq: u64, events: Vec<Event>) -> EventRecord {
    EventRecord {
        seq,
        received_at_ns: seq as i64 * S,
        source: "127.0.0.1:1".into(),
        court: "1".into(),
        raw: Vec::new(),
        events,
        match_key: 1,
    }
}

fn point(a: Athlete) -> Event {
    Event::Point {
        athlete: a,
        kind: PointKind::Head,
    }
}

fn recording() -> VideoSegment {
    VideoSegment {
        connection_id: 1,
        connection: "court".into(),
        kind: VideoKind::Recording,
        path: "/rec/m.mkv".into(),
        start_ns: Some(2 * S),
        end_ns: None,
        duration_ms: None,
        anchor: Anchor::Reported,
    }
}

#[test]
fn a_load_lists_the_scoring_events_with_their_video_offset_and_keeps_records_seen_meanwhile() {
    let mut v = ReviewView::default();
    let g = v.begin_load(1);
    // A record arrives while the store is read: kept, merged once the load comes.
    assert!(!v.live(&Arc::new(rec(4, vec![point(Athlete::Red)]))));
    let load = ReviewLoad {
        generation: g,
        match_key: 1,
        records: vec![
            rec(1, vec![Event::FightLoaded]),
            rec(3, vec![point(Athlete::Blue)]),
            rec(4, vec![point(Athlete::Red)]),
        ],
        segments: vec![recording()],
    };
    assert!(v.apply_load(load));
    let seqs: Vec<u64> = v.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![3, 4], "each scoring event once, in order");
    assert_eq!(v.entries[0].athlete, Some(Athlete::Blue));
    assert_eq!(v.entries[0].video, Some(("/rec/m.mkv".into(), 1000)));
    assert!(v.entries[0].label.contains("+3"), "{}", v.entries[0].label);
    // Live records after the load add entries; other matches are ignored.
    assert!(v.live(&Arc::new(rec(6, vec![point(Athlete::Blue)]))));
    let mut other = rec(7, vec![point(Athlete::Blue)]);
    other.match_key = 9;
    assert!(!v.live(&Arc::new(other)));
    assert_eq!(v.entries.len(), 3);
    assert_eq!(v.disputed(6).map(|e| e.seq), Some(4));
    assert_eq!(v.disputed(7).map(|e| e.seq), Some(6));
}

#[test]
fn a_superseded_load_is_ignored() {
    let mut v = ReviewView::default();
    let old = v.begin_load(1);
    let _new = v.begin_load(1);
    let load = ReviewLoad {
        generation: old,
        match_key: 1,
        records: vec![rec(3, vec![point(Athlete::Blue)])],
        segments: Vec::new(),
    };
    assert!(!v.apply_load(load));
    assert!(v.entries.is_empty());
    assert!(v.loading.is_some());
}

#[test]
fn arrow_navigation_moves_between_events_and_stops_at_the_ends() {
    let mut v = ReviewView::default();
    let g = v.begin_load(1);
    let records = (1..=3).map(|s| rec(s, vec![point(Athlete::Red)])).collect();
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        records,
        segments: Vec::new(),
    });
    assert_eq!(v.neighbour(true), Some(3), "nothing chosen: the newest");
    v.selected = Some(3);
    assert_eq!(v.neighbour(true), Some(3));
    assert_eq!(v.neighbour(false), Some(2));
    v.selected = Some(1);
    assert_eq!(v.neighbour(false), Some(1));
}

#[test]
fn the_loop_window_runs_from_the_pre_roll_to_two_seconds_after_the_moment() {
    let mut v = ReviewView::default();
    assert_eq!(v.loop_window(3000), None, "nothing cued");
    v.obs.moment_ms = Some(10_000);
    assert_eq!(v.loop_window(3000), Some((7_000, 12_000)));
    v.obs.moment_ms = Some(1_000);
    assert_eq!(v.loop_window(3000), Some((0, 3_000)));
}

#[test]
fn records_not_yet_in_the_store_are_listed_once_from_the_live_log() {
    let mut v = ReviewView::default();
    let g = v.begin_load(1);
    // The live log had 3 and 4; the store read had only 3 committed.
    v.waiting.push(Arc::new(rec(3, vec![point(Athlete::Blue)])));
    v.waiting.push(Arc::new(rec(4, vec![point(Athlete::Red)])));
    v.live(&Arc::new(rec(4, vec![point(Athlete::Red)])));
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        records: vec![rec(3, vec![point(Athlete::Blue)])],
        segments: Vec::new(),
    });
    let seqs: Vec<u64> = v.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![3, 4]);
}

#[test]
fn an_event_asked_for_on_video_gets_its_receive_time_from_its_matchs_load_and_is_taken_once() {
    let mut v = ReviewView {
        show: Some(PendingShow {
            match_key: 1,
            seq: 3,
            received_at_ns: None,
        }),
        ..ReviewView::default()
    };
    assert_eq!(v.take_show(), None, "not before its match is listed");
    let g = v.begin_load(1);
    assert_eq!(v.take_show(), None, "not while its match loads");
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        // Not a scoring event: any event row can be shown.
        records: vec![
            rec(1, vec![point(Athlete::Blue)]),
            rec(3, vec![Event::FightLoaded]),
        ],
        segments: vec![recording()],
    });
    let p = v.take_show().expect("ready");
    assert_eq!(p.received_at_ns, Some(3 * S));
    assert_eq!(v.take_show(), None, "played once");
    let plan = plan_show(&v.segments, 3 * S).expect("in the recording");
    assert_eq!((plan.offset_ms, plan.running), (1_000, true));
}

#[test]
fn an_event_only_in_the_live_log_is_found_and_one_missing_from_the_store_says_so() {
    let mut v = ReviewView::default();
    let g = v.begin_load(1);
    v.waiting.push(Arc::new(rec(5, vec![point(Athlete::Red)])));
    v.show = Some(PendingShow {
        match_key: 1,
        seq: 5,
        received_at_ns: None,
    });
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        records: Vec::new(),
        segments: Vec::new(),
    });
    assert_eq!(v.take_show().and_then(|p| p.received_at_ns), Some(5 * S));
    let g = v.begin_load(1);
    v.show = Some(PendingShow {
        match_key: 1,
        seq: 99,
        received_at_ns: None,
    });
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        records: vec![rec(1, vec![point(Athlete::Blue)])],
        segments: Vec::new(),
    });
    let p = v.take_show().expect("taken");
    assert_eq!(
        p.received_at_ns, None,
        "not in the store: the service says so"
    );
}

#[test]
fn an_event_of_another_match_waits_for_that_matchs_load() {
    let mut v = ReviewView {
        show: Some(PendingShow {
            match_key: 2,
            seq: 3,
            received_at_ns: None,
        }),
        ..ReviewView::default()
    };
    let g = v.begin_load(1);
    v.apply_load(ReviewLoad {
        generation: g,
        match_key: 1,
        records: vec![rec(3, vec![point(Athlete::Blue)])],
        segments: Vec::new(),
    });
    assert_eq!(v.take_show(), None);
    assert!(v.show.is_some_and(|p| p.received_at_ns.is_none()));
}
