//! The hub's results file: what `courtside results` prints, written whole or not at all.

use crate::export::ExportFormat;
use crate::tournament::results::{self, MatchResult};
use std::path::PathBuf;

/// "courtside-results.csv".
pub(super) fn results_file_name(format: ExportFormat) -> String {
    format!("courtside-results.{}", format.extension())
}

/// Write the list to `path` (a `.part` file beside it, renamed once complete, so a failed
/// write never leaves half a results file where the last good one was).
pub(super) fn write_results(
    list: &[MatchResult],
    format: ExportFormat,
    path: &std::path::Path,
) -> Result<(), String> {
    use std::io::Write;
    let named = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    let written = (|| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&part)?);
        match format {
            ExportFormat::Json => results::write_json(list, &mut out)?,
            ExportFormat::Csv => results::write_csv(list, &mut out)?,
        }
        out.flush()?;
        out.get_ref().sync_all()?;
        drop(out);
        std::fs::rename(&part, path)
    })();
    if written.is_err() {
        // Nothing or half a file: never left behind (absent when the folder is not writable).
        let _ = std::fs::remove_file(&part);
    }
    written.map_err(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_written_to_a_missing_folder_name_the_file_and_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-folder").join("results.json");
        let e = write_results(&[], ExportFormat::Json, &path).unwrap_err();
        assert!(
            e.contains("results.json") && e.contains("cannot write"),
            "{e}"
        );
        let ok = dir.path().join("results.json");
        write_results(&[], ExportFormat::Json, &ok).unwrap();
        assert_eq!(std::fs::read_to_string(&ok).unwrap(), "[]\n");
    }
}
