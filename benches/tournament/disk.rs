//! Bytes on disk per datagram: the hub's store, the courts' stores (as the run left them, then
//! compacted with redb's `Database::compact`, which gives free pages back), and nats-server's
//! storage folder (the datagram stream and the KV bucket's stream, as the server keeps them).

use anyhow::Context;
use std::path::{Path, PathBuf};

fn file_size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("size of {}", path.display()))?
        .len())
}

/// Compact a redb file (nothing else may have it open); its size after.
fn compacted(path: &Path) -> anyhow::Result<u64> {
    let mut db = redb::Database::open(path).with_context(|| format!("open {}", path.display()))?;
    db.compact()
        .with_context(|| format!("compact {}", path.display()))?;
    drop(db);
    file_size(path)
}

/// Every file's size under `dir`, recursively.
fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => folder_size(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

/// Print bytes per datagram of the hub store (`hub_events` datagrams), the court stores
/// (`court_events` in all) and the server's storage folder `nats`.
pub fn report(
    hub: &Path,
    hub_events: u64,
    courts: &[PathBuf],
    court_events: u64,
    nats: &Path,
) -> anyhow::Result<()> {
    let per = |bytes: u64, n: u64| bytes as f64 / n.max(1) as f64;
    let hub_before = file_size(hub)?;
    let hub_after = compacted(hub)?;
    let mut court_before = 0;
    let mut court_after = 0;
    for c in courts {
        court_before += file_size(c)?;
        court_after += compacted(c)?;
    }
    let nats_bytes = folder_size(nats);
    println!(
        "disk, hub store: {:.0} bytes per datagram as left by the run ({hub_before} bytes, \
         {hub_events} datagrams), {:.0} after redb compaction ({hub_after} bytes)",
        per(hub_before, hub_events),
        per(hub_after, hub_events)
    );
    println!(
        "disk, court stores: {:.0} bytes per datagram as left by the run ({court_before} bytes in \
         {} stores, {court_events} datagrams), {:.0} after redb compaction ({court_after} bytes)",
        per(court_before, court_events),
        courts.len(),
        per(court_after, court_events)
    );
    println!(
        "disk, nats-server storage (stream + KV bucket): {:.0} bytes per datagram ({nats_bytes} bytes)",
        per(nats_bytes, court_events)
    );
    Ok(())
}
