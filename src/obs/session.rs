//! One OBS instance: connect (obws for control, the lenient link for status), serve events and
//! commands side by side, and reconnect with a capped, jittered backoff when the connection drops.

use super::actions::{self, Ctx, Live};
use super::backoff::{BASE, Backoff, CAP};
use super::command::{ObsAction, Origin};
use super::config::{ObsConnection, Password};
use super::error::{ObsError, from_obws};
use super::fold::{apply_event, output_mut};
use super::hub::{Hub, Outcome};
use super::link::{self, Link, LinkEvent, Output, Requester};
use super::secrets::{self, CredentialStore};
use super::status::{LinkProblem, LinkState, ObsStatus, OutputPhase};
use super::video_tracker::VideoTracker;
use obws::client::{ConnectConfig, DangerousConnectConfig};
use obws::requests::EventSubscription;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// A job for a session's command queue.
#[derive(Debug)]
pub(crate) struct Job {
    pub action: ObsAction,
    pub origin: Origin,
}

/// What a session can be told.
#[derive(Debug)]
pub(crate) enum SessionCmd {
    Run(Job),
    Reconnect,
    Stop,
}

/// Why serving a connection ended.
enum End {
    Stop,
    Reconnect,
    Lost(String),
}

/// Both connections to one OBS, identified and versioned.
pub(crate) struct Connected {
    client: obws::Client,
    link: Link,
    /// OBS Studio version.
    pub obs_version: String,
    /// obs-websocket version.
    pub websocket: String,
    /// Older than OBS 30.2 / websocket 5.5 (obws's supported minimum).
    pub older: bool,
}

/// Connect to `conn`. obws's version checks are skipped (our own decides `older`) so OBS 29 with
/// websocket 5.1 works; obws gets no events (they come over the lenient link).
pub(crate) async fn open(
    conn: &ObsConnection,
    creds: &Arc<dyn CredentialStore>,
) -> Result<Connected, ObsError> {
    let addr = conn.addr();
    let host = conn.uri_host();
    let password = password_for(conn, creds).await?;
    let secret = password.expose();
    let config = ConnectConfig {
        host: host.as_str(),
        port: conn.port,
        password: (!secret.is_empty()).then_some(secret),
        event_subscriptions: Some(EventSubscription::NONE),
        broadcast_capacity: 16,
        connect_timeout: super::CONNECT_TIMEOUT,
        dangerous: Some(DangerousConnectConfig {
            skip_studio_version_check: true,
            skip_websocket_version_check: true,
        }),
    };
    let client = obws::Client::connect_with_config(config)
        .await
        .map_err(|e| from_obws(e, "connect", &addr, "unknown"))?;
    let v = client
        .general()
        .version()
        .await
        .map_err(|e| from_obws(e, "GetVersion", &addr, "unknown"))?;
    let (obs, ws) = (&v.obs_studio_version, &v.obs_web_socket_version);
    let older = (obs.major, obs.minor) < (30, 2) || (ws.major, ws.minor) < (5, 5);
    let link = link::connect(&host, conn.port, &addr, secret, super::CONNECT_TIMEOUT).await?;
    Ok(Connected {
        client,
        link,
        obs_version: obs.to_string(),
        websocket: ws.to_string(),
        older,
    })
}

/// The password for `conn`, read from the credential store on the blocking pool when it is kept
/// there (a D-Bus call or a keychain prompt must not stall the runtime's worker).
async fn password_for(
    conn: &ObsConnection,
    creds: &Arc<dyn CredentialStore>,
) -> Result<Password, ObsError> {
    if conn.keyring.is_none() || !conn.password.is_empty() {
        return secrets::resolve(creds.as_ref(), conn).map_err(ObsError::Password);
    }
    let (store, c) = (creds.clone(), conn.clone());
    tokio::task::spawn_blocking(move || secrets::resolve(store.as_ref(), &c))
        .await
        .map_err(|e| ObsError::Password(format!("reading the system keyring failed: {e}")))?
        .map_err(ObsError::Password)
}

/// A connection that lasted this long was healthy: the next drop starts the backoff over.
const STABLE: Duration = Duration::from_secs(10);

