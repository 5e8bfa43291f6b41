//! Connecting to the NATS server and making sure the tournament's stream and KV bucket exist,
//! shared by courts and hubs (both create what is missing with the same configuration, so a
//! court that starts before its hub loses nothing).

use super::config::{ACK_TIMEOUT, Auth, DUPLICATE_WINDOW, NatsConfig};
use super::status::{Link, link_of_connect_error, link_of_jetstream_error};
use crate::obs::backoff::Backoff;
use async_nats::jetstream::{self, kv, stream};
use std::time::Duration;

/// Connect once (no retries: the callers run their own backoff and show each failure).
pub async fn connect(config: &NatsConfig, name: &str) -> Result<async_nats::Client, Link> {
    let mut options = match &config.auth {
        Auth::None => async_nats::ConnectOptions::new(),
        Auth::UserPassword { user, password } => {
            async_nats::ConnectOptions::with_user_and_password(user.clone(), password.clone())
        }
        Auth::Token(t) => async_nats::ConnectOptions::with_token(t.clone()),
        Auth::CredsFile(path) => async_nats::ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|e| Link::Misconfigured {
                cause: format!("cannot read the .creds file {}: {e}", path.display()),
            })?,
    };
    options = options
        .name(name)
        .connection_timeout(Duration::from_secs(5))
        .request_timeout(Some(ACK_TIMEOUT));
    if config.wants_tls() {
        options = options.require_tls(true);
    }
    if let Some(ca) = &config.ca_file {
        options = options.add_root_certificates(ca.clone());
    }
    options
        .connect(config.servers.clone())
        .await
        .map_err(|e| link_of_connect_error(&e, &config.servers))
}

/// The stream configuration (README, "Tournament hub"): every court's datagrams, on disk, kept
/// until deleted (a tournament is days, not months), duplicates dropped by message id within
/// [`DUPLICATE_WINDOW`].
pub fn stream_config(config: &NatsConfig) -> stream::Config {
    stream::Config {
        name: config.stream_name(),
        description: Some(format!(
            "courtside datagrams of every court, tournament {}",
            config.tournament
        )),
        subjects: vec![config.all_datagrams()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::New,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// The KV bucket's stream: one key per court, its latest match state only (history 1), on disk.
/// Made as a stream with KV's layout (`KV_<bucket>`, subjects `$KV.<bucket>.>`, roll-ups,
/// direct get) rather than through async-nats's `create_key_value`, which first reads the
/// account information in a form Debian's nats-server 2.9 does not send.
pub fn bucket_config(config: &NatsConfig) -> stream::Config {
    let bucket = config.bucket_name();
    stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(format!(
            "courtside live match state per court, tournament {}",
            config.tournament
        )),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        storage: stream::StorageType::File,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        num_replicas: 1,
        ..Default::default()
    }
}

/// The JetStream context, with the stream and the KV bucket created when missing.
pub async fn prepare(
    client: async_nats::Client,
    config: &NatsConfig,
) -> Result<(jetstream::Context, kv::Store), Link> {
    let mut js = jetstream::new(client);
    js.set_timeout(ACK_TIMEOUT);
    js.get_or_create_stream(stream_config(config))
        .await
        .map_err(|e| link_of_jetstream_error(&format!("stream {}", config.stream_name()), &e))?;
    let what = format!("KV bucket {}", config.bucket_name());
    js.get_or_create_stream(bucket_config(config))
        .await
        .map_err(|e| link_of_jetstream_error(&what, &e))?;
    let bucket = js
        .get_key_value(config.bucket_name())
        .await
        .map_err(|e| link_of_jetstream_error(&what, &e))?;
    Ok((js, bucket))
}

/// Reconnect delays: a refused TCP connection costs the server nothing, so the cap is short
/// (2 s): after an outage every court is back within about 2 s of the server, and the backlog
/// (the catch-up) starts then.
pub fn backoff() -> Backoff {
    Backoff::new(Duration::from_millis(250), Duration::from_secs(2))
}

/// The hub's reconnect delays: shorter still (one client), so that after an outage the hub is
/// usually reading the stream before the courts' backlogs pour in. A hub that starts reading
/// behind a stream being written fast can be served slowly by nats-server 2.9 (README,
/// "Tournament hub", Measured).
pub fn hub_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(100), Duration::from_millis(500))
}

/// After refused credentials or a refusing server only a settings change helps: retry every
/// 30 s, not every 2 s (a server logs each refusal).
const REFUSED_RETRY: Duration = Duration::from_secs(30);

/// How long to wait before the next attempt after `link` failed.
pub fn retry_delay(link: &Link, backoff: &mut Backoff) -> Duration {
    match link {
        Link::WrongCredentials { .. } | Link::Misconfigured { .. } => REFUSED_RETRY,
        _ => backoff.next_delay(),
    }
}
