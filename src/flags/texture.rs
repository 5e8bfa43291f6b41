//! Flag textures: each image is rasterised once per pixel height and kept as an egui texture,
//! so a frame that shows flags does no SVG work once they are cached.
//!
//! Built-in flags (embedded, checked by the tests) are rasterised on the UI thread within a
//! per-frame time budget: a frame that would exceed it draws a blank box and asks for another
//! frame, so opening the manager's grid of 200 flags never stalls a frame for long. Imported
//! flags are untrusted: they are drawn on worker threads with a time limit
//! ([`super::raster_jobs`]), and the placeholder is shown until the drawing arrives. Every
//! drawing is bounded to the GPU's largest texture side on both axes ([`super::raster::fit`]).
//! An image that cannot be drawn is skipped (placeholder) and reported once through
//! [`FlagTextureCache::take_failures`] for the app's notices. A lookup of a cached texture is a
//! hash-map hit, counted, so the hit rate can be shown and benchmarked. Drawing a flag as a
//! widget is the UI's part (`crate::ui::flag_widget`).

use super::raster::{self, RasterError};
use super::raster_jobs::RasterJobs;
use super::resolve::{FlagImage, FlagKey, FlagResolver};
use super::validate::RASTER_TIME_LIMIT;
use egui::{ColorImage, TextureHandle, TextureOptions};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Largest flag texture height, px (a full-screen scoreboard flag is well below).
const MAX_HEIGHT_PX: u32 = 1024;
/// Scoreboard flag height in physical pixels (rasterised once, then cached).
pub const BOARD_FLAG_PX: u32 = 192;

/// Counters of the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that rasterised.
    pub misses: u64,
    /// Lookups put off to a later frame (budget spent).
    pub deferred: u64,
    /// Textures held.
    pub textures: usize,
    /// Images that failed to rasterise.
    pub failures: usize,
    /// Imported images being drawn on worker threads.
    pub pending: usize,
    /// Drawings given up on (over the time limit) whose threads still run.
    pub abandoned: usize,
}

/// An image that could not be drawn, for the operator's notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagFailure {
    /// The code of an imported flag, or the built-in asset's name.
    pub code: String,
    /// Why (names the limit it broke).
    pub reason: String,
}

impl CacheStats {
    /// Hits / (hits + misses), 0 when nothing was looked up.
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

/// Texture cache: (image, pixel height) → texture. One per egui `Context`.
pub struct FlagTextureCache {
    textures: HashMap<(FlagKey, u32), TextureHandle>,
    failed: HashMap<FlagKey, String>,
    /// Failures not yet taken by the app.
    unreported: Vec<FlagFailure>,
    jobs: RasterJobs,
    stats: CacheStats,
    budget: Duration,
    pass: Option<u64>,
    spent: Duration,
    /// The flags-state generation last given to [`FlagTextureCache::sync`].
    synced: Option<u64>,
}

impl Default for FlagTextureCache {
    fn default() -> Self {
        FlagTextureCache::new()
    }
}

impl FlagTextureCache {
    /// An empty cache with an 8 ms rasterising budget per frame for built-in flags, and
    /// [`RASTER_TIME_LIMIT`] per imported flag.
    pub fn new() -> FlagTextureCache {
        FlagTextureCache::with_budget(Duration::from_millis(8))
    }

    /// An empty cache with this rasterising budget per frame for built-in flags (at least one
    /// image is always rasterised per frame, so progress is guaranteed).
    pub fn with_budget(budget: Duration) -> FlagTextureCache {
        FlagTextureCache::with_limits(budget, RASTER_TIME_LIMIT)
    }

    /// An empty cache: `budget` per frame for built-in flags, `time_limit` per imported flag's
    /// drawing (on a worker thread) before it is abandoned.
    pub fn with_limits(budget: Duration, time_limit: Duration) -> FlagTextureCache {
        FlagTextureCache {
            textures: HashMap::new(),
            failed: HashMap::new(),
            unreported: Vec::new(),
            jobs: RasterJobs::new(time_limit),
            stats: CacheStats::default(),
            budget,
            pass: None,
            spent: Duration::ZERO,
            synced: None,
        }
    }

    /// Counters.
    pub fn stats(&self) -> CacheStats {
        let (pending, abandoned) = self.jobs.counts();
        CacheStats {
            textures: self.textures.len(),
            failures: self.failed.len(),
            pending,
            abandoned,
            ..self.stats
        }
    }

    /// Images that could not be drawn since the last call (each reported once), for notices.
    pub fn take_failures(&mut self) -> Vec<FlagFailure> {
        std::mem::take(&mut self.unreported)
    }

    /// Why an image failed to rasterise, if it did.
    pub fn failure(&self, key: &FlagKey) -> Option<&str> {
        self.failed.get(key).map(String::as_str)
    }

