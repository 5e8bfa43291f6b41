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
        self.visible = None;
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
        // The index grows by an eighth at a time (see RowIndex): no estimate of the match's
        // size is needed to keep it from holding room for twice its rows.
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
        let mut new_rows = Vec::new();
        self.builder.push(&rec, &mut new_rows);
        self.through_seq = rec.seq;
        let needle = self.filter.text.to_lowercase();
        for row in new_rows {
            let i = self.rows.len();
            self.rows.push(row);
            if self.rows.len() == i {
                break; // index full (flagged in the table)
            }
            if !needle.is_empty()
                && let Some(hits) = &mut self.hits
                && TableFilter::text_matches(&needle, &rec, usize::from(row.part))
            {
                hits.insert((rec.seq, row.part));
            }
            if self.filter_applied.as_ref() == Some(&self.filter)
                && self.passes(&row)
                && let Some(visible) = &mut self.visible
            {
                visible.push(i as u32);
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
                    .is_some_and(|h| h.contains(&(row.seq(self.key.unwrap_or(0)), row.part))))
    }

    /// Number of rows that pass the filters.
    pub fn visible_len(&self) -> usize {
        self.visible.as_ref().map_or(self.rows.len(), Vec::len)
    }

    /// The `i`-th row that passes the filters.
    pub fn visible_row(&self, i: usize) -> Option<RowMeta> {
        match &self.visible {
            None => self.rows.get(i),
            Some(v) => v.get(i).and_then(|r| self.rows.get(*r as usize)),
        }
    }

    /// Indexes into `rows` of the rows that pass the filters.
    pub fn visible_indices(&self) -> Vec<u32> {
        match &self.visible {
            None => (0..self.rows.len() as u32).collect(),
            Some(v) => v.clone(),
        }
    }

    /// Recompute the visible rows if the filters changed. Returns true when it did.
    pub fn refilter(&mut self) -> bool {
        if self.filter_applied.as_ref() == Some(&self.filter) {
            return false;
        }
        self.visible = if self.filter.shows_everything() {
            None
        } else {
            let mut visible: Vec<u32> = if self.filter.text.is_empty() {
                // Athlete, kind and round only: read from the packed bytes.
                let f = &self.filter;
                self.rows.rows_where(|a, k, r| f.passes_fields(a, k, r))
            } else {
                (0..)
                    .zip(self.rows.iter())
                    .filter(|(_, row)| self.passes(row))
                    .map(|(i, _)| i)
                    .collect()
            };
            visible.shrink_to_fit();
            Some(visible)
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table_model::{AthleteFilter, RowKind};
    use crate::protocol::parse_datagram;

    fn rec(seq: u64, match_key: u64, raw: &str) -> Arc<EventRecord> {
        Arc::new(EventRecord {
            seq,
            received_at_ns: 0,
            source: "127.0.0.1:5000".into(),
            court: "Court 1".into(),
            events: parse_datagram(raw.as_bytes()),
            raw: raw.as_bytes().to_vec(),
            match_key,
        })
    }

    #[test]
    fn a_decoded_row_is_sixteen_bytes() {
        // The reader sends rows in this form, a chunk at a time.
        assert_eq!(std::mem::size_of::<RowMeta>(), 16);
    }

    #[test]
    fn rows_keep_sequence_athlete_kind_and_hit_level() {
        let key = 5_000_000_000;
        let mut b = RowBuilder::default();
        let mut rows = Vec::new();
        b.push(&rec(key, key, "hl2;37;"), &mut rows);
        b.push(&rec(key + 7, key, "pt2;3;wg1;1;"), &mut rows);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].seq(key), key);
        assert_eq!(rows[0].kind(), RowKind::HitLevel);
        assert_eq!((rows[0].athlete(), rows[0].hit_level), (2, 37));
        assert_eq!((rows[1].seq(key), rows[1].part), (key + 7, 0));
        assert_eq!(rows[1].kind(), RowKind::Head);
        assert_eq!((rows[1].athlete(), rows[1].hit_level), (2, 37));
        assert_eq!((rows[2].seq(key), rows[2].part), (key + 7, 1));
        assert_eq!((rows[2].kind(), rows[2].athlete()), (RowKind::Penalty, 1));
        assert!(!b.overflowed);
    }

    #[test]
    fn a_record_too_far_from_its_match_start_is_flagged_not_misnumbered() {
        let mut b = RowBuilder::default();
        let mut rows = Vec::new();
        b.push(
            &rec(10 + u64::from(u32::MAX) + 1, 10, "clk;1:00;"),
            &mut rows,
        );
        assert!(rows.is_empty());
        assert!(b.overflowed);
    }

    #[test]
    fn unfiltered_table_keeps_no_index_list() {
        let mut t = EventTable::default();
        let g = t.reset(Some(1));
        let mut b = RowBuilder::default();
        let mut rows = Vec::new();
        for seq in 1..=10 {
            b.push(&rec(seq, 1, "pt1;1;pt2;1;"), &mut rows);
        }
        t.apply_chunk(g, rows, 10, (10, 10), Some(b));
        assert!(t.refilter());
        assert!(t.visible.is_none());
        assert_eq!(t.visible_len(), 20);
        t.filter.athlete = AthleteFilter::Red;
        assert!(t.refilter());
        assert_eq!(t.visible_len(), 10);
        assert!(t.visible_indices().iter().all(|i| i % 2 == 1));
        // A live row of red extends the list; one of blue does not.
        t.append_live(rec(11, 1, "pt2;1;"));
        t.append_live(rec(12, 1, "pt1;1;"));
        assert_eq!(t.visible_len(), 11);
        assert_eq!(t.visible_row(10).map(|r| r.seq(1)), Some(11));
        assert_eq!(t.visible_row(10).map(|r| r.athlete()), Some(2));
        t.filter = TableFilter::default();
        assert!(t.refilter());
        assert!(t.visible.is_none());
        assert_eq!(t.visible_len(), 22);
    }

    #[test]
    fn chunked_loading_does_not_double_the_index() {
        // Rows per datagram rise late in the match: an index that grows by doubling holds room
        // for up to twice the rows at the end.
        let mut t = EventTable::default();
        let g = t.reset(Some(1));
        let mut b = RowBuilder::default();
        let (chunks, per_chunk) = (20u64, 1000u64);
        let total = chunks * per_chunk;
        let mut peak = 0;
        for c in 0..chunks {
            let raw = if c < chunks - 3 {
                "pt1;1;"
            } else {
                "pt1;1;pt2;1;"
            };
            let mut rows = Vec::new();
            let first = c * per_chunk + 1;
            for seq in first..first + per_chunk {
                b.push(&rec(seq, 1, raw), &mut rows);
            }
            t.apply_chunk(
                g,
                rows,
                first + per_chunk - 1,
                (first + per_chunk - 1, total),
                None,
            );
            peak = peak.max(t.rows.heap_bytes());
        }
        // The reader's last chunk is the short (here empty) page that ends the match.
        t.apply_chunk(g, Vec::new(), total, (total, total), Some(b));
        let len = t.rows.len();
        assert_eq!(len as u64, total + 3 * per_chunk);
        let used = t.rows.heap_bytes();
        assert!(peak * 4 <= used * 5, "peak {peak} bytes, {used} at the end");
        // Loaded: trimmed; the next live row grows it by an eighth, not double.
        assert!(used <= len * 5, "{used} bytes for {len} rows");
        t.append_live(rec(total + 1, 1, "pt1;1;"));
        assert!(t.rows.heap_bytes() * 8 <= used * 9 + 16 * 8 * 9);
        // Every row decodes to what the builder made.
        let mut want = Vec::new();
        let mut b = RowBuilder::default();
        for seq in 1..=total {
            let raw = if seq <= (chunks - 3) * per_chunk {
                "pt1;1;"
            } else {
                "pt1;1;pt2;1;"
            };
            b.push(&rec(seq, 1, raw), &mut want);
        }
        b.push(&rec(total + 1, 1, "pt1;1;"), &mut want);
        assert!(t.rows.iter().eq(want.iter().copied()));
    }
}
