//! The HTTP server: broadcast overlays and venue pages, a read API with a live push stream, and
//! an opt-in control API for OBS (issue 16).
//!
//! [`WebService`] owns its tasks (on the runtime handle it is given) and its feed thread, and
//! stops them when dropped. It keeps each court's [`MatchState`](crate::match_state::MatchState)
//! itself, from the store writer's early subscription (a `Receiver<Persisted>`) and the states
//! loaded at start ([`load_courts`]), with the same `apply` as the app: it never asks the app for
//! anything and never blocks the writer (its consumer only applies and serialises).
//!
//! Pages and scripts are embedded in the binary (no CDN, no build step): see `assets/`.

mod assets;
pub mod config;
pub mod control;
pub mod courts;
mod flags;
pub mod http;
mod live;
mod routes;
mod server;
pub mod token;

pub use config::{HttpOption, WebConfig, WebLimits, WebSettings};
pub use control::{WebControl, WebControlRequest};
pub use courts::{API_VERSION, CourtStart, load_courts};
pub use token::TokenHash;

use crate::flags::FlagResolver;
use crate::store::writer::Persisted;
use crate::worker::WorkerThread;
use crossbeam_channel::{Receiver, Sender};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Capacity of the early-subscriber channel the host should give the writer for the web
/// service ([`WebFeed::records`]): the feed takes microseconds per record, so this only fills if
/// the service is wedged; then the writer counts the records it could not hand over.
pub const FEED_QUEUE: usize = 16_384;
/// Capacity of the control request channel the host reads ([`WebFeed::control`]).
pub const CONTROL_QUEUE: usize = 16;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The address could not be bound (taken port, address not on this machine …).
    #[error("cannot serve HTTP on {addr}: {cause}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason (e.g. "address in use").
        cause: String,
    },
    /// The feed thread could not be started.
    #[error("cannot start the web feed thread: {0}")]
    Thread(String),
}

/// Live counters, for the status bar and tests.
#[derive(Debug, Default)]
pub struct WebStats {
    /// Connections open now.
    pub connections: AtomicUsize,
    /// Connections refused because [`WebLimits::max_connections`] were open.
    pub refused_connections: AtomicU64,
    /// Requests answered.
    pub requests: AtomicU64,
    /// Requests refused by the read allowlist.
    pub not_allowed: AtomicU64,
    /// Live-stream clients connected now.
    pub live_clients: AtomicUsize,
    /// Live clients dropped because they stopped reading.
    pub stalled_dropped: AtomicU64,
    /// Updates a slow client skipped (it got the newer state instead).
    pub skipped_updates: AtomicU64,
    /// Stored records applied to the courts' states.
    pub records: AtomicU64,
    /// Control calls received, and those refused (auth, disabled, unknown, host refused).
    pub control_calls: AtomicU64,
    /// See [`WebStats::control_calls`].
    pub control_refused: AtomicU64,
}

/// Where the service takes its data from, and where control calls go.
pub struct WebFeed {
    /// The store writer's early subscription (`Subscribers.early`), capacity [`FEED_QUEUE`].
    pub records: Receiver<Persisted>,
    /// The courts' states at start ([`load_courts`]).
    pub courts: Vec<CourtStart>,
    /// Configured court names (listeners), shown before their first datagram.
    pub court_names: Vec<String>,
    /// The flag resolver (mapping + imports); replace it with [`WebService::set_flags`].
    pub flags: FlagResolver,
    /// Where control calls go (`None`: no OBS control here; calls get 503).
    pub control: Option<Sender<WebControlRequest>>,
}

/// Called after a control request was queued for the host (a GUI host repaints, so that its
/// frame loop drains the request even when it was idle).
pub type ControlWaker = Arc<dyn Fn() + Send + Sync>;

/// Access state of the control API, shared with the connection tasks.
pub struct ControlShared {
    access: RwLock<(bool, Option<TokenHash>)>,
    host: Option<Sender<WebControlRequest>>,
    wake: RwLock<Option<ControlWaker>>,
}

impl ControlShared {
    fn access(&self) -> (bool, Option<TokenHash>) {
        self.access
            .read()
            .map(|a| a.clone())
            .unwrap_or((false, None))
    }

    fn host(&self) -> Option<&Sender<WebControlRequest>> {
        self.host.as_ref()
    }

    /// Tell the host a request is queued.
    fn wake_host(&self) {
        let wake = self.wake.read().ok().and_then(|w| w.clone());
        if let Some(wake) = wake {
            wake();
        }
    }
}

/// Everything a connection task needs.
pub(crate) struct Shared {
    hub: Arc<courts::Hub>,
    stats: Arc<WebStats>,
    control: ControlShared,
    flags: RwLock<FlagResolver>,
    pngs: flags::PngCache,
    allow: RwLock<Vec<IpAddr>>,
    limits: WebLimits,
}

