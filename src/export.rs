//! Event export as JSON or CSV, with the exact raw text: shared by `courtside export` and the
//! per-match export of the app (through an rfd save dialog).

use crate::review::VideoSegment;
use crate::store::{EventRecord, Store};
use crate::timefmt::rfc3339_utc;
use std::io::Write;
use std::path::Path;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A JSON array, one object per datagram with its events.
    Json,
    /// CSV, one row per event (a paired datagram gives several rows with the same seq).
    Csv,
}

impl ExportFormat {
    /// Both formats, for pickers.
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Json, ExportFormat::Csv];

    /// File extension (for the save dialog's default name and filter).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

/// The CSV header row.
pub const CSV_HEADER: &str =
    "seq,received_at,source,court,match_key,part,code,label,fields,raw,raw_hex";

/// Written first in every CSV export: Excel reads a CSV without it in the legacy code page, so
/// "MÜLLER" opens as "MÃœLLER". Always written (not only on Windows), so an export is the same
/// file on every platform and opens right wherever it is copied to.
pub const CSV_BOM: &str = "\u{FEFF}";

/// CSV rows end in CR LF (RFC 4180, and what Excel writes); line breaks inside a quoted field
/// (a datagram's own `\r\n`) are kept exactly.
pub const CSV_EOL: &str = "\r\n";

/// Export errors.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Writing failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// Creating or finishing the file failed.
    #[error("cannot write export file {path}: {cause}")]
    File {
        /// The file.
        path: String,
        /// Why.
        cause: String,
    },
}

/// Write the events of one match (or of the whole store) to `out`; returns the number of
/// datagrams written. Pages through the store so a large store is never held in memory.
pub fn export_events(
    store: &Store,
    match_key: Option<u64>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    const PAGE: usize = 4096;
    let mut from = 0u64;
    let mut n = 0u64;
    // Video offsets (issue 15): present when the store has a video index, absent otherwise (so
    // an export of a store without video is unchanged).
    let videos = crate::review::store::load_segments(store)?;
    let video_columns = if videos.is_empty() {
        ""
    } else {
        CSV_VIDEO_COLUMNS
    };
    match format {
        ExportFormat::Json => write!(out, "[")?,
        ExportFormat::Csv => write!(out, "{CSV_BOM}{CSV_HEADER}{video_columns}{CSV_EOL}")?,
    }
    loop {
        let page = match match_key {
            Some(k) => store.match_events_page(k, from, PAGE)?,
            None => store.events_page(from, PAGE)?,
        };
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        for rec in &page {
            match format {
                ExportFormat::Json => {
                    if n > 0 {
                        write!(out, ",")?;
                    }
                    let mut v = json_record(rec);
                    if let Some(video) = video_json(&videos, rec) {
                        v["video"] = video;
                    }
                    write!(out, "\n{v}")?;
                }
                ExportFormat::Csv if videos.is_empty() => write_csv(rec, out)?,
                ExportFormat::Csv => write_csv_extra(rec, &video_cells(&videos, rec), out)?,
            }
            n += 1;
        }
    }
    if format == ExportFormat::Json {
        writeln!(out, "\n]")?;
    }
    Ok(n)
}

/// Export one match to a file (what the UI's save dialog calls, on a worker thread). Writes a
/// temporary file beside the target and renames it, so a failed export never leaves half a file.
pub fn export_match_to_file(
    store: &Store,
    match_key: u64,
    format: ExportFormat,
    path: &Path,
) -> Result<u64, ExportError> {
    let err = |e: &dyn std::fmt::Display| ExportError::File {
        path: path.display().to_string(),
        cause: e.to_string(),
    };
    let tmp = path.with_extension(format!("{}.partial", format.extension()));
    let f = std::fs::File::create(&tmp).map_err(|e| err(&e))?;
    let mut w = std::io::BufWriter::new(f);
    let result = export_events(store, Some(match_key), format, &mut w)
        .and_then(|n| w.flush().map(|_| n).map_err(ExportError::from));
    drop(w);
    match result {
        Ok(n) => {
            std::fs::rename(&tmp, path).map_err(|e| err(&e))?;
            Ok(n)
        }
        Err(e) => {
            crate::store::durable::remove_leftover(&tmp);
            Err(e)
        }
    }
}

