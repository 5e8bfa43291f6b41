//! Bounded rasterising of flag images, shared by the app's texture cache, the import's trial
//! drawing and the match report.
//!
//! Whatever the stored bytes are (imported before these checks, restored from a backup), a
//! drawing never exceeds `max_side` pixels on either side (egui panics on a texture wider than the
//! GPU's limit), never draws an aspect ratio beyond [`MAX_ASPECT`](super::validate::MAX_ASPECT):1, never inflates a gzip
//! stream, and never parses an SVG that [`check_svg_source`] refuses. Untrusted SVG work can also
//! run on its own thread with a time limit ([`spawn_raster`], [`rasterise_within`]): resvg cannot
//! be interrupted, so a drawing over its limit is abandoned (its thread finishes in the
//! background, bounded by the checks) and the caller goes on.

use super::resolve::{FlagData, FlagImage};
use super::store::ImageFormat;
use super::svg_guard::check_svg_source;
use super::validate::{MAX_SIDE_PX, Rejection, check_aspect, svg_options};
use egui::ColorImage;
use std::fmt;
use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Stack of a drawing thread: usvg and resvg recurse over the (depth-checked) tree.
const RASTER_STACK: usize = 8 * 1024 * 1024;
/// Most bytes the image decoder may allocate (a 4096² RGBA image is 64 MiB).
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;

/// Why an image was not drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RasterError {
    /// The bytes fail a check an import makes (aspect, size, svgz, DOCTYPE, complexity).
    Refused(Rejection),
    /// The drawing took longer than its limit and was abandoned.
    TimedOut(String),
    /// The bytes do not draw (corrupt), or the drawing thread failed.
    Failed(String),
}

impl fmt::Display for RasterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RasterError::Refused(r) => r.fmt(f),
            RasterError::TimedOut(why) => write!(f, "the image is too slow to draw: {why}"),
            RasterError::Failed(why) => f.write_str(why),
        }
    }
}

impl From<Rejection> for RasterError {
    fn from(r: Rejection) -> Self {
        RasterError::Refused(r)
    }
}

/// An SVG not yet stored, as a [`FlagImage`]-like pair for the import's trial drawing.
pub fn untrusted_svg(data: &[u8]) -> (ImageFormat, FlagData) {
    (ImageFormat::Svg, FlagData::Shared(Arc::from(data)))
}

/// The size to draw a `width`×`height` image at: `height_px` tall, unless its width would exceed
/// `max_side`, then `max_side` wide; never 0, never above `max_side` either way.
pub fn fit(width: f64, height: f64, height_px: u32, max_side: u32) -> (u32, u32) {
    let max_side = max_side.max(1);
    let aspect = if width > 0.0 && height > 0.0 {
        width / height
    } else {
        1.0
    };
    let h = height_px.clamp(1, max_side);
    let w = (h as f64 * aspect).round();
    if w <= max_side as f64 {
        return ((w as u32).max(1), h);
    }
    let h = (max_side as f64 / aspect)
        .round()
        .clamp(1.0, max_side as f64) as u32;
    (max_side, h)
}

/// Draw `image` `height_px` tall (fitted within `max_side` on both sides), on this thread.
pub fn rasterise(
    image: &FlagImage,
    height_px: u32,
    max_side: u32,
) -> Result<ColorImage, RasterError> {
    rasterise_data(image.format, image.data.bytes(), height_px, max_side)
}

/// Draw encoded bytes of `format` `height_px` tall (fitted within `max_side`), on this thread.
pub fn rasterise_data(
    format: ImageFormat,
    bytes: &[u8],
    height_px: u32,
    max_side: u32,
) -> Result<ColorImage, RasterError> {
    match format {
        ImageFormat::Svg => rasterise_svg(bytes, height_px, max_side),
        ImageFormat::Png | ImageFormat::Jpeg => rasterise_raster(bytes, height_px, max_side),
    }
}

fn rasterise_svg(bytes: &[u8], height_px: u32, max_side: u32) -> Result<ColorImage, RasterError> {
    use resvg::tiny_skia::{Pixmap, Transform};
    check_svg_source(bytes)?;
    let tree = resvg::usvg::Tree::from_data(bytes, &svg_options())
        .map_err(|e| RasterError::Failed(format!("invalid SVG: {e}")))?;
    let size = tree.size();
    let (sw, sh) = (size.width() as f64, size.height() as f64);
    check_aspect(sw.ceil() as u32, sh.ceil() as u32)?;
    let (w, h) = fit(sw, sh, height_px, max_side);
    let mut pixmap = Pixmap::new(w, h)
        .ok_or_else(|| RasterError::Failed(format!("cannot make a {w}×{h} px drawing")))?;
    let scale = Transform::from_scale((w as f64 / sw) as f32, (h as f64 / sh) as f32);
    resvg::render(&tree, scale, &mut pixmap.as_mut());
    Ok(ColorImage::from_rgba_premultiplied(
        [w as usize, h as usize],
        pixmap.data(),
    ))
}

