//! The OBS worker: a named dispatcher thread that owns one tokio task per enabled connection,
//! routes commands to them (now or after a delay) and reports through the [`Hub`].

use super::command::{ObsAction, ObsCommand, Origin, Target};
use super::config::{ObsConnection, validate_all};
use super::hub::{Hub, HubStats, Outcome, Repaint};
use super::secrets::{CredentialStore, SystemKeyring};
use super::session::{self, Job, SessionCmd};
use super::status::{ObsStatus, ObsUpdate};
use crate::store::WriteRequest;
use crossbeam_channel::{Receiver, Sender, bounded, select};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

/// Capacity of the command channel.
pub const COMMAND_CAPACITY: usize = 256;
/// Capacity of each session's queue.
const SESSION_QUEUE: usize = 64;
/// How long shutdown waits for sessions to close their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// What the worker needs.
pub struct ObsWorkerConfig {
    /// Connections at start (disabled ones get a status, no task).
    pub connections: Vec<ObsConnection>,
    /// Where statuses, notices and firings go (the UI drains it).
    pub updates: Sender<ObsUpdate>,
    /// Wakes the UI after each update.
    pub repaint: Repaint,
    /// The store writer, for the automation log (`None`: not logged, e.g. benches).
    pub store_writer: Option<Sender<WriteRequest>>,
}

/// Handle to the running worker.
pub struct ObsWorker {
    commands: Sender<ObsCommand>,
    hub: Arc<Hub>,
    thread: crate::worker::WorkerThread,
}

impl ObsWorker {
    /// Start the dispatcher thread; sessions run on `rt`. Passwords kept in the credential store
    /// are read from the system's ([`SystemKeyring`]).
    pub fn spawn(rt: Handle, config: ObsWorkerConfig) -> std::io::Result<ObsWorker> {
        ObsWorker::spawn_with_credentials(rt, config, Arc::new(SystemKeyring))
    }

    /// [`ObsWorker::spawn`] reading passwords from `creds` (tests use an in-memory store).
    pub fn spawn_with_credentials(
        rt: Handle,
        config: ObsWorkerConfig,
        creds: Arc<dyn CredentialStore>,
    ) -> std::io::Result<ObsWorker> {
        let hub = Arc::new(Hub::new(
            config.updates,
            config.repaint,
            config.store_writer,
        ));
        let (cmd_tx, cmd_rx) = bounded(COMMAND_CAPACITY);
        let mut dispatcher = Dispatcher {
            rt,
            hub: hub.clone(),
            creds,
            connections: Vec::new(),
            sessions: HashMap::new(),
            pending: Vec::new(),
        };
        let initial = config.connections;
        let thread = crate::worker::WorkerThread::spawn("obs-dispatch", move |stop| {
            dispatcher.set_connections(initial);
            dispatcher.run(cmd_rx, stop);
        })?;
        Ok(ObsWorker {
            commands: cmd_tx,
            hub,
            thread,
        })
    }

    /// The command channel (bounded; `try_send` from the UI never blocks).
    pub fn commands(&self) -> Sender<ObsCommand> {
        self.commands.clone()
    }

    /// The latest status of every configured instance (also sent as [`ObsUpdate::Status`]).
    pub fn statuses(&self) -> Vec<ObsStatus> {
        self.hub.statuses()
    }

    /// Delivery counters.
    pub fn stats(&self) -> Arc<HubStats> {
        self.hub.stats.clone()
    }

    /// Close every connection and join the thread.
    pub fn shutdown(mut self) {
        self.thread.stop();
    }
}

struct SessionHandle {
    conn: ObsConnection,
    tx: mpsc::Sender<SessionCmd>,
    task: tokio::task::JoinHandle<()>,
}

struct Delayed {
    due: Instant,
    conn_id: u64,
    job: Job,
}

/// When a job delayed by `delay` is due, or why it cannot be scheduled: a delay beyond
/// [`MAX_DELAY_MS`](super::rules::MAX_DELAY_MS) is refused (the rule editor and the store's
/// loader already keep rules below it).
fn due_after(now: Instant, delay: Duration) -> Result<Instant, String> {
    let max = Duration::from_millis(super::rules::MAX_DELAY_MS);
    if delay > max {
        return Err(format!(
            "not run: its delay of {} s is longer than the {} s allowed",
            delay.as_secs(),
            max.as_secs()
        ));
    }
    now.checked_add(delay)
        .ok_or_else(|| "not run: its delay is beyond what this clock can count".to_string())
}

