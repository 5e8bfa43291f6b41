//! A delayed automation action against a real OBS: the default "match winner: stop recording
//! 30 s later" rule, shortened to 2 s, must stop the recording by itself — not before the delay
//! (measured from the winner datagram's durable record, and seen on OBS's side by an independent
//! client) and not much later. Nothing else runs it: no next match, no shutdown.
//!
//! The court is wired here (not with `Court::start`) so the automation starts with these rules:
//! swapping them in afterwards would race the first datagram.

#![cfg(target_os = "linux")]

use crate::obs_process::{ObsProcess, is_mkv_with_data, wait_until};
use crate::obs_ui::{TestUi, connection, direct_client, named_file, runtime};
use courtside::ingest::{self, Listener, ListenerConfig};
use courtside::obs::rules::{Rule, Trigger, default_rules};
use courtside::obs::store as obs_store;
use courtside::obs::{
    Automation, AutomationHandle, FiringRecord, FiringResult, ObsAction, ObsWorker,
};
use courtside::store::writer::now_ns;
use courtside::store::{EventRecord, Store, Writer, WriterConfig};
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// The shortened delay of the winner rule.
const DELAY: Duration = Duration::from_secs(2);
/// Longest acceptable lateness after the delay (a loaded 2-core CI machine, a software-rendered
/// OBS stopping its muxer).
const LATE_BOUND: Duration = Duration::from_secs(8);

/// The default rules, without cooldowns, with the winner's stop-recording delay set to [`DELAY`].
fn rules_with_short_winner_delay() -> Vec<Rule> {
    let mut rules = default_rules();
    let mut changed = 0;
    for r in &mut rules {
        r.cooldown_ms = 0;
        if r.trigger == Trigger::MatchWinner {
            for a in &mut r.actions {
                if a.action == ObsAction::StopRecording {
                    assert!(a.delay_ms > 0, "the default winner stop is delayed");
                    a.delay_ms = u64::try_from(DELAY.as_millis()).expect("ms");
                    changed += 1;
                }
            }
        }
    }
    assert_eq!(changed, 1, "one delayed stop-recording among the defaults");
    rules
}

fn stop_firings(seen: &[FiringRecord]) -> Vec<&FiringRecord> {
    seen.iter()
        .filter(|f| f.action.starts_with("stop recording"))
        .collect()
}

/// One court wired the app's way (listener → writer → automation → OBS worker) with `rules`.
struct Wired {
    listener: Listener,
    automation: AutomationHandle,
    worker: ObsWorker,
    writer: Writer,
    ui: TestUi,
    store: Store,
    pss: UdpSocket,
    to: SocketAddr,
    id: u64,
    _dir: tempfile::TempDir,
}

impl Wired {
    fn start(obs: &ObsProcess, rt: &tokio::runtime::Runtime, rules: Vec<Rule>) -> Wired {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("court.redb")).expect("store");
        let (persisted_tx, persisted_rx) = crossbeam_channel::bounded(1024);
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![persisted_tx])
            .expect("writer");
        let (ack, acked) = crossbeam_channel::bounded(1);
        let conn = connection("court OBS", obs.port, &obs.password);
        let id = conn.id;
        let save = obs_store::save_connection(conn.clone(), Some(ack));
        writer.sender().send(save).expect("queue");
        acked.recv().expect("ack").expect("connection stored");
        let (worker, ui) = TestUi::spawn(rt, vec![conn], Some(writer.sender()));
        let automation = Automation::new(rules, false, worker.commands())
            .spawn(persisted_rx)
            .expect("automation");
        let loopback = ListenerConfig {
            bind: [127, 0, 0, 1].into(),
            ..ListenerConfig::new(0, "1")
        };
        let socket = ingest::bind(&loopback).expect("bind");
        let to = socket.local_addr().expect("addr");
        let config = ListenerConfig {
            port: to.port(),
            ..loopback
        };
        let listener = Listener::spawn(config, Some(socket), writer.sender()).expect("listener");
        let pss = UdpSocket::bind("127.0.0.1:0").expect("udp");
        Wired {
            listener,
            automation,
            worker,
            writer,
            ui,
            store,
            pss,
            to,
            id,
            _dir: dir,
        }
    }

    /// Send each line as one datagram, as the scoring program does.
    fn send(&self, lines: &[&str]) {
        for l in lines {
            self.pss
                .send_to(l.as_bytes(), self.to)
                .expect("send datagram");
        }
    }

    /// The stored record of the datagram `raw`, once it is durable.
    fn stored(&self, raw: &[u8]) -> EventRecord {
        let find = || {
            let page = self.store.events_page(1, 1000).expect("events");
            page.into_iter().find(|e| e.raw == raw)
        };
        wait_until(Duration::from_secs(20), "the datagram stored", || {
            find().is_some()
        })
        .expect("datagram stored");
        find().expect("found")
    }

    fn stop(self) {
        self.listener.stop();
        self.automation.stop();
        self.worker.shutdown();
        self.writer.shutdown();
    }
}