/// Run one instance until told to stop.
pub(crate) async fn run(
    conn: ObsConnection,
    mut rx: mpsc::Receiver<SessionCmd>,
    hub: Arc<Hub>,
    creds: Arc<dyn CredentialStore>,
) {
    let mut status = ObsStatus::new(&conn);
    let mut backoff = Backoff::new(BASE, CAP);
    let mut last_logged: Option<LinkProblem> = None;
    loop {
        status.link = LinkState::Connecting;
        hub.status(&status);
        let problem = match open(&conn, &creds).await {
            Ok(c) => {
                last_logged = None;
                let since = Instant::now();
                let end = serve(c, &conn, &mut rx, &mut status, &hub).await;
                // An OBS that accepts and then drops at once must not be hammered.
                if since.elapsed() >= STABLE {
                    backoff.reset();
                }
                match end {
                    End::Stop => return,
                    End::Reconnect => {
                        status.clear_live();
                        continue;
                    }
                    End::Lost(why) => LinkProblem::Lost(why),
                }
            }
            Err(ObsError::AuthFailed { .. }) => {
                backoff.saturate();
                LinkProblem::AuthFailed
            }
            Err(ObsError::Unreachable { cause, .. }) => LinkProblem::Unreachable(cause),
            Err(e) => LinkProblem::Failed(e.to_string()),
        };
        status.clear_live();
        let retry_at = Instant::now() + backoff.next_delay();
        if last_logged.as_ref() != Some(&problem) {
            tracing::info!("OBS '{}': {}", conn.name, problem.label());
            last_logged = Some(problem.clone());
        }
        status.link = LinkState::Waiting { problem, retry_at };
        hub.status(&status);
        if !wait_to_retry(&mut rx, retry_at, &conn, &hub).await {
            return;
        }
    }
}

/// Wait for the retry time; commands meanwhile fail at once. False: stop.
async fn wait_to_retry(
    rx: &mut mpsc::Receiver<SessionCmd>,
    retry_at: Instant,
    conn: &ObsConnection,
    hub: &Hub,
) -> bool {
    let sleep = tokio::time::sleep_until(retry_at.into());
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return true,
            cmd = rx.recv() => match cmd {
                Some(SessionCmd::Run(job)) => {
                    let e = ObsError::NotConnected { name: conn.name.clone() };
                    hub.finish(Outcome {
                        connection: &conn.name,
                        action: &job.action,
                        origin: &job.origin,
                        result: Err(e.to_string()),
                        sent: None,
                    });
                }
                Some(SessionCmd::Reconnect) => return true,
                Some(SessionCmd::Stop) | None => return false,
            }
        }
    }
}

/// Serve a connection: events update the status while commands run one after another.
async fn serve(
    c: Connected,
    conn: &ObsConnection,
    rx: &mut mpsc::Receiver<SessionCmd>,
    status: &mut ObsStatus,
    hub: &Arc<Hub>,
) -> End {
    let Connected {
        client,
        link,
        obs_version,
        websocket,
        older,
    } = c;
    let Link {
        requester,
        events,
        ended,
    } = link;
    status.link = LinkState::Connected;
    status.obs_version = Some(obs_version);
    status.websocket_version = Some(websocket.clone());
    status.older_obs = older;
    status.unavailable.clear();
    if let Err(e) = snapshot(&requester, status).await {
        return End::Lost(e.to_string());
    }
    tracing::info!("OBS '{}' connected ({})", conn.name, conn.addr());
    hub.status(status);
    let (live_tx, live_rx) = watch::channel(Live {
        status: status.clone(),
        replays_saved: 0,
    });
    let mut tracker = VideoTracker::new(conn.id, &conn.name);
    let event_loop = pump_events(
        events,
        ended,
        &requester,
        status,
        &live_tx,
        hub,
        &mut tracker,
    );
    let addr = conn.addr();
    let cx = Ctx {
        client: &client,
        live: live_rx,
        addr: &addr,
        websocket: &websocket,
        older,
    };
    let command_loop = async {
        loop {
            match rx.recv().await {
                Some(SessionCmd::Run(job)) => {
                    if let Some(why) = run_job(job, &cx, &conn.name, hub).await {
                        return End::Lost(why);
                    }
                }
                Some(SessionCmd::Reconnect) => return End::Reconnect,
                Some(SessionCmd::Stop) | None => return End::Stop,
            }
        }
    };
    tokio::select! {
        end = event_loop => end,
        end = command_loop => end,
    }
}

