//! Draining worker channels into the app state (called from `App::logic`).

use super::CourtsideApp;
use super::reader::{ReadReply, ReadRequest};
use crate::model::state::Level;
use crate::protocol::Event;
use crate::store::EventRecord;
use crossbeam_channel::TryRecvError;
use std::sync::Arc;
use std::time::Instant;

impl CourtsideApp {
    /// Drain every channel within the time budget. True when messages remain.
    pub(super) fn drain(&mut self, started: Instant) -> bool {
        let mut board_changed = false;
        loop {
            if started.elapsed() > super::DRAIN_BUDGET {
                return true;
            }
            match self.services.data.persisted_rx.try_recv() {
                Ok(p) => board_changed |= self.on_record(p.record),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if board_changed {
            self.ctx
                .request_repaint_of(crate::model::scoreboard::viewport_id());
        }
        self.match_list_again_if_due();
        while let Ok(reply) = self.services.data.reply_rx.try_recv() {
            self.on_reply(reply);
            if started.elapsed() > super::DRAIN_BUDGET {
                return true;
            }
        }
        if let Some(m) = &self.services.support.sysmon {
            while let Ok(sample) = m.receiver().try_recv() {
                let keep = crate::sysmon::SysmonConfig::default().history;
                self.state.support.history.push(sample.clone(), keep);
                self.state.system = Some(sample);
            }
        }
        false
    }

    /// A stored record arrived. Returns true when the scoreboard's state changed.
    fn on_record(&mut self, rec: Arc<EventRecord>) -> bool {
        let court = rec.court.clone();
        let new_match = self.state.court_keys.get(&court) != Some(&rec.match_key);
        if new_match {
            self.state.court_keys.insert(court.clone(), rec.match_key);
            self.state.courts.insert(court.clone(), Default::default());
        }
        let state = self.state.courts.entry(court.clone()).or_default();
        for e in &rec.events {
            state.apply(e);
        }
        let ended = rec.events.iter().any(Event::ends_match);
        if new_match || ended {
            self.request(ReadRequest::Matches);
        }
        self.state.store.events += 1;
        self.state.live.push(rec.clone());
        let review = &mut self.services.review;
        review.record(&rec, &mut shared!(self));
        let follows = self.state.table.chosen.is_none();
        let board_court = self.state.scoreboard_court();
        if follows && court == board_court && self.state.table.key != Some(rec.match_key) {
            if rec.seq == rec.match_key {
                self.state.table.start_fresh(&rec);
            } else {
                self.follow_current_match();
                // The record may not be committed yet when the index is read: queue it (it is
                // skipped if the index already has it).
                self.state.table.append_live(rec.clone());
            }
        } else {
            self.state.table.append_live(rec);
        }
        if court != board_court {
            return false;
        }
        let snapshot = self.state.courts.get(&court).cloned();
        match self.board.shared.lock() {
            Ok(mut sb) => {
                sb.state = snapshot;
                true
            }
            Err(_) => false,
        }
    }

    /// The display gets records before their commit, so a match-list reload asked for at a new
    /// match can read the store before that match is in it: while a court's current match is
    /// missing from the list, ask again shortly (a few times at most).
    fn check_match_list(&mut self) {
        const AGAIN_AFTER: std::time::Duration = std::time::Duration::from_millis(100);
        const MOST_TRIES: u8 = 20;
        let listed = |k: &u64| self.state.match_list.iter().any(|m| m.key == *k);
        let (_, tries) = self.services.data.matches_again;
        if self.state.court_keys.values().all(listed) {
            self.services.data.matches_again = (None, 0);
        } else if tries < MOST_TRIES {
            self.services.data.matches_again = (Some(Instant::now() + AGAIN_AFTER), tries + 1);
            self.ctx.request_repaint_after(AGAIN_AFTER);
        }
    }

    fn match_list_again_if_due(&mut self) {
        if let (Some(at), tries) = self.services.data.matches_again
            && Instant::now() >= at
        {
            self.services.data.matches_again = (None, tries);
            self.request(ReadRequest::Matches);
        }
    }

    fn on_reply(&mut self, reply: ReadReply) {
        match reply {
            ReadReply::Matches { page, first } => {
                if first {
                    self.state.match_list.clear();
                }
                self.state.match_list.extend(page);
                self.check_match_list();
            }
            ReadReply::IndexChunk {
                generation,
                rows,
                through_seq,
                loaded,
                total,
                done,
            } => {
                let finished = done.is_some();
                self.state.table.apply_chunk(
                    generation,
                    rows,
                    through_seq,
                    (loaded, total),
                    done.map(|b| *b),
                );
                if finished && self.state.table.rows.len() >= super::memory::TRIM_AFTER_ROWS {
                    super::memory::release_freed_memory();
                }
            }
            ReadReply::Records { seqs, recs } => {
                for s in &seqs {
                    self.state.table.pending.remove(s);
                }
                for r in recs {
                    self.state.table.cache.insert(r);
                }
            }
            ReadReply::Search { generation, hits } => {
                self.state.table.apply_hits(generation, hits);
            }
            ReadReply::History(h) => self.state.history = h,
            ReadReply::Error(e) => self.state.notices.push(
                Level::Error,
                "Reading the store failed",
                &e,
                "The view may be incomplete; try again. Stored events are not affected.",
            ),
        }
    }
}
