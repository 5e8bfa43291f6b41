//! The event table's index of a match's rows, packed to a few bytes per event.
//!
//! The table must list, filter and scroll every event of a match without holding the records:
//! on a million-datagram match (about two million events) a plain 16-byte row per event was
//! 35 MB, the largest single allocation of the app. Here only what differs from row to row is
//! stored per row, one byte (athlete, kind, "first event of its datagram"); what is shared by a
//! datagram's events is stored per datagram (the clock, two bytes; the sequence as a one-byte
//! step from the previous datagram); what changes rarely is stored only where it changes (the
//! round) or where it is set (hit levels, clocks that change inside a datagram). About 4 bytes
//! per event in all. [`RowIndex::get`] and [`RowIndex::iter_from`] give back the full
//! [`RowMeta`], exactly as [`super::table_model::RowBuilder`] made it.

use super::table_model::{RowKind, RowMeta};

/// Rows (and datagrams) per checkpoint.
const BLOCK: usize = 64;
/// Bit of a packed row: the first event of its datagram.
const START: u8 = 1 << 6;
/// Largest clock kept per datagram; larger ones are kept per row.
const CLOCK_MAX: u32 = u16::MAX as u32;

/// Every row of a match, compactly. Built by [`RowIndex::push`] (or `extend`) in row order.
#[derive(Debug, Clone, Default)]
pub struct RowIndex {
    /// Per row: athlete (bits 0–1), kind (bits 2–5), [`START`].
    packed: Vec<u8>,
    /// Per [`BLOCK`] rows: the datagram of the block's first row.
    row_blocks: Vec<u32>,
    /// Per datagram: its sequence offset minus the previous datagram's; 0 when that does not fit
    /// a byte (the offset is then in `seq_jumps`) and for the first datagram of a block.
    seq_step: Vec<u8>,
    /// Per [`BLOCK`] datagrams: the sequence offset of the block's first datagram.
    seq_blocks: Vec<u32>,
    /// (datagram, sequence offset) of datagrams whose step is 0.
    seq_jumps: Vec<(u32, u32)>,
    /// Per datagram: the clock (seconds) at its first row, at most [`CLOCK_MAX`].
    clock: Vec<u16>,
    /// (row, clock) of rows whose clock is not their datagram's: a clock event inside a
    /// datagram, or a clock of [`CLOCK_MAX`] seconds or more.
    clock_rows: Vec<(u32, u32)>,
    /// (first row, round) at every change of round (round 0 before the first entry).
    rounds: Vec<(u32, u8)>,
    /// (row, hit level) of rows with a hit level.
    hit_levels: Vec<(u32, u32)>,
    /// Sequence offset of the last datagram.
    last_seq: u32,
    /// Clock of the last datagram's first row.
    last_clock: u32,
    /// A row was refused: the index holds at most `u32::MAX` rows.
    pub full: bool,
}

/// Make room for one more element, growing by an eighth: a doubling `Vec` holds room for up to
/// twice a big match's rows, and the large blocks are moved by the allocator without copying.
fn grow<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 8).max(16));
    }
}

fn push<T>(v: &mut Vec<T>, x: T) {
    grow(v);
    v.push(x);
}

/// Value at `row` of a sparse (row, value) list sorted by row.
fn sparse(list: &[(u32, u32)], row: usize) -> Option<u32> {
    let i = list.partition_point(|e| (e.0 as usize) < row);
    list.get(i).filter(|e| e.0 as usize == row).map(|e| e.1)
}

/// Value at `row` of a sparse list read in row order: `next` is the first unread entry.
fn take_at(list: &[(u32, u32)], next: &mut usize, row: usize) -> Option<u32> {
    let e = list.get(*next).filter(|e| e.0 as usize == row)?;
    *next += 1;
    Some(e.1)
}

impl RowIndex {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Remove every row, keeping nothing allocated.
    pub fn clear(&mut self) {
        *self = RowIndex::default();
    }

    /// Give back spare room (once a match is loaded; the next live row grows it by an eighth).
    pub fn shrink_to_fit(&mut self) {
        self.packed.shrink_to_fit();
        self.row_blocks.shrink_to_fit();
        self.seq_step.shrink_to_fit();
        self.seq_blocks.shrink_to_fit();
        self.seq_jumps.shrink_to_fit();
        self.clock.shrink_to_fit();
        self.clock_rows.shrink_to_fit();
        self.rounds.shrink_to_fit();
        self.hit_levels.shrink_to_fit();
    }