struct Dispatcher {
    rt: Handle,
    hub: Arc<Hub>,
    creds: Arc<dyn CredentialStore>,
    connections: Vec<ObsConnection>,
    sessions: HashMap<u64, SessionHandle>,
    pending: Vec<Delayed>,
}

impl Dispatcher {
    fn run(&mut self, commands: Receiver<ObsCommand>, stop: Receiver<()>) {
        loop {
            let wait = self
                .pending
                .iter()
                .map(|d| d.due.saturating_duration_since(Instant::now()))
                .min()
                .unwrap_or(Duration::from_secs(3600));
            select! {
                recv(commands) -> cmd => match cmd {
                    Ok(cmd) => self.handle(cmd),
                    Err(_) => break,
                },
                recv(stop) -> _ => break,
                default(wait) => {}
            }
            self.run_due();
        }
        self.stop_all();
    }

    fn handle(&mut self, cmd: ObsCommand) {
        match cmd {
            ObsCommand::Run {
                target,
                action,
                delay,
                origin,
            } => self.run_action(target, action, delay, origin),
            ObsCommand::SetConnections(list) => match validate_all(&list) {
                Ok(()) => self.set_connections(list),
                Err(e) => self.hub.notice("", "OBS connections", Err(e.to_string())),
            },
            ObsCommand::Reconnect(id) => {
                if let Some(s) = self.sessions.get(&id) {
                    // Full: commands are queued and a reconnect will follow them; closed: the
                    // session has ended and is replaced on the next connection list.
                    let _ = s.tx.try_send(SessionCmd::Reconnect);
                }
            }
            ObsCommand::Test(conn) => self.test(conn),
        }
    }

    fn run_action(&mut self, target: Target, action: ObsAction, delay: Duration, origin: Origin) {
        let mut ids: Vec<u64> = self
            .connections
            .iter()
            .filter(|c| c.enabled && target.matches(c))
            .map(|c| c.id)
            .collect();
        let skipped = self.leave_review_save(&mut ids, &action, delay, &origin);
        if ids.is_empty() && skipped {
            return;
        }
        if ids.is_empty() && matches!(origin, Origin::Automation(_)) {
            // A court run without OBS (or with it disabled): the default rules would otherwise
            // log a failure and raise a notice for every match.
            self.hub
                .stats
                .automation_without_obs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::debug!(
                "automation: '{}' has no enabled OBS to go to",
                action.label()
            );
            return;
        }
        if ids.is_empty() {
            self.hub.finish(Outcome {
                connection: "",
                action: &action,
                origin: &origin,
                result: Err("no enabled OBS connection for this action".into()),
                sent: None,
            });
            return;
        }
        for id in ids {
            let job = Job {
                action: action.clone(),
                origin: origin.clone(),
            };
            if delay.is_zero() {
                self.send_now(id, job);
                continue;
            }
            // A delay comes from a rule that may have been read from a crafted or damaged store:
            // bounded here too, so `Instant + delay` can never overflow (and panic this thread).
            match due_after(Instant::now(), delay) {
                Ok(due) => self.pending.push(Delayed {
                    due,
                    conn_id: id,
                    job,
                }),
                Err(why) => {
                    let name = self.connections.iter().find(|c| c.id == id);
                    let name = name.map(|c| c.name.clone()).unwrap_or_default();
                    self.fail(&name, job, &why);
                }
            }
        }
    }

    /// One replay per challenge: a rule's "save replay" on an event that also runs "review: save
    /// and cue" (which saves the review OBS's replay itself) skips the review OBS, and the log
    /// says so. Other OBS instances still save. True when it skipped one.
    fn leave_review_save(
        &self,
        ids: &mut Vec<u64>,
        action: &ObsAction,
        delay: Duration,
        origin: &Origin,
    ) -> bool {
        let Origin::Automation(ctx) = origin else {
            return false;
        };
        let near = delay.as_millis() <= u128::from(super::rules::MAX_REVIEW_SAVE_DELAY_MS);
        if *action != ObsAction::SaveReplay || !ctx.review_saves_replay || !near {
            return false;
        }
        let Some(review) = super::command::review_connection(&self.connections) else {
            return false;
        };
        let Some(i) = ids.iter().position(|id| *id == review.id) else {
            return false;
        };
        ids.remove(i);
        let why = "skipped: 'review: save and cue the disputed moment' saves this OBS's replay \
                   for the same event (one replay per challenge)";
        self.hub.finish(Outcome {
            connection: &review.name,
            action,
            origin,
            result: Ok(why.into()),
            sent: None,
        });
        true
    }

