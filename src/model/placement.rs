//! Where the scoreboard window reopens. Its place is kept in physical pixels with the scale it
//! had, because points mean different sizes on a 150 % laptop screen and a 100 % projector, and
//! a window is created with its position converted at the scale Windows picks at creation (not
//! the target monitor's). So the window is opened near its place and moved to the exact pixels
//! on its first frames; a place on no monitor any more (projector unplugged or set up
//! differently) is moved onto a visible one first.
//!
//! What egui/eframe 0.37 tell the app: per viewport the outer and inner rect (points, virtual
//! desktop), the native pixels per point and the size of the monitor the window is on — not
//! where that monitor is, nor the other monitors (eframe checks monitors only for the main
//! window, before it opens). On Windows the monitor nearest the saved place is asked from the
//! system (`monitor_windows.rs`); macOS keeps a window's title bar on a screen itself, X11
//! window managers place windows on a screen, and Wayland gives no positions at all, so there
//! no monitor list is needed ([`fit_on_monitors`] keeps a place it cannot check).

use egui::{Pos2, Vec2, pos2, vec2};
use serde::{Deserialize, Serialize};

/// Size the scoreboard window opens at (and asks for when embedded in tests).
pub const DEFAULT_SIZE: Vec2 = vec2(1280.0, 720.0);

/// The scoreboard window's place: outer position and inner size in physical pixels, and the
/// pixels per point the window had when it was saved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoardPlace {
    /// Outer left edge (pixels, virtual desktop).
    pub x: f32,
    /// Outer top edge.
    pub y: f32,
    /// Inner width (pixels).
    pub w: f32,
    /// Inner height.
    pub h: f32,
    /// Pixels per point then.
    pub scale: f32,
}

/// A monitor's usable area (without the taskbar) in physical pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitorArea {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// Title bar height in points (Windows 10/11: 32 px at 100 %), allowed for when fitting.
const TITLE_BAR: f32 = 32.0;
/// Title bar width in points that must be on a monitor for the window to count as reachable.
const GRAB: f32 = 100.0;
/// Pixels of difference that count as "already there" (rounding, frame borders).
const TOLERANCE: f32 = 2.0;

impl BoardPlace {
    /// The place of a window as egui reports it (`outer_rect`/`inner_rect` in points at `ppp`).
    /// Nothing while fullscreen (the windowed place should come back) or where positions are
    /// unknown (Wayland).
    pub fn from_info(v: &egui::ViewportInfo, ppp: f32) -> Option<BoardPlace> {
        if v.fullscreen == Some(true) || ppp.is_nan() || ppp <= 0.0 {
            return None;
        }
        let (outer, inner) = (v.outer_rect?, v.inner_rect?);
        Some(BoardPlace {
            x: outer.min.x * ppp,
            y: outer.min.y * ppp,
            w: inner.width() * ppp,
            h: inner.height() * ppp,
            scale: ppp,
        })
    }

    /// Outer position and inner size in points at `ppp` (what egui's builder and viewport
    /// commands take; egui-winit multiplies them by the window's own pixels per point).
    pub fn points(&self, ppp: f32) -> (Pos2, Vec2) {
        let ppp = if ppp > 0.0 { ppp } else { 1.0 };
        (
            pos2(self.x / ppp, self.y / ppp),
            vec2(self.w / ppp, self.h / ppp),
        )
    }
}

fn overlap(p: &BoardPlace, top_h: f32, m: &MonitorArea) -> (f32, f32) {
    let w = (p.x + p.w).min(m.x + m.w) - p.x.max(m.x);
    let h = (p.y + top_h).min(m.y + m.h) - p.y.max(m.y);
    (w.max(0.0), h.max(0.0))
}

/// `p` unchanged when its title bar is on a monitor (at least [`GRAB`] points of it, or all
/// of a narrower window), or when no monitor is known; otherwise moved onto the monitor it
/// overlaps most (else the first: the nearest or primary) and shrunk to fit it.
pub fn fit_on_monitors(p: BoardPlace, monitors: &[MonitorArea]) -> BoardPlace {
    let s = if p.scale > 0.0 { p.scale } else { 1.0 };
    let title = TITLE_BAR * s;
    let reachable = monitors.iter().any(|m| {
        let (w, h) = overlap(&p, title, m);
        w >= (GRAB * s).min(p.w) && h >= title / 2.0
    });
    if reachable || monitors.is_empty() {
        return p;
    }
    let area = |m: &MonitorArea| {
        let (w, h) = overlap(&p, p.h + title, m);
        w * h
    };
    let m = monitors
        .iter()
        .copied()
        .max_by(|a, b| area(a).total_cmp(&area(b)))
        .filter(|m| area(m) > 0.0)
        .unwrap_or(monitors[0]);
    let w = p.w.min(m.w);
    let h = p.h.min((m.h - title).max(title));
    BoardPlace {
        x: p.x.clamp(m.x, (m.x + m.w - w).max(m.x)),
        y: p.y.clamp(m.y, (m.y + m.h - h - title).max(m.y)),
        w,
        h,
        scale: s,
    }
}

/// One correction of the window on its first frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlaceStep {
    /// Send `OuterPosition` with this (points at the window's pixels per point).
    Move(Pos2),
    /// Send `InnerSize` with this. After the move: moving to a monitor of another scale makes
    /// Windows rescale the window, so the size is set at the new scale.
    Resize(Vec2),
    /// In place.
    Done,
}

/// What to do next to bring the window from `current` to `target` (both physical pixels);
/// `ppp` is the window's pixels per point now.
pub fn place_step(target: BoardPlace, current: BoardPlace, ppp: f32) -> PlaceStep {
    let (pos, size) = target.points(ppp);
    if (target.x - current.x).abs() > TOLERANCE || (target.y - current.y).abs() > TOLERANCE {
        PlaceStep::Move(pos)
    } else if (target.w - current.w).abs() > TOLERANCE || (target.h - current.h).abs() > TOLERANCE {
        PlaceStep::Resize(size)
    } else {
        PlaceStep::Done
    }
}

/// "Reset scoreboard position": the default size (1280 x 720 points, at most 80 % of the main
/// window's monitor) just inside the main window, which is on a visible monitor (eframe checks
/// the main window's place at start). Main window figures in physical pixels.
pub fn reset_place(main_outer: Pos2, main_monitor: Option<Vec2>, ppp: f32) -> BoardPlace {
    let s = if ppp > 0.0 { ppp } else { 1.0 };
    let mut size = DEFAULT_SIZE * s;
    if let Some(m) = main_monitor.filter(|m| m.x > 0.0 && m.y > 0.0) {
        size = size.min(m * 0.8);
    }
    BoardPlace {
        x: main_outer.x + 40.0 * s,
        y: main_outer.y + 40.0 * s,
        w: size.x,
        h: size.y,
        scale: s,
    }
}

#[cfg(test)]
#[path = "placement_tests.rs"]
mod tests;
