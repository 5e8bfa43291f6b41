//! Command-line interface (clap). `main.rs` only parses and dispatches to here.

pub mod console;
mod export;
mod flags;
mod license;
mod listen;
mod replay;
mod simulate;
pub mod window_error;

pub use export::{ExportFormat, export, run_export};
pub use flags::{FlagsArgs, FlagsCommand, flags};
pub use license::{LicenseAction, LicenseArgs, license};
pub use listen::{listen, listen_configs, listen_from_settings};
pub use replay::replay;
pub use simulate::simulate;

use clap::{Parser, Subcommand};
use std::net::IpAddr;
use std::path::PathBuf;

/// courtside: taekwondo PSS scoring → durable store, scoreboard and OBS control.
#[derive(Debug, Parser)]
#[command(name = "courtside", version, about, long_about = None)]
pub struct Cli {
    /// Store file (default: the platform data dir, e.g. ~/.local/share/courtside/courtside.redb).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// GUI: render this many frames of both windows, then exit (0 = fine). For CI smoke tests.
    #[arg(long, value_name = "N")]
    pub smoke_frames: Option<u32>,
    /// What to do (no subcommand: the desktop app).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Headless ingest: receive PSS datagrams and store them until Ctrl-C / SIGTERM.
    Listen(ListenArgs),
    /// Send a stream file as UDP datagrams (a PSS simulator for tests and rehearsals).
    Simulate(SimulateArgs),
    /// Parse a stream file offline and print the final match state.
    Replay(ReplayArgs),
    /// Export stored events as JSON or CSV.
    Export(ExportArgs),
    /// List the matches in the store.
    Matches,
    /// Licence keys (vendor tools: keygen, issue).
    License(LicenseArgs),
    /// Flags: resolve codes, import flag images, map codes, export imported flags.
    Flags(FlagsArgs),
}

/// `courtside listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Address to bind (0.0.0.0 receives LAN broadcasts; 127.0.0.1 does not).
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: IpAddr,
    /// UDP port; repeat for several courts.
    #[arg(long = "port", default_value = "6000")]
    pub ports: Vec<u16>,
    /// Court name for each --port, in order (default "Court 1", "Court 2" …).
    #[arg(long = "court")]
    pub courts: Vec<String>,
    /// Only accept datagrams from these source addresses (repeatable).
    #[arg(long = "allow")]
    pub allow: Vec<IpAddr>,
    /// Print `courtside: committed seq N` after each durable commit (N = highest stored
    /// sequence), so tests and scripts know what is on disk.
    #[arg(long, hide = true)]
    pub print_commits: bool,
}

/// `courtside simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Stream file: one datagram per line.
    pub file: PathBuf,
    /// Destination.
    #[arg(long, default_value = "127.0.0.1:6000")]
    pub to: String,
    /// Pause between datagrams, ms.
    #[arg(long, default_value_t = 0, conflicts_with = "realtime")]
    pub interval_ms: u64,
    /// Pace like a live match: one second before each new clock value, 50 ms otherwise.
    #[arg(long)]
    pub realtime: bool,
}

/// `courtside replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Stream file.
    pub file: PathBuf,
    /// Print the final state as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print one JSON line per datagram (its events and the state after it).
    #[arg(long)]
    pub trace: bool,
}

/// `courtside export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Only this match (key as listed by `courtside matches`).
    #[arg(long = "match")]
    pub match_key: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Output file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The store to use: `--db`, else the location chosen in Settings (remembered in the config
/// dir), else the platform data directory.
pub fn resolve_db(cli_db: Option<PathBuf>) -> PathBuf {
    cli_db
        .or_else(|| {
            let file = store_location_file()?;
            let text = std::fs::read_to_string(file).ok()?;
            let t = text.trim();
            (!t.is_empty()).then(|| PathBuf::from(t))
        })
        .unwrap_or_else(default_db_path)
}

/// Where the chosen store location is remembered (outside the store, which it locates).
pub fn store_location_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("courtside").join("store-location.txt"))
}

/// Remember (or with `None`, forget) the store location for the next start.
pub fn write_store_location(path: Option<&str>) -> std::io::Result<()> {
    let Some(file) = store_location_file() else {
        return Err(std::io::Error::other("this system has no config directory"));
    };
    match path {
        Some(p) => {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&file, p)
        }
        None => match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

/// The default store path: the platform data directory.
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("courtside")
        .join("courtside.redb")
}

/// Format Unix nanoseconds as RFC 3339 UTC with microseconds.
pub fn format_time(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