    /// Bytes allocated on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.packed.capacity()
            + self.row_blocks.capacity() * 4
            + self.seq_step.capacity()
            + self.seq_blocks.capacity() * 4
            + self.seq_jumps.capacity() * 8
            + self.clock.capacity() * 2
            + self.clock_rows.capacity() * 8
            + self.rounds.capacity() * std::mem::size_of::<(u32, u8)>()
            + self.hit_levels.capacity() * 8
    }

    /// Append a row. A row with `part == 0` (or the first row) starts a datagram; the others
    /// belong to the datagram before them.
    pub fn push(&mut self, m: RowMeta) {
        let row = self.packed.len();
        if row >= u32::MAX as usize {
            self.full = true;
            return;
        }
        let row32 = row as u32;
        let starts = m.part == 0 || row == 0;
        if starts {
            let g = self.clock.len();
            let step = m.seq_offset.wrapping_sub(self.last_seq);
            if g.is_multiple_of(BLOCK) {
                push(&mut self.seq_blocks, m.seq_offset);
                push(&mut self.seq_step, 0);
            } else if (1..=255).contains(&step) {
                push(&mut self.seq_step, step as u8);
            } else {
                push(&mut self.seq_step, 0);
                push(&mut self.seq_jumps, (g as u32, m.seq_offset));
            }
            self.last_seq = m.seq_offset;
            push(&mut self.clock, m.clock.min(CLOCK_MAX) as u16);
            self.last_clock = m.clock;
            if m.clock >= CLOCK_MAX {
                push(&mut self.clock_rows, (row32, m.clock));
            }
        } else if m.clock != self.last_clock || m.clock >= CLOCK_MAX {
            push(&mut self.clock_rows, (row32, m.clock));
        }
        if row.is_multiple_of(BLOCK) {
            push(&mut self.row_blocks, (self.clock.len() - 1) as u32);
        }
        if self.rounds.last().map_or(0, |r| r.1) != m.round {
            push(&mut self.rounds, (row32, m.round));
        }
        if m.hit_level != 0 {
            push(&mut self.hit_levels, (row32, m.hit_level));
        }
        push(
            &mut self.packed,
            (m.packed & !START) | if starts { START } else { 0 },
        );
    }

    /// The datagram (0-based, in this match) of row `i` (< len).
    fn datagram_of(&self, i: usize) -> usize {
        let b = i / BLOCK;
        let first = b * BLOCK;
        let later_starts = self.packed[first + 1..=i]
            .iter()
            .filter(|p| **p & START != 0)
            .count();
        self.row_blocks[b] as usize + later_starts
    }

    /// Index of row `i` (< len) within its datagram.
    fn part_of(&self, i: usize) -> u16 {
        // Row 0 always starts a datagram.
        let first = self.packed[..=i]
            .iter()
            .rposition(|p| p & START != 0)
            .unwrap_or(0);
        (i - first).min(usize::from(u16::MAX)) as u16
    }

    /// Sequence offset of datagram `g` (< number of datagrams).
    fn seq_offset_of(&self, g: usize) -> u32 {
        let b = g / BLOCK;
        let mut off = self.seq_blocks[b];
        for h in b * BLOCK + 1..=g {
            off = self.step(h, off);
        }
        off
    }

    /// Sequence offset of datagram `h`, given the previous datagram's (`h` not the first of a
    /// block).
    fn step(&self, h: usize, prev: u32) -> u32 {
        match self.seq_step[h] {
            0 => sparse(&self.seq_jumps, h).unwrap_or(prev),
            s => prev.wrapping_add(u32::from(s)),
        }
    }

    fn round_at(&self, i: usize) -> u8 {
        match self.rounds.partition_point(|r| r.0 as usize <= i) {
            0 => 0,
            p => self.rounds[p - 1].1,
        }
    }

    /// Row `i`, as it was pushed.
    pub fn get(&self, i: usize) -> Option<RowMeta> {
        let packed = *self.packed.get(i)?;
        let g = self.datagram_of(i);
        Some(RowMeta {
            seq_offset: self.seq_offset_of(g),
            clock: sparse(&self.clock_rows, i).unwrap_or(u32::from(self.clock[g])),
            hit_level: sparse(&self.hit_levels, i).unwrap_or(0),
            part: self.part_of(i),
            round: self.round_at(i),
            packed: packed & !START,
        })
    }

    /// Rows from `start` on, in order (each step is O(1); `get` is O(log n)).
    pub fn iter_from(&self, start: usize) -> RowIter<'_> {
        let mut it = RowIter {
            index: self,
            row: start,
            g: 0,
            part: 0,
            seq: 0,
            round: 0,
            next_round: self.rounds.partition_point(|r| (r.0 as usize) <= start),
            next_clock: self.clock_rows.partition_point(|e| (e.0 as usize) < start),
            next_hit: self.hit_levels.partition_point(|e| (e.0 as usize) < start),
        };
        if start < self.len() {
            it.g = self.datagram_of(start);
            it.part = self.part_of(start);
            it.seq = self.seq_offset_of(it.g);
            it.round = self.round_at(start);
        }
        it
    }

    /// Every row, in order.
    pub fn iter(&self) -> RowIter<'_> {
        self.iter_from(0)
    }

    /// Indexes of the rows for which `keep(athlete, kind, round)` holds: what the table's
    /// filters other than free text need, read without decoding whole rows (a filter change on
    /// a two-million-row match is one frame).
    pub fn rows_where(&self, keep: impl Fn(u8, RowKind, u8) -> bool) -> Vec<u32> {
        let mut out = Vec::new();
        let mut next_round = 0;
        let mut round = 0;
        for (i, p) in (0u32..).zip(&self.packed) {
            while let Some(r) = self.rounds.get(next_round)
                && r.0 <= i
            {
                round = r.1;
                next_round += 1;
            }
            let m = RowMeta {
                packed: p & !START,
                ..RowMeta::default()
            };
            if keep(m.athlete(), m.kind(), round) {
                out.push(i);
            }
        }
        out
    }
}

