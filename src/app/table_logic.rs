//! Event-table bookkeeping: loading chunks, live appends, filtering. Pure state changes.

use super::state::EventTable;
use super::table_model::{RowBuilder, RowMeta, TableFilter};
use crate::store::EventRecord;
use std::sync::Arc;

impl EventTable {
    /// Start showing match `key` (rows will arrive in chunks). Returns the new generation.
    pub fn reset(&mut self, key: Option<u64>) -> u64 {
        self.generation += 1;
        self.key = key;
        self.rows.clear();
        self.visible.clear();
        self.through_seq = 0;
        self.builder = RowBuilder::default();
        self.waiting_live.clear();
        self.loading = key.map(|_| (0, 0));
        self.filter_applied = None;
        self.generation
    }

    /// Start a brand-new match from its first record (no store read needed).
    pub fn start_fresh(&mut self, rec: &Arc<EventRecord>) {
        self.reset(Some(rec.match_key));
        self.loading = None;
        self.append_live(rec.clone());
    }

    /// Take a chunk of rows loaded by the reader.
    pub fn apply_chunk(
        &mut self,
        generation: u64,
        rows: Vec<RowMeta>,
        through_seq: u64,
        progress: (u64, u64),
        done: Option<RowBuilder>,
    ) {
        if generation != self.generation {
            return;
        }
        // Reserve for the whole match from the rows per datagram seen so far, so the index does
        // not grow by doubling (up to twice its size in memory on a million-event match).
        let (loaded, total) = progress;
        if loaded > 0 && total > loaded && self.rows.capacity() == self.rows.len() {
            let have = (self.rows.len() + rows.len()) as u64;
            let want = (have.saturating_mul(total) / loaded).min(u64::from(u32::MAX)) as usize;
            self.rows.reserve(want.saturating_sub(self.rows.len()));
        }
        self.rows.extend(rows);
        self.through_seq = self.through_seq.max(through_seq);
        self.filter_applied = None;
        if let Some(builder) = done {
            // Live appends continue the reader's fold (round, clock, pending hit levels).
            self.builder = builder;
            self.loading = None;
            self.rows.shrink_to_fit();
            let waiting = std::mem::take(&mut self.waiting_live);
            for rec in waiting {
                if rec.seq > self.through_seq {
                    self.append_live(rec);
                }
            }
        } else {
            self.loading = Some(progress);
        }
    }

    /// A newly stored record of the shown match.
    pub fn append_live(&mut self, rec: Arc<EventRecord>) {
        if Some(rec.match_key) != self.key || rec.seq <= self.through_seq {
            return;
        }
        if self.loading.is_some() {
            self.waiting_live.push(rec);
            return;
        }
        let start = self.rows.len();
        self.builder.push(&rec, &mut self.rows);
        self.through_seq = rec.seq;
        let needle = self.filter.text.to_lowercase();
        for i in start..self.rows.len() {
            let row = self.rows[i];
            if !needle.is_empty()
                && let Some(hits) = &mut self.hits
                && TableFilter::text_matches(&needle, &rec, usize::from(row.part))
            {
                hits.insert((row.seq, row.part));
            }
            if self.filter_applied.as_ref() == Some(&self.filter) && self.passes(&row) {
                self.visible.push(i as u32);
            }
        }
        self.cache.insert(rec);
    }

    fn passes(&self, row: &RowMeta) -> bool {
        self.filter.passes(row)
            && (self.filter.text.is_empty()
                || self
                    .hits
                    .as_ref()
                    .is_some_and(|h| h.contains(&(row.seq, row.part))))
    }

    /// Recompute the visible rows if the filters changed. Returns true when it did.
    pub fn refilter(&mut self) -> bool {
        if self.filter_applied.as_ref() == Some(&self.filter) {
            return false;
        }
        let mut visible = Vec::with_capacity(self.rows.len());
        visible.extend(
            (0..self.rows.len())
                .filter(|i| self.passes(&self.rows[*i]))
                .map(|i| i as u32),
        );
        self.visible = visible;
        self.filter_applied = Some(self.filter.clone());
        true
    }

    /// Text-search hits arrived.
    pub fn apply_hits(&mut self, generation: u64, hits: super::table_model::TextHits) {
        if generation == self.search_generation {
            self.hits = Some(hits);
            self.filter_applied = None;
        }
    }

    /// Whether a text search is still running.
    pub fn searching(&self) -> bool {
        !self.filter.text.is_empty() && self.hits.is_none()
    }
}
