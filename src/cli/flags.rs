//! `courtside flags`: resolve codes, import flag files headless, map codes, export imports.

use crate::flags::import::{self, ImportItem, ImportMsg, ImportRequest};
use crate::flags::service::export_flags;
use crate::flags::{FlagResolver, store};
use crate::store::writer::now_ns;
use crate::store::{Store, Writer, WriterConfig};
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `courtside flags`.
#[derive(Debug, clap::Args)]
pub struct FlagsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: FlagsCommand,
}

/// `courtside flags …` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum FlagsCommand {
    /// Print `CODE<TAB>ISO<TAB>builtin|imported|missing` per code (ISO alpha-2, `-` if none),
    /// using the store's mapping and imported flags.
    Resolve {
        /// Codes as the scoring system sends them.
        #[arg(required = true)]
        codes: Vec<String>,
    },
    /// Import flag images (PNG, JPEG, SVG) or folders of them; the file name gives the code.
    Import {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Accept file names that are not IOC codes (club or local codes) as their code.
        #[arg(long)]
        allow_unknown: bool,
    },
    /// Show the flag of TO for the received code FROM (or remove FROM's mapping).
    Map {
        /// Code the scoring system sends.
        from: String,
        /// Code whose flag to show.
        #[arg(required_unless_present = "remove")]
        to: Option<String>,
        /// Remove the mapping of FROM.
        #[arg(long, conflicts_with = "to")]
        remove: bool,
    },
    /// Write every imported flag to a folder as CODE.ext (existing files are kept).
    Export {
        /// Target folder.
        dir: PathBuf,
    },
}

/// Run `courtside flags` against the store at `db`, writing results to `out`.
pub fn flags(args: &FlagsArgs, db: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    match &args.command {
        FlagsCommand::Resolve { codes } => resolve(codes, db, out),
        FlagsCommand::Import {
            paths,
            allow_unknown,
        } => import(paths, *allow_unknown, db, out),
        FlagsCommand::Map { from, to, .. } => map(from, to.as_deref(), db, out),
        FlagsCommand::Export { dir } => {
            let store = Store::open(db)?;
            let report = export_flags(&store, dir)?;
            let all_ok = report.iter().all(|(ok, _)| *ok);
            for (_, line) in &report {
                writeln!(out, "{line}")?;
            }
            anyhow::ensure!(all_ok, "some flags were not exported (see above)");
            Ok(())
        }
    }
}

fn resolve(codes: &[String], db: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    // Resolving must not create a store as a side effect: no file, no mapping or imports. The
    // usual store not made yet means built-in flags only; a path given with --db that does not
    // exist is a typo, and answering from the built-ins would hide it.
    let resolver = if db.exists() {
        FlagResolver::load(&Store::open(db)?)?
    } else if db != super::resolve_db(None) {
        anyhow::bail!(
            "store {} does not exist: check the --db path (nothing was created)",
            db.display()
        );
    } else {
        FlagResolver::builtin_only()
    };
    for code in codes {
        let r = resolver.resolve(code);
        writeln!(
            out,
            "{}\t{}\t{}",
            r.received,
            r.iso2().unwrap_or("-"),
            r.source
        )?;
    }
    Ok(())
}

fn import(
    paths: &[PathBuf],
    allow_unknown: bool,
    db: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let resolver = FlagResolver::load(&store)?;
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new())?;
    let request = ImportRequest {
        items: paths
            .iter()
            .map(|p| ImportItem {
                path: p.clone(),
                code: None,
            })
            .collect(),
        allow_unknown,
    };
    let lines = std::cell::RefCell::new(Vec::new());
    let emit = |m: ImportMsg| {
        let line = match m {
            ImportMsg::Imported { path, code, .. } => {
                format!("imported {} as {code}", path.display())
            }
            ImportMsg::Rejected { path, reason } => {
                format!("rejected {}: {reason}", path.display())
            }
            ImportMsg::NeedsCode {
                path, suggestion, ..
            } => format!(
                "rejected {}: the file name is not a known IOC code{}; rename the file (KOR.png) \
                 or pass --allow-unknown",
                path.display(),
                suggestion.map_or(String::new(), |s| format!(" (looks like {s})"))
            ),
            _ => return,
        };
        lines.borrow_mut().push(line);
    };
    let summary = import::run_import(&request, &resolver, &writer.sender(), &emit);
    writer.shutdown();
    for line in lines.into_inner() {
        writeln!(out, "{line}")?;
    }
    let bad = summary.rejected + summary.needs_code;
    anyhow::ensure!(
        bad == 0,
        "{bad} file(s) not imported, {} imported",
        summary.imported
    );
    Ok(())
}

fn map(from: &str, to: Option<&str>, db: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = Store::open(db)?;
    let resolver = FlagResolver::load(&store)?;
    let (from, to) = resolver.check_mapping(from, to)?;
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new())?;
    let op = store::set_mapping_op(from.clone(), to.clone(), "cli".into(), now_ns());
    let result = store::apply_and_wait(&writer.sender(), "flag mapping", op);
    writer.shutdown();
    result.context("cannot save the mapping")?;
    match to {
        Some(to) => writeln!(out, "{from} → {to}")?,
        None => writeln!(out, "{from}: mapping removed")?,
    }
    Ok(())
}
