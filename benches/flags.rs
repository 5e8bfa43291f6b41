//! Flags: time to the first frame of a scoreboard showing two flags, against the same frame
//! without flags (baseline, same run); a steady frame with cached textures; the texture cache
//! hit rate over 10 s of scoreboard frames. Ends with a summary of ratios.
//!
//! Run: `cargo bench --bench flags`. The scoreboard here is a stand-in (two rows: flag, name,
//! score) drawn with the public flags API the real scoreboard uses.

use courtside::flags::{FlagResolver, FlagTextureCache};
use criterion::{BenchmarkId, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Flag height on the scoreboard, points.
const FLAG_HEIGHT: f32 = 96.0;

fn scoreboard(ui: &mut egui::Ui, flags: Option<(&mut FlagTextureCache, &FlagResolver)>) {
    let athletes = [("KOR", "KIM Minsu", 7), ("GER", "MÜLLER Jan", 5)];
    match flags {
        Some((cache, resolver)) => {
            for (code, name, score) in athletes {
                ui.horizontal(|ui| {
                    cache.flag_ui(ui, &resolver.resolve(code), FLAG_HEIGHT);
                    ui.heading(name);
                    ui.heading(score.to_string());
                });
            }
        }
        None => {
            for (code, name, score) in athletes {
                ui.horizontal(|ui| {
                    ui.heading(code);
                    ui.heading(name);
                    ui.heading(score.to_string());
                });
            }
        }
    }
}

fn frame(ctx: &egui::Context, mut flags: Option<(&mut FlagTextureCache, &FlagResolver)>) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 720.0),
        )),
        ..Default::default()
    };
    let mut out = ctx.run_ui(input, |ui| {
        let f = flags
            .as_mut()
            .map(|(cache, resolver)| (&mut **cache, *resolver));
        scoreboard(ui, f)
    });
    // No GPU here: the upload itself is not measured, only what the app does.
    out.textures_delta.clear();
    black_box(out.shapes.len());
}

/// A new context and cache, then one frame: what the operator waits for at start.
fn first_frame(with_flags: bool) {
    let ctx = egui::Context::default();
    let resolver = FlagResolver::builtin_only();
    let mut cache = FlagTextureCache::new();
    frame(&ctx, with_flags.then_some((&mut cache, &resolver)));
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

    let ctx = egui::Context::default();
    let resolver = FlagResolver::builtin_only();
    let mut cache = FlagTextureCache::new();
    frame(&ctx, Some((&mut cache, &resolver)));
    c.bench_function("steady_frame/scoreboard/two_flags", |b| {
        b.iter(|| frame(&ctx, Some((&mut cache, &resolver))))
    });
    c.bench_function("steady_frame/scoreboard/no_flags", |b| {
        b.iter(|| frame(&ctx, None))
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
    let ctx = egui::Context::default();
    let resolver = FlagResolver::builtin_only();
    let mut cache = FlagTextureCache::new();
    for _ in 0..600 {
        frame(&ctx, Some((&mut cache, &resolver)));
    }
    let stats = cache.stats();
    let warm = median(|| frame(&ctx, Some((&mut cache, &resolver))), 200);
    let warm_base = median(|| frame(&ctx, None), 200);
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
