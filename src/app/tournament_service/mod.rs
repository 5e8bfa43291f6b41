//! The tournament service (issue 17, court side): runs the court publisher
//! ([`crate::tournament::TournamentService`]) while Settings → Tournament is on, on the app's one
//! tokio runtime, as a durable subscriber of the store writer; keeps the password or token in
//! the system keyring (never in the settings table); copies the publisher's status into
//! `model::tournament` whenever it changes, with one notice per refusal of the credentials.

use super::CourtsideApp;
use super::services::Shared;
use crate::model::state::Level;
use crate::obs::config::Password;
use crate::obs::secrets::{CredentialStore, SystemKeyring};
use crate::store::writer::Persisted;
use crate::store::{Store, WriteRequest};
use crate::tournament::{CourtStatus, Link, TournamentService};
use crate::worker::WorkerThread;
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

mod files;
mod relay;
#[cfg(test)]
mod tests;

/// The keyring account of the tournament password or token.
pub const KEYRING_ACCOUNT: &str = "tournament-nats";
/// Wake-ups the relay may queue for the publisher (each only says "the store has more").
const WAKE_CAPACITY: usize = 1024;

/// What the service needs once the store and its writer run.
pub(super) struct TournamentStart {
    /// The open store (the publisher reads what it publishes from it).
    pub(super) store: Store,
    /// The writer's request queue (cursor and store id are written through it).
    pub(super) writer: Sender<WriteRequest>,
    /// The writer's durable subscription made for the tournament at the writer's start.
    pub(super) durable: Receiver<Persisted>,
    /// The app's runtime.
    pub(super) runtime: std::io::Result<tokio::runtime::Handle>,
}

/// What the keyring calls (run on the runtime's blocking pool) answer.
enum KeyringDone {
    /// The stored secret (`None`: no entry), or why it could not be read.
    Read(Result<Option<Password>, String>),
    /// A newly typed secret was kept, or why not.
    Kept(Result<(), String>),
}

/// Whether the keyring was read for this run's secret.
#[derive(PartialEq, Eq)]
enum KeyringRead {
    NotTried,
    Pending,
    Done,
}

/// The store, writer and runtime the publisher runs on (after `start`).
struct Parts {
    store: Store,
    writer: Sender<WriteRequest>,
    runtime: tokio::runtime::Handle,
}

/// The app's tournament service: relay, publisher, secret, status.
pub(super) struct TournamentAppService {
    keyring: Arc<dyn CredentialStore>,
    parts: Option<Parts>,
    /// Forwards the writer's durable records to the running publisher (or drops them).
    relay: Option<WorkerThread>,
    /// The running publisher's wake-up channel, if one runs.
    target: Arc<Mutex<Option<Sender<Persisted>>>>,
    publisher: Option<TournamentService>,
    /// Set by the publisher's waker: its status changed.
    changed: Arc<AtomicBool>,
    /// The password or token for this run (from the keyring or as typed).
    secret: Option<Password>,
    read: KeyringRead,
    done_tx: Sender<KeyringDone>,
    done_rx: Receiver<KeyringDone>,
    /// A new secret waits for the settings save in flight (or none) before the restart.
    restart_pending: bool,
    /// The refusal of the credentials was told (reset by a restart or a connection).
    refusal_told: bool,
}

impl Default for TournamentAppService {
    fn default() -> Self {
        let (done_tx, done_rx) = bounded(8);
        TournamentAppService {
            keyring: Arc::new(SystemKeyring),
            parts: None,
            relay: None,
            target: Arc::new(Mutex::new(None)),
            publisher: None,
            changed: Arc::new(AtomicBool::new(false)),
            secret: None,
            read: KeyringRead::NotTried,
            done_tx,
            done_rx,
            restart_pending: false,
            refusal_told: false,
        }
    }
}

