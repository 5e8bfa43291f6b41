//! Flags: the store tables and import (validation, mixed drops, folders, progress).

use crate::flags_support;

use courtside::flags::import::{self, ImportItem, ImportMsg, ImportRequest};
use courtside::flags::validate::Rejection;
use courtside::flags::{FlagResolver, FlagSource, store, texture};
use flags_support::*;
use std::path::PathBuf;

#[test]
fn a_store_without_flag_tables_reads_as_empty() {
    let t = test_store();
    assert!(store::imported_flags(&t.store).unwrap().is_empty());
    assert!(store::mapping(&t.store).unwrap().is_empty());
    assert!(store::mapping_history(&t.store, 10).unwrap().is_empty());
    let r = FlagResolver::load(&t.store).unwrap();
    assert_eq!(r.resolve("KOR").source, FlagSource::Builtin);
}

fn import_files(t: &TestStore, items: Vec<ImportItem>, allow_unknown: bool) -> Vec<ImportMsg> {
    let resolver = FlagResolver::load(&t.store).unwrap();
    let msgs = std::cell::RefCell::new(Vec::new());
    let request = ImportRequest {
        items,
        allow_unknown,
    };
    import::run_import(&request, &resolver, &t.writer.sender(), &|m| {
        msgs.borrow_mut().push(m)
    });
    msgs.into_inner()
}

/// A valid one-colour SVG with this nominal size.
fn big_svg(width: u32, height: u32) -> Vec<u8> {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 3 2"><rect width="3" height="2" fill="#00a"/></svg>"##
    )
    .into_bytes()
}

fn item(path: PathBuf) -> ImportItem {
    ImportItem { path, code: None }
}

fn rejection_of<'a>(msgs: &'a [ImportMsg], name: &str) -> &'a Rejection {
    msgs.iter()
        .find_map(|m| match m {
            ImportMsg::Rejected { path, reason } if path.ends_with(name) => Some(reason),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{name} not rejected: {msgs:#?}"))
}

#[test]
fn good_png_and_svg_are_stored_and_override_the_built_in_flag() {
    let t = test_store();
    let png_bytes = png(60, 40);
    let kor = write(t.dir.path(), "KOR.png", &png_bytes);
    let ger = write(t.dir.path(), "ger.svg", &svg());
    let before = courtside::store::writer::now_ns();
    let msgs = import_files(&t, vec![item(kor), item(ger)], false);
    let after = courtside::store::writer::now_ns();
    assert!(
        matches!(msgs.last(), Some(ImportMsg::Finished(s)) if s.imported == 2),
        "{msgs:#?}"
    );

    let resolver = FlagResolver::load(&t.store).unwrap();
    let r = resolver.resolve("KOR");
    assert_eq!(r.source, FlagSource::Imported);
    assert_eq!(r.image.as_ref().unwrap().data.bytes(), png_bytes.as_slice());
    let meta = &resolver.imports()["KOR"].meta;
    assert_eq!(
        (meta.width, meta.height, meta.bytes),
        (60, 40, png_bytes.len() as u64)
    );
    assert_eq!(meta.source_name, "KOR.png");
    // The import time is the moment of this import (the texture cache keys on it).
    assert!(
        (before..=after).contains(&meta.imported_at_ns),
        "{before} <= {} <= {after}",
        meta.imported_at_ns
    );
    assert_eq!(resolver.resolve("GER").source, FlagSource::Imported);
    let pixels = texture::rasterise(r.image.as_ref().unwrap(), 30).unwrap();
    assert_eq!(pixels.size, [45, 30]);

    // Revert: back to the built-in flag, the other import untouched.
    store::apply_and_wait(&t.writer.sender(), "revert", store::revert_op("KOR".into())).unwrap();
    let resolver = FlagResolver::load(&t.store).unwrap();
    assert_eq!(resolver.resolve("KOR").source, FlagSource::Builtin);
    assert_eq!(resolver.resolve("GER").source, FlagSource::Imported);
}

#[test]
fn a_mixed_drop_rejects_each_bad_file_with_its_reason_and_imports_the_rest() {
    let t = test_store();
    let d = t.dir.path();
    let mut oversize = png(8, 8);
    oversize.resize(5 * 1024 * 1024 + 1, 0);
    let truncated = png(64, 64)[..40].to_vec();
    let items = vec![
        item(write(d, "KOR.png", &png(30, 20))),
        item(write(d, "GER.png", b"this is not a png")),
        item(write(d, "FRA.png", &truncated)),
        item(write(d, "ITA.png", &oversize)),
        item(write(d, "ESP.png", &png(4097, 2))),
        item(write(d, "NED.gif", b"GIF89a")),
        item(write(d, "POR.svg", b"<svg><unclosed")),
        item(write(d, "HUN.svg", &big_svg(5000, 300))),
        item(write(d, "AUT.svg", &big_svg(300, 4097))),
        item(write(d, "BEL.svg", &big_svg(4096, 4096))),
        item(write(d, "kor.svg", &svg())),
        item(write(d, "XYZ.svg", &svg())),
        item(write(d, "Flag of Japan.png", &png(30, 20))),
        ImportItem {
            path: write(d, "misc.png", &png(30, 20)),
            code: Some("K O R".into()),
        },
    ];
    let msgs = import_files(&t, items, false);

    assert!(matches!(
        rejection_of(&msgs, "GER.png"),
        Rejection::Corrupt(_)
    ));
    assert!(matches!(
        rejection_of(&msgs, "FRA.png"),
        Rejection::Corrupt(_)
    ));
    assert!(matches!(
        rejection_of(&msgs, "ITA.png"),
        Rejection::TooLarge { .. }
    ));
    let big = rejection_of(&msgs, "ESP.png");
    assert_eq!(
        big,
        &Rejection::TooManyPixels {
            width: 4097,
            height: 2
        }
    );
    assert!(big.to_string().contains("4096 px"), "{big}");
    assert!(rejection_of(&msgs, "ITA.png").to_string().contains("5 MB"));
    let gif = rejection_of(&msgs, "NED.gif");
    assert!(gif.to_string().contains(".gif"), "{gif}");
    assert!(matches!(
        rejection_of(&msgs, "POR.svg"),
        Rejection::Corrupt(_)
    ));
    // An SVG's nominal size counts like a raster's pixels; exactly the limit is fine (BEL).
    assert_eq!(
        rejection_of(&msgs, "HUN.svg"),
        &Rejection::TooManyPixels {
            width: 5000,
            height: 300
        }
    );
    assert_eq!(
        rejection_of(&msgs, "AUT.svg"),
        &Rejection::TooManyPixels {
            width: 300,
            height: 4097
        }
    );
    assert!(matches!(
        rejection_of(&msgs, "kor.svg"),
        Rejection::DuplicateCode { .. }
    ));
    assert!(matches!(
        rejection_of(&msgs, "misc.png"),
        Rejection::InvalidCode(_)
    ));
    // Valid images without a known code are asked about, not stored.
    let asked: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            ImportMsg::NeedsCode { path, .. } => Some(import::file_name(path)),
            _ => None,
        })
        .collect();
    assert_eq!(asked, ["XYZ.svg", "Flag of Japan.png"]);

    let resolver = FlagResolver::load(&t.store).unwrap();
    assert_eq!(
        resolver.imports().keys().collect::<Vec<_>>(),
        ["BEL", "KOR"]
    );
    assert_eq!(
        (
            resolver.imports()["BEL"].meta.width,
            resolver.imports()["BEL"].meta.height
        ),
        (4096, 4096)
    );
    let Some(ImportMsg::Finished(s)) = msgs.last() else {
        panic!("no Finished")
    };
    assert_eq!((s.imported, s.rejected, s.needs_code), (2, 10, 2));
}

