//! `courtside export`: stored events as JSON or CSV, with the exact raw text. The format code
//! lives in [`crate::export`], shared with the app's per-match export.

use super::ExportArgs;
use crate::export::export_events;
use crate::store::Store;
use anyhow::Context;
use std::io::Write;
use std::path::Path;

pub use crate::export::ExportFormat;

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

/// Write the export to `out`; returns the number of datagrams written.
pub fn export(store: &Store, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<u64> {
    Ok(export_events(store, args.match_key, args.format, out)?)
}
