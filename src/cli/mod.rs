//! Command-line interface (clap). `main.rs` only parses and dispatches to here.

pub mod console;
mod export;
mod flags;
pub mod hub;
mod license;
mod listen;
mod listen_tournament;
mod pss_answers;
mod replay;
pub mod results;
mod simulate;
mod web;
pub mod window_error;

pub use export::{ExportFormat, export, run_export};
pub use flags::{FlagsArgs, FlagsCommand, flags};
pub use hub::{HubArgs, NatsArgs, hub};
pub use license::{LicenseAction, LicenseArgs, license};
pub use listen::{listen, listen_configs, listen_from_settings};
pub use replay::replay;
pub use results::{ResultsArgs, ResultsFormat, results};
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
    /// Tournament hub: every court's datagrams from NATS into this store, with the Tournament
    /// window (or --headless, until Ctrl-C).
    Hub(HubArgs),
    /// Finished matches of the store (court or hub) as JSON or CSV.
    Results(ResultsArgs),
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
    /// Do not lock a listener to the first scoring program that loads a fight or says hello
    /// (by default other sources are then counted and ignored).
    #[arg(long)]
    pub no_source_lock: bool,
    /// The scoring program's address for each --port, in order (default: the first source
    /// heard); with the lock on, only this address is accepted.
    #[arg(long = "pss-address", value_name = "IP")]
    pub pss_addresses: Vec<IpAddr>,
    /// The port the scoring program answers state requests on, for each --port in order: the
    /// listener asks it for the whole state at start and when a silent court speaks again.
    #[arg(long = "pss-request-port", value_name = "N")]
    pub pss_request_ports: Vec<u16>,
    /// Most datagrams per second stored from one source (0: no bound); the excess is counted.
    #[arg(long, value_name = "N", default_value_t = crate::ingest::DEFAULT_MAX_RATE)]
    pub max_rate: u32,
    /// Print `courtside: committed seq N` after each durable commit (N = highest stored
    /// sequence), so tests and scripts know what is on disk.
    #[arg(long, hide = true)]
    pub print_commits: bool,
    /// Web pages and API (overlays, venue board, live stream): `ADDR:PORT` (e.g.
    /// 0.0.0.0:8090 for the LAN) or `off`. Default: as in Settings (on, 127.0.0.1:8090).
    #[arg(long, value_name = "ADDR:PORT|off")]
    pub http: Option<crate::web::HttpOption>,
    /// Publish every stored datagram to the tournament (`--nats URL --tournament ID`).
    #[command(flatten)]
    pub nats: NatsArgs,
    /// This court's name in the tournament (letters, digits, '-', '_'); default: the first
    /// --court name with other characters as '-' ("Court 1" → "Court-1").
    #[arg(long, value_name = "NAME")]
    pub tournament_court: Option<String>,
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
    /// Answer state requests (`informations`, `scores`, … as TkStrike does) on this UDP port
    /// with the last packets sent; keeps answering after the file is sent until Ctrl-C.
    #[arg(long, value_name = "N")]
    pub answer_port: Option<u16>,
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
/// dir) when reachable, else the default store in the local data folder. Moves nothing and
/// reports nothing; `main` uses [`crate::store::location::resolve_store`] for that.
pub fn resolve_db(cli_db: Option<PathBuf>) -> PathBuf {
    crate::store::location::resolve_store_quietly(cli_db)
}
