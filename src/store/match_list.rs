//! The match list: one match record, the list page by page (newest first), each court's current
//! match.

use super::schema::MATCHES;
use super::{MatchRecord, Store, StoreError, codec};
use redb::ReadableDatabase;

impl Store {
    /// One match record.
    pub fn match_record(&self, key: u64) -> Result<Option<MatchRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let matches = txn.open_table(MATCHES)?;
        let rec = match matches.get(key)? {
            Some(v) => Some(codec::decode_row(v.value(), "match", "matches", &key)?),
            None => None,
        };
        Ok(rec)
    }

    /// One page of the match list, newest first: at most `limit` matches with a key below
    /// `before` (all when `None`). Pages let a long-lived store's list load without holding it
    /// twice or reading it in one transaction.
    pub fn matches_page(
        &self,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<MatchRecord>, StoreError> {
        let txn = self.db.begin_read()?;
        let matches = txn.open_table(MATCHES)?;
        let range = match before {
            Some(b) => matches.range(..b)?,
            None => matches.range::<u64>(..)?,
        };
        let mut out = Vec::with_capacity(limit.min(1024));
        for item in range.rev().take(limit) {
            let (k, v) = item?;
            out.push(codec::decode_row(
                v.value(),
                "match",
                "matches",
                &k.value(),
            )?);
        }
        Ok(out)
    }

    /// Every match, newest first (in one read transaction).
    pub fn matches(&self) -> Result<Vec<MatchRecord>, StoreError> {
        self.matches_page(None, usize::MAX)
    }

    /// The current (latest) match of each court: court → match key.
    pub fn current_matches(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut latest: Vec<(String, u64)> = Vec::new();
        for m in self.matches()? {
            if !latest.iter().any(|(c, _)| *c == m.court) {
                latest.push((m.court.clone(), m.key));
            }
        }
        Ok(latest)
    }
}