fn rasterise_raster(
    bytes: &[u8],
    height_px: u32,
    max_side: u32,
) -> Result<ColorImage, RasterError> {
    let decoded = decode_raster(bytes).map_err(RasterError::Failed)?;
    let rgba = decoded.to_rgba8();
    let (sw, sh) = rgba.dimensions();
    let (w, h) = fit(sw as f64, sh as f64, height_px, max_side);
    let scaled = image::imageops::resize(&rgba, w, h, image::imageops::FilterType::CatmullRom);
    Ok(ColorImage::from_rgba_unmultiplied(
        [w as usize, h as usize],
        scaled.as_raw(),
    ))
}

/// Decode PNG or JPEG bytes, refusing (from the header, before decoding) a side above
/// [`MAX_SIDE_PX`] or an aspect beyond [`MAX_ASPECT`](super::validate::MAX_ASPECT):1, with the decoder's allocations capped.
pub fn decode_raster(bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let reader = || {
        let mut r = image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| e.to_string())?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_SIDE_PX);
        limits.max_image_height = Some(MAX_SIDE_PX);
        limits.max_alloc = Some(MAX_DECODE_ALLOC);
        r.limits(limits);
        Ok::<_, String>(r)
    };
    let (w, h) = reader()?.into_dimensions().map_err(|e| e.to_string())?;
    if w > MAX_SIDE_PX || h > MAX_SIDE_PX {
        return Err(Rejection::TooManyPixels {
            width: w,
            height: h,
        }
        .to_string());
    }
    if w == 0 || h == 0 {
        return Err("the image has no pixels".into());
    }
    check_aspect(w, h).map_err(|r| r.to_string())?;
    reader()?.decode().map_err(|e| e.to_string())
}

/// Draw on a new named thread and call `done` with the result and the time it took. A panic in
/// the drawing code is reported as a failure, not propagated.
pub fn spawn_raster(
    format: ImageFormat,
    data: FlagData,
    height_px: u32,
    max_side: u32,
    done: impl FnOnce(Result<ColorImage, RasterError>, Duration) + Send + 'static,
) -> Result<(), String> {
    std::thread::Builder::new()
        .name("flag-raster".into())
        .stack_size(RASTER_STACK)
        .spawn(move || {
            let started = Instant::now();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rasterise_data(format, data.bytes(), height_px, max_side)
            }))
            .unwrap_or_else(|_| Err(RasterError::Failed("the drawing code panicked".into())));
            done(result, started.elapsed());
        })
        .map(drop)
        .map_err(|e| format!("cannot start a drawing thread: {e}"))
}

/// Draw on a thread of its own and wait at most `limit` (blocking: for workers, the CLI and the
/// report, never the UI thread).
pub fn rasterise_within(
    (format, data): &(ImageFormat, FlagData),
    height_px: u32,
    max_side: u32,
    limit: Duration,
) -> Result<ColorImage, RasterError> {
    let (tx, rx) = crossbeam_channel::bounded(1);
    spawn_raster(*format, data.clone(), height_px, max_side, move |r, _| {
        // The waiter may have given up: then nobody needs the drawing.
        let _ = tx.send(r);
    })
    .map_err(RasterError::Failed)?;
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(crossbeam_channel::RecvTimeoutError::Timeout) => Err(RasterError::TimedOut(format!(
            "not drawn within {:.1} s; abandoned",
            limit.as_secs_f64()
        ))),
        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Err(RasterError::Failed(
            "the drawing thread stopped without a result".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_bounds_both_sides_whatever_height_is_asked() {
        assert_eq!(fit(3.0, 2.0, 192, 4096), (288, 192));
        // 4:1 at a height whose width would pass the limit: fitted to the width.
        assert_eq!(fit(4.0, 1.0, 2048, 4096), (4096, 1024));
        assert_eq!(fit(4.0, 1.0, 2048, 2048), (2048, 512));
        // Extreme aspect (never accepted, but drawn bounded if asked): still within the limit.
        let (w, h) = fit(4096.0, 8.0, 36, 2048);
        assert!(w <= 2048 && (1..=2048).contains(&h), "{w}×{h}");
        assert_eq!(fit(1.0, 8.0, 10_000, 1024), (128, 1024));
        assert_eq!(fit(0.0, 0.0, 0, 0), (1, 1));
    }
}