impl Shared {
    fn allows(&self, ip: IpAddr) -> bool {
        self.allow.read().is_ok_and(|a| config::allowed(&a, ip))
    }
}

/// The running web server and its feed.
pub struct WebService {
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
    server: Mutex<Option<server::Running>>,
    /// The thread applying stored records to the court states (stopped and joined on drop).
    feed: Option<WorkerThread>,
}

impl WebService {
    /// Bind `config.addr` and serve on `runtime`; the feed thread starts applying `feed.records`.
    /// A taken port fails here, with the address and the cause.
    pub fn spawn(
        config: WebConfig,
        runtime: tokio::runtime::Handle,
        feed: WebFeed,
    ) -> Result<WebService, WebError> {
        let service = WebService::spawn_idle(&config, runtime, feed)?;
        service.reconfigure(&config)?;
        Ok(service)
    }

    /// Start the feed (court states follow `feed.records`) without binding: a host whose server
    /// is off in its settings, or whose port is taken, keeps the states current so that
    /// [`WebService::reconfigure`] can serve them later.
    pub fn spawn_idle(
        config: &WebConfig,
        runtime: tokio::runtime::Handle,
        feed: WebFeed,
    ) -> Result<WebService, WebError> {
        let shared = Arc::new(Shared {
            hub: Arc::new(courts::Hub::new(
                feed.courts,
                &feed.court_names,
                config.limits.client_queue,
            )),
            stats: Arc::new(WebStats::default()),
            control: ControlShared {
                access: RwLock::new((config.control_enabled, config.control_token.clone())),
                host: feed.control,
                wake: RwLock::new(None),
            },
            flags: RwLock::new(feed.flags),
            pngs: flags::PngCache::default(),
            allow: RwLock::new(config.allow.clone()),
            limits: config.limits,
        });
        let (hub, stats, records) = (shared.hub.clone(), shared.stats.clone(), feed.records);
        let join = WorkerThread::spawn("web-feed", move |stop| {
            courts::run_feed(&hub, &records, &stop, &|_| {
                stats.records.fetch_add(1, Ordering::Relaxed);
            })
        })
        .map_err(|e| WebError::Thread(e.to_string()))?;
        Ok(WebService {
            shared,
            runtime,
            server: Mutex::new(None),
            feed: Some(join),
        })
    }

    /// Call `wake` each time a control request was queued for the host.
    pub fn set_control_waker(&self, wake: ControlWaker) {
        if let Ok(mut w) = self.shared.control.wake.write() {
            *w = Some(wake);
        }
    }

    /// Stop serving (Settings: off); the feed keeps the court states current.
    pub fn stop_serving(&self) {
        if self.lock_server().take().is_some() {
            tracing::info!("web: stopped serving");
        }
    }

    /// The bound address (the real port when 0 was asked).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.lock_server().as_ref().map(|r| r.addr)
    }

    /// The URL to open or copy (`http://127.0.0.1:8090`).
    pub fn url(&self) -> Option<String> {
        self.local_addr().map(WebSettings::base_url)
    }

    /// Live counters.
    pub fn stats(&self) -> Arc<WebStats> {
        self.shared.stats.clone()
    }

    /// Apply new settings: access (control, token, allowlist) changes take effect at once; a new
    /// address rebinds (the old server keeps running if the new address cannot be bound; the
    /// error says why); a service not serving binds. Court states and live clients on an unchanged address are kept.
    pub fn reconfigure(&self, config: &WebConfig) -> Result<(), WebError> {
        if let Ok(mut a) = self.shared.control.access.write() {
            *a = (config.control_enabled, config.control_token.clone());
        }
        if let Ok(mut a) = self.shared.allow.write() {
            a.clone_from(&config.allow);
        }
        let mut server = self.lock_server();
        if server.as_ref().is_some_and(|r| r.asked == config.addr) {
            return Ok(());
        }
        let running = server::start(config.addr, &self.runtime, self.shared.clone())?;
        tracing::info!("web: serving on {}", WebSettings::base_url(running.addr));
        // Dropping the old one stops it and its connections.
        *server = Some(running);
        Ok(())
    }

    /// Show these configured courts too (listeners added since the start), before their first
    /// datagram.
    pub fn add_courts(&self, names: &[String]) {
        self.shared.hub.add_names(names);
    }

    /// Replace the flag resolver (after an import or a mapping change in the app).
    pub fn set_flags(&self, resolver: FlagResolver) {
        if let Ok(mut f) = self.shared.flags.write() {
            *f = resolver;
        }
    }

    fn lock_server(&self) -> std::sync::MutexGuard<'_, Option<server::Running>> {
        self.server.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for WebService {
    fn drop(&mut self) {
        // The server first (no new clients), then the feed; WorkerThread logs a panic.
        self.lock_server().take();
        if let Some(mut feed) = self.feed.take() {
            feed.stop();
        }
    }
}