/// One datagram as a JSON object. `raw` is the exact text; `raw_hex` is added when the bytes are
/// not valid UTF-8 (so nothing is lost).
pub fn json_record(rec: &EventRecord) -> serde_json::Value {
    let mut v = serde_json::json!({
        "seq": rec.seq,
        "received_at": rfc3339_utc(rec.received_at_ns),
        "received_at_ns": rec.received_at_ns,
        "source": rec.source,
        "court": rec.court,
        "match_key": rec.match_key,
        "raw": String::from_utf8_lossy(&rec.raw),
        "events": rec.events.iter().map(|e| serde_json::json!({
            "code": e.code(), "label": e.label(), "event": e,
        })).collect::<Vec<_>>(),
    });
    if let Some(hex) = raw_hex(&rec.raw) {
        v["raw_hex"] = hex.into();
    }
    v
}

/// The bytes as lower-case hex when they are not valid UTF-8 (the lossy `raw` text would lose
/// them); `None` when `raw` already says everything.
fn raw_hex(raw: &[u8]) -> Option<String> {
    std::str::from_utf8(raw)
        .is_err()
        .then(|| raw.iter().map(|b| format!("{b:02x}")).collect())
}

/// CSV columns added when the store has a video index.
pub const CSV_VIDEO_COLUMNS: &str = ",video_file,video_offset_ms,video_offset";

/// Where a datagram is on video (the recording, else the newest replay that holds it).
fn video_spot(videos: &[VideoSegment], rec: &EventRecord) -> Option<crate::review::VideoSpot> {
    crate::review::locate(videos, rec.received_at_ns, crate::review::Prefer::Recording)
}

/// The `video` object of a JSON record: file, OBS connection, offset in ms and as `12:34.5`.
fn video_json(videos: &[VideoSegment], rec: &EventRecord) -> Option<serde_json::Value> {
    video_spot(videos, rec).map(|s| {
        serde_json::json!({
            "file": s.segment.path, "obs": s.segment.connection,
            "offset_ms": s.offset_ms, "offset": crate::review::format_offset(s.offset_ms),
        })
    })
}

/// The video cells of a CSV row (empty when no file holds the datagram).
fn video_cells(videos: &[VideoSegment], rec: &EventRecord) -> Vec<String> {
    match video_spot(videos, rec) {
        Some(s) => vec![
            s.segment.path,
            s.offset_ms.to_string(),
            crate::review::format_offset(s.offset_ms),
        ],
        None => vec![String::new(); 3],
    }
}

/// One datagram as CSV rows (one per event).
pub fn write_csv(rec: &EventRecord, out: &mut dyn Write) -> std::io::Result<()> {
    write_csv_extra(rec, &[], out)
}

/// [`write_csv`] with `extra` cells at the end of every row (the video columns).
fn write_csv_extra(
    rec: &EventRecord,
    extra: &[String],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let raw = String::from_utf8_lossy(&rec.raw);
    let hex = raw_hex(&rec.raw).unwrap_or_default();
    for (part, e) in rec.events.iter().enumerate() {
        let fields = serde_json::to_string(e).unwrap_or_default();
        let row = [
            rec.seq.to_string(),
            rfc3339_utc(rec.received_at_ns),
            rec.source.clone(),
            rec.court.clone(),
            rec.match_key.to_string(),
            part.to_string(),
            e.code(),
            e.label(),
            fields,
            raw.to_string(),
            hex.clone(),
        ];
        let row: Vec<String> = row.iter().chain(extra).map(|f| csv_field(f)).collect();
        write!(out, "{}{CSV_EOL}", row.join(","))?;
    }
    Ok(())
}

