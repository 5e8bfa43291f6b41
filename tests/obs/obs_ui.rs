//! Plays the UI's part in OBS tests: drains the worker's update channel and waits (with a
//! deadline) until what it has seen satisfies a condition.

#![allow(dead_code)]

use courtside::obs::{
    FiringRecord, ObsConnection, ObsNotice, ObsRole, ObsStatus, ObsUpdate, ObsWorker,
    ObsWorkerConfig, Password,
};
use crossbeam_channel::{Receiver, bounded};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Default deadline for OBS to do something.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// What a UI would have seen so far.
#[derive(Default)]
pub struct Seen {
    /// Latest status per connection id.
    pub status: HashMap<u64, ObsStatus>,
    /// Every notice, in order.
    pub notices: Vec<ObsNotice>,
    /// Every firing, in order.
    pub firings: Vec<FiringRecord>,
    /// Every status snapshot, in order (to check transitions).
    pub history: Vec<ObsStatus>,
}

/// A fake UI: the receiving end of the worker's updates.
pub struct TestUi {
    rx: Receiver<ObsUpdate>,
    /// What it has seen.
    pub seen: Seen,
}

impl TestUi {
    /// A worker for `connections` on `rt`, with a fake UI on its update channel.
    pub fn spawn(
        rt: &tokio::runtime::Runtime,
        connections: Vec<ObsConnection>,
        store_writer: Option<crossbeam_channel::Sender<courtside::store::WriteRequest>>,
    ) -> (ObsWorker, TestUi) {
        let (tx, rx) = bounded(4096);
        let worker = ObsWorker::spawn(
            rt.handle().clone(),
            ObsWorkerConfig {
                connections,
                updates: tx,
                repaint: Box::new(|| {}),
                store_writer,
            },
        )
        .expect("spawn OBS worker");
        (
            worker,
            TestUi {
                rx,
                seen: Seen::default(),
            },
        )
    }

    /// A fake UI on the update channel of a worker started elsewhere.
    pub fn from_channel(rx: Receiver<ObsUpdate>) -> TestUi {
        TestUi {
            rx,
            seen: Seen::default(),
        }
    }

    fn absorb(&mut self, u: ObsUpdate) {
        match u {
            ObsUpdate::Status(s) => {
                self.seen.history.push((*s).clone());
                self.seen.status.insert(s.connection_id, *s);
            }
            ObsUpdate::Removed(id) => {
                self.seen.status.remove(&id);
            }
            ObsUpdate::Notice(n) => self.seen.notices.push(n),
            ObsUpdate::Firing(f) => self.seen.firings.push(*f),
        }
    }

    /// Wait until `cond` holds on what was seen; panics with `what` and the last statuses.
    pub fn wait(&mut self, what: &str, mut cond: impl FnMut(&Seen) -> bool) {
        let end = Instant::now() + DEADLINE;
        loop {
            while let Ok(u) = self.rx.try_recv() {
                self.absorb(u);
            }
            if cond(&self.seen) {
                return;
            }
            let left = end.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; statuses: {:#?}; notices: {:#?}",
                self.seen.status.values().collect::<Vec<_>>(),
                self.seen.notices
            );
            if let Ok(u) = self.rx.recv_timeout(left) {
                self.absorb(u);
            }
        }
    }

    /// Wait for the next notice about `what` (counting from notice number `after`); returns it.
    pub fn notice(&mut self, after: usize, what: &str) -> ObsNotice {
        let pred = |n: &ObsNotice| n.what.contains(what);
        self.wait(&format!("a notice about '{what}'"), |s| {
            s.notices.iter().skip(after).any(pred)
        });
        self.seen
            .notices
            .iter()
            .skip(after)
            .find(|n| pred(n))
            .cloned()
            .unwrap_or_else(|| unreachable!("waited for it"))
    }

    /// Status of one connection (after a wait made sure it exists).
    pub fn status(&self, id: u64) -> &ObsStatus {
        &self.seen.status[&id]
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn connection(name: &str, port: u16, password: &str) -> ObsConnection {
    let mut c = ObsConnection::new(name, "127.0.0.1", port);
    c.password = Password::new(password);
    c.role = ObsRole::Recording;
    c
}

/// A second, independent obs-websocket client, to act on OBS the way another tool would.
pub async fn direct_client(port: u16, password: &str) -> obws::Client {
    let config = obws::client::ConnectConfig {
        host: "127.0.0.1",
        port,
        password: Some(password),
        event_subscriptions: Some(obws::requests::EventSubscription::NONE),
        broadcast_capacity: 16,
        connect_timeout: std::time::Duration::from_secs(10),
        dangerous: Some(obws::client::DangerousConnectConfig {
            skip_studio_version_check: true,
            skip_websocket_version_check: true,
        }),
    };
    obws::Client::connect_with_config(config)
        .await
        .expect("direct client")
}

pub fn must_succeed(n: &courtside::obs::ObsNotice) -> String {
    match &n.result {
        Ok(detail) => detail.clone(),
        Err(e) => panic!("'{}' failed: {e}", n.what),
    }
}

/// The file a success detail names ("saved /path/x.mkv" → /path/x.mkv).
pub fn named_file(detail: &str) -> &Path {
    let start = detail
        .find('/')
        .unwrap_or_else(|| panic!("no path in '{detail}'"));
    Path::new(&detail[start..])
}
