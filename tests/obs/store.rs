//! OBS tables in the store: written through the writer, read back, bad input refused.

use courtside::obs::rules::MAX_DELAY_MS;
use courtside::obs::store::{
    delete_connection, load_connections, load_firings, load_paused, load_rules, load_rules_checked,
    log_firing, save_connection, save_paused, save_rules, saved_rules,
};
use courtside::obs::{
    FiringCause, FiringRecord, FiringResult, ObsAction, ObsConnection, Password, Rule, RuleAction,
    Trigger, rules::default_rules,
};
use courtside::store::{Store, WriteRequest, Writer, WriterConfig, codec};
use crossbeam_channel::{Sender, bounded};

fn open() -> (tempfile::TempDir, Store, Writer) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    (dir, store, writer)
}

/// Queue a write built with an ack, wait for its outcome.
fn write(
    writer: &Writer,
    build: impl FnOnce(Option<Sender<Result<(), String>>>) -> WriteRequest,
) -> Result<(), String> {
    let (ack, done) = bounded(1);
    writer.sender().send(build(Some(ack))).expect("queue");
    done.recv().expect("writer answered")
}

fn conn(name: &str, secret: &str) -> ObsConnection {
    let mut c = ObsConnection::new(name, "127.0.0.1", 4455);
    c.password = Password::new(secret);
    c
}

#[test]
fn a_fresh_store_has_no_connections_default_rules_and_no_pause() {
    let (_dir, store, _writer) = open();
    assert!(load_connections(&store).expect("read").is_empty());
    assert_eq!(saved_rules(&store).expect("read"), None);
    let rules = load_rules(&store).expect("read");
    let triggers: Vec<Trigger> = rules.iter().map(|r| r.trigger).collect();
    let defaults: Vec<Trigger> = default_rules().iter().map(|r| r.trigger).collect();
    assert_eq!(triggers, defaults);
    assert!(!load_paused(&store).expect("read"));
    assert!(load_firings(&store, 10).expect("read").is_empty());
}

#[test]
fn connections_round_trip_with_their_password_and_can_be_deleted() {
    let (_dir, store, writer) = open();
    let a = conn("recording", "s3cret-a");
    let mut b = conn("streaming", "s3cret-b");
    write(&writer, |ack| save_connection(a.clone(), ack)).expect("save a");
    write(&writer, |ack| save_connection(b.clone(), ack)).expect("save b");
    b.port = 4456;
    write(&writer, |ack| save_connection(b.clone(), ack)).expect("edit b");
    let loaded = load_connections(&store).expect("read");
    assert_eq!(loaded, vec![a.clone(), b.clone()]);
    assert!(!format!("{loaded:?}").contains("s3cret"));
    write(&writer, |ack| delete_connection(a.id, ack)).expect("delete");
    write(&writer, |ack| delete_connection(a.id, ack)).expect("delete again is fine");
    assert_eq!(load_connections(&store).expect("read"), vec![b]);
}

#[test]
fn invalid_or_duplicate_connections_are_refused_and_change_nothing() {
    let (_dir, store, writer) = open();
    let a = conn("recording", "x");
    write(&writer, |ack| save_connection(a.clone(), ack)).expect("save");
    let twin = conn("Recording", "y");
    let err = write(&writer, |ack| save_connection(twin, ack)).expect_err("duplicate name");
    assert!(err.contains("named 'Recording'"), "{err}");
    let mut bad = conn("other", "z");
    bad.port = 0;
    let err = write(&writer, |ack| save_connection(bad, ack)).expect_err("port 0");
    assert!(err.contains("port"), "{err}");
    let mut bad = conn("third", "z");
    bad.host = "no host/here".into();
    let err = write(&writer, |ack| save_connection(bad, ack)).expect_err("bad host");
    assert!(err.contains("not a host name"), "{err}");
    assert_eq!(load_connections(&store).expect("read"), vec![a]);
}

#[test]
fn rules_are_replaced_as_a_set_and_an_invalid_set_is_refused_whole() {
    let (_dir, store, writer) = open();
    let mut rules = default_rules();
    rules[1].enabled = false;
    write(&writer, |ack| save_rules(rules.clone(), ack)).expect("save");
    assert_eq!(saved_rules(&store).expect("read"), Some(rules.clone()));
    let mut broken = rules.clone();
    broken.push(Rule::new("no actions", Trigger::FightLoaded, vec![]));
    let err = write(&writer, |ack| save_rules(broken, ack)).expect_err("invalid");
    assert!(err.contains("no action"), "{err}");
    assert_eq!(load_rules(&store).expect("read"), rules);
    // Deleting every rule is a choice, not a reset to the defaults.
    write(&writer, |ack| save_rules(vec![], ack)).expect("save empty");
    assert_eq!(load_rules(&store).expect("read"), vec![]);
    let one = Rule::new(
        "scene",
        Trigger::BreakStart,
        vec![RuleAction::now(ObsAction::SetScene {
            scene: "Break".into(),
        })],
    );
    write(&writer, |ack| save_rules(vec![one.clone()], ack)).expect("save one");
    assert_eq!(load_rules(&store).expect("read"), vec![one]);
}

