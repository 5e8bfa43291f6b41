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
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
        let _ = path;
        Ok(())
    }
}
