//! Flags: time to the first frame of the real scoreboard (`courtside::ui::scoreboard::
//! scoreboard_ui`) showing two flags, against the same frame without flags (baseline, same run);
//! a steady frame with cached textures; the texture cache hit rate over 10 s of scoreboard
//! frames. Ends with a summary of ratios.
//!
//! Run: `cargo bench --bench flags`. The flags reach the `ScoreboardView` the way the app puts
//! them there: `FlagTextureCache::board_flags` with the app's resolver, every frame.

// Tests and benches may unwrap: a failure there is a failed run with its message (the house
// rule against unwrap/expect is for the app; see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use courtside::app::ScoreboardView;
use courtside::flags::{FlagResolver, FlagTextureCache};
use courtside::match_state::MatchState;
use courtside::ui::scoreboard::scoreboard_ui;
use criterion::{BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A match in progress between KOR (blue) and GER (red), as the scoring system would send it.
fn view() -> ScoreboardView {
    let mut state = MatchState::default();
    for datagram in [
        "pre;FightLoaded",
        "at1;KIM;KIM Minsu;KOR;at2;MUELLER;MÜLLER Jan;GER",
        "sc1;7;sc2;5",
    ] {
        for event in courtside::protocol::parse_datagram(datagram.as_bytes()) {
            state.apply(&event);
        }
    }
    ScoreboardView {
        state: Some(state),
        court: "Court 1".into(),
        ..ScoreboardView::default()
    }
}

/// One scoreboard frame at 1280×720; with `flags`, the two flags are looked up first.
fn frame(
    ctx: &egui::Context,
    view: &mut ScoreboardView,
    mut flags: Option<(&mut FlagTextureCache, &FlagResolver)>,
) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 720.0),
        )),
        ..Default::default()
    };
    let mut out = ctx.run_ui(input, |ui| {
        if let (Some((cache, resolver)), Some(state)) = (flags.as_mut(), view.state.as_ref()) {
            let codes = [state.blue.country.as_str(), state.red.country.as_str()];
            [view.blue_flag, view.red_flag] = cache.board_flags(ui.ctx(), resolver, codes);
        }
        scoreboard_ui(ui, view);
    });
    // No GPU here: the upload itself is not measured, only what the app does.
    out.textures_delta.clear();
    black_box(out.shapes.len());
}

/// A fresh context (with the app's fonts) and an empty texture cache.
fn fresh() -> (egui::Context, FlagTextureCache, ScoreboardView) {
    let ctx = egui::Context::default();
    courtside::ui::theme::install_fonts(&ctx);
    (ctx, FlagTextureCache::new(), view())
}

/// A new context and cache, then one frame: what the operator waits for at start.
fn first_frame(with_flags: bool) {
    let resolver = FlagResolver::builtin_only();
    let (ctx, mut cache, mut view) = fresh();
    frame(
        &ctx,
        &mut view,
        with_flags.then_some((&mut cache, &resolver)),
    );
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("first_frame");
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("scoreboard", "no_flags"), |b| {
        b.iter(|| first_frame(false))
    });
    g.bench_function(BenchmarkId::new("scoreboard", "two_flags"), |b| {
        b.iter(|| first_frame(true))
    });
    g.finish();

    let resolver = FlagResolver::builtin_only();
    let (ctx, mut cache, mut view) = fresh();
    frame(&ctx, &mut view, Some((&mut cache, &resolver)));
    c.bench_function("steady_frame/scoreboard/two_flags", |b| {
        b.iter(|| frame(&ctx, &mut view, Some((&mut cache, &resolver))))
    });
    let mut bare = self::view();
    c.bench_function("steady_frame/scoreboard/no_flags", |b| {
        b.iter(|| frame(&ctx, &mut bare, None))
    });
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Ratios against the baseline measured just now, and the hit rate of 10 s at 60 fps.
fn summary() {
    let base = median(|| first_frame(false), 15);
    let cold = median(|| first_frame(true), 15);
    let resolver = FlagResolver::builtin_only();
    let (ctx, mut cache, mut view) = fresh();
    for _ in 0..600 {
        frame(&ctx, &mut view, Some((&mut cache, &resolver)));
    }
    let stats = cache.stats();
    assert!(
        view.blue_flag.is_some() && view.red_flag.is_some(),
        "both flags drawn"
    );
    let warm = median(
        || frame(&ctx, &mut view, Some((&mut cache, &resolver))),
        200,
    );
    let mut bare = self::view();
    let warm_base = median(|| frame(&ctx, &mut bare, None), 200);
    println!("flags summary (medians, this run):");
    println!(
        "  first frame: no flags {base:?}, two flags {cold:?} → ×{:.2} (+{:?})",
        cold.as_secs_f64() / base.as_secs_f64(),
        cold.saturating_sub(base)
    );
    println!(
        "  steady frame: no flags {warm_base:?}, two cached flags {warm:?} → ×{:.2}",
        warm.as_secs_f64() / warm_base.as_secs_f64()
    );
    println!(
        "  texture cache over 600 frames: {} hits, {} misses, hit rate {:.2}%, {} textures",
        stats.hits,
        stats.misses,
        stats.hit_rate() * 100.0,
        stats.textures
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    summary();
}
