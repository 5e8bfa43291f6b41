//! Export of the imported flags to a folder, as the files that were imported.
//!
//! The file name comes from stored data (a store may be old, restored or edited), so the code is
//! checked again before it becomes a path: it must still be a code (2–10 letters, digits, `_`,
//! `-`: no separator, no `..`) and a file name Windows accepts (`CON.png` opens the console).
//! A flag that fails is reported and the others are still exported.

use super::{FlagsError, ioc, store};
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
        let name = match export_name(code, flag.meta.format) {
            Ok(name) => name,
            Err(why) => {
                report.push((false, format!("flag {code:?}: not exported: {why}")));
                continue;
            }
        };
        let path = dir.join(name);
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

/// The file name a flag is exported under, if its code is usable as one on every platform.
pub fn export_name(code: &str, format: store::ImageFormat) -> Result<String, String> {
    if ioc::normalize_code(code).as_deref() != Some(code) {
        return Err("the stored code is not a flag code (2–10 letters or digits)".into());
    }
    let name = format!("{code}.{}", format.extension());
    crate::fsname::check_file_name(&name).map_err(|e| e.to_string())?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::ImageFormat;

    #[test]
    fn export_names_refuse_device_names_and_non_codes() {
        assert_eq!(export_name("KOR", ImageFormat::Png), Ok("KOR.png".into()));
        for code in ["CON", "PRN", "AUX", "NUL", "COM1", "LPT9"] {
            let err = export_name(code, ImageFormat::Svg).unwrap_err();
            assert!(err.contains("device name"), "{code}: {err}");
        }
        for code in ["../KOR", "kor", "A", "K/R", ""] {
            assert!(export_name(code, ImageFormat::Png).is_err(), "{code:?}");
        }
    }
}
