//! `courtside export`: stored events as JSON or CSV, with the exact raw text. The format code
//! lives in [`crate::export`], shared with the app's per-match export.

use super::ExportArgs;
use crate::export::export_events;
use crate::store::Store;
use std::io::Write;

pub use crate::export::ExportFormat;

/// Write the export to `out`; returns the number of datagrams written.
pub fn export(store: &Store, args: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<u64> {
    Ok(export_events(store, args.match_key, args.format, out)?)
}
