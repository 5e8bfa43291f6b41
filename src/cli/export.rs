//! `courtside export`: stored events as JSON or CSV, with the exact raw text.

use super::{ExportArgs, format_time};
use crate::store::{EventRecord, Store};
use std::io::Write;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A JSON array, one object per datagram with its events.
    Json,
    /// CSV, one row per event (a paired datagram gives several rows with the same seq).
    Csv,
}

/// Write the export to `out`; returns the number of datagrams written. Pages through the store so
/// a large store is never held in memory.
pub fn export(store: &Store, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<u64> {
    const PAGE: usize = 4096;
    let mut from = 0u64;
    let mut n = 0u64;
    match args.format {
        ExportFormat::Json => write!(out, "[")?,
        ExportFormat::Csv => writeln!(
            out,
            "seq,received_at,source,court,match_key,part,code,label,fields,raw"
        )?,
    }
    loop {
        let page = match args.match_key {
            Some(k) => store.match_events_page(k, from, PAGE)?,
            None => store.events_page(from, PAGE)?,
        };
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        for rec in &page {
            match args.format {
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
    if args.format == ExportFormat::Json {
        writeln!(out, "\n]")?;
    }
    Ok(n)
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
    if std::str::from_utf8(&rec.raw).is_err() {
        v["raw_hex"] = rec
            .raw
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .into();
    }
    v
}

fn write_csv(rec: &EventRecord, out: &mut dyn Write) -> std::io::Result<()> {
    let raw = String::from_utf8_lossy(&rec.raw);
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
