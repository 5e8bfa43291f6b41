//! Event export as JSON or CSV, with the exact raw text: shared by `courtside export` and the
//! per-match export of the app (through an rfd save dialog).

use crate::cli::format_time;
use crate::store::{EventRecord, Store};
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
    match format {
        ExportFormat::Json => write!(out, "[")?,
        ExportFormat::Csv => writeln!(out, "{CSV_HEADER}")?,
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
                    write!(out, "\n{}", json_record(rec))?;
                }
                ExportFormat::Csv => write_csv(rec, out)?,
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
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// One datagram as a JSON object. `raw` is the exact text; `raw_hex` is added when the bytes are
/// not valid UTF-8 (so nothing is lost).
pub fn json_record(rec: &EventRecord) -> serde_json::Value {
    let mut v = serde_json::json!({
        "seq": rec.seq,
        "received_at": format_time(rec.received_at_ns),
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

/// One datagram as CSV rows (one per event).
pub fn write_csv(rec: &EventRecord, out: &mut dyn Write) -> std::io::Result<()> {
    let raw = String::from_utf8_lossy(&rec.raw);
    let hex = raw_hex(&rec.raw).unwrap_or_default();
    for (part, e) in rec.events.iter().enumerate() {
        let fields = serde_json::to_string(e).unwrap_or_default();
        let row = [
            rec.seq.to_string(),
            format_time(rec.received_at_ns),
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
        let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

/// Quote a CSV field when needed (RFC 4180).
pub fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.ends_with(' ') {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}
