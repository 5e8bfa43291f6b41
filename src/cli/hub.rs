//! `courtside hub` (the tournament hub: the desktop app's Tournament window, or headless with
//! `--headless`) and the NATS options shared with `courtside listen --nats`. Secrets never come from the command line (it shows in the process list and the
//! shell history): a password or token is read from a file or an environment variable.

use crate::store::writer::{Subscribers, Waker};
use crate::store::{Store, Writer, WriterConfig};
use crate::tournament::config::{Auth, ConfigError, NatsConfig, read_secret_file};
use crate::tournament::{HubConfig, HubService, HubStatus, Link};
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Environment variable with the NATS password (for `--nats-user`).
pub const PASSWORD_ENV: &str = "COURTSIDE_NATS_PASSWORD";
/// Environment variable with the NATS token.
pub const TOKEN_ENV: &str = "COURTSIDE_NATS_TOKEN";

/// Where the tournament's NATS server is and how to log in.
#[derive(Debug, Clone, clap::Args)]
pub struct NatsArgs {
    /// NATS server URL (`nats://host:4222`, `tls://host:4222`); repeat for a cluster.
    #[arg(long = "nats", value_name = "URL")]
    pub nats: Vec<String>,
    /// Tournament id (letters, digits, '-' and '_'): names the stream, subjects and KV bucket.
    #[arg(long, value_name = "ID")]
    pub tournament: Option<String>,
    /// Credentials file (`.creds`: JWT and nkey seed).
    #[arg(long, value_name = "FILE")]
    pub nats_creds: Option<PathBuf>,
    /// User name; the password is read from --nats-password-file or COURTSIDE_NATS_PASSWORD.
    #[arg(long, value_name = "NAME")]
    pub nats_user: Option<String>,
    /// File whose first line is the password for --nats-user.
    #[arg(long, value_name = "FILE")]
    pub nats_password_file: Option<PathBuf>,
    /// File whose first line is the token (else COURTSIDE_NATS_TOKEN, when set).
    #[arg(long, value_name = "FILE")]
    pub nats_token_file: Option<PathBuf>,
    /// Extra CA certificate (PEM) for a tls:// server with a private CA (the system roots are
    /// always trusted).
    #[arg(long, value_name = "FILE")]
    pub nats_ca: Option<PathBuf>,
}

/// `courtside hub`.
#[derive(Debug, clap::Args)]
pub struct HubArgs {
    /// Server, tournament and credentials.
    #[command(flatten)]
    pub nats: NatsArgs,
    /// Durable consumer name (give each hub its own).
    #[arg(long, default_value = "hub", value_name = "NAME")]
    pub consumer: String,
    /// No window: print the hub's state to the terminal (else the desktop app opens with its
    /// "Tournament" window; without a display the hub runs headless anyway).
    #[arg(long)]
    pub headless: bool,
    /// Web pages and API for every court of the tournament (`/overlay/<court>`, `/courts`, …):
    /// `ADDR:PORT` or `off`, with --headless. Default: as in the hub store's Settings (on,
    /// 127.0.0.1:8090); with the window, Settings → Web.
    #[arg(long, value_name = "ADDR:PORT|off")]
    pub http: Option<crate::web::HttpOption>,
}

impl NatsArgs {
    /// Whether any tournament option was given.
    pub fn given(&self) -> bool {
        !self.nats.is_empty() || self.tournament.is_some()
    }

