//! Store reads for the UI, off the UI thread. Two named threads: one for long jobs (a match's
//! index, text search, the match list) and one for quick ones (record pages, settings history),
//! so scrolling never waits behind a long load. Long jobs stop early when superseded.

use crate::model::table_model::{RowBuilder, RowMeta, TableFilter, TextHits};
use crate::store::{EventRecord, MatchRecord, SettingChange, Store};
use crossbeam_channel::{Receiver, Sender, bounded};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A read the UI asks for.
#[derive(Debug, Clone)]
pub enum ReadRequest {
    /// The match list, newest first, in pages.
    Matches,
    /// Rows of one match, in chunks with progress.
    Index {
        /// Match key.
        key: u64,
        /// Generation (newer supersedes older).
        generation: u64,
    },
    /// Records with these sequences (at most the rows of one screen).
    Records(Vec<u64>),
    /// Events of a match whose label or raw text contains `text` (lower-case).
    Search {
        /// Match key.
        key: u64,
        /// Lower-case needle.
        text: String,
        /// Generation.
        generation: u64,
    },
    /// The settings history.
    History,
}

/// What the reader sends back.
#[derive(Debug)]
pub enum ReadReply {
    /// A page of the match list.
    Matches {
        /// Matches in this page.
        page: Vec<MatchRecord>,
        /// First page (replace the list).
        first: bool,
    },
    /// A chunk of a match's rows.
    IndexChunk {
        /// Generation of the request.
        generation: u64,
        /// Rows.
        rows: Vec<RowMeta>,
        /// Highest sequence included so far.
        through_seq: u64,
        /// Datagrams loaded so far.
        loaded: u64,
        /// Datagrams in the match.
        total: u64,
        /// On the last chunk: the fold state, so live rows continue it.
        done: Option<Box<RowBuilder>>,
    },
    /// Records asked for by sequence.
    Records {
        /// Sequences asked for.
        seqs: Vec<u64>,
        /// The records found.
        recs: Vec<Arc<EventRecord>>,
    },
    /// Search result.
    Search {
        /// Generation.
        generation: u64,
        /// Matching events.
        hits: TextHits,
    },
    /// Settings history, newest first.
    History(Vec<SettingChange>),
    /// A read failed.
    Error(String),
}

/// The two reader threads.
pub struct Reader {
    quick: Option<Sender<ReadRequest>>,
    bulk: Option<Sender<ReadRequest>>,
    latest: Arc<Latest>,
    threads: Vec<crate::worker::WorkerThread>,
}

/// Newest generation asked for, per kind of long job (an index load is only superseded by a newer
/// index load, a search by a newer search).
#[derive(Default)]
struct Latest {
    index: AtomicU64,
    search: AtomicU64,
}

const CHUNK: usize = 8192;

impl Reader {
    /// Start the readers; replies go to `reply`, then `wake` is called.
    pub fn spawn(
        store: Store,
        reply: Sender<ReadReply>,
        wake: Arc<dyn Fn() + Send + Sync>,
    ) -> std::io::Result<Reader> {
        let latest = Arc::new(Latest::default());
        let mut threads = Vec::new();
        let mut start = |name: &str| -> std::io::Result<Sender<ReadRequest>> {
            let (tx, rx) = bounded::<ReadRequest>(256);
            let job = Job {
                store: store.clone(),
                reply: reply.clone(),
                wake: wake.clone(),
                latest: latest.clone(),
            };
            // A reader stops when its lane closes (the Reader dropped its sender), after the
            // request it is on; the stop signal is not needed for that.
            threads.push(crate::worker::WorkerThread::spawn(name, move |_stop| {
                job.run(rx)
            })?);
            Ok(tx)
        };
        let quick = start("store-reader-quick")?;
        let bulk = start("store-reader-bulk")?;
        Ok(Reader {
            quick: Some(quick),
            bulk: Some(bulk),
            latest,
            threads,
        })
    }