impl Extend<RowMeta> for RowIndex {
    fn extend<I: IntoIterator<Item = RowMeta>>(&mut self, rows: I) {
        for m in rows {
            self.push(m);
        }
    }
}

/// Iterator over the rows of a [`RowIndex`].
#[derive(Debug)]
pub struct RowIter<'a> {
    index: &'a RowIndex,
    /// Next row to yield.
    row: usize,
    /// Its datagram, part and sequence offset (valid once `row` is in range).
    g: usize,
    part: u16,
    seq: u32,
    round: u8,
    /// Next unread entries of the sparse lists.
    next_round: usize,
    next_clock: usize,
    next_hit: usize,
}

impl Iterator for RowIter<'_> {
    type Item = RowMeta;

    fn next(&mut self) -> Option<RowMeta> {
        let ix = self.index;
        let packed = *ix.packed.get(self.row)?;
        let row = self.row;
        let m = RowMeta {
            seq_offset: self.seq,
            clock: take_at(&ix.clock_rows, &mut self.next_clock, row)
                .unwrap_or(u32::from(ix.clock[self.g])),
            hit_level: take_at(&ix.hit_levels, &mut self.next_hit, row).unwrap_or(0),
            part: self.part,
            round: self.round,
            packed: packed & !START,
        };
        // Move on to the next row.
        self.row += 1;
        if let Some(next) = ix.packed.get(self.row) {
            if next & START != 0 {
                self.g += 1;
                self.part = 0;
                self.seq = if self.g.is_multiple_of(BLOCK) {
                    ix.seq_blocks[self.g / BLOCK]
                } else {
                    ix.step(self.g, self.seq)
                };
            } else {
                self.part = self.part.saturating_add(1);
            }
            while let Some(r) = ix.rounds.get(self.next_round)
                && r.0 as usize <= self.row
            {
                self.round = r.1;
                self.next_round += 1;
            }
        }
        Some(m)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.index.len().saturating_sub(self.row);
        (n, Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(seq_offset: u32, part: u16, clock: u32, round: u8, hit: u32, packed: u8) -> RowMeta {
        RowMeta {
            seq_offset,
            clock,
            hit_level: hit,
            part,
            round,
            packed,
        }
    }

    /// A deterministic mix of everything the index packs differently: sequence steps of one,
    /// of up to 255 and beyond (other courts' datagrams in between), datagrams of one to many
    /// events, clocks changing inside a datagram and clocks too big for two bytes, round
    /// changes (also back to 0), hit levels, every kind and athlete.
    fn rows(n_datagrams: u32, seed: u64) -> Vec<RowMeta> {
        let mut x = seed | 1;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (mut out, mut seq, mut clock, mut round) = (Vec::new(), 0u32, 120u32, 0u8);
        for _ in 0..n_datagrams {
            seq = seq.wrapping_add(match rnd() % 10 {
                0 => 1000 + (rnd() % 100_000) as u32,
                1 => 2 + (rnd() % 254) as u32,
                _ => 1,
            });
            let parts = match rnd() % 20 {
                0 => 70 + rnd() % 100,
                1..=6 => 2 + rnd() % 6,
                _ => 1,
            };
            for part in 0..parts {
                match rnd() % 50 {
                    0 => round = (rnd() % 4) as u8,
                    1 => clock = 70_000 + (rnd() % 10) as u32,
                    2..=12 => clock = (rnd() % 600) as u32,
                    _ => {}
                }
                let hit = if rnd() % 3 == 0 {
                    (rnd() % 200) as u32
                } else {
                    0
                };
                let packed = (rnd() % 3) as u8 | (((rnd() % 12) as u8) << 2);
                out.push(meta(seq, part as u16, clock, round, hit, packed));
            }
        }
        out
    }

    #[test]
    fn every_row_comes_back_as_it_was_pushed() {
        for seed in [1, 2, 3, 0xDEAD_BEEF] {
            let want = rows(3000, seed);
            let mut ix = RowIndex::default();
            ix.extend(want.iter().copied());
            assert_eq!(ix.len(), want.len());
            // Every special case is in the mix.
            assert!(ix.row_blocks.len() > 10 && ix.seq_blocks.len() > 10);
            assert!(ix.seq_jumps.len() > 10, "steps beyond a byte");
            assert!(ix.seq_step.iter().any(|s| *s > 1), "steps of more than one");
            assert!(ix.clock_rows.iter().any(|c| c.1 >= CLOCK_MAX), "big clocks");
            assert!(
                ix.clock_rows.iter().any(|c| c.1 < CLOCK_MAX),
                "clocks inside datagrams"
            );
            assert!(
                ix.rounds.iter().skip(1).any(|r| r.1 == 0),
                "round back to 0"
            );
            assert!(want.iter().any(|m| m.part > 64), "datagrams across blocks");
            for (i, w) in want.iter().enumerate() {
                assert_eq!(ix.get(i).as_ref(), Some(w), "get({i}), seed {seed}");
            }
            assert_eq!(ix.get(want.len()), None);
            let all: Vec<RowMeta> = ix.iter().collect();
            assert_eq!(all, want, "iter, seed {seed}");
            for start in [0, 1, 63, 64, 65, 1000, want.len() - 1, want.len()] {
                let tail: Vec<RowMeta> = ix.iter_from(start).collect();
                assert_eq!(tail, want[start..], "iter_from({start}), seed {seed}");
            }
        }
    }

    #[test]
    fn rows_where_agrees_with_the_decoded_rows() {
        let want = rows(3000, 11);
        let mut ix = RowIndex::default();
        ix.extend(want.iter().copied());
        let keep = |a: u8, k: RowKind, r: u8| a == 2 && k != RowKind::Clock && r == 1;
        let fast = ix.rows_where(keep);
        let slow: Vec<u32> = (0u32..)
            .zip(&want)
            .filter(|(_, m)| keep(m.athlete(), m.kind(), m.round))
            .map(|(i, _)| i)
            .collect();
        assert!(slow.len() > 100);
        assert_eq!(fast, slow);
    }

    #[test]
    fn decoded_rows_keep_kind_and_athlete() {
        let mut ix = RowIndex::default();
        ix.push(meta(0, 0, 60, 1, 0, 2 | ((RowKind::Head as u8) << 2)));
        ix.push(meta(0, 1, 60, 1, 0, 1 | ((RowKind::Penalty as u8) << 2)));
        let (a, b) = (ix.get(0).unwrap(), ix.get(1).unwrap());
        assert_eq!((a.kind(), a.athlete()), (RowKind::Head, 2));
        assert_eq!((b.kind(), b.athlete(), b.part), (RowKind::Penalty, 1, 1));
    }

    #[test]
    fn a_long_match_costs_a_few_bytes_per_event() {
        // The GUI bench's shape: a clock every sixth datagram, a hit level or a point on every
        // third, datagrams of one to six events.
        let mut ix = RowIndex::default();
        let mut clock = 120;
        for d in 0..200_000u32 {
            let parts = [1u16, 1, 1, 6, 2, 2][d as usize % 6];
            if d % 6 == 0 {
                clock = if clock == 0 { 119 } else { clock - 1 };
            }
            for part in 0..parts {
                let hit = if d % 6 == 1 || d % 6 == 2 { 37 } else { 0 };
                ix.push(meta(d, part, clock, 1, hit, 1));
            }
        }
        let per_row = ix.heap_bytes() as f64 / ix.len() as f64;
        assert!(per_row < 5.0, "{per_row:.2} bytes per row");
    }

    #[test]
    fn growth_keeps_little_spare_room() {
        let mut ix = RowIndex::default();
        let mut peak = 0;
        for d in 0..100_000u32 {
            ix.push(meta(d, 0, 60, 1, 0, 0));
            ix.push(meta(d, 1, 60, 1, 0, 0));
            peak = peak.max(ix.packed.capacity());
        }
        assert!(
            peak * 8 <= ix.len() * 9 + 16 * 8,
            "peak {peak} for {}",
            ix.len()
        );
    }

    #[test]
    fn clearing_frees_everything() {
        let mut ix = RowIndex::default();
        ix.extend(rows(500, 7));
        assert!(ix.heap_bytes() > 0);
        ix.clear();
        assert_eq!((ix.len(), ix.heap_bytes()), (0, 0));
        ix.push(meta(5, 0, 1, 0, 0, 0));
        assert_eq!(ix.get(0).map(|m| m.seq_offset), Some(5));
    }
}