    /// The connection settings; `env` reads an environment variable (tests pass their own).
    pub fn to_config(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<NatsConfig, ConfigError> {
        let tournament = self.tournament.clone().ok_or_else(|| ConfigError {
            what: "tournament id",
            value: String::new(),
            reason: "give --tournament ID with --nats".into(),
        })?;
        let config = NatsConfig {
            servers: self.nats.clone(),
            auth: self.auth(env)?,
            ca_file: self.nats_ca.clone(),
            tournament,
        };
        config.validate()?;
        Ok(config)
    }

    fn auth(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Auth, ConfigError> {
        let chosen = [
            self.nats_creds.is_some(),
            self.nats_user.is_some(),
            self.nats_token_file.is_some(),
        ];
        if chosen.iter().filter(|c| **c).count() > 1 {
            return Err(ConfigError {
                what: "NATS credentials",
                value: String::new(),
                reason: "give only one of --nats-creds, --nats-user, --nats-token-file".into(),
            });
        }
        if let Some(path) = &self.nats_creds {
            return Ok(Auth::CredsFile(path.clone()));
        }
        if let Some(user) = &self.nats_user {
            let password = match &self.nats_password_file {
                Some(p) => read_secret_file(p)?,
                None => env(PASSWORD_ENV)
                    .filter(|p| !p.is_empty())
                    .ok_or_else(|| ConfigError {
                        what: "NATS password",
                        value: user.clone(),
                        reason: format!(
                            "give --nats-password-file FILE or set {PASSWORD_ENV} (never on the \
                         command line)"
                        ),
                    })?,
            };
            return Ok(Auth::UserPassword {
                user: user.clone(),
                password,
            });
        }
        if let Some(p) = &self.nats_token_file {
            return Ok(Auth::Token(read_secret_file(p)?));
        }
        Ok(match env(TOKEN_ENV).filter(|t| !t.is_empty()) {
            Some(t) => Auth::Token(t),
            None => Auth::None,
        })
    }
}

/// The process environment, for [`NatsArgs::to_config`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The tokio runtime of a headless command (the desktop app has its own, shared by OBS, the web
/// server and the tournament).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("courtside-tokio")
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The hub's configuration from the command line, checked: the one set-up of the headless hub
/// and of the desktop app's hub (which `main` starts with it).
pub fn hub_config(args: &HubArgs) -> anyhow::Result<HubConfig> {
    let config = HubConfig {
        nats: args.nats.to_config(&process_env)?,
        consumer: args.consumer.clone(),
    };
    config.validate()?;
    Ok(config)
}

/// The hub with its window: its configuration, after refusing what only the headless hub takes
/// (`--http`: the window's web server follows Settings → Web, changed there while it runs).
pub fn hub_window_config(args: &HubArgs) -> anyhow::Result<HubConfig> {
    if args.http.is_some() {
        anyhow::bail!(
            "--http is for `courtside hub --headless`; with the window, set the web server's \
             address in Settings → Web"
        );
    }
    hub_config(args)
}

/// `courtside hub --headless`: consume every court into the store at `db` until Ctrl-C /
/// SIGTERM, printing what changes.
pub fn hub(args: &HubArgs, db: &Path) -> anyhow::Result<()> {
    let config = hub_config(args)?;
    let store = Store::open(db)?;
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    let _stored = super::console::stop_signals(stop_tx)?;
    let (durable_tx, durable_rx) = crossbeam_channel::bounded(65_536);
    // The web server serves every court the hub stores, so the broadcast needs one address for
    // the whole venue; it binds before the writer starts and takes its early records.
    let (web_tx, web_rx) = crossbeam_channel::bounded(crate::web::FEED_QUEUE);
    let web = super::web::start_for_command(&store, args.http, web_rx, Vec::new())?;
    let subscribers = Subscribers {
        early: if web.is_some() {
            vec![web_tx]
        } else {
            Vec::new()
        },
        durable: vec![durable_tx],
    };
    let writer = Writer::spawn_with(store.clone(), WriterConfig::default(), subscribers, None)?;
    if let Some(url) = web.as_ref().and_then(|w| w.url()) {
        println!("courtside: web pages and API on {url} (every court: {url}/courts)");
    }
    let rt = runtime()?;
    let (wake_tx, wake_rx) = crossbeam_channel::bounded::<()>(1);
    let waker: Waker = std::sync::Arc::new(move || {
        // A full slot already holds a wake-up: the loop reads the status once for both.
        let _ = wake_tx.try_send(());
    });
    let service = HubService::spawn(
        config.clone(),
        rt.handle(),
        store,
        writer.sender(),
        durable_rx,
        Some(waker),
    );
    println!(
        "courtside: hub for tournament {} on {}, store {}",
        config.nats.tournament,
        config.nats.servers.join(", "),
        db.display()
    );
    let mut printed = Printed::default();
    loop {
        crossbeam_channel::select! {
            recv(stop_rx) -> _ => break,
            recv(wake_rx) -> _ => {
                let now = service.status();
                printed.print_changes(&now);
                printed.last = Some(now);
            }
        }
    }
    drop(service);
    let last = printed.last.take().unwrap_or_default();
    let writer_stats = writer.stats();
    writer.shutdown();
    drop(web);
    println!(
        "courtside: hub stopped; {} datagrams stored this run, {} duplicates dropped, {} foreign \
         messages",
        writer_stats
            .stored
            .load(std::sync::atomic::Ordering::Relaxed),
        last.duplicates,
        last.rejected
    );
    Ok(())
}

/// What the headless hub printed last, so it prints changes only.
#[derive(Default)]
struct Printed {
    last: Option<HubStatus>,
    link: Option<Link>,
    courts: BTreeMap<String, (u64, Option<crate::protocol::Athlete>)>,
}

impl Printed {
    fn print_changes(&mut self, s: &HubStatus) {
        if self.link.as_ref() != Some(&s.link) {
            println!("courtside: hub: {}", hub_link_line(&s.link));
            self.link = Some(s.link.clone());
        }
        for (court, v) in &s.courts {
            let now = (v.match_key, v.state.winner);
            if self.courts.get(court) != Some(&now) {
                let st = &v.state;
                if st.info.number.is_empty() && st.blue.long_name.is_empty() {
                    println!("courtside: hub: court {court}: no match loaded");
                    self.courts.insert(court.clone(), now);
                    continue;
                }
                println!(
                    "courtside: hub: court {court}: match {} {} ({}) {} – {} {} ({}){}",
                    st.info.number,
                    st.blue.long_name,
                    st.blue.country,
                    st.blue.score,
                    st.red.score,
                    st.red.long_name,
                    st.red.country,
                    st.winner
                        .as_ref()
                        .map_or(String::new(), |w| format!(", winner {}", w.name()))
                );
                self.courts.insert(court.clone(), now);
            }
        }
    }
}

/// A hub's link as one line.
pub fn hub_link_line(link: &Link) -> String {
    match link {
        Link::Connecting => "connecting".into(),
        Link::Connected => "connected".into(),
        Link::Offline { cause, advice }
        | Link::WrongCredentials { cause, advice }
        | Link::NoJetStream { cause, advice } => format!("not connected: {cause}; {advice}"),
        Link::Misconfigured { cause } => format!("not started: {cause}"),
        Link::Stopped => "stopped".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> NatsArgs {
        NatsArgs {
            nats: vec!["nats://127.0.0.1:4222".into()],
            tournament: Some("t".into()),
            nats_creds: None,
            nats_user: None,
            nats_password_file: None,
            nats_token_file: None,
            nats_ca: None,
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_user_takes_the_password_from_the_environment_or_a_file_never_the_command_line() {
        let mut a = args();
        a.nats_user = Some("court".into());
        let e = a.to_config(&no_env).unwrap_err();
        assert!(e.reason.contains("--nats-password-file") && e.reason.contains(PASSWORD_ENV));
        let env = |k: &str| (k == PASSWORD_ENV).then(|| "pw-from-env".to_string());
        let c = a.to_config(&env).unwrap();
        assert_eq!(
            c.auth,
            Auth::UserPassword {
                user: "court".into(),
                password: "pw-from-env".into()
            }
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "pw-from-file\n").unwrap();
        a.nats_password_file = Some(file);
        let c = a.to_config(&env).unwrap();
        assert!(
            matches!(c.auth, Auth::UserPassword { password, .. } if password == "pw-from-file")
        );
    }

    #[test]
    fn a_token_comes_from_its_file_or_the_environment_and_two_logins_are_refused() {
        let env = |k: &str| (k == TOKEN_ENV).then(|| "tok".to_string());
        assert_eq!(
            args().to_config(&env).unwrap().auth,
            Auth::Token("tok".into())
        );
        assert_eq!(args().to_config(&no_env).unwrap().auth, Auth::None);
        let mut a = args();
        a.nats_creds = Some("court.creds".into());
        a.nats_user = Some("court".into());
        let e = a.to_config(&no_env).unwrap_err();
        assert!(e.reason.contains("only one"), "{e}");
    }

    #[test]
    fn a_missing_tournament_id_or_a_bad_url_is_named() {
        let mut a = args();
        a.tournament = None;
        assert!(
            a.to_config(&no_env)
                .unwrap_err()
                .reason
                .contains("--tournament")
        );
        let mut a = args();
        a.nats = vec!["http://x".into()];
        assert_eq!(a.to_config(&no_env).unwrap_err().what, "NATS server URL");
    }
}
