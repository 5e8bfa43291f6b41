//! A whole court for OBS automation tests: UDP listener → store writer → automation → OBS worker,
//! wired the way the app wires them, plus a fake scoring program sending datagrams.

#![allow(dead_code)]

use super::obs_process::ObsProcess;
use super::obs_ui::{Seen, TestUi, connection, runtime};
use courtside::ingest::{self, Listener, ListenerConfig};
use courtside::obs::store as obs_store;
use courtside::obs::{
    Automation, AutomationHandle, FiringRecord, FiringResult, ObsWorker, current_states,
};
use courtside::store::{Store, Writer, WriterConfig};
use std::net::{SocketAddr, UdpSocket};

/// Sends PSS datagrams like the scoring program.
pub struct Pss {
    socket: UdpSocket,
    to: SocketAddr,
}

impl Pss {
    /// Send each line as one datagram.
    pub fn send(&self, lines: &[&str]) {
        for l in lines {
            self.socket
                .send_to(l.as_bytes(), self.to)
                .expect("send datagram");
        }
    }

    /// Load a match (Jun KIM, KOR vs Ana SILVA, BRA) and make it ready.
    pub fn new_match(&self, number: &str) {
        let mch = format!(
            "mch;{number};Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1"
        );
        self.send(&[
            "pre;FightLoaded",
            "at1;J. KIM;Jun KIM;KOR;at2;A. SILVA;Ana SILVA;BRA",
            &mch,
            "rnd;1",
            "rdy;FightReady",
        ]);
    }
}

/// Everything of one court; fields drop in declaration order (listener first).
pub struct Court {
    pub listener: Option<Listener>,
    pub automation: Option<AutomationHandle>,
    pub worker: Option<ObsWorker>,
    pub writer: Option<Writer>,
    pub ui: TestUi,
    pub pss: Pss,
    pub store: Store,
    /// The OBS connection's id.
    pub id: u64,
    pub rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Court {
    /// Store the connection through the writer, load it and the default rules back (no
    /// cooldowns, so a match right after a restart fires whatever the timing), start it all.
    pub fn start(obs: &ObsProcess) -> Court {
        let rt = runtime();
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("court.redb")).expect("store");
        let (persisted_tx, persisted_rx) = crossbeam_channel::bounded(1024);
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![persisted_tx])
            .expect("writer");
        let (ack, acked) = crossbeam_channel::bounded(1);
        let conn = connection("court OBS", obs.port, &obs.password);
        let save = obs_store::save_connection(conn, Some(ack));
        writer.sender().send(save).expect("queue");
        acked.recv().expect("ack").expect("connection stored");
        let connections = obs_store::load_connections(&store).expect("load");
        let id = connections[0].id;
        let mut rules = obs_store::load_rules(&store).expect("rules");
        rules.iter_mut().for_each(|r| r.cooldown_ms = 0);
        // The review actions run in the app's review service, which this court (the OBS worker
        // alone) has not: its challenge rule saves the replay through the worker, as before
        // they existed, and "back to live" is left out.
        for a in rules.iter_mut().flat_map(|r| r.actions.iter_mut()) {
            if a.action == courtside::obs::ObsAction::ReviewSaveAndCue {
                a.action = courtside::obs::ObsAction::SaveReplay;
            }
        }
        rules.retain(|r| !r.actions.iter().any(|a| a.action.is_review()));
        let (worker, ui) = TestUi::spawn(&rt, connections, Some(writer.sender()));
        let automation = Automation::new(rules, false, worker.commands())
            .with_states(current_states(&store).expect("states"))
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
        let pss = Pss {
            socket: UdpSocket::bind("127.0.0.1:0").expect("udp"),
            to,
        };
        Court {
            listener: Some(listener),
            automation: Some(automation),
            worker: Some(worker),
            writer: Some(writer),
            ui,
            pss,
            store,
            id,
            rt,
            _dir: dir,
        }
    }

    /// Firings so far (to wait for the ones after).
    pub fn mark(&self) -> usize {
        self.ui.seen.firings.len()
    }

    /// Wait for the firing of `action` after mark `after`; returns its success detail.
    pub fn fired_ok(&mut self, after: usize, action: &str) -> String {
        let f = self.fired(after, action);
        assert!(f.latency_us.is_some() && f.round_trip_us.is_some(), "{f:?}");
        match f.result {
            FiringResult::Done(detail) => detail,
            FiringResult::Failed(e) => panic!("'{action}' failed: {e}"),
        }
    }

    /// Wait for the firing of `action` after mark `after`.
    pub fn fired(&mut self, after: usize, action: &str) -> FiringRecord {
        self.ui.wait(&format!("automation: {action}"), |s| {
            firing(s, after, action).is_some()
        });
        firing(&self.ui.seen, after, action)
            .cloned()
            .expect("waited for it")
    }

    /// Stop everything in the app's order and wait until the log is stored.
    pub fn stop(&mut self) {
        if let Some(l) = self.listener.take() {
            l.stop();
        }
        if let Some(a) = self.automation.take() {
            a.stop();
        }
        if let Some(w) = self.worker.take() {
            w.shutdown();
        }
        if let Some(w) = self.writer.take() {
            w.shutdown();
        }
    }
}

fn firing<'a>(seen: &'a Seen, after: usize, action: &str) -> Option<&'a FiringRecord> {
    seen.firings
        .iter()
        .skip(after)
        .find(|f| f.action.starts_with(action))
}
