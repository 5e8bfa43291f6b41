//! `/flags/<CODE>.svg|png`: the flag the app would show for a received code (the operator's
//! mapping, then an imported flag, then the built-in set — [`FlagResolver::resolve`]).

use super::http::{Request, Response};
use crate::flags::resolve::FlagData;
use crate::flags::{FlagResolver, ImageFormat, raster};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default and largest height of a PNG drawing.
const DEFAULT_PNG_HEIGHT: u32 = 96;
const MAX_PNG_HEIGHT: u32 = 512;
/// Drawings kept (a venue shows a few dozen countries at a few sizes).
const CACHE_ENTRIES: usize = 256;
/// Longest a drawing may take (the same bound as the app's).
const DRAW_LIMIT: Duration = Duration::from_secs(2);

/// Imported SVGs are the operator's files: served so they cannot run anything when opened.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/// A drawing's identity: the image's key (a re-import gets a new one) and the height.
type DrawingKey = (String, u32);

/// PNG drawings by image identity and height.
#[derive(Default)]
pub struct PngCache(Mutex<HashMap<DrawingKey, Arc<[u8]>>>);

/// Answer a flag request for `name` (`KOR.svg`, `kor.png`).
pub async fn handle(
    req: &Request,
    name: &str,
    resolver: FlagResolver,
    cache: &PngCache,
) -> Response {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Response::error(404, "a flag is /flags/<CODE>.svg or /flags/<CODE>.png");
    };
    if crate::flags::ioc::normalize_code(stem).is_none() {
        return Response::error(
            400,
            &format!("invalid flag code {stem:?}: use 2–10 letters or digits"),
        );
    }
    let resolved = resolver.resolve(stem);
    let Some(image) = resolved.image else {
        return Response::error(
            404,
            &format!(
                "no flag for {:?} (not an IOC code, not imported, not mapped)",
                resolved.code
            ),
        );
    };
    match (ext.to_ascii_lowercase().as_str(), image.format) {
        ("svg", ImageFormat::Svg) => svg(image.data),
        ("svg", _) => Response::new(303, "text/plain", &b""[..])
            .with("Location", format!("/flags/{}.png", resolved.code)),
        ("png", format) => {
            let height = match req.query_param("h") {
                None => None,
                Some(h) => match h.parse::<u32>() {
                    Ok(h) if (8..=MAX_PNG_HEIGHT).contains(&h) => Some(h),
                    _ => {
                        return Response::error(
                            400,
                            &format!("h={h:?}: give a height of 8–{MAX_PNG_HEIGHT} px"),
                        );
                    }
                },
            };
            if format == ImageFormat::Png && height.is_none() {
                return png_response(Arc::from(image.data.bytes()));
            }
            let height = height.unwrap_or(DEFAULT_PNG_HEIGHT);
            match drawn(cache, image.key.to_string(), format, image.data, height).await {
                Ok(bytes) => png_response(bytes),
                Err(e) => Response::error(
                    500,
                    &format!("cannot draw the flag of {}: {e}", resolved.code),
                ),
            }
        }
        (other, _) => Response::error(
            404,
            &format!("flags are served as .svg or .png, not .{other}"),
        ),
    }
}

fn svg(data: FlagData) -> Response {
    let body: std::borrow::Cow<'static, [u8]> = match data {
        FlagData::Static(b) => b.into(),
        FlagData::Shared(b) => b.to_vec().into(),
    };
    Response::new(200, "image/svg+xml", body).with("Content-Security-Policy", SVG_POLICY)
}

fn png_response(bytes: Arc<[u8]>) -> Response {
    Response::new(200, "image/png", bytes.to_vec())
}

/// The PNG of an image at `height`, from the cache or drawn on a blocking thread.
async fn drawn(
    cache: &PngCache,
    key: String,
    format: ImageFormat,
    data: FlagData,
    height: u32,
) -> Result<Arc<[u8]>, String> {
    let cache_key = (key, height);
    if let Some(hit) = cache.0.lock().ok().and_then(|c| c.get(&cache_key).cloned()) {
        return Ok(hit);
    }
    let bytes = tokio::task::spawn_blocking(move || draw_png(format, data, height))
        .await
        .map_err(|e| format!("the drawing task failed: {e}"))??;
    if let Ok(mut c) = cache.0.lock() {
        if c.len() >= CACHE_ENTRIES {
            c.clear();
        }
        c.insert(cache_key, bytes.clone());
    }
    Ok(bytes)
}

fn draw_png(format: ImageFormat, data: FlagData, height: u32) -> Result<Arc<[u8]>, String> {
    let img = raster::rasterise_within(&(format, data), height, MAX_PNG_HEIGHT * 4, DRAW_LIMIT)
        .map_err(|e| e.to_string())?;
    let [w, h] = img.size;
    let mut rgba = Vec::with_capacity(w * h * 4);
    for px in &img.pixels {
        rgba.extend_from_slice(&px.to_srgba_unmultiplied());
    }
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(
        encoder,
        &rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    Ok(Arc::from(out))
}