impl TournamentAppService {
    /// Start the relay (always: see below) and, when enabled, the publisher.
    pub(super) fn start(&mut self, start: TournamentStart, app: &mut Shared<'_>) {
        // The writer's subscriber list is fixed when it starts, so the tournament's durable
        // channel is made then, enabled or not. The writer only ever `try_send`s to it (a full
        // channel is counted, never waited for), and this relay drains it whatever the settings
        // say, so a disabled tournament neither slows nor blocks the writer nor inflates its
        // "channel full" count; a running publisher gets the records as wake-ups only (it reads
        // what it publishes from the store), so one dropped here loses nothing.
        let target = self.target.clone();
        let durable = start.durable;
        match WorkerThread::spawn("tournament-relay", move |stop| {
            relay::relay(&durable, &target, &stop)
        }) {
            Ok(t) => self.relay = Some(t),
            Err(e) => {
                app.state.notices.push(
                    Level::Warning,
                    "Tournament link did not start",
                    &e.to_string(),
                    "Restart courtside; scoring is not affected.",
                );
                return;
            }
        }
        match start.runtime {
            Ok(runtime) => {
                self.parts = Some(Parts {
                    store: start.store,
                    writer: start.writer,
                    runtime,
                })
            }
            Err(e) => {
                app.state.notices.push(
                    Level::Warning,
                    "Tournament link did not start",
                    &format!("no async runtime: {e}"),
                    "Restart courtside; scoring is not affected.",
                );
                return;
            }
        }
        self.restart(app);
    }

    /// (Re)start the publisher with the current settings; stop it when they are off.
    pub(super) fn restart(&mut self, app: &mut Shared<'_>) {
        self.restart_pending = false;
        self.refusal_told = false;
        self.stop_publisher();
        let settings = app.state.settings.tournament.clone();
        if !settings.enabled {
            app.state.tournament.status = None;
            return;
        }
        if self.parts.is_none() {
            // The store (or the runtime) did not start: its own notice says why.
            app.state.tournament.status = Some(CourtStatus {
                link: Link::Misconfigured {
                    cause: "the store or the async runtime is not running, so nothing is \
                            published"
                        .into(),
                },
                ..CourtStatus::default()
            });
            return;
        }
        if settings.login.needs_secret() && self.secret.is_none() {
            match self.read {
                KeyringRead::NotTried | KeyringRead::Pending => {
                    if self.read == KeyringRead::NotTried {
                        self.read_keyring(app.ctx);
                    }
                    // Connecting: it starts once the keyring answered.
                    app.state.tournament.status = Some(CourtStatus::default());
                    return;
                }
                KeyringRead::Done => {}
            }
        }
        let config = match settings.court_config(self.secret.as_ref()) {
            Ok(c) => c,
            Err(cause) => {
                app.state.tournament.status = Some(CourtStatus {
                    link: Link::Misconfigured { cause },
                    ..CourtStatus::default()
                });
                return;
            }
        };
        let publisher = self.spawn_publisher(config, app.ctx);
        app.state.tournament.status = publisher.as_ref().map(TournamentService::status);
        self.publisher = publisher;
    }

    /// Start the publisher with its wake-up channel (fed by the relay) and a waker that marks
    /// its status changed and repaints.
    fn spawn_publisher(
        &self,
        config: crate::tournament::CourtConfig,
        ctx: &egui::Context,
    ) -> Option<TournamentService> {
        let parts = self.parts.as_ref()?;
        let (wake_tx, wake_rx) = bounded(WAKE_CAPACITY);
        if let Ok(mut t) = self.target.lock() {
            *t = Some(wake_tx);
        }
        let changed = self.changed.clone();
        let ctx = ctx.clone();
        let waker: crate::store::writer::Waker = Arc::new(move || {
            changed.store(true, Ordering::Release);
            ctx.request_repaint();
        });
        Some(TournamentService::spawn(
            config,
            &parts.runtime,
            parts.store.clone(),
            parts.writer.clone(),
            wake_rx,
            Some(waker),
        ))
    }

    /// Stop the running publisher off the UI thread (its drop waits up to 3 s for its task to
    /// reach the next await). A successor may start meanwhile: both resume from the same
    /// cursor, which only moves forward, and the server drops a datagram published twice by
    /// its `Nats-Msg-Id`.
    fn stop_publisher(&mut self) {
        if let Ok(mut t) = self.target.lock() {
            *t = None;
        }
        let Some(old) = self.publisher.take() else {
            return;
        };
        match &self.parts {
            Some(p) => {
                p.runtime.spawn_blocking(move || drop(old));
            }
            None => drop(old),
        }
    }

    /// Read the secret from the keyring (blocking: D-Bus, a keychain prompt) off the UI thread.
    fn read_keyring(&mut self, ctx: &egui::Context) {
        let Some(parts) = &self.parts else { return };
        self.read = KeyringRead::Pending;
        let (keyring, tx, ctx) = (self.keyring.clone(), self.done_tx.clone(), ctx.clone());
        parts.runtime.spawn_blocking(move || {
            let r = keyring.get(KEYRING_ACCOUNT).map_err(|e| e.to_string());
            // Err: the app is shutting down; nothing waits for the answer.
            let _ = tx.send(KeyringDone::Read(r));
            ctx.request_repaint();
        });
    }

