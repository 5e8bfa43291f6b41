//! The web server of `courtside listen` (`--http ADDR:PORT | off`; default: Settings → Web).
//! Headless ingest has no OBS connection, so control calls are answered 503.

use crate::store::Store;
use crate::store::writer::Persisted;
use crate::web::{HttpOption, WebConfig, WebFeed, WebService, WebSettings};
use anyhow::Context;
use crossbeam_channel::Receiver;

/// The running server and the runtime it runs on (dropped in this order: server first).
pub struct ListenWeb {
    service: WebService,
    _runtime: tokio::runtime::Runtime,
}

impl ListenWeb {
    /// The URL of the pages.
    pub fn url(&self) -> Option<String> {
        self.service.url()
    }
}

/// The server's configuration for `--http` (`None`: as in the store's settings); `None` when
/// the server is off.
pub fn config(store: &Store, http: Option<HttpOption>) -> anyhow::Result<Option<WebConfig>> {
    let (settings, token, warnings) = WebSettings::read_stored(
        store,
        &[
            crate::web::config::SETTINGS_KEY,
            crate::web::config::TOKEN_KEY,
        ],
    );
    for w in warnings {
        tracing::warn!("{w}");
    }
    let mut config = WebConfig::from_settings(&settings, token);
    match http {
        Some(HttpOption::Off) => return Ok(None),
        Some(HttpOption::On(addr)) => config.addr = addr,
        None if !settings.enabled => return Ok(None),
        None => {}
    }
    Ok(Some(config))
}

/// Start the server with the courts' stored states, fed by the writer's early subscription.
pub fn start(
    store: &Store,
    config: WebConfig,
    records: Receiver<Persisted>,
    court_names: Vec<String>,
) -> anyhow::Result<ListenWeb> {
    let courts = crate::web::load_courts(store)
        .context("cannot load the courts' states for the web pages")?;
    let flags = crate::flags::FlagResolver::load(store).unwrap_or_else(|e| {
        tracing::warn!("web: flags: {e}; serving the built-in set only");
        crate::flags::FlagResolver::builtin_only()
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("web")
        .enable_all()
        .build()
        .context("cannot start the web server's runtime")?;
    let feed = WebFeed {
        records,
        courts,
        court_names,
        flags,
        control: None,
    };
    let service = WebService::spawn(config, runtime.handle().clone(), feed)?;
    Ok(ListenWeb {
        service,
        _runtime: runtime,
    })
}

/// The web server of a headless command (`listen`, `hub`) for `--http` (`None`: as in the store's
/// settings), fed by `records` (an early subscription of the command's writer). An address asked
/// for with `--http` must work (the command fails with the cause); the default from Settings must
/// never stop the command: a taken port there is a warning and it runs without pages (e.g. a
/// second courtside on the same machine). `None` when the server is off or could not start.
pub fn start_for_command(
    store: &Store,
    http: Option<HttpOption>,
    records: Receiver<Persisted>,
    court_names: Vec<String>,
) -> anyhow::Result<Option<ListenWeb>> {
    let asked = http.is_some();
    let Some(config) = config(store, http)? else {
        return Ok(None);
    };
    match start(store, config, records, court_names) {
        Ok(web) => Ok(Some(web)),
        Err(e) if !asked => {
            eprintln!(
                "courtside: warning: {e:#}; running without the web pages (pass --http \
                 ADDR:PORT to choose another address, or --http off)"
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
