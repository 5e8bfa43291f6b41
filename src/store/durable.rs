//! Small files written so that a crash, a full disk or a power cut leaves the old content or the
//! new one, never a torn or empty file, and renames that survive a power cut.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `file` with `suffix` appended to its name (`a.txt` + `.tmp` = `a.txt.tmp`).
pub fn sibling(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    file.with_file_name(name)
}

/// Write `bytes` to `file` atomically: a temporary file beside it, synced, renamed over it, then
/// the folder synced. On failure the temporary file is removed and `file` is as it was.
pub fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = sibling(file, &format!(".tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, file)?;
        sync_parent(file)
    })();
    if result.is_err() {
        remove_leftover(&tmp);
    }
    result
}

/// Remove an unfinished file (a temporary or partial copy) after a failure or before a fresh
/// try. The failure being reported is the one that matters, so a file that cannot be removed is
/// only logged (it is named after its target, so the operator can find and delete it); a file
/// that is not there is the usual case and says nothing.
pub fn remove_leftover(file: &Path) {
    match std::fs::remove_file(file) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(
            file = %file.display(),
            "cannot remove an unfinished file, delete it by hand: {e}"
        ),
    }
}

/// Flush a file's content to the disk.
pub fn sync_file(file: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(file)?
        .sync_all()
}

/// Make a rename or removal in `path`'s folder durable. On Unix the folder itself is synced; on
/// Windows a folder cannot be opened for syncing and NTFS journals the rename itself.
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Used on Unix only (above); named here so the parameter is not unused on Windows.
        let _ = path;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leftover_is_removed_a_missing_one_is_silent_and_a_stuck_one_is_logged() {
        let dir = tempfile::tempdir().unwrap();
        let present = dir.path().join("a.partial");
        std::fs::write(&present, b"x").unwrap();
        // A folder of that name: remove_file refuses it on every OS.
        let stuck = dir.path().join("b.partial");
        std::fs::create_dir(&stuck).unwrap();
        let log_path = dir.path().join("log.txt");
        let log = std::fs::File::create(&log_path).unwrap();
        let sub = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(log))
            .finish();
        tracing::subscriber::with_default(sub, || {
            remove_leftover(&present);
            remove_leftover(&dir.path().join("missing.partial"));
            remove_leftover(&stuck);
        });
        let log = std::fs::read_to_string(&log_path).unwrap();
        assert!(!present.exists() && stuck.exists());
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(
            log.contains("WARN")
                && log.contains("cannot remove an unfinished file")
                && log.contains("b.partial"),
            "{log}"
        );
    }
}
