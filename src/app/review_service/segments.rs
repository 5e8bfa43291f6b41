//! Keeping the video index in the model fresh for the event table's "video" column: read (off
//! the UI thread) at start, whenever an OBS starts or stops recording or its replay buffer (the
//! index gains or closes a file), every 30 s while one records, and with every Review panel load.

use super::{Channel, ReviewAppService};
use crate::app::services::Shared;
use crate::model::state::Level;
use crate::review::VideoSegment;
use std::time::{Duration, Instant};

/// Re-read the index this often while some OBS records (its tracker refines the anchors).
const WHILE_RECORDING: Duration = Duration::from_secs(30);
/// Read it once more this long after an output changed: the tracker's row (a recording's end)
/// goes through the store writer and may land after the first read.
const AFTER_CHANGE: Duration = Duration::from_secs(2);

/// What decides when the index is read again.
#[derive(Default)]
pub(super) struct SegmentsRefresh {
    /// Output phases of every OBS when last read (a change reads again).
    phases: Vec<(u64, bool, bool)>,
    /// When it was last asked for.
    asked: Option<Instant>,
    /// A read is under way.
    reading: bool,
    /// Read once more at this time (after an output changed).
    again: Option<Instant>,
}

/// The channel the reads answer on.
pub(super) type SegmentsChannel = Channel<Result<Vec<VideoSegment>, String>>;

impl ReviewAppService {
    /// Read the index again when it is due; take a finished read into the model.
    pub(super) fn refresh_segments(&mut self, app: &mut Shared<'_>) {
        for read in self.segments.1.clone().try_iter() {
            self.refresh.reading = false;
            match read {
                Ok(segs) => app.state.review.segments = segs,
                Err(e) => app.state.notices.push(
                    Level::Warning,
                    "Video review: the video index could not be read",
                    &e,
                    "The event table's video column may be out of date; stored events are \
                     not affected.",
                ),
            }
        }
        let phases: Vec<(u64, bool, bool)> = (app.state.obs.statuses.iter())
            .map(|s| {
                let rec = s.recording.phase.is_on();
                (s.connection_id, rec, s.replay_buffer.phase.is_on())
            })
            .collect();
        let recording = phases.iter().any(|p| p.1);
        let changed = self.refresh.asked.is_some() && phases != self.refresh.phases;
        let again = self.refresh.again.is_some_and(|t| Instant::now() >= t);
        let due = match self.refresh.asked {
            None => true,
            Some(at) => changed || again || (recording && at.elapsed() >= WHILE_RECORDING),
        };
        if recording {
            app.ctx.request_repaint_after(WHILE_RECORDING);
        }
        if let Some(t) = self.refresh.again {
            app.ctx
                .request_repaint_after(t.saturating_duration_since(Instant::now()));
        }
        if !due || self.refresh.reading {
            return;
        }
        self.refresh.again = changed.then(|| Instant::now() + AFTER_CHANGE);
        let (Some(rt), Some(store)) = (&self.runtime, self.store.clone()) else {
            return;
        };
        self.refresh.phases = phases;
        self.refresh.asked = Some(Instant::now());
        self.refresh.reading = true;
        let tx = self.segments.0.clone();
        let ctx = app.ctx.clone();
        rt.spawn_blocking(move || {
            let read = crate::review::store::load_segments(&store).map_err(|e| e.to_string());
            let _ = tx.send(read);
            ctx.request_repaint();
        });
    }
}