#[test]
fn pause_and_firing_log_persist_across_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.redb");
    {
        let store = Store::open(&path).expect("open");
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
        write(&writer, |ack| save_paused(true, ack)).expect("pause");
        for i in 0..3u64 {
            writer.sender().send(log_firing(firing(i))).expect("queue");
        }
        writer.flush().expect("flush");
        writer.shutdown();
    }
    let store = Store::open(&path).expect("reopen");
    assert!(load_paused(&store).expect("read"));
    let log = load_firings(&store, 2).expect("read");
    let ids: Vec<u64> = log.iter().map(|f| f.id).collect();
    assert_eq!(ids, vec![3, 2]);
    assert_eq!(log[0].cause.rule_name, "rule 2");
    assert_eq!(log[1].result, FiringResult::Failed("rule 1 failed".into()));
}

fn firing(i: u64) -> FiringRecord {
    FiringRecord {
        id: 0,
        at_ns: 1_700_000_000_000_000_000 + i as i64,
        cause: FiringCause {
            rule_id: i,
            rule_name: format!("rule {i}"),
            court: "1".into(),
            match_key: 7,
            event_seq: 10 + i,
            event: "Challenge requested".into(),
        },
        action: "save replay".into(),
        connection: "rec".into(),
        result: if i.is_multiple_of(2) {
            FiringResult::Done("saved x.mkv".into())
        } else {
            FiringResult::Failed(format!("rule {i} failed"))
        },
        latency_us: Some(120 + i),
        round_trip_us: Some(900),
    }
}

/// Store a rule set as a crafted (or older) store would hold it: not checked on the way in.
fn store_unchecked(writer: &Writer, rules: Vec<Rule>) {
    write(writer, |ack| WriteRequest::Apply {
        what: "crafted rules",
        op: Box::new(move |txn| {
            let mut t = txn.open_table(courtside::obs::store::RULES)?;
            for (i, r) in rules.iter().enumerate() {
                t.insert(i as u64, codec::encode(r, "rule")?.as_slice())?;
            }
            Ok(())
        }),
        ack,
    })
    .expect("stored");
}

#[test]
fn a_stored_rule_with_a_huge_delay_is_clamped_with_a_notice() {
    let (_dir, store, writer) = open();
    let mut huge = Rule::new(
        "stop much later",
        Trigger::MatchWinner,
        vec![RuleAction::now(ObsAction::StopRecording)],
    );
    huge.actions[0].delay_ms = u64::MAX;
    let mut broken = Rule::new(
        "scene without a name",
        Trigger::BreakStart,
        vec![RuleAction::now(ObsAction::SetScene { scene: " ".into() })],
    );
    broken.enabled = true;
    store_unchecked(&writer, vec![huge, broken]);
    let (rules, problems) = load_rules_checked(&store).expect("read");
    assert_eq!(rules[0].actions[0].delay_ms, MAX_DELAY_MS);
    assert!(rules[0].enabled, "a clamped rule keeps running");
    assert!(!rules[1].enabled, "a rule that cannot run is switched off");
    // The third: a set stored before the review actions gains the back-to-live rule.
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[2].contains("back to live"), "{problems:?}");
    assert!(
        problems[0].contains("'stop much later'") && problems[0].contains("cut to 600 s"),
        "{problems:?}"
    );
    assert!(problems[1].contains("switched off"), "{problems:?}");
    // The engine then decides a delay `Instant + delay` can hold.
    let decided = courtside::obs::rules::RuleEngine::new().evaluate(
        &rules,
        false,
        "Court 1",
        &courtside::protocol::Event::Winner {
            athlete: courtside::protocol::Athlete::Blue,
        },
        &courtside::match_state::MatchState::new(),
        std::time::Instant::now(),
    );
    assert_eq!(decided.len(), 1);
    assert!(
        std::time::Instant::now()
            .checked_add(decided[0].delay)
            .is_some()
    );
}

/// A rule set stored by an older courtside (no review actions, no mark): updated once for the
/// review (one replay per challenge, back to live as a rule); once saved, it is kept as the
/// operator left it, even without review actions.
#[test]
fn an_older_rule_set_is_updated_for_the_review_once_and_then_left_as_saved() {
    let (_dir, store, writer) = open();
    let old = Rule::new(
        "Challenge requested: save replay",
        Trigger::ChallengeRequested,
        vec![RuleAction::now(ObsAction::SaveReplay)],
    );
    store_unchecked(&writer, vec![old.clone()]);
    let start = courtside::obs::store::load_rules_for_start(&store).expect("read");
    assert_eq!(start.migrated.len(), 2, "{:?}", start.migrated);
    assert!(start.problems.is_empty(), "{:?}", start.problems);
    assert_eq!(
        start.rules[0].actions,
        vec![RuleAction::now(ObsAction::ReviewSaveAndCue)]
    );
    assert_eq!(
        start.rules[1].actions,
        vec![RuleAction::now(ObsAction::ReviewBackToLive)]
    );
    // The app stores the update; the operator then removes the review actions on purpose.
    write(&writer, |ack| save_rules(start.rules.clone(), ack)).expect("save");
    let again = courtside::obs::store::load_rules_for_start(&store).expect("read");
    assert!(again.migrated.is_empty(), "{:?}", again.migrated);
    write(&writer, |ack| save_rules(vec![old.clone()], ack)).expect("save");
    let kept = courtside::obs::store::load_rules_for_start(&store).expect("read");
    assert_eq!(kept.rules, vec![old]);
    assert!(kept.migrated.is_empty());
}
