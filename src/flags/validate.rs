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

/// Read and check a file: extension, size (before reading), then the content.
pub fn check_file(path: &Path) -> Result<(ValidImage, Vec<u8>), Rejection> {
    let claimed = claimed_format(path)?;
    let len = std::fs::metadata(path)
        .map_err(|e| Rejection::Unreadable(e.to_string()))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge { bytes: len });
    }
    let data = std::fs::read(path).map_err(|e| Rejection::Unreadable(e.to_string()))?;
    let image = check_bytes(&data, claimed)?;
    Ok((image, data))
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
    Ok(ValidImage {
        format: ImageFormat::Svg,
        width,
        height,
    })
}

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
    let fmt = if format == ImageFormat::Png {
        image::ImageFormat::Png
    } else {
        image::ImageFormat::Jpeg
    };
    image::load_from_memory_with_format(data, fmt)
        .map_err(|e| Rejection::Corrupt(format!("{name}: {e}")))?;
    Ok(ValidImage {
        format,
        width,
        height,
    })
}
