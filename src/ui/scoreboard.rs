//! The live scoreboard: a second OS window (deferred viewport) for a projector, a second monitor
//! or OBS window capture. It repaints only when the state changes (the PSS clock ticks arrive as
//! events, so a running clock needs no timer here).

use crate::match_state::{MatchState, Side};
use crate::model::scoreboard::{ScoreboardView, SharedScoreboard};
use crate::model::settings::{ColorSource, ScoreboardSettings, parse_hex_color};
use crate::ui::theme::{BLUE, RED, bold};
use egui::{Align2, Color32, FontId, Pos2, Rect, pos2, vec2};

pub mod parts;
pub use crate::model::placement;
pub use crate::model::placement::BoardPlace;
pub use crate::model::scoreboard::viewport_id;
pub use parts::{
    BannerPart, ClockFace, SideTexts, banner_parts, banner_text, clock_face, fit_contain,
    side_texts, top_texts,
};
use placement::{PlaceStep, fit_on_monitors, place_step, reset_place};

#[cfg(windows)]
mod monitor_windows;
#[cfg(windows)]
use monitor_windows::monitors_near;
/// No system monitor list outside Windows (see `placement`).
#[cfg(not(windows))]
fn monitors_near(_: &BoardPlace) -> Vec<placement::MonitorArea> {
    Vec::new()
}

/// Corrections sent to bring the window to its place before giving up (a window manager may
/// refuse or adjust them; the operator can still drag it or press "Reset scoreboard position").
const PLACE_TRIES: u8 = 4;

/// Window settings: title, size, remembered place. `place` is as remembered at start: it must
/// stay the same for the whole run, because egui resizes the window whenever the builder
/// changes. Points at the scale it was saved with; the first frames correct the pixels.
pub fn viewport_builder(place: Option<BoardPlace>) -> egui::ViewportBuilder {
    let mut b = egui::ViewportBuilder::default()
        .with_title("courtside — scoreboard")
        .with_inner_size(DEFAULT_SIZE)
        .with_min_inner_size([320.0, 180.0]);
    if let Some(p) = place {
        let (pos, size) = p.points(p.scale);
        b = b.with_position(pos).with_inner_size(size);
    }
    b
}

/// Where the window's first frames bring it: the saved place, except on macOS, where positions
/// are in points natively (the builder already puts it there) and the system keeps a window on
/// a screen.
pub fn start_target(saved: Option<BoardPlace>) -> Option<BoardPlace> {
    saved.filter(|_| !cfg!(target_os = "macos"))
}

/// The deferred viewport callback.
pub fn scoreboard_viewport(ui: &mut egui::Ui, shared: &SharedScoreboard) {
    let ctx = ui.ctx().clone();
    let ppp = ctx.pixels_per_point();
    let (close, place, fullscreen) = ctx.input(|i| {
        let v = i.viewport();
        (
            v.close_requested(),
            BoardPlace::from_info(v, ppp),
            v.fullscreen.unwrap_or(false),
        )
    });
    if ctx.input_mut(|i| {
        crate::ui::consume_either(
            i,
            &crate::ui::FULLSCREEN_SCOREBOARD,
            &crate::ui::FULLSCREEN_SCOREBOARD_ALT,
        )
    }) {
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!fullscreen));
    }
    let view = match shared.lock() {
        Ok(mut v) => {
            v.frames += 1;
            if close {
                v.close_requested = true;
            }
            if place.is_some() {
                v.place = place;
            }
            v.fullscreen = fullscreen;
            place_window(&ctx, &mut v, place, fullscreen);
            v.clone()
        }
        Err(_) => ScoreboardView::default(),
    };
    if close {
        ctx.request_repaint_of(egui::ViewportId::ROOT);
    }
    egui::CentralPanel::no_frame().show(ui, |ui| scoreboard_ui(ui, &view));
}

/// Bring the window to `v.placing` on its first frames, one correction a frame (see
/// `placement`); on "Reset scoreboard position" to the default size inside the main window.
fn place_window(ctx: &egui::Context, v: &mut ScoreboardView, now: Option<BoardPlace>, full: bool) {
    if std::mem::take(&mut v.reset_place) {
        let (outer, monitor, main_ppp) = ctx.input_for(egui::ViewportId::ROOT, |i| {
            let m = i.viewport();
            (
                m.outer_rect.map(|r| r.min),
                m.monitor_size,
                i.pixels_per_point,
            )
        });
        let outer_px = outer.map_or(Pos2::ZERO, |p| (p.to_vec2() * main_ppp).to_pos2());
        v.placing = Some(reset_place(
            outer_px,
            monitor.map(|m| m * main_ppp),
            main_ppp,
        ));
        v.place_tries = 0;
        if full {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
        }
    }
    // No position known (fullscreen, or Wayland): nothing to compare with yet.
    let (Some(target), Some(now)) = (v.placing, now) else {
        return;
    };
    if v.place_tries >= PLACE_TRIES {
        v.placing = None;
        return;
    }
    let target = fit_on_monitors(target, &monitors_near(&target));
    v.placing = Some(target);
    match place_step(target, now, ctx.pixels_per_point()) {
        PlaceStep::Move(pos) => ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(pos)),
        PlaceStep::Resize(size) => ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(size)),
        PlaceStep::Done => {
            v.placing = None;
            return;
        }
    }
    v.place_tries += 1;
    // The next frame checks where the window went.
    ctx.request_repaint();
}

