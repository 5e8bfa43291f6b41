//! Fixtures shared by the flags tests: temp stores and generated image files.
#![allow(dead_code)] // each test binary uses a different subset

use courtside::store::{Store, Writer, WriterConfig};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// A store in a fresh temp dir with its writer thread.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub writer: Writer,
}

pub fn test_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("test.redb")).unwrap();
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
    TestStore { dir, store, writer }
}

/// An RGBA image of one colour, encoded.
pub fn image_bytes(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 40]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    image_bytes(w, h, image::ImageFormat::Png)
}

/// A small valid SVG (green field).
pub fn svg() -> Vec<u8> {
    br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20" width="30" height="20"><rect width="30" height="20" fill="#0a0"/></svg>"##.to_vec()
}

/// Write `bytes` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A file or folder dropped on a window, as the platform would report it.
#[derive(Debug)]
pub struct TestDrop(pub PathBuf);

impl egui::DroppedFile for TestDrop {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}
