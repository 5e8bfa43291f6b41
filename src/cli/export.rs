//! `courtside export`: stored events as JSON or CSV, with the exact raw text.

use super::{ExportArgs, format_time};
use crate::store::{EventRecord, Store};
use anyhow::Context;
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

/// `courtside export`: open the existing store at `db` and write the export to `args.out` (or
/// standard output). Every check runs before the output file is created, so a mistake never
/// truncates an earlier export. Returns the number of datagrams written.
pub fn run_export(args: &ExportArgs, db: &Path) -> anyhow::Result<u64> {
    let store = Store::open_existing(db)?;
    if let Some(k) = args.match_key
        && store.match_record(k)?.is_none()
    {
        // An empty export would look like a match without events (which cannot exist) and hide
        // the typo; say so instead.
        anyhow::bail!(
            "no match with key {k} in store {}; `courtside matches` lists the keys",
            db.display()
        );
    }
    let (mut out, target): (Box<dyn Write>, String) = match &args.out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .with_context(|| format!("cannot create export file {}", path.display()))?;
            (Box::new(f), format!("export file {}", path.display()))
        }
        None => (Box::new(std::io::stdout().lock()), "standard output".into()),
    };
    let mut w = std::io::BufWriter::new(&mut out);
    let n = export(&store, args, &mut w)?;
    w.flush()
        .with_context(|| format!("cannot write the export to {target}"))?;
    Ok(n)
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
            "seq,received_at,source,court,match_key,part,code,label,fields,raw,raw_hex"
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

fn write_csv(rec: &EventRecord, out: &mut dyn Write) -> std::io::Result<()> {
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