fn hex(text: &str, fallback: Color32) -> Color32 {
    parse_hex_color(text).map_or(fallback, |[r, g, b]| Color32::from_rgb(r, g, b))
}

/// Colours (blue bg, blue fg, red bg, red fg) for the board.
pub fn board_colors(s: &ScoreboardSettings, state: &MatchState) -> [Color32; 4] {
    let c = &state.info.colors;
    match &s.colors {
        ColorSource::Match => [
            hex(&c.blue_bg, BLUE),
            hex(&c.blue_fg, Color32::WHITE),
            hex(&c.red_bg, RED),
            hex(&c.red_fg, Color32::WHITE),
        ],
        ColorSource::Custom {
            blue_bg,
            blue_fg,
            red_bg,
            red_fg,
        } => [
            hex(blue_bg, BLUE),
            hex(blue_fg, Color32::WHITE),
            hex(red_bg, RED),
            hex(red_fg, Color32::WHITE),
        ],
    }
}

/// Draw the scoreboard into the whole available rect.
pub fn scoreboard_ui(ui: &mut egui::Ui, view: &ScoreboardView) {
    let rect = ui.max_rect();
    let (response, painter) = ui.allocate_painter(rect.size(), egui::Sense::hover());
    let rect = response.rect;
    let bg = view
        .settings
        .chroma_key
        .as_deref()
        .and_then(parse_hex_color)
        .map_or(Color32::from_rgb(12, 12, 16), |[r, g, b]| {
            Color32::from_rgb(r, g, b)
        });
    painter.rect_filled(rect, 0.0, bg);
    let unit = (rect.width() / 16.0).min(rect.height() / 9.0) * view.settings.font_scale;
    let font = |k: f32| FontId::new((unit * k).max(6.0), bold());
    let Some(state) = &view.state else {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            "Loading…",
            font(0.6),
            Color32::WHITE,
        );
        return;
    };
    if state.counts.messages == 0 {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            format!("{} — waiting for the scoring system", view.court),
            font(0.5),
            Color32::WHITE,
        );
        return;
    }
    let [bbg, bfg, rbg, rfg] = board_colors(&view.settings, state);
    let body_top = header_ui(&painter, rect, state, unit);
    let banner_h = unit * 1.2;
    let body = Rect::from_min_max(
        pos2(rect.min.x, body_top),
        pos2(rect.max.x, rect.max.y - banner_h),
    );
    let half = body.width() / 2.0;
    let left = Rect::from_min_size(body.min, vec2(half, body.height())).shrink(unit * 0.08);
    let right = Rect::from_min_size(body.min + vec2(half, 0.0), vec2(half, body.height()))
        .shrink(unit * 0.08);
    let scale = view.settings.font_scale;
    let blue = (bbg, bfg, view.blue_flag.as_ref());
    let red = (rbg, rfg, view.red_flag.as_ref());
    side(&painter, left, &state.blue, blue, unit, scale);
    side(&painter, right, &state.red, red, unit, scale);
    let banner = Rect::from_min_max(pos2(rect.min.x, rect.max.y - banner_h), rect.max);
    banner_ui(&painter, banner, state, unit, font(0.5));
}

/// The top line (match, round) and the clock; returns where the athletes' halves begin.
fn header_ui(p: &egui::Painter, rect: Rect, state: &MatchState, unit: f32) -> f32 {
    let font = |k: f32| FontId::new((unit * k).max(6.0), bold());
    let top = Rect::from_min_size(rect.min, vec2(rect.width(), unit * 1.1));
    let (match_line, round) = top_texts(state);
    p.text(
        top.left_center() + vec2(unit * 0.3, 0.0),
        Align2::LEFT_CENTER,
        match_line,
        font(0.45),
        Color32::WHITE,
    );
    p.text(
        top.right_center() - vec2(unit * 0.3, 0.0),
        Align2::RIGHT_CENTER,
        round,
        font(0.55),
        Color32::WHITE,
    );
    let clock = clock_face(state);
    let clock_rect = Rect::from_min_size(
        pos2(rect.center().x - unit * 2.5, top.max.y),
        vec2(unit * 5.0, unit * 1.6),
    );
    // The clock and the scores are the biggest text: drawn from textures of their own, not
    // from egui's font atlas (see big_text).
    super::big_text::paint(
        p,
        clock_rect.center(),
        Align2::CENTER_CENTER,
        &clock.text,
        font(1.3).size,
        clock.color(),
    );
    clock_rect.max.y + unit * 0.1
}