    /// Ask for a read. Never blocks: a full queue drops the request and returns false.
    pub fn request(&self, req: ReadRequest) -> bool {
        let lane = match &req {
            ReadRequest::Records(_) | ReadRequest::History => &self.quick,
            ReadRequest::Index { generation, .. } => {
                self.latest.index.fetch_max(*generation, Ordering::Relaxed);
                &self.bulk
            }
            ReadRequest::Search { generation, .. } => {
                self.latest.search.fetch_max(*generation, Ordering::Relaxed);
                &self.bulk
            }
            ReadRequest::Matches => &self.bulk,
        };
        lane.as_ref().is_some_and(|tx| tx.try_send(req).is_ok())
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.quick.take();
        self.bulk.take();
        self.latest.index.store(u64::MAX, Ordering::Relaxed);
        self.latest.search.store(u64::MAX, Ordering::Relaxed);
        // Each joins (a panic is logged with the thread's name).
        self.threads.clear();
    }
}

/// Matches per page of the match list.
const MATCH_PAGE: usize = 200;

struct Job {
    store: Store,
    reply: Sender<ReadReply>,
    wake: Arc<dyn Fn() + Send + Sync>,
    latest: Arc<Latest>,
}

impl Job {
    fn run(self, rx: Receiver<ReadRequest>) {
        for req in rx {
            if let Err(e) = self.handle(req) {
                self.send(ReadReply::Error(format!("cannot read the store: {e}")));
            }
        }
    }

    fn send(&self, r: ReadReply) {
        if self.reply.send(r).is_ok() {
            (self.wake)();
        }
    }

    fn superseded(&self, counter: &AtomicU64, generation: u64) -> bool {
        counter.load(Ordering::Relaxed) > generation
    }

    fn handle(&self, req: ReadRequest) -> Result<(), crate::store::StoreError> {
        match req {
            ReadRequest::Matches => {
                // Page by page from redb, newest first; each page goes to the UI as it is read.
                let mut before = None;
                let mut first = true;
                loop {
                    let page = self.store.matches_page(before, MATCH_PAGE)?;
                    let last = page.len() < MATCH_PAGE;
                    before = page.last().map(|m| m.key);
                    if !page.is_empty() || first {
                        self.send(ReadReply::Matches { page, first });
                    }
                    first = false;
                    if last {
                        break;
                    }
                }
            }
            ReadRequest::Index { key, generation } => self.index(key, generation)?,
            ReadRequest::Records(seqs) => {
                let recs = self.store.events_by_seq(&seqs)?;
                self.send(ReadReply::Records {
                    seqs,
                    recs: recs.into_iter().map(Arc::new).collect(),
                });
            }
            ReadRequest::Search {
                key,
                text,
                generation,
            } => self.search(key, &text, generation)?,
            ReadRequest::History => {
                self.send(ReadReply::History(self.store.settings_history(10_000)?));
            }
        }
        Ok(())
    }

    fn index(&self, key: u64, generation: u64) -> Result<(), crate::store::StoreError> {
        let total = self.store.match_event_count(key)?;
        let mut builder = RowBuilder::default();
        let (mut from, mut loaded, mut through_seq) = (0u64, 0u64, 0u64);
        loop {
            if self.superseded(&self.latest.index, generation) {
                return Ok(());
            }
            let page = self.store.match_events_page(key, from, CHUNK)?;
            let done = page.len() < CHUNK;
            let mut rows = Vec::with_capacity(page.len() * 2);
            for rec in &page {
                builder.push(rec, &mut rows);
                through_seq = rec.seq;
            }
            loaded += page.len() as u64;
            from = through_seq + 1;
            self.send(ReadReply::IndexChunk {
                generation,
                rows,
                through_seq,
                loaded,
                total: total.max(loaded),
                done: done.then(|| Box::new(builder.clone())),
            });
            if done {
                return Ok(());
            }
        }
    }

    fn search(
        &self,
        key: u64,
        text: &str,
        generation: u64,
    ) -> Result<(), crate::store::StoreError> {
        let mut hits = TextHits::new();
        let mut from = 0u64;
        loop {
            if self.superseded(&self.latest.search, generation) {
                return Ok(());
            }
            let page = self.store.match_events_page(key, from, CHUNK)?;
            for rec in &page {
                for part in 0..rec.events.len() {
                    if TableFilter::text_matches(text, rec, part) {
                        hits.insert((rec.seq, part as u16));
                    }
                }
            }
            match page.last() {
                Some(last) if page.len() == CHUNK => from = last.seq + 1,
                _ => break,
            }
        }
        self.send(ReadReply::Search { generation, hits });
        Ok(())
    }
}