#[test]
fn a_delayed_stop_recording_fires_by_itself_after_its_delay_and_not_before() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let mut court = Wired::start(&obs, &rt, rules_with_short_winner_delay());
    let id = court.id;
    court.ui.wait("connected", |s| {
        s.status.get(&id).is_some_and(|st| st.link.is_connected())
    });

    // Fight ready: the default rules start the recording at once.
    court.send(&[
        "pre;FightLoaded",
        "at1;J. KIM;Jun KIM;KOR;at2;A. SILVA;Ana SILVA;BRA",
        "mch;201;Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1",
        "rnd;1",
        "rdy;FightReady",
    ]);
    court.ui.wait("recording started by automation", |s| {
        s.firings.iter().any(|f| {
            f.action.starts_with("start recording") && matches!(f.result, FiringResult::Done(_))
        })
    });
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
    let recording = || {
        rt.block_on(direct.recording().status())
            .expect("recording status")
            .active
    };
    wait_until(Duration::from_secs(30), "recorded frames", || {
        rt.block_on(direct.recording().status())
            .is_ok_and(|s| s.active && s.bytes > 0)
    })
    .expect("OBS records before the winner");

    // The winner. From now on OBS itself is watched until the recording stops (asked at most
    // every 200 ms); its durable record then gives the instant the delay counts from.
    let sent_ns = now_ns();
    court.send(&["win;BLUE"]);
    let deadline = DELAY + LATE_BOUND;
    let (mut stopped_ns, mut last_active_ns) = (None, None);
    wait_until(deadline + Duration::from_secs(5), "OBS stops", || {
        let asked = now_ns();
        let active = recording();
        if active {
            last_active_ns = Some(asked);
        } else {
            stopped_ns = Some(now_ns());
        }
        !active
    })
    .unwrap_or_else(|e| panic!("{e}: the delayed stop never ran by itself"));
    let winner = court.stored(b"win;BLUE");
    assert!(
        winner.received_at_ns >= sent_ns - 1_000_000_000,
        "this datagram's record"
    );
    let since_winner = |ns: i64| {
        let d = ns - winner.received_at_ns;
        Duration::from_nanos(u64::try_from(d).unwrap_or_else(|_| panic!("{d} ns before it")))
    };
    let after = since_winner(stopped_ns.expect("set when stopped"));
    assert!(
        after >= DELAY,
        "OBS stopped recording {after:?} after the winner, before the {DELAY:?} delay"
    );
    assert!(after <= deadline, "stopped only {after:?} after the winner");
    // Seen recording close to the end of the delay: the stop did not come early and get noticed
    // late.
    let still = since_winner(last_active_ns.expect("OBS recorded after the winner"));
    assert!(
        still + Duration::from_millis(600) >= DELAY,
        "last seen recording {still:?} after the winner"
    );

    // The firing: exactly one stop, caused by the winner event, sent after the delay.
    court.ui.wait("stop recording firing", |s| {
        !stop_firings(&s.firings).is_empty()
    });
    let stops = stop_firings(&court.ui.seen.firings);
    assert_eq!(stops.len(), 1, "{stops:?}");
    let stop = stops[0].clone();
    assert_eq!(stop.cause.event_seq, winner.seq, "caused by the winner");
    let latency = Duration::from_micros(stop.latency_us.expect("sent"));
    assert!(latency >= DELAY, "sent {latency:?} after receipt");
    assert!(latency <= deadline, "sent {latency:?} after receipt");
    let answered = since_winner(stop.at_ns);
    assert!(answered >= DELAY && answered <= deadline, "{answered:?}");
    let FiringResult::Done(detail) = &stop.result else {
        panic!("stop failed: {:?}", stop.result);
    };
    assert!(is_mkv_with_data(named_file(detail)), "{detail}");

    court.stop();
}