    /// A password or token typed in Settings → Tournament and saved: used from now on, kept
    /// in the keyring (off the UI thread); the publisher restarts once the settings save in
    /// flight (if any) is applied.
    pub(super) fn new_secret(&mut self, secret: String, app: &mut Shared<'_>) {
        let secret = Password::new(secret);
        self.secret = Some(secret.clone());
        self.read = KeyringRead::Done;
        self.restart_pending = true;
        let Some(parts) = &self.parts else { return };
        let (keyring, tx, ctx) = (self.keyring.clone(), self.done_tx.clone(), app.ctx.clone());
        parts.runtime.spawn_blocking(move || {
            let r = keyring
                .set(KEYRING_ACCOUNT, &secret)
                .map_err(|e| e.to_string());
            // Err: the app is shutting down; nothing waits for the answer.
            let _ = tx.send(KeyringDone::Kept(r));
            ctx.request_repaint();
        });
    }

    /// Use another credential store (tests: an in-memory one); the secret is read again.
    pub(super) fn set_keyring(&mut self, keyring: Arc<dyn CredentialStore>, app: &mut Shared<'_>) {
        self.keyring = keyring;
        self.secret = None;
        self.read = KeyringRead::NotTried;
        self.restart(app);
    }

    /// Each frame: keyring answers, a pending restart, the publisher's status when it changed.
    pub(super) fn poll(&mut self, app: &mut Shared<'_>) {
        while let Ok(done) = self.done_rx.try_recv() {
            self.keyring_done(done, app);
        }
        if self.restart_pending && !app.state.draft.saving {
            self.restart(app);
        }
        if !self.changed.swap(false, Ordering::AcqRel) {
            return;
        }
        let Some(p) = &self.publisher else { return };
        let status = p.status();
        self.follow(&status, app);
        app.state.tournament.status = Some(status);
    }

    fn keyring_done(&mut self, done: KeyringDone, app: &mut Shared<'_>) {
        match done {
            KeyringDone::Read(r) => {
                if self.read != KeyringRead::Pending {
                    return; // A secret was typed meanwhile; it wins.
                }
                self.read = KeyringRead::Done;
                match r {
                    Ok(secret) => {
                        if secret.is_some() {
                            app.state.tournament.secret_kept = Some(Ok(()));
                        }
                        self.secret = secret;
                    }
                    Err(e) => app.state.tournament.secret_kept = Some(Err(e)),
                }
                self.restart(app);
            }
            KeyringDone::Kept(r) => {
                if let Err(e) = &r {
                    app.state.notices.push(
                        Level::Warning,
                        "Tournament password not kept",
                        e,
                        "It is used until courtside closes; enter it again after a restart, or \
                         log in with a .creds file (Settings → Tournament).",
                    );
                }
                app.state.tournament.secret_kept = Some(r);
            }
        }
    }

    /// One notice when the server refuses the credentials, not one per retry: again only after
    /// a connection or a restart (a settings change).
    fn follow(&mut self, status: &CourtStatus, app: &mut Shared<'_>) {
        match &status.link {
            Link::WrongCredentials { cause, advice } if !self.refusal_told => {
                self.refusal_told = true;
                app.state.notices.push(
                    Level::Warning,
                    "Tournament server refused the credentials",
                    cause,
                    &format!("{advice}. Datagrams are kept and sent once it accepts them."),
                );
            }
            Link::Connected => self.refusal_told = false,
            _ => {}
        }
    }

    /// Stop the publisher (waiting for it: the app is closing), then the relay.
    pub(super) fn stop(&mut self) {
        if let Ok(mut t) = self.target.lock() {
            *t = None;
        }
        self.publisher = None;
        if let Some(mut r) = self.relay.take() {
            r.stop();
        }
    }
}

impl CourtsideApp {
    /// Keep the tournament password or token in `keyring` instead of the system keyring (tests
    /// on machines without one, embedders with their own vault); the publisher restarts.
    pub fn set_tournament_keyring(&mut self, keyring: Arc<dyn CredentialStore>) {
        self.services
            .tournament
            .set_keyring(keyring, &mut shared!(self));
    }
}
