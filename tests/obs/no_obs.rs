//! A court run without OBS: automation actions with no enabled OBS to go to are counted, not
//! logged or noticed (the default rules would otherwise fail loudly on every match), while an
//! operator's button press still reports why nothing happened.

use courtside::obs::{
    FiringCause, FiringContext, ObsAction, ObsCommand, ObsUpdate, ObsWorker, ObsWorkerConfig,
    Origin, Target,
};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[test]
fn automation_without_an_obs_stays_quiet_and_the_operator_is_told() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (tx, rx) = crossbeam_channel::bounded(64);
    let worker = ObsWorker::spawn(
        rt.handle().clone(),
        ObsWorkerConfig {
            connections: Vec::new(),
            updates: tx,
            repaint: Box::new(|| {}),
            store_writer: None,
        },
    )
    .expect("worker");
    let cause = FiringCause {
        rule_id: 1,
        rule_name: "Challenge requested: save replay".into(),
        court: "Court 1".into(),
        match_key: 7,
        event_seq: 9,
        event: "Challenge requested".into(),
    };
    let automation = ObsCommand::Run {
        target: Target::All,
        action: ObsAction::SaveReplay,
        delay: Duration::ZERO,
        origin: Origin::Automation(Box::new(FiringContext {
            cause,
            received: Instant::now(),
            review_saves_replay: false,
        })),
    };
    let cmds = worker.commands();
    cmds.send(automation).expect("queue");
    cmds.send(ObsCommand::operator(Target::All, ObsAction::SaveReplay))
        .expect("queue");
    // The operator's press is answered (commands run in order, so the automation one is done).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !seen.iter().any(|u| matches!(u, ObsUpdate::Notice(_))) {
        let left = deadline.saturating_duration_since(Instant::now());
        seen.push(rx.recv_timeout(left).expect("an answer to the operator"));
    }
    let notices: Vec<_> = seen
        .iter()
        .filter_map(|u| match u {
            ObsUpdate::Notice(n) => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(!notices[0].automation);
    assert!(
        notices[0]
            .result
            .as_ref()
            .is_err_and(|e| e.contains("no enabled OBS"))
    );
    assert!(!seen.iter().any(|u| matches!(u, ObsUpdate::Firing(_))));
    assert_eq!(
        worker
            .stats()
            .automation_without_obs
            .load(Ordering::Relaxed),
        1
    );
    worker.shutdown();
}

#[test]
fn a_delay_beyond_what_the_clock_can_count_is_refused_not_a_panic() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (tx, rx) = crossbeam_channel::bounded(64);
    // An enabled connection (nothing listens there), so the action is scheduled for it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let conn = courtside::obs::ObsConnection::new("court OBS", "127.0.0.1", closed);
    let worker = ObsWorker::spawn(
        rt.handle().clone(),
        ObsWorkerConfig {
            connections: vec![conn],
            updates: tx,
            repaint: Box::new(|| {}),
            store_writer: None,
        },
    )
    .expect("worker");
    for delay in [Duration::MAX, Duration::from_millis(u64::MAX)] {
        let huge = ObsCommand::Run {
            target: Target::All,
            action: ObsAction::StopRecording,
            delay,
            origin: Origin::Operator,
        };
        worker.commands().send(huge).expect("queue");
        let deadline = Instant::now() + Duration::from_secs(10);
        let refused = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx
                .recv_timeout(left)
                .expect("an answer, not a dead dispatcher")
            {
                ObsUpdate::Notice(n) => break n,
                _ => continue,
            }
        };
        let why = refused.result.expect_err("refused");
        assert!(why.contains("delay"), "{why}");
    }
    worker.shutdown();
}
