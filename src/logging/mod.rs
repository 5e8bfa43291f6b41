//! Logging: tracing to a rolling daily file in the data dir (size-capped: the oldest files are
//! deleted beyond a total cap) and to stderr, with a level the UI can change at run time.
//!
//! Secrets (OBS password, licence key, admin password) travel as [`Secret`], whose `Debug` and
//! `Display` print `***`, so a secret put in a log line or a notice by mistake never shows.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tracing::Subscriber;
use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Registry, reload};

/// File name prefix of the log files (`courtside.2026-11-27.log`).
pub const LOG_PREFIX: &str = "courtside";
/// File name suffix of the log files.
pub const LOG_SUFFIX: &str = "log";

/// A secret text (password, licence key). Prints as `***`; read it with [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret text, for the one place that needs it (hashing, signing, authenticating).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

/// Log levels offered in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// Normal operation (default).
    Info,
    /// Details for troubleshooting.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// Every level, least verbose first (for a combo box).
    pub const ALL: [LogLevel; 5] = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    /// Parse a name (as stored in settings).
    pub fn parse(s: &str) -> Option<LogLevel> {
        LogLevel::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s.trim()))
    }

    fn filter(self) -> LevelFilter {
        match self {
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }

    /// courtside's own events at this level; other crates (egui, winit, redb, obws) at most at
    /// `info`, so `trace` does not drown the file in toolkit noise.
    fn targets(self) -> Targets {
        Targets::new()
            .with_default(self.filter().min(LevelFilter::INFO))
            .with_target("courtside", self.filter())
    }
}

/// Where and how much to log.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// Folder of the log files.
    pub dir: PathBuf,
    /// Initial level.
    pub level: LogLevel,
    /// Total size of all log files; the oldest are deleted beyond it.
    pub total_cap_bytes: u64,
    /// Also log to stderr.
    pub stderr: bool,
    /// Colour (ANSI escape codes) on stderr. Only for a terminal that shows them: a console
    /// without virtual-terminal processing (Windows 10's old console) or a file shows them raw.
    pub stderr_ansi: bool,
}

impl LogConfig {
    /// Defaults for a log folder: info, 50 MB in total, stderr on, without colour (`main` turns
    /// colour on when stderr is a terminal that shows it).
    pub fn new(dir: &Path) -> LogConfig {
        LogConfig {
            dir: dir.to_path_buf(),
            level: LogLevel::Info,
            total_cap_bytes: 50 * 1024 * 1024,
            stderr: true,
            stderr_ansi: false,
        }
    }
}

/// The default log folder: `logs/` beside the default store in the local data dir.
pub fn default_log_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("courtside")
        .join("logs")
}

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// The log folder or file could not be created.
    #[error("cannot create log files in {dir}: {cause}")]
    Create {
        /// The folder.
        dir: PathBuf,
        /// Why.
        cause: String,
    },
    /// A global subscriber is already installed.
    #[error("logging is already set up")]
    AlreadySet,
    /// The level could not be changed (the subscriber is gone).
    #[error("cannot change the log level: {0}")]
    Reload(String),
}

/// Runtime control of the logging set up by [`build`] / [`init`]. Keep it alive for the whole
/// run: dropping it flushes and stops the log-writing thread.
pub struct LogControl {
    handle: reload::Handle<Targets, Registry>,
    level: Mutex<LogLevel>,
    dir: PathBuf,
    dropped_lines: ErrorCounter,
    cap: Arc<CapStats>,
    _guard: WorkerGuard,
}

impl fmt::Debug for LogControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogControl")
            .field("dir", &self.dir)
            .field("level", &self.level())
            .finish_non_exhaustive()
    }
}

impl LogControl {
    /// The current level.
    pub fn level(&self) -> LogLevel {
        self.level.lock().map_or(LogLevel::Info, |l| *l)
    }

    /// Change the level (takes effect for the next event).
    pub fn set_level(&self, level: LogLevel) -> Result<(), LoggingError> {
        self.handle
            .reload(level.targets())
            .map_err(|e| LoggingError::Reload(e.to_string()))?;
        if let Ok(mut l) = self.level.lock() {
            *l = level;
        }
        Ok(())
    }

    /// The log folder (for "open log folder").
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Lines dropped because the log thread could not keep up (shown in diagnostics).
    pub fn dropped_lines(&self) -> usize {
        self.dropped_lines.dropped_lines()
    }

    /// Old log files the size cap could not delete since start (on Windows: held open by another
    /// program). Counted at each try; the cap tries them again at its next check.
    pub fn undeletable_files(&self) -> u64 {
        self.cap.undeletable.load(Ordering::Relaxed)
    }
}

/// Build the subscriber without installing it (tests use `tracing::subscriber::with_default`).
pub fn build(
    config: &LogConfig,
) -> Result<(impl Subscriber + Send + Sync + use<>, LogControl), LoggingError> {
    let create = |e: &dyn fmt::Display| LoggingError::Create {
        dir: config.dir.clone(),
        cause: e.to_string(),
    };
    std::fs::create_dir_all(&config.dir).map_err(|e| create(&e))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_PREFIX)
        .filename_suffix(LOG_SUFFIX)
        .build(&config.dir)
        .map_err(|e| create(&e))?;
    let cap = Arc::new(CapStats::default());
    // Prune at start too (after today's file exists, so older ones go first): a previous run
    // may have left more than the cap.
    prune(&config.dir, config.total_cap_bytes, &cap).map_err(|e| create(&e))?;
    let capped = CappedWriter {
        inner: appender,
        dir: config.dir.clone(),
        cap_bytes: config.total_cap_bytes,
        since_prune: 0,
        suppress: false,
        stats: cap.clone(),
    };
    // Lossy: a full log queue drops (and counts) lines instead of blocking the UI thread.
    // 8192 queued lines (the default, 128 000, is a 4 MB queue allocated up front).
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(8192)
        .lossy(true)
        .thread_name("log-writer")
        .finish(capped);
    let dropped_lines = writer.error_counter();
    let (filter, handle) = reload::Layer::new(config.level.targets());
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer);
    let stderr_layer = config.stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_ansi(config.stderr_ansi)
            .with_writer(io::stderr)
    });
    let subscriber = Registry::default()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer);
    let control = LogControl {
        handle,
        level: Mutex::new(config.level),
        dir: config.dir.clone(),
        dropped_lines,
        cap,
        _guard: guard,
    };
    Ok((subscriber, control))
}

/// Build and install as the global subscriber (once, in `main`).
pub fn init(config: &LogConfig) -> Result<LogControl, LoggingError> {
    let (subscriber, control) = build(config)?;
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LoggingError::AlreadySet)?;
    Ok(control)
}

/// Open a folder in the platform file manager (the "open log folder" button). Returns at once;
/// a named thread waits for the opener so no zombie process is left.
pub fn open_folder(dir: &Path) -> io::Result<()> {
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {opener}: {e}")))?;
    std::thread::Builder::new()
        .name("open-folder".into())
        .spawn(move || {
            // Reaps the opener so it leaves no zombie; its exit status says nothing about the
            // folder (openers such as xdg-open exit once they handed it on).
            let _ = child.wait();
        })?;
    Ok(())
}

mod cap;
pub use cap::log_files;
use cap::{CapStats, CappedWriter, prune};

#[cfg(test)]
mod tests;
