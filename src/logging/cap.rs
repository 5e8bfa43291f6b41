//! The total size cap of the log folder: the oldest daily files are deleted beyond it.
//!
//! Windows refuses to delete a file another program holds open (an editor or a support tool
//! showing yesterday's log, an antivirus scan). Such a file is skipped and counted, never an
//! error: an error here would stop the pruning, and at start it would turn file logging off.

use super::{LOG_PREFIX, LOG_SUFFIX};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing_appender::rolling::RollingFileAppender;

/// What the cap did since start. `undeletable` is reported at start (`main`); `deleted` is what
/// the cap's tests observe.
#[derive(Debug, Default)]
pub(super) struct CapStats {
    /// Old files deleted.
    pub(super) deleted: AtomicU64,
    /// Deletions that failed (file held open by another program, no permission); retried at the
    /// next prune.
    pub(super) undeletable: AtomicU64,
}

/// Wraps the rolling file and enforces the total size cap. Runs on the log-writer thread.
pub(super) struct CappedWriter {
    pub(super) inner: RollingFileAppender,
    pub(super) dir: PathBuf,
    pub(super) cap_bytes: u64,
    pub(super) since_prune: u64,
    pub(super) suppress: bool,
    pub(super) stats: Arc<CapStats>,
}

impl CappedWriter {
    /// Prune after this many bytes (checking after every line would be a directory scan each).
    fn prune_step(&self) -> u64 {
        (self.cap_bytes / 20).clamp(4096, 1024 * 1024)
    }
}

impl Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.since_prune >= self.prune_step() {
            self.since_prune = 0;
            // Today's file alone over the cap: drop lines until the next day's file starts.
            self.suppress = prune(&self.dir, self.cap_bytes, &self.stats)
                .map(|newest| newest > self.cap_bytes)
                .unwrap_or(false);
        }
        self.since_prune += buf.len() as u64;
        if self.suppress {
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The log files in `dir`, oldest first (daily names sort by date), with their sizes.
pub fn log_files(dir: &Path) -> io::Result<Vec<(PathBuf, u64)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&format!("{LOG_PREFIX}.")) && name.ends_with(&format!(".{LOG_SUFFIX}"))
        {
            let len = entry.metadata()?.len();
            files.push((entry.path(), len));
        }
    }
    files.sort();
    Ok(files)
}

/// Delete the oldest log files until the total is within `cap` (never the newest, which is being
/// written). A file that cannot be deleted is skipped and counted, and the next older one is
/// tried. Returns the newest file's size; an error only when the folder cannot be listed.
pub(super) fn prune(dir: &Path, cap: u64, stats: &CapStats) -> io::Result<u64> {
    let files = log_files(dir)?;
    let Some((_, newest)) = files.last() else {
        return Ok(0);
    };
    let mut total: u64 = files.iter().map(|(_, n)| n).sum();
    for (path, len) in &files[..files.len() - 1] {
        if total <= cap {
            break;
        }
        match std::fs::remove_file(path) {
            Ok(()) => {
                stats.deleted.fetch_add(1, Ordering::Relaxed);
                total -= len;
            }
            // Already gone (another courtside on the same folder pruned it): nothing to count.
            Err(e) if e.kind() == io::ErrorKind::NotFound => total -= len,
            Err(_) => {
                stats.undeletable.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    Ok(*newest)
}
