//! Settings (key → value text) with a history of every change.

use super::schema::{SETTINGS, SETTINGS_HISTORY};
use super::{Store, StoreError, codec};
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

/// One change of a setting, as shown in the history view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChange {
    /// Increasing change id.
    pub id: u64,
    /// Setting key.
    pub key: String,
    /// Value before (None: was unset).
    pub old: Option<String>,
    /// Value after.
    pub new: String,
    /// When, Unix ns.
    pub at_ns: i64,
    /// Who changed it ("ui", "cli", "migration" …).
    pub source: String,
}

/// Settings that decoded (key, value), and a message per key that did not.
pub type CheckedSettings = (Vec<(String, String)>, Vec<String>);

impl Store {
    /// The value of a setting, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(SETTINGS)?;
        let v = match table.get(key)? {
            Some(g) => Some(codec::decode_row(g.value(), "setting", "settings", &key)?),
            None => None,
        };
        Ok(v)
    }

    /// Every setting, sorted by key.
    pub fn settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(SETTINGS)?;
        let mut out = Vec::new();
        for item in table.iter()? {
            let (k, v) = item?;
            let key = k.value().to_string();
            let value = codec::decode_row(v.value(), "setting", "settings", &key)?;
            out.push((key, value));
        }
        Ok(out)
    }

    /// Every setting whose stored value decodes, sorted by key, and a message naming each key
    /// whose value does not: one damaged value must not cost the others (start-up uses this and
    /// falls back to the default for the damaged ones only).
    pub fn settings_checked(&self) -> Result<CheckedSettings, StoreError> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(SETTINGS)?;
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        for item in table.iter()? {
            let (k, v) = item?;
            let key = k.value().to_string();
            match codec::decode::<String>(v.value(), "setting") {
                Ok(value) => good.push((key, value)),
                Err(e) => bad.push(format!(
                    "stored setting '{key}' cannot be read ({e}); using the default"
                )),
            }
        }
        Ok((good, bad))
    }

    /// The latest `limit` setting changes, newest first.
    pub fn settings_history(&self, limit: usize) -> Result<Vec<SettingChange>, StoreError> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(SETTINGS_HISTORY)?;
        let mut out = Vec::new();
        for item in table.iter()?.rev().take(limit) {
            let (k, v) = item?;
            out.push(codec::decode_row(
                v.value(),
                "setting change",
                "settings_history",
                &k.value(),
            )?);
        }
        Ok(out)
    }
}

/// One write operation storing several settings in one transaction (with history): a settings
/// save from the app is all or nothing, never half the keys of one edit.
pub fn write_settings_op(entries: Vec<(String, String)>, source: String) -> super::writer::WriteOp {
    Box::new(move |txn| {
        let at = super::writer::now_ns();
        for (key, value) in &entries {
            write_setting(txn, key, value, &source, at)?;
        }
        Ok(())
    })
}

/// Write a setting inside `txn`, recording the change in the history. Returns the change, or
/// `None` when the value did not change (no history row for a no-op).
pub(crate) fn write_setting(
    txn: &WriteTransaction,
    key: &str,
    value: &str,
    source: &str,
    at_ns: i64,
) -> Result<Option<SettingChange>, StoreError> {
    let mut table = txn.open_table(SETTINGS)?;
    let old: Option<String> = match table.get(key)? {
        Some(g) => Some(codec::decode_row(g.value(), "setting", "settings", &key)?),
        None => None,
    };
    if old.as_deref() == Some(value) {
        return Ok(None);
    }
    table.insert(
        key,
        codec::encode(&value.to_string(), "setting")?.as_slice(),
    )?;
    let mut history = txn.open_table(SETTINGS_HISTORY)?;
    let id = history.last()?.map_or(1, |(k, _)| k.value() + 1);
    let change = SettingChange {
        id,
        key: key.to_string(),
        old,
        new: value.to_string(),
        at_ns,
        source: source.to_string(),
    };
    history.insert(id, codec::encode(&change, "setting change")?.as_slice())?;
    Ok(Some(change))
}
