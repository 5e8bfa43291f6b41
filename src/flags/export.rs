//! Export of the imported flags to a folder, as the files that were imported.

use super::{FlagsError, store};
use crate::store::Store;
use std::path::Path;

/// Write every imported flag to `dir` as `CODE.ext` (original bytes). Existing files are left
/// alone and reported. Returns one `(ok, message)` line per flag plus a summary.
pub fn export_flags(store: &Store, dir: &Path) -> Result<Vec<(bool, String)>, FlagsError> {
    let io = |e: std::io::Error| FlagsError::Io {
        path: dir.to_path_buf(),
        cause: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let flags = store::imported_flags(store)?;
    let mut report = Vec::new();
    let mut written = 0;
    for (code, flag) in &flags {
        let path = dir.join(format!("{code}.{}", flag.meta.format.extension()));
        let result = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &flag.data));
        match result {
            Ok(()) => written += 1,
            Err(e) => report.push((false, format!("{}: not exported: {e}", path.display()))),
        }
    }
    let ok = written == flags.len();
    report.push((
        ok,
        format!(
            "exported {written} of {} flags to {}",
            flags.len(),
            dir.display()
        ),
    ));
    Ok(report)
}