#[test]
fn a_confirmed_unknown_code_imports_and_a_folder_is_expanded() {
    let t = test_store();
    let folder = t.dir.path().join("drop");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    write(&folder, "CRO.svg", &svg());
    write(
        &folder.join("sub"),
        "SLO.jpg",
        &image_bytes(20, 10, image::ImageFormat::Jpeg),
    );
    write(&folder, ".DS_Store", b"junk");
    let club = write(t.dir.path(), "whatever.png", &png(30, 20));
    let items = vec![
        item(folder),
        ImportItem {
            path: club,
            code: Some("tkd-club".into()),
        },
    ];
    let msgs = import_files(&t, items, false);
    assert!(
        matches!(msgs.last(), Some(ImportMsg::Finished(s)) if s.imported == 3 && s.rejected == 0),
        "{msgs:#?}"
    );
    let resolver = FlagResolver::load(&t.store).unwrap();
    let club = resolver.resolve("TKD-CLUB");
    assert_eq!((club.source, club.iso2()), (FlagSource::Imported, None));
    assert_eq!(
        resolver.imports()["SLO"].meta.format,
        store::ImageFormat::Jpeg
    );
}

#[test]
fn spawned_import_reports_progress_then_finishes() {
    let t = test_store();
    let paths: Vec<PathBuf> = ["KOR", "GER", "CRO"]
        .iter()
        .map(|c| write(t.dir.path(), &format!("{c}.svg"), &svg()))
        .collect();
    let (tx, rx) = crossbeam_channel::bounded(4);
    let handle = import::spawn_import(
        ImportRequest::paths(paths),
        FlagResolver::builtin_only(),
        t.writer.sender(),
        tx,
        courtside::flags::no_waker(),
    )
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut progress = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx
            .recv_timeout(left)
            .expect("import did not finish in time")
        {
            ImportMsg::Progress { done, total, .. } => progress.push((done, total)),
            ImportMsg::Finished(s) => {
                assert_eq!(s.imported, 3);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(progress, [(0, 3), (1, 3), (2, 3)]);
    assert_eq!(handle.join().unwrap().imported, 3);
}
