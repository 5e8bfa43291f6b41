//! Drawings of imported flags running off the UI thread, each with a time limit.
//!
//! The texture cache starts a job for an imported image it has no texture for and shows the
//! placeholder meanwhile; the finished drawing comes back over a bounded channel and wakes the
//! UI. A job still running when its limit passes is abandoned: its image is marked failed (the
//! operator gets a notice naming the code), and its result, whenever it comes, is dropped.
//! resvg cannot be interrupted, so an abandoned thread runs on in the background; the SVG checks
//! bound how long, and at most [`MAX_RUNNING`] drawings run at once, so a few hostile files cannot
//! occupy every core.

use super::raster::{RasterError, spawn_raster};
use super::resolve::{FlagImage, FlagKey};
use crossbeam_channel::{Receiver, Sender, bounded};
use egui::ColorImage;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Most drawing threads alive at once (abandoned ones included).
pub const MAX_RUNNING: usize = 4;

/// One image at one height.
pub type JobKey = (FlagKey, u32);

/// A drawing that came back (or was given up on).
pub struct Finished {
    /// Which image and height.
    pub key: JobKey,
    /// The pixels, or why there are none.
    pub result: Result<ColorImage, RasterError>,
}

struct Done {
    key: JobKey,
    result: Result<ColorImage, RasterError>,
    took: Duration,
}

/// The running drawings.
pub struct RasterJobs {
    tx: Sender<Done>,
    rx: Receiver<Done>,
    running: HashMap<JobKey, Instant>,
    abandoned: HashSet<JobKey>,
    limit: Duration,
}

impl RasterJobs {
    /// No jobs; each may take at most `limit`.
    pub fn new(limit: Duration) -> RasterJobs {
        // Every live thread sends exactly one result, and at most MAX_RUNNING live at once.
        let (tx, rx) = bounded(MAX_RUNNING);
        RasterJobs {
            tx,
            rx,
            running: HashMap::new(),
            abandoned: HashSet::new(),
            limit,
        }
    }

    /// True while `key` is being drawn (and not abandoned).
    pub fn is_running(&self, key: &JobKey) -> bool {
        self.running.contains_key(key)
    }

    /// Drawings in progress, and abandoned ones still occupying a thread.
    pub fn counts(&self) -> (usize, usize) {
        (self.running.len(), self.abandoned.len())
    }

    /// Start drawing `image` at `key.1` px tall, fitted within `max_side`. Returns false when
    /// [`MAX_RUNNING`] threads are busy (ask again on a later frame; a finishing job wakes the
    /// UI). `ctx` is woken when the drawing is done.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        key: JobKey,
        image: &FlagImage,
        max_side: u32,
    ) -> Result<bool, RasterError> {
        if self.running.contains_key(&key) {
            return Ok(true);
        }
        if self.running.len() + self.abandoned.len() >= MAX_RUNNING {
            return Ok(false);
        }
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let job_key = key.clone();
        spawn_raster(
            image.format,
            image.data.clone(),
            key.1,
            max_side,
            move |result, took| {
                // Closed: the cache is gone (app exit); the drawing is not needed.
                let _ = tx.send(Done {
                    key: job_key,
                    result,
                    took,
                });
                ctx.request_repaint_of(egui::ViewportId::ROOT);
            },
        )
        .map_err(RasterError::Failed)?;
        self.running.insert(key, Instant::now());
        Ok(true)
    }

    /// Collect what finished, and give up on what ran past the limit (reported as
    /// [`RasterError::TimedOut`]). A result that took longer than the limit counts as timed out
    /// too, whether or not it was collected in time: the outcome must not depend on frame timing.
    pub fn poll(&mut self, now: Instant) -> Vec<Finished> {
        let mut out = Vec::new();
        while let Ok(done) = self.rx.try_recv() {
            if self.abandoned.remove(&done.key) {
                continue;
            }
            if self.running.remove(&done.key).is_none() {
                continue;
            }
            let result = if done.took > self.limit {
                Err(self.timed_out())
            } else {
                done.result
            };
            out.push(Finished {
                key: done.key,
                result,
            });
        }
        let late: Vec<JobKey> = self
            .running
            .iter()
            .filter(|(_, started)| now.saturating_duration_since(**started) > self.limit)
            .map(|(k, _)| k.clone())
            .collect();
        for key in late {
            self.running.remove(&key);
            tracing::warn!("flag {} not drawn within its limit; abandoned", key.0);
            self.abandoned.insert(key.clone());
            out.push(Finished {
                key,
                result: Err(self.timed_out()),
            });
        }
        out
    }

    /// How long until the next running job reaches its limit (to wake the UI then).
    pub fn next_deadline(&self, now: Instant) -> Option<Duration> {
        self.running
            .values()
            .map(|started| (*started + self.limit).saturating_duration_since(now))
            .min()
    }

    fn timed_out(&self) -> RasterError {
        RasterError::TimedOut(format!(
            "not drawn within {:.1} s; abandoned",
            self.limit.as_secs_f64()
        ))
    }
}
