//! `courtside results`: the finished matches of any store (a court's or a hub's) as JSON or CSV.

use crate::store::Store;
use crate::tournament::results::{finished_matches, write_csv, write_json};
use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Output format of `courtside results`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultsFormat {
    /// A JSON array, one object per finished match.
    Json,
    /// CSV, one row per finished match.
    Csv,
}

/// `courtside results`.
#[derive(Debug, clap::Args)]
pub struct ResultsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ResultsFormat,
}

/// Write the finished matches of the existing store at `db` to `out`; returns how many.
pub fn results(args: &ResultsArgs, db: &Path, out: &mut dyn Write) -> anyhow::Result<usize> {
    let store = Store::open_existing(db)?;
    let list = finished_matches(&store)?;
    match args.format {
        ResultsFormat::Json => write_json(&list, out),
        ResultsFormat::Csv => write_csv(&list, out),
    }
    .context("cannot write the results")?;
    Ok(list.len())
}