/// One athlete's half: colours (background, text) and the flag texture if there is one.
type SideLook<'a> = (Color32, Color32, Option<&'a egui::TextureHandle>);

fn side(p: &egui::Painter, r: Rect, s: &Side, look: SideLook<'_>, unit: f32, scale: f32) {
    let (bg, fg, flag_tex) = look;
    let t = side_texts(s);
    let font = |k: f32| FontId::new((unit * k).max(6.0), bold());
    p.rect_filled(r, unit * 0.1, bg);
    let pad = unit * 0.25;
    let flag_box = Rect::from_min_size(r.min + vec2(pad, pad), vec2(unit * 1.2, unit * 0.8));
    let flag = flag_ui(p, flag_box, flag_tex, &t.country, unit);
    p.rect_stroke(
        flag,
        2.0,
        egui::Stroke::new(1.0, fg),
        egui::StrokeKind::Inside,
    );
    // Name and country are placed by the box, not the fitted flag, so they do not jump about
    // with each country's flag ratio.
    p.text(
        flag_box.right_center() + vec2(pad, 0.0),
        Align2::LEFT_CENTER,
        &t.short_name,
        font(0.55),
        fg,
    );
    p.text(
        flag_box.center_bottom() + vec2(0.0, pad * 0.6),
        Align2::CENTER_TOP,
        &t.country,
        font(0.35),
        fg,
    );
    let score_size = (r.height() * 0.5).min(r.width() * 0.45) * scale.min(1.2);
    super::big_text::paint(
        p,
        r.center() + vec2(0.0, unit * 0.1),
        Align2::CENTER_CENTER,
        &t.score,
        score_size,
        fg,
    );
    let bottom = r.max.y - pad;
    let left_bottom = pos2(r.min.x + pad, bottom);
    p.text(left_bottom, Align2::LEFT_BOTTOM, &t.gam_jeom, font(0.4), fg);
    let right_bottom = pos2(r.max.x - pad, bottom);
    p.text(
        right_bottom,
        Align2::RIGHT_BOTTOM,
        &t.round_scores,
        font(0.35),
        fg,
    );
    for i in 0..t.round_dots {
        let c = Pos2::new(
            r.max.x - pad - unit * 0.2 - i as f32 * unit * 0.5,
            r.min.y + pad + unit * 0.3,
        );
        p.circle_filled(c, unit * 0.18, fg);
    }
}

/// The flag fitted in its box, or the country code in a grey box when there is no flag; returns
/// the rect drawn (to frame it).
fn flag_ui(
    p: &egui::Painter,
    flag_box: Rect,
    flag_tex: Option<&egui::TextureHandle>,
    country: &str,
    unit: f32,
) -> Rect {
    match flag_tex {
        Some(tex) => {
            let flag = fit_contain(flag_box, tex.size_vec2());
            let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            p.image(tex.id(), flag, uv, Color32::WHITE);
            flag
        }
        None => {
            // No flag for this code: a box with the code, never another country's flag.
            p.rect_filled(flag_box, 2.0, Color32::from_gray(70));
            p.text(
                flag_box.center(),
                Align2::CENTER_CENTER,
                country,
                FontId::new((unit * 0.35).max(6.0), bold()),
                Color32::WHITE,
            );
            flag_box
        }
    }
}

fn banner_ui(p: &egui::Painter, r: Rect, s: &MatchState, unit: f32, font: FontId) {
    let parts = banner_parts(s);
    let Some(last) = parts.last() else {
        return;
    };
    p.rect_filled(
        r.shrink(unit * 0.08),
        unit * 0.1,
        Color32::from_black_alpha(200),
    );
    let text = banner_text(&parts);
    let color = last.color();
    // Shrink the text until it fits the banner's width.
    let mut font = font;
    let max_w = r.width() - unit * 0.6;
    let width = p.layout_no_wrap(text.clone(), font.clone(), color).size().x;
    if width > max_w && width > 0.0 {
        font.size = (font.size * max_w / width).max(6.0);
    }
    p.text(r.center(), Align2::CENTER_CENTER, text, font, color);
}

pub use crate::model::placement::DEFAULT_SIZE;
