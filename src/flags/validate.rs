//! Checks one candidate flag file before anything is stored: type, size, decodability, code.

use super::ioc;
use super::store::ImageFormat;
use std::fmt;
use std::io::Cursor;
use std::path::Path;

/// Largest file accepted, bytes (5 MB).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// Largest image side accepted, px (raster size, or an SVG's nominal size).
pub const MAX_SIDE_PX: u32 = 4096;
/// Widest aspect ratio accepted, either orientation: flags are about 1:1 to 2:1, and a wider
/// image would need a texture wider than any GPU allows at the heights flags are drawn.
pub const MAX_ASPECT: f64 = 4.0;
/// Longest an import may spend drawing one SVG as a trial (the app gives it as long).
pub const RASTER_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Why a file was not imported. `Display` is the message shown next to the file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The file could not be read.
    Unreadable(String),
    /// Not a `.png`, `.jpg`/`.jpeg` or `.svg` file.
    Extension(String),
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// File size.
        bytes: u64,
    },
    /// A side larger than [`MAX_SIDE_PX`] (an SVG's nominal size counts).
    TooManyPixels {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
    },
    /// Wider or taller than [`MAX_ASPECT`]:1.
    Aspect {
        /// Width, px (SVG: nominal).
        width: u32,
        /// Height, px (SVG: nominal).
        height: u32,
    },
    /// A gzip-compressed file (`.svgz` content).
    Compressed,
    /// An SVG with a `DOCTYPE` or `ENTITY` declaration.
    Declaration(&'static str),
    /// An SVG that expands to too much work (nested `<use>`, huge filter parameters).
    TooComplex(String),
    /// Drawing it took longer than [`RASTER_TIME_LIMIT`].
    TooSlow(String),
    /// Not a regular file (a device, a pipe), or a link not followed in a folder.
    NotAFile(String),
    /// The content does not decode as the image it claims to be.
    Corrupt(String),
    /// The file name (or the code given) is not a usable code.
    InvalidCode(String),
    /// Another file of the same import has the same code.
    DuplicateCode {
        /// The code.
        code: String,
        /// The file that has it first.
        first: String,
    },
    /// Valid, but the store refused it.
    Store(String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Unreadable(e) => write!(f, "cannot read the file: {e}"),
            Rejection::Extension(ext) => write!(
                f,
                "unsupported file type {ext:?}: only PNG, JPEG and SVG flags can be imported"
            ),
            Rejection::TooLarge { bytes } => write!(
                f,
                "file is too large ({:.1} MB); the limit is {} MB",
                *bytes as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            Rejection::TooManyPixels { width, height } => write!(
                f,
                "image is too large ({width}×{height} px); the limit is {MAX_SIDE_PX} px per side"
            ),
            Rejection::Aspect { width, height } => {
                let (long, short) = (*width.max(height), (*width.min(height)).max(1));
                let ratio = long as f64 / short as f64;
                // "512:1", "4.1:1": never a rounded "4:1" for a refused 4.1.
                let ratio = if (ratio - ratio.round()).abs() < 0.05 {
                    format!("{ratio:.0}")
                } else {
                    format!("{ratio:.1}")
                };
                write!(
                    f,
                    "aspect ratio {ratio}:1 ({width}×{height} px) is too extreme for a flag; at \
                     most {MAX_ASPECT:.0}:1 either way is accepted (most flags are 3:2 or 2:1)"
                )
            }
            Rejection::Compressed => write!(
                f,
                "gzip-compressed SVG (svgz) is not accepted; save it as a plain .svg"
            ),
            Rejection::Declaration(what) => write!(
                f,
                "the SVG declares a {what} (entity declarations can expand to gigabytes); save \
                 it without the DOCTYPE"
            ),
            Rejection::TooComplex(why) => write!(f, "the SVG is too complex to draw safely: {why}"),
            Rejection::TooSlow(why) => write!(f, "the image is too slow to draw: {why}"),
            Rejection::NotAFile(why) => write!(f, "not imported: {why}"),
            Rejection::Corrupt(e) => write!(f, "not a readable image: {e}"),
            Rejection::InvalidCode(c) => write!(
                f,
                "{c:?} is not a flag code (2–10 letters or digits); name the file like KOR.png"
            ),
            Rejection::DuplicateCode { code, first } => {
                write!(f, "code {code} is already given by {first} in this import")
            }
            Rejection::Store(e) => write!(f, "could not be saved: {e}"),
        }
    }
}