    /// Send a job; a start-recording first runs any pending stop-recording of the same instance,
    /// so a delayed stop of the previous match never cuts the next match's recording.
    fn send_now(&mut self, id: u64, job: Job) {
        if matches!(job.action, ObsAction::StartRecording { .. }) {
            let (stops, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
                .into_iter()
                .partition(|d| d.conn_id == id && d.job.action == ObsAction::StopRecording);
            self.pending = rest;
            for stop in stops {
                self.deliver(id, stop.job);
            }
        }
        self.deliver(id, job);
    }

    fn deliver(&self, id: u64, job: Job) {
        let name = self.connections.iter().find(|c| c.id == id);
        let name = name.map(|c| c.name.as_str()).unwrap_or("");
        let Some(s) = self.sessions.get(&id) else {
            return self.fail(name, job, "the connection is disabled or was removed");
        };
        if let Err(e) = s.tx.try_send(SessionCmd::Run(job)) {
            let why = match &e {
                mpsc::error::TrySendError::Full(_) => "OBS command queue is full",
                mpsc::error::TrySendError::Closed(_) => "the connection is stopping",
            };
            if let SessionCmd::Run(job) = e.into_inner() {
                self.fail(name, job, why);
            }
        }
    }

    fn fail(&self, connection: &str, job: Job, why: &str) {
        self.hub.finish(Outcome {
            connection,
            action: &job.action,
            origin: &job.origin,
            result: Err(why.into()),
            sent: None,
        });
    }

    fn run_due(&mut self) {
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|d| d.due <= now);
        self.pending = later;
        for d in due {
            self.deliver(d.conn_id, d.job);
        }
    }

    fn set_connections(&mut self, list: Vec<ObsConnection>) {
        let running: Vec<u64> = self.sessions.keys().copied().collect();
        for id in running {
            let keep = list.iter().any(|c| {
                c.enabled && c.id == id && self.sessions.get(&id).is_some_and(|s| s.conn == *c)
            });
            if !keep && let Some(s) = self.sessions.remove(&id) {
                // Aborting drops the connections; an in-flight job reports itself interrupted.
                s.task.abort();
            }
        }
        for old in &self.connections {
            if !list.iter().any(|c| c.id == old.id) {
                self.hub.removed(old.id);
            }
        }
        for c in &list {
            if !c.enabled {
                self.hub.status(&ObsStatus::new(c));
            } else if !self.sessions.contains_key(&c.id) {
                let (tx, rx) = mpsc::channel(SESSION_QUEUE);
                let creds = self.creds.clone();
                let task = self
                    .rt
                    .spawn(session::run(c.clone(), rx, self.hub.clone(), creds));
                let conn = c.clone();
                self.sessions.insert(c.id, SessionHandle { conn, tx, task });
            }
        }
        self.connections = list;
    }

    fn test(&self, conn: ObsConnection) {
        if let Err(e) = conn.validate() {
            self.hub
                .notice(&conn.name, "test connection", Err(e.to_string()));
            return;
        }
        let hub = self.hub.clone();
        let creds = self.creds.clone();
        self.rt.spawn(async move {
            let result = session::open(&conn, &creds).await.map(|c| {
                let older = if c.older {
                    " — older OBS: connected without obws's version check; some features are unavailable"
                } else {
                    ""
                };
                format!("OBS {} (websocket {}){older}", c.obs_version, c.websocket)
            });
            hub.notice(&conn.name, "test connection", result.map_err(|e| e.to_string()));
        });
    }

    fn stop_all(&mut self) {
        for d in std::mem::take(&mut self.pending) {
            let name = self.connections.iter().find(|c| c.id == d.conn_id);
            let name = name.map(|c| c.name.clone()).unwrap_or_default();
            self.fail(&name, d.job, "courtside closed before the delay ended");
        }
        let sessions: Vec<SessionHandle> = self.sessions.drain().map(|(_, s)| s).collect();
        for s in &sessions {
            // Full or closed: the session is busy or already gone; either way the wait below
            // ends it (a session whose task is gone counts as finished).
            let _ = s.tx.try_send(SessionCmd::Stop);
        }
        // Polled rather than awaited: this must work even when the runtime is already shutting
        // down (then the tasks are gone and count as finished).
        let end = Instant::now() + SHUTDOWN_GRACE;
        while sessions.iter().any(|s| !s.task.is_finished()) && Instant::now() < end {
            std::thread::park_timeout(Duration::from_millis(5));
        }
        for s in sessions {
            s.task.abort();
        }
    }
}