/// First characters that make a spreadsheet read a cell as a formula (`=cmd|…` runs a program
/// in old Excel; `@SUM(…)`, `+`, `-` work too); tab and CR are on OWASP's list as well.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One CSV cell: a value starting like a formula gets a leading `'` (a spreadsheet then shows it
/// as text; the JSON export keeps the exact value), then quoting where needed (RFC 4180).
pub fn csv_field(f: &str) -> String {
    let f = if f.starts_with(FORMULA_START) {
        std::borrow::Cow::Owned(format!("'{f}"))
    } else {
        std::borrow::Cow::Borrowed(f)
    };
    if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.ends_with(' ') {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.into_owned()
    }
}

/// One part of a file name taken from stored data (a court, a match number): characters no
/// platform accepts in a name (`<>:"/\|?*`, control characters) become `_`, runs of whitespace
/// one space, dots and spaces are trimmed from both ends (Windows drops trailing ones), and the
/// part is cut to 60 characters. `245:A` gives `245_A`.
pub fn name_part(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_whitespace() {
            ' '
        } else if crate::fsname::is_forbidden_char(c) {
            '_'
        } else {
            c
        };
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    let trimmed: String = out.trim_matches([' ', '.']).chars().take(60).collect();
    trimmed.trim_end_matches([' ', '.']).to_string()
}

/// A default file name built from stored data: the non-empty `parts` through [`name_part`],
/// joined with " - ", plus `.ext`; re-checked with [`crate::fsname::check_file_name`] before it is
/// used (a name whose stem is a Windows device name, `CON.csv`, gets a `_`); `fallback` when
/// nothing usable is left.
pub fn data_file_name(parts: &[&str], ext: &str, fallback: &str) -> String {
    let parts: Vec<String> = parts
        .iter()
        .map(|p| name_part(p))
        .filter(|p| !p.is_empty())
        .collect();
    let stem = parts.join(" - ");
    let mut name = format!("{stem}.{ext}");
    if let Err(crate::fsname::NameProblem::Reserved(_)) = crate::fsname::check_file_name(&name) {
        name = format!("{stem}_.{ext}");
    }
    match crate::fsname::check_file_name(&name) {
        Ok(()) if !stem.is_empty() => name,
        _ => fallback.to_string(),
    }
}

#[cfg(test)]
mod name_tests {
    use super::{data_file_name, name_part};
    use crate::fsname::check_file_name;

    #[test]
    fn a_match_number_with_a_colon_gives_a_valid_name() {
        assert_eq!(name_part("245:A"), "245_A");
        let name = data_file_name(&["Court 1", "match 245:A"], "csv", "match-7.csv");
        assert_eq!(name, "Court 1 - match 245_A.csv");
        assert_eq!(check_file_name(&name), Ok(()));
    }

    #[test]
    fn a_court_named_con_gives_a_valid_name() {
        let name = data_file_name(&["CON"], "pdf", "match-7.pdf");
        assert_eq!(name, "CON_.pdf");
        assert_eq!(check_file_name(&name), Ok(()));
        assert_eq!(
            data_file_name(&["con", "match 3"], "csv", "x.csv"),
            "con - match 3.csv"
        );
    }

    #[test]
    fn control_characters_slashes_and_trailing_dots_are_replaced_or_trimmed() {
        assert_eq!(name_part(" Mat\tA / B\u{7}.. "), "Mat A _ B_");
        assert_eq!(name_part("..."), "");
        assert_eq!(
            data_file_name(&["...", " "], "csv", "match-9.csv"),
            "match-9.csv"
        );
        let long = "x".repeat(300);
        let name = data_file_name(&[&long], "json", "f.json");
        assert_eq!(name.len(), 65);
        assert_eq!(check_file_name(&name), Ok(()));
    }
}