/// Fold events into the status (and the executor's view) until the link ends.
async fn pump_events(
    mut events: mpsc::Receiver<LinkEvent>,
    ended: tokio::sync::oneshot::Receiver<String>,
    requester: &Requester,
    status: &mut ObsStatus,
    live: &watch::Sender<Live>,
    hub: &Arc<Hub>,
    tracker: &mut VideoTracker,
) -> End {
    while let Some(ev) = events.recv().await {
        tracker.on_event(&ev, requester, hub).await;
        if apply_event(status, &ev, Instant::now())
            && let Err(e @ (ObsError::Lost { .. } | ObsError::Timeout { .. })) =
                read_scenes(requester, status).await
        {
            return End::Lost(e.to_string());
        }
        let saved = matches!(ev, LinkEvent::ReplaySaved(_));
        live.send_modify(|l| {
            l.status = status.clone();
            l.replays_saved += u64::from(saved);
        });
        hub.status(status);
    }
    End::Lost(ended.await.unwrap_or_else(|_| "link closed".into()))
}

/// Reports a job even when its future is dropped mid-way (connection lost, session stopped).
struct InFlight<'a> {
    hub: &'a Hub,
    job: &'a Job,
    connection: &'a str,
    sent: Instant,
    result: Option<Result<String, String>>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let result = self.result.take().unwrap_or_else(|| {
            Err("interrupted: the connection to OBS ended before it answered".into())
        });
        self.hub.finish(Outcome {
            connection: self.connection,
            action: &self.job.action,
            origin: &self.job.origin,
            result,
            sent: Some(self.sent),
        });
    }
}

/// Run a job; returns why the connection must be dropped, if the job found it dead (the control
/// socket can die while the status link still answers).
async fn run_job(job: Job, cx: &Ctx<'_>, connection: &str, hub: &Hub) -> Option<String> {
    let mut flight = InFlight {
        hub,
        job: &job,
        connection,
        sent: Instant::now(),
        result: None,
    };
    let result = actions::execute(&job.action, cx).await;
    let lost = match &result {
        Err(e @ ObsError::Lost { .. }) => Some(e.to_string()),
        _ => None,
    };
    flight.result = Some(result.map_err(|e| e.to_string()));
    lost
}

/// Read the scene list and program scene. A refusal marks the feature unavailable.
async fn read_scenes(req: &Requester, status: &mut ObsStatus) -> Result<(), ObsError> {
    match req.request("GetSceneList", Value::Null).await {
        Ok(v) => {
            status.scenes = link::scene_names(&v["scenes"]);
            status.program_scene = v["currentProgramSceneName"].as_str().map(str::to_string);
            Ok(())
        }
        Err(e @ (ObsError::Lost { .. } | ObsError::Timeout { .. })) => Err(e),
        Err(e) => {
            status.mark_unavailable(format!("scene list: {e}"));
            Ok(())
        }
    }
}

/// Read everything the status shows, right after connecting.
async fn snapshot(req: &Requester, status: &mut ObsStatus) -> Result<(), ObsError> {
    read_scenes(req, status).await?;
    let outputs = [
        ("GetRecordStatus", Output::Record, "recording"),
        ("GetStreamStatus", Output::Stream, "streaming"),
        (
            "GetReplayBufferStatus",
            Output::ReplayBuffer,
            "replay buffer",
        ),
    ];
    for (request, output, label) in outputs {
        let answer = req.request(request, Value::Null).await;
        let now = Instant::now();
        let out = output_mut(status, output);
        match answer {
            Ok(v) => {
                let on = v["outputActive"].as_bool().unwrap_or(false);
                let ran_for = Duration::from_millis(v["outputDuration"].as_u64().unwrap_or(0));
                out.phase = if on {
                    OutputPhase::On
                } else {
                    OutputPhase::Off
                };
                out.since = on.then(|| now.checked_sub(ran_for).unwrap_or(now));
            }
            Err(e @ (ObsError::Lost { .. } | ObsError::Timeout { .. })) => return Err(e),
            Err(e) => {
                out.phase = OutputPhase::Unavailable;
                status.mark_unavailable(format!("{label}: {e}"));
            }
        }
    }
    Ok(())
}
