//! A backup is checked table by table before it may replace the store: a restore that swapped
//! in a file whose rules, flags or settings do not load would leave the venue with a store the
//! app half-ignores (defaults instead of the saved settings, rules silently gone), discovered only
//! during a match. Each check names the table and what is wrong.

use crate::store::{Store, StoreError};
use std::time::Instant;

/// What the check of a backup found: the number of rows read per table (for the log).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// `(table, rows)`, in check order.
    pub tables: Vec<(&'static str, u64)>,
}

/// One failed check: the table and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("table '{table}': {cause}")]
pub struct BadTable {
    /// The table (or group of tables) that failed.
    pub table: &'static str,
    /// Why.
    pub cause: String,
}

fn bad(table: &'static str) -> impl Fn(&dyn std::fmt::Display) -> BadTable {
    move |e| BadTable {
        table,
        cause: e.to_string(),
    }
}

/// Check every table of `store` (an opened copy of the backup): settings and their history,
/// OBS connections, rules and log, flags (each image checked as an import would be) and the flag
/// mapping, the advanced-mode and licence rows, and that every match and event decodes.
pub fn check_store(store: &Store) -> Result<Checked, BadTable> {
    let started = Instant::now();
    let mut out = Checked::default();
    check_settings(store, &mut out)?;
    check_obs(store, &mut out)?;
    check_flags(store, &mut out)?;
    crate::advanced::stored_hash(store).map_err(|e| bad("advanced")(&e))?;
    crate::license::stored_token(store).map_err(|e| bad("license")(&e))?;
    crate::license::stored_max_seen(store).map_err(|e| bad("license")(&e))?;
    let matches = store.matches().map_err(|e| bad("matches")(&e))?;
    out.tables.push(("matches", matches.len() as u64));
    out.tables.push(("events", check_events(store)?));
    tracing::info!(
        took_ms = started.elapsed().as_millis() as u64,
        "backup checked"
    );
    Ok(out)
}

fn check_settings(store: &Store, out: &mut Checked) -> Result<(), BadTable> {
    let entries = store.settings().map_err(|e| bad("settings")(&e))?;
    let (_, warnings) = crate::model::settings::AppSettings::from_entries(&entries);
    if let Some(w) = warnings.first() {
        return Err(bad("settings")(w));
    }
    out.tables.push(("settings", entries.len() as u64));
    let history = store
        .settings_history(usize::MAX)
        .map_err(|e| bad("settings_history")(&e))?;
    out.tables.push(("settings_history", history.len() as u64));
    Ok(())
}

fn check_obs(store: &Store, out: &mut Checked) -> Result<(), BadTable> {
    use crate::obs::store as obs;
    let conns = obs::load_connections(store).map_err(|e| bad("obs_connections")(&e))?;
    crate::obs::validate_all(&conns).map_err(|e| bad("obs_connections")(&e))?;
    out.tables.push(("obs_connections", conns.len() as u64));
    let rules = obs::saved_rules(store)
        .map_err(|e| bad("obs_rules")(&e))?
        .unwrap_or_default();
    for r in &rules {
        r.validate().map_err(|e| bad("obs_rules")(&e))?;
    }
    out.tables.push(("obs_rules", rules.len() as u64));
    obs::load_paused(store).map_err(|e| bad("obs_meta")(&e))?;
    let firings = obs::load_firings(store, usize::MAX).map_err(|e| bad("obs_firings")(&e))?;
    out.tables.push(("obs_firings", firings.len() as u64));
    Ok(())
}

fn check_flags(store: &Store, out: &mut Checked) -> Result<(), BadTable> {
    use crate::flags::store as flags;
    let imports = flags::imported_flags(store).map_err(|e| bad("flag_imports")(&e))?;
    let metas = flags::imported_meta(store).map_err(|e| bad("flag_imports")(&e))?;
    if metas.len() != imports.len() {
        return Err(bad("flag_import_images")(&format!(
            "{} imported flags but {} images",
            metas.len(),
            imports.len()
        )));
    }
    for (code, flag) in &imports {
        crate::flags::validate::check_bytes(&flag.data, flag.meta.format)
            .map_err(|e| bad("flag_import_images")(&format!("flag {code}: {e}")))?;
    }
    out.tables.push(("flag_imports", imports.len() as u64));
    let mapping = flags::mapping(store).map_err(|e| bad("flag_mapping")(&e))?;
    let resolver = crate::flags::FlagResolver::new(mapping.clone(), imports);
    for (from, to) in &mapping {
        resolver
            .check_mapping(from, Some(to))
            .map_err(|e| bad("flag_mapping")(&format!("{from} → {to}: {e}")))?;
    }
    out.tables.push(("flag_mapping", mapping.len() as u64));
    let history =
        flags::mapping_history(store, usize::MAX).map_err(|e| bad("flag_mapping_history")(&e))?;
    out.tables
        .push(("flag_mapping_history", history.len() as u64));
    Ok(())
}

/// Every event decodes (page by page, so a large backup is never held in memory).
fn check_events(store: &Store) -> Result<u64, BadTable> {
    const PAGE: usize = 4096;
    let (mut from, mut n) = (0u64, 0u64);
    loop {
        let page = store
            .events_page(from, PAGE)
            .map_err(|e: StoreError| bad("events")(&e))?;
        let Some(last) = page.last() else {
            return Ok(n);
        };
        from = last.seq + 1;
        n += page.len() as u64;
    }
}