/// A file that passed every image check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidImage {
    /// Format from the content.
    pub format: ImageFormat,
    /// Width, px (SVG: nominal).
    pub width: u32,
    /// Height, px (SVG: nominal).
    pub height: u32,
}

/// SVG parsing options for untrusted files: `<image href="…">` never reads local files (the
/// stored bytes must render the same everywhere, and a flag must not read the disk).
pub(crate) fn svg_options() -> resvg::usvg::Options<'static> {
    let mut opt = resvg::usvg::Options::default();
    opt.image_href_resolver.resolve_string = Box::new(|_, _| None);
    opt
}

/// The format a file name claims, from its extension (case-insensitive).
pub fn claimed_format(path: &Path) -> Result<ImageFormat, Rejection> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => Ok(ImageFormat::Png),
        "jpg" | "jpeg" => Ok(ImageFormat::Jpeg),
        "svg" => Ok(ImageFormat::Svg),
        "" => Err(Rejection::Extension("(none)".into())),
        other => Err(Rejection::Extension(format!(".{other}"))),
    }
}

/// The code a file name gives (`KOR.png`, `kor.svg` → `KOR`), if its stem is code-shaped.
pub fn code_from_name(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .and_then(ioc::normalize_code)
}

/// Read and check a file: extension, kind (a regular file, not a device or pipe), size (at most
/// [`MAX_FILE_BYTES`] + 1 bytes are ever read, whatever the file claims), then the content.
pub fn check_file(path: &Path) -> Result<(ValidImage, Vec<u8>), Rejection> {
    let claimed = claimed_format(path)?;
    let meta = std::fs::metadata(path).map_err(|e| Rejection::Unreadable(e.to_string()))?;
    if !meta.is_file() {
        // Opening a pipe blocks and a device such as /dev/zero never ends.
        return Err(Rejection::NotAFile(
            "it is a device, pipe or socket, not a regular file".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge { bytes: meta.len() });
    }
    let data = read_at_most(path, MAX_FILE_BYTES)?;
    let image = check_bytes(&data, claimed)?;
    Ok((image, data))
}

/// Read at most `limit` + 1 bytes (one more tells "too large" from "exactly the limit"): the
/// size on disk may change after it was checked, or lie (procfs, FUSE).
fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, Rejection> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Rejection::Unreadable(e.to_string()))?;
    let mut data = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| Rejection::Unreadable(e.to_string()))?;
    if data.len() as u64 > limit {
        return Err(Rejection::TooLarge {
            bytes: data.len() as u64,
        });
    }
    Ok(data)
}

/// Refuse an image wider or taller than [`MAX_ASPECT`]:1.
pub fn check_aspect(width: u32, height: u32) -> Result<(), Rejection> {
    let (long, short) = (width.max(height) as f64, width.min(height).max(1) as f64);
    if long / short > MAX_ASPECT {
        return Err(Rejection::Aspect { width, height });
    }
    Ok(())
}

/// Check image bytes that claim to be `claimed`.
pub fn check_bytes(data: &[u8], claimed: ImageFormat) -> Result<ValidImage, Rejection> {
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge {
            bytes: data.len() as u64,
        });
    }
    match claimed {
        ImageFormat::Svg => check_svg(data),
        ImageFormat::Png | ImageFormat::Jpeg => check_raster(data, claimed),
    }
}