    /// The texture of `image` at `height_px` physical pixels, rasterising it on a miss. `None`
    /// when it cannot be drawn, or not yet (then a repaint follows when it can).
    pub fn texture(
        &mut self,
        ctx: &egui::Context,
        image: &FlagImage,
        height_px: u32,
    ) -> Option<TextureHandle> {
        let height_px = height_px.clamp(1, MAX_HEIGHT_PX);
        let key = (image.key.clone(), height_px);
        if let Some(t) = self.textures.get(&key) {
            self.stats.hits += 1;
            return Some(t.clone());
        }
        if self.failed.contains_key(&image.key) {
            return None;
        }
        let max_side = max_side(ctx);
        if matches!(image.key, FlagKey::Imported { .. }) {
            return self.texture_off_thread(ctx, image, key, max_side);
        }
        let pass = ctx.cumulative_pass_nr();
        if self.pass != Some(pass) {
            self.pass = Some(pass);
            self.spent = Duration::ZERO;
        } else if self.spent >= self.budget {
            self.stats.deferred += 1;
            ctx.request_repaint();
            return None;
        }
        let started = Instant::now();
        let result = raster::rasterise(image, height_px, max_side);
        self.spent += started.elapsed();
        self.stats.misses += 1;
        self.finish(ctx, key, result)
    }

    /// An imported image: collect finished drawings, then start this one if it is not running.
    fn texture_off_thread(
        &mut self,
        ctx: &egui::Context,
        image: &FlagImage,
        key: (FlagKey, u32),
        max_side: u32,
    ) -> Option<TextureHandle> {
        let now = Instant::now();
        for done in self.jobs.poll(now) {
            self.finish(ctx, done.key, done.result);
        }
        if let Some(t) = self.textures.get(&key) {
            self.stats.hits += 1;
            return Some(t.clone());
        }
        if self.failed.contains_key(&image.key) {
            return None;
        }
        if !self.jobs.is_running(&key) {
            match self.jobs.start(ctx, key.clone(), image, max_side) {
                Ok(true) => self.stats.misses += 1,
                // All drawing threads busy: one finishing wakes the UI, and this asks again.
                Ok(false) => self.stats.deferred += 1,
                Err(e) => {
                    self.finish(ctx, key, Err(e));
                    return None;
                }
            }
        }
        // Wake when the limit passes, so a hung drawing is given up on without other input.
        if let Some(wait) = self.jobs.next_deadline(now) {
            ctx.request_repaint_after(wait + Duration::from_millis(1));
        }
        None
    }

    /// Keep a finished drawing as a texture, or remember (and report) why there is none.
    fn finish(
        &mut self,
        ctx: &egui::Context,
        key: (FlagKey, u32),
        result: Result<ColorImage, RasterError>,
    ) -> Option<TextureHandle> {
        let (image_key, height_px) = key;
        match result {
            Ok(pixels) => {
                let name = format!("flag {image_key}@{height_px}");
                let tex = ctx.load_texture(name, pixels, TextureOptions::LINEAR);
                self.textures.insert((image_key, height_px), tex.clone());
                Some(tex)
            }
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!("cannot draw flag {image_key}: {reason}");
                self.unreported.push(FlagFailure {
                    code: image_key.label(),
                    reason: reason.clone(),
                });
                self.failed.insert(image_key, reason);
                None
            }
        }
    }

    /// The scoreboard's flags `[blue, red]` for these country codes, resolved with `resolver`
    /// and rasterised at [`BOARD_FLAG_PX`] (cache hits after the first frame). `None` for an
    /// empty code, a code without a flag, or one put off to a later frame.
    pub fn board_flags(
        &mut self,
        ctx: &egui::Context,
        resolver: &FlagResolver,
        codes: [&str; 2],
    ) -> [Option<TextureHandle>; 2] {
        codes.map(|code| {
            if code.trim().is_empty() {
                return None;
            }
            let image = resolver.resolve(code).image?;
            self.texture(ctx, &image, BOARD_FLAG_PX)
        })
    }

    /// Call when the flags state may have changed (every frame is fine): on a new `generation`
    /// (a new snapshot of imports and mapping), frees the textures `resolver` no longer uses.
    pub fn sync(&mut self, generation: u64, resolver: &FlagResolver) {
        if self.synced != Some(generation) {
            self.synced = Some(generation);
            self.retain_current(resolver);
        }
    }

    /// Drop textures of imported flags that the resolver no longer uses (re-imported or
    /// reverted), so replaced images do not pile up in GPU memory.
    pub fn retain_current(&mut self, resolver: &FlagResolver) {
        let current: HashSet<(&str, i64)> = resolver
            .imports()
            .values()
            .map(|f| (f.meta.code.as_str(), f.meta.imported_at_ns))
            .collect();
        let keep = |k: &FlagKey| match k {
            FlagKey::Builtin(_) => true,
            FlagKey::Imported {
                code,
                imported_at_ns,
            } => current.contains(&(code.as_str(), *imported_at_ns)),
        };
        self.textures.retain(|(k, _), _| keep(k));
        self.failed.retain(|k, _| keep(k));
    }
}

/// The largest texture side this context's GPU takes (egui panics on a larger one), and never
/// more than the largest image side an import accepts.
fn max_side(ctx: &egui::Context) -> u32 {
    let gpu = ctx.input(|i| i.max_texture_side);
    u32::try_from(gpu)
        .unwrap_or(u32::MAX)
        .min(super::validate::MAX_SIDE_PX)
}

/// Rasterise an image `height_px` tall, fitted within the largest texture an import may need
/// (tests and tools; the app goes through [`FlagTextureCache`]).
pub fn rasterise(image: &FlagImage, height_px: u32) -> Result<ColorImage, String> {
    raster::rasterise(image, height_px, super::validate::MAX_SIDE_PX).map_err(|e| e.to_string())
}
