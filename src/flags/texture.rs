//! Flag textures: each image is rasterised once per pixel height and kept as an egui texture,
//! so a frame that shows flags does no SVG work once they are cached.
//!
//! Rasterising happens on the UI thread (textures are made there), but within a per-frame time
//! budget: a frame that would exceed it draws a blank box and asks for another frame, so opening
//! the manager's grid of 200 flags never stalls a frame for long. A lookup of a cached texture is
//! a hash-map hit, counted, so the hit rate can be shown and benchmarked.

use super::resolve::{FlagImage, FlagKey, FlagResolver, Resolved};
use super::store::ImageFormat;
use super::validate::svg_options;
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
    /// An empty cache with an 8 ms rasterising budget per frame.
    pub fn new() -> FlagTextureCache {
        FlagTextureCache::with_budget(Duration::from_millis(8))
    }

    /// An empty cache with this rasterising budget per frame (at least one image is always
    /// rasterised per frame, so progress is guaranteed).
    pub fn with_budget(budget: Duration) -> FlagTextureCache {
        FlagTextureCache {
            textures: HashMap::new(),
            failed: HashMap::new(),
            stats: CacheStats::default(),
            budget,
            pass: None,
            spent: Duration::ZERO,
            synced: None,
        }
    }

    /// Counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            textures: self.textures.len(),
            failures: self.failed.len(),
            ..self.stats
        }
    }

    /// Why an image failed to rasterise, if it did.
    pub fn failure(&self, key: &FlagKey) -> Option<&str> {
        self.failed.get(key).map(String::as_str)
    }

    /// The texture of `image` at `height_px` physical pixels, rasterising it on a miss. `None`
    /// when it cannot be drawn, or not in this frame (then a repaint is requested).
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
        let result = rasterise(image, height_px);
        self.spent += started.elapsed();
        self.stats.misses += 1;
        match result {
            Ok(pixels) => {
                let name = format!("flag {}@{height_px}", image.key);
                let tex = ctx.load_texture(name, pixels, TextureOptions::LINEAR);
                self.textures.insert(key, tex.clone());
                Some(tex)
            }
            Err(e) => {
                tracing::warn!("cannot draw flag {}: {e}", image.key);
                self.failed.insert(image.key.clone(), e);
                None
            }
        }
    }

    /// Draw the flag of `resolved`, `height` points tall (4:3 box when there is nothing to draw).
    pub fn flag_ui(
        &mut self,
        ui: &mut egui::Ui,
        resolved: &Resolved,
        height: f32,
    ) -> egui::Response {
        let px = (height * ui.ctx().pixels_per_point()).round() as u32;
        let tex = resolved
            .image
            .as_ref()
            .and_then(|img| self.texture(ui.ctx(), img, px));
        match tex {
            Some(tex) => {
                let [w, h] = tex.size();
                let size = egui::vec2(height * w as f32 / h.max(1) as f32, height);
                ui.add(egui::Image::new((tex.id(), size)))
            }
            None => {
                let (rect, response) = ui.allocate_exact_size(
                    egui::vec2(height * 4.0 / 3.0, height),
                    egui::Sense::hover(),
                );
                let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
                ui.painter()
                    .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
                response
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

/// Rasterise an image to `height_px` pixels tall, keeping its aspect ratio.
pub fn rasterise(image: &FlagImage, height_px: u32) -> Result<ColorImage, String> {
    let bytes = image.data.bytes();
    match image.format {
        ImageFormat::Svg => egui_extras::image::load_svg_bytes_with_size(
            bytes,
            egui::SizeHint::Height(height_px),
            &svg_options(),
        ),
        ImageFormat::Png | ImageFormat::Jpeg => {
            let decoded = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
            let rgba = decoded.to_rgba8();
            let (w, h) = rgba.dimensions();
            let width = ((w as f64 * height_px as f64 / h.max(1) as f64).round() as u32).max(1);
            let scaled = image::imageops::resize(
                &rgba,
                width,
                height_px,
                image::imageops::FilterType::CatmullRom,
            );
            Ok(ColorImage::from_rgba_unmultiplied(
                [width as usize, height_px as usize],
                scaled.as_raw(),
            ))
        }
    }
}