fn check_svg(data: &[u8]) -> Result<ValidImage, Rejection> {
    super::svg_guard::check_svg_source(data)?;
    let tree = resvg::usvg::Tree::from_data(data, &svg_options())
        .map_err(|e| Rejection::Corrupt(format!("invalid SVG: {e}")))?;
    let size = tree.size();
    let (w, h) = (size.width().ceil(), size.height().ceil());
    if !(w >= 1.0 && h >= 1.0) {
        return Err(Rejection::Corrupt("SVG has no drawable size".into()));
    }
    let (width, height) = (w.min(u32::MAX as f32) as u32, h.min(u32::MAX as f32) as u32);
    // Drawn at display size, but the nominal size is what an export or a preview at "100 %"
    // would allocate, and no real flag needs more than a raster one may have.
    if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(Rejection::TooManyPixels { width, height });
    }
    check_aspect(width, height)?;
    // A trial drawing on a thread of its own, with the app's time limit: what passes here draws
    // in the app too, and a file that hangs resvg is refused instead of hanging the import.
    let image = super::raster::untrusted_svg(data);
    super::raster::rasterise_within(&image, TRIAL_HEIGHT_PX, MAX_SIDE_PX, RASTER_TIME_LIMIT)
        .map_err(|e| match e {
            super::raster::RasterError::TimedOut(why) => Rejection::TooSlow(why),
            super::raster::RasterError::Refused(r) => r,
            super::raster::RasterError::Failed(why) => Rejection::Corrupt(why),
        })?;
    Ok(ValidImage {
        format: ImageFormat::Svg,
        width,
        height,
    })
}

/// Height of an import's trial drawing, px (the size the scoreboard uses).
const TRIAL_HEIGHT_PX: u32 = 192;

fn check_raster(data: &[u8], claimed: ImageFormat) -> Result<ValidImage, Rejection> {
    let name = if claimed == ImageFormat::Png {
        "PNG"
    } else {
        "JPEG"
    };
    let reader = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .map_err(|e| Rejection::Corrupt(e.to_string()))?;
    // Trust the content over the name: a JPEG saved as .png is still a fine flag.
    let format = match reader.format() {
        Some(image::ImageFormat::Png) => ImageFormat::Png,
        Some(image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
        _ => {
            return Err(Rejection::Corrupt(format!(
                "the content is not a {name} image"
            )));
        }
    };
    // Dimensions from the header first, so a huge image is refused before it is decoded.
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| Rejection::Corrupt(format!("{name}: {e}")))?;
    if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(Rejection::TooManyPixels { width, height });
    }
    if width == 0 || height == 0 {
        return Err(Rejection::Corrupt(format!("{name} has no pixels")));
    }
    check_aspect(width, height)?;
    super::raster::decode_raster(data).map_err(|e| Rejection::Corrupt(format!("{name}: {e}")))?;
    Ok(ValidImage {
        format,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_read_only_to_the_limit_plus_one_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("KOR.svg");
        std::fs::write(&path, vec![b' '; 1000]).unwrap();
        // The size on disk is not trusted: the read itself stops one byte past the limit.
        assert_eq!(
            read_at_most(&path, 100),
            Err(Rejection::TooLarge { bytes: 101 })
        );
        assert_eq!(read_at_most(&path, 1000).map(|d| d.len()), Ok(1000));
    }

    #[test]
    fn aspect_reason_names_the_ratio_without_rounding_a_refused_one_down() {
        let text = |w, h| check_aspect(w, h).unwrap_err().to_string();
        assert!(text(4096, 8).starts_with("aspect ratio 512:1 (4096×8 px)"));
        assert!(
            text(41, 10).starts_with("aspect ratio 4.1:1"),
            "{}",
            text(41, 10)
        );
        assert!(text(10, 50).starts_with("aspect ratio 5:1 (10×50 px)"));
        assert_eq!(check_aspect(400, 100), Ok(()));
        assert_eq!(check_aspect(100, 400), Ok(()));
    }
}
