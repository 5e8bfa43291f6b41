//! Waiting with a deadline in tests that drive egui (a kittest harness or a bare context) while
//! workers run on threads (shared by several test binaries through `#[path]`). Between two frames
//! the test thread blocks until the context is asked for a repaint (a worker with news wakes the
//! UI that way) or [`FRAME_WAIT`] passes, instead of spinning with `yield_now` on the two cores
//! the workers need.
// Each binary that includes this uses part of it.
#![allow(dead_code)]

use std::sync::mpsc::{Receiver, sync_channel};
use std::time::{Duration, Instant};

/// Longest wait between two frames when nothing asks for a repaint now: a condition no worker
/// wakes the UI for (a counter, a delayed repaint, a timer) is still seen soon after it holds.
pub const FRAME_WAIT: Duration = Duration::from_millis(50);

/// Rings when an egui context is asked for an immediate repaint.
pub struct Repaints(Receiver<()>);

impl Repaints {
    /// Observe `ctx`'s repaint requests (egui's repaint observer: the backend's own repaint
    /// callback stays in place). A one-slot channel: rings while the test is busy are kept as one.
    pub fn on(ctx: &egui::Context) -> Repaints {
        let (ring, rings) = sync_channel(1);
        ctx.set_repaint_observer(move |info| {
            // A delayed request (the app's idle timers) is not news: FRAME_WAIT covers it.
            if info.delay.is_zero() {
                let _ = ring.try_send(());
            }
        });
        Repaints(rings)
    }

    /// Block until a repaint is asked for, [`FRAME_WAIT`] passes or `deadline` comes; fails
    /// naming `what` when `deadline` has already passed.
    pub fn wait(&self, deadline: Instant, what: &str) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for: {what}");
        let _ = self.0.recv_timeout(left.min(FRAME_WAIT));
    }
}

/// Step `h` until `done` holds, waiting between frames as [`Repaints::wait`] does; fails after
/// `limit` naming `what` and `detail` of the state at that moment (the link, the notices …).
pub fn step_until_with<S>(
    h: &mut egui_kittest::Harness<'_, S>,
    limit: Duration,
    what: &str,
    done: impl Fn(&S) -> bool,
    detail: impl Fn(&S) -> String,
) {
    let deadline = Instant::now() + limit;
    let repaints = Repaints::on(&h.ctx);
    while !done(h.state()) {
        h.step();
        if !done(h.state()) {
            repaints.wait(deadline, &format!("{what}; {}", detail(h.state())));
        }
    }
}
