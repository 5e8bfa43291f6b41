//! courtside binary: parses the command line and dispatches to the library.

use clap::Parser;
use courtside::cli::{self, Cli, Command};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("courtside: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let db = cli.db.clone().unwrap_or_else(cli::default_db_path);
    match &cli.command {
        None => {
            anyhow::bail!(
                "the desktop app is not built yet; use `courtside listen` for headless ingest \
                 (see `courtside --help`)"
            )
        }
        Some(Command::Listen(args)) => cli::listen(args, &db),
        Some(Command::Simulate(args)) => {
            let n = cli::simulate(args)?;
            eprintln!("courtside: sent {n} datagrams to {}", args.to);
            Ok(())
        }
        Some(Command::Replay(args)) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            cli::replay(args, &mut out)?;
            out.flush()?;
            Ok(())
        }
        Some(Command::Export(args)) => {
            let store = courtside::store::Store::open(&db)?;
            let n = match &args.out {
                Some(path) => {
                    let f = std::fs::File::create(path).map_err(|e| {
                        anyhow::anyhow!("cannot create export file {}: {e}", path.display())
                    })?;
                    let mut w = std::io::BufWriter::new(f);
                    let n = cli::export(&store, args, &mut w)?;
                    w.flush()?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut w = std::io::BufWriter::new(stdout.lock());
                    let n = cli::export(&store, args, &mut w)?;
                    w.flush()?;
                    n
                }
            };
            eprintln!("courtside: exported {n} datagrams");
            Ok(())
        }
        Some(Command::Flags(args)) => cli::flags(args, &db, &mut std::io::stdout().lock()),
        Some(Command::Matches) => {
            let store = courtside::store::Store::open(&db)?;
            for m in store.matches()? {
                let s = &m.state;
                println!(
                    "{}\t{}\t{}\t{}\t{} ({}) {} – {} {} ({})\t{} datagrams",
                    m.key,
                    cli::format_time(m.started_at_ns),
                    m.court,
                    s.info.number,
                    s.blue.long_name,
                    s.blue.country,
                    s.blue.score,
                    s.red.score,
                    s.red.long_name,
                    s.red.country,
                    m.event_count
                );
            }
            Ok(())
        }
    }
}
