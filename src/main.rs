//! courtside binary: parses the command line and dispatches to the library.
//!
//! On Windows a GUI-subsystem program: double-clicked, no console window opens beside the app
//! (closing that console used to kill the app without its shutdown). Subcommands attach to the
//! terminal they were typed in (see `cli::console`).
#![cfg_attr(windows, windows_subsystem = "windows")]

use clap::Parser;
use courtside::cli::{self, Cli, Command, console};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    courtside::app::memory::configure_allocator();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help, --version or a usage error: printed to the terminal that typed it.
            console::attach_parent_console();
            e.exit()
        }
    };
    if console::needs_parent_console(cli.command.is_some(), cli.smoke_frames.is_some()) {
        console::attach_parent_console();
    }
    // Chosen once: the saved location (or the default store, moved out of the roaming profile
    // once); what the operator must know is printed and kept for the app to show.
    let uses_store = !matches!(
        cli.command,
        Some(Command::Simulate(_) | Command::Replay(_) | Command::License(_))
    );
    let resolved = if uses_store {
        courtside::store::location::resolve_store(cli.db.clone())
    } else {
        courtside::store::location::Resolved {
            path: courtside::store::location::resolve_store_quietly(cli.db.clone()),
            notices: Vec::new(),
        }
    };
    for n in &resolved.notices {
        eprintln!("courtside: {n}");
    }
    courtside::store::location::set_startup_notices(resolved.notices);
    let db = resolved.path;
    // The GUI and the headless ingest log to daily files beside the store (support reads them);
    // the one-shot tools log to stderr only.
    let long_running = matches!(
        cli.command,
        None | Some(Command::Listen(_) | Command::Hub(_))
    );
    let log = if long_running {
        init_file_logging(&db)
    } else {
        init_logging();
        None
    };
    match run(cli, db, log) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("courtside: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a graphical session exists. Windows and macOS always have one.
fn has_display() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn run_gui(
    db: std::path::PathBuf,
    smoke_frames: Option<u32>,
    log: Option<std::sync::Arc<courtside::logging::LogControl>>,
    hub: Option<courtside::tournament::HubConfig>,
) -> anyhow::Result<()> {
    let title = if hub.is_some() {
        "courtside hub"
    } else {
        "courtside"
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([800.0, 500.0]),
        persist_window: true,
        ..Default::default()
    };
    let report = std::sync::Arc::new(std::sync::Mutex::new(courtside::app::SmokeReport::default()));
    let app_options = courtside::app::AppOptions {
        db,
        smoke_frames,
        smoke_report: smoke_frames.map(|_| report.clone()),
        log,
    };
    eframe::run_native(
        "courtside",
        options,
        Box::new(move |cc| {
            Ok(Box::new(courtside::app::CourtsideApp::with_hub(
                &cc.egui_ctx,
                cc.storage,
                app_options,
                hub,
            )))
        }),
    )
    .map_err(|e| {
        let error = e.to_string();
        cli::window_error::report_window_failure(&error, smoke_frames.is_some());
        anyhow::anyhow!("the window could not open: {error}")
    })?;
    if let Some(n) = smoke_frames {
        let r = report
            .lock()
            .map_err(|_| anyhow::anyhow!("smoke report unavailable"))?
            .clone();
        if !r.errors.is_empty() {
            anyhow::bail!("smoke test: {}", r.errors.join("; "));
        }
        if r.main_frames < u64::from(n) {
            anyhow::bail!(
                "smoke test: the main window drew {} of {n} frames",
                r.main_frames
            );
        }
        if r.scoreboard_frames == 0 {
            anyhow::bail!("smoke test: the scoreboard window never rendered");
        }
        eprintln!(
            "courtside: smoke test passed: main window {} frames, scoreboard {} frames",
            r.main_frames, r.scoreboard_frames
        );
    }
    Ok(())
}

/// File logging (daily files, size-capped) plus stderr; on failure stderr only, said on stderr.
fn init_file_logging(
    db: &std::path::Path,
) -> Option<std::sync::Arc<courtside::logging::LogControl>> {
    use courtside::logging::{LogConfig, default_log_dir, init};
    let dir = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join("logs"),
        _ => default_log_dir(),
    };
    let config = LogConfig {
        stderr_ansi: console::stderr_colour(),
        ..LogConfig::new(&dir)
    };
    match init(&config) {
        Ok(control) => {
            let stuck = control.undeletable_files();
            if stuck > 0 {
                tracing::warn!(
                    "{stuck} old log file(s) in {} could not be deleted to keep the logs under \
                     their size cap (open in another program?); retried as the log grows",
                    dir.display()
                );
            }
            Some(std::sync::Arc::new(control))
        }
        Err(e) => {
            init_logging();
            eprintln!("courtside: logging to stderr only: {e}");
            None
        }
    }
}

/// Swap in a restore staged from the app (the GUI does this itself at start).
fn apply_restore(db: &std::path::Path) -> anyhow::Result<()> {
    if let Some(kept) = courtside::backup::apply_pending_restore(db)? {
        eprintln!(
            "courtside: store restored from the staged backup; the previous store is kept as {}",
            kept.display()
        );
    }
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(console::stderr_colour())
        .with_writer(std::io::stderr)
        .init();
}

fn run(
    cli: Cli,
    db: std::path::PathBuf,
    log: Option<std::sync::Arc<courtside::logging::LogControl>>,
) -> anyhow::Result<()> {
    match &cli.command {
        None if !has_display() && cli.smoke_frames.is_none() => {
            eprintln!(
                "courtside: no display found: running headless ingest with the stored listener \
                 settings (same as `courtside listen`); Ctrl-C stops"
            );
            apply_restore(&db)?;
            cli::listen_from_settings(&db)
        }
        None => run_gui(db, cli.smoke_frames, log, None),
        Some(Command::Listen(args)) => {
            apply_restore(&db)?;
            cli::listen(args, &db)
        }
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
            let n = cli::run_export(args, &db)?;
            eprintln!("courtside: exported {n} datagrams");
            Ok(())
        }
        Some(Command::License(args)) => cli::license(args, &mut std::io::stdout().lock()),
        Some(Command::Flags(args)) => cli::flags(args, &db, &mut std::io::stdout().lock()),
        Some(Command::Hub(args)) if !args.headless && has_display() => {
            let config = cli::hub::hub_window_config(args)?;
            apply_restore(&db)?;
            run_gui(db, cli.smoke_frames, log, Some(config))
        }
        Some(Command::Hub(args)) => {
            if !args.headless {
                eprintln!("courtside: no display found: running the hub headless (--headless)");
            }
            cli::hub(args, &db)
        }
        Some(Command::Results(args)) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let n = cli::results(args, &db, &mut out)?;
            out.flush()?;
            eprintln!("courtside: {n} finished matches");
            Ok(())
        }
        Some(Command::Matches) => {
            let store = courtside::store::Store::open_existing(&db)?;
            for m in store.matches()? {
                let s = &m.state;
                println!(
                    "{}\t{}\t{}\t{}\t{} ({}) {} – {} {} ({})\t{} datagrams",
                    m.key,
                    courtside::timefmt::rfc3339_utc(m.started_at_ns),
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
