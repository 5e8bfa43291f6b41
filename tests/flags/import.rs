//! Flags: the IOC table and built-in set, resolution, mapping, the store tables, import.

use crate::flags_support;

use courtside::flags::import::{self, ImportItem, ImportMsg, ImportRequest};
use courtside::flags::validate::Rejection;
use courtside::flags::{FlagResolver, FlagSource, builtin, ioc, store, texture};
use flags_support::*;
use std::path::{Path, PathBuf};

#[test]
fn table_has_the_206_nocs_sorted_and_unique() {
    let nocs: Vec<_> = ioc::COUNTRIES.iter().filter(|c| c.is_noc()).collect();
    assert_eq!(nocs.len(), 206);
    for pair in ioc::COUNTRIES.windows(2) {
        assert!(
            pair[0].ioc < pair[1].ioc,
            "{} / {}",
            pair[0].ioc,
            pair[1].ioc
        );
    }
    let mut iso: Vec<_> = nocs.iter().map(|c| c.iso2.unwrap()).collect();
    iso.sort();
    iso.dedup();
    assert_eq!(iso.len(), 206, "two IOC codes share an ISO code");
    for c in ioc::COUNTRIES {
        assert!(c.ioc.len() == 3 && c.ioc.bytes().all(|b| b.is_ascii_uppercase()));
        assert_eq!(ioc::lookup(c.ioc), Some(c));
    }
}

#[test]
fn every_code_in_the_table_resolves_to_a_flag_that_decodes() {
    let resolver = FlagResolver::builtin_only();
    for c in ioc::COUNTRIES {
        let r = resolver.resolve(c.ioc);
        assert_eq!(r.source, FlagSource::Builtin, "{}", c.ioc);
        let image = r.image.expect("built-in flag has an image");
        let pixels = texture::rasterise(&image, 24)
            .unwrap_or_else(|e| panic!("{} ({}) does not render: {e}", c.ioc, c.asset));
        assert_eq!(pixels.size[1], 24, "{}", c.ioc);
        assert!(pixels.size[0] >= 24, "{} is {:?}", c.ioc, pixels.size);
        // A quarter at least: Nepal's flag is not rectangular, the rest fill the box.
        let opaque = pixels.pixels.iter().filter(|p| p.a() > 0).count();
        assert!(
            opaque * 4 > pixels.pixels.len(),
            "{} renders mostly empty",
            c.ioc
        );
    }
}

#[test]
fn embedded_assets_match_the_table_both_ways() {
    for c in ioc::COUNTRIES {
        assert!(builtin::asset(c.asset).is_some(), "{} has no asset", c.ioc);
    }
    for (name, _) in builtin::ASSETS {
        assert!(
            ioc::COUNTRIES.iter().any(|c| c.asset == *name),
            "{name} is embedded but unused"
        );
    }
    assert!(builtin::FLAG_ICONS_LICENSE.contains("MIT"));
}

/// IOC codes that are not the ISO alpha-3 code, with the flag they must show.
const IOC_NOT_ISO: &[(&str, &str, &str)] = &[
    ("CRO", "hr", "HRV"),
    ("SLO", "si", "SVN"),
    ("BUL", "bg", "BGR"),
    ("GER", "de", "DEU"),
    ("NED", "nl", "NLD"),
    ("SUI", "ch", "CHE"),
    ("KUW", "kw", "KWT"),
    ("NGR", "ng", "NGA"),
    ("DEN", "dk", "DNK"),
    ("POR", "pt", "PRT"),
    ("GRE", "gr", "GRC"),
    ("RSA", "za", "ZAF"),
    ("UAE", "ae", "ARE"),
    ("KSA", "sa", "SAU"),
    ("IRI", "ir", "IRN"),
    ("INA", "id", "IDN"),
    ("MAS", "my", "MYS"),
    ("PHI", "ph", "PHL"),
    ("VIE", "vn", "VNM"),
    ("LAT", "lv", "LVA"),
    ("CHI", "cl", "CHL"),
    ("ALG", "dz", "DZA"),
];

#[test]
fn ioc_codes_that_differ_from_iso_show_the_right_flag_and_iso_codes_are_not_guessed() {
    let resolver = FlagResolver::builtin_only();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flags/flag-icons");
    for &(code, iso2, iso3) in IOC_NOT_ISO {
        let r = resolver.resolve(code);
        assert_eq!(r.iso2(), Some(iso2), "{code}");
        assert_eq!(r.country.unwrap().iso3, Some(iso3), "{code}");
        // The embedded bytes are flag-icons' file for that ISO code.
        let on_disk = std::fs::read(dir.join(format!("{iso2}.svg"))).unwrap();
        assert_eq!(r.image.unwrap().data.bytes(), on_disk.as_slice(), "{code}");
        // The ISO alpha-3 code alone is not an IOC code: missing, with a suggestion.
        assert_eq!(resolver.resolve(iso3).source, FlagSource::Missing, "{iso3}");
        assert_eq!(ioc::suggest(iso3).map(|c| c.ioc), Some(code), "{iso3}");
    }
    // ISO's BRN is Brunei, but the IOC's BRN is Bahrain: the IOC meaning wins, no suggestion.
    assert_eq!(resolver.resolve("BRN").iso2(), Some("bh"));
    assert_eq!(resolver.resolve("BRU").iso2(), Some("bn"));
    assert_eq!(ioc::suggest("BRN"), None);
}

#[test]
fn team_codes_get_labelled_placeholders_and_tpe_is_not_the_tw_flag() {
    let resolver = FlagResolver::builtin_only();
    for code in ["AIN", "IOA", "EOR", "ROT", "RPT", "NPA", "TPE"] {
        let r = resolver.resolve(code);
        assert!(r.is_placeholder(), "{code}");
        let svg = String::from_utf8(r.image.unwrap().data.bytes().to_vec()).unwrap();
        assert!(svg.contains("NOT an official flag"), "{code}");
    }
    assert!(builtin::asset("flag-icons/tw").is_none());
    assert!(!resolver.resolve("KOR").is_placeholder());
}

#[test]
fn received_codes_are_normalised_and_junk_is_missing() {
    let resolver = FlagResolver::builtin_only();
    assert_eq!(resolver.resolve(" kor ").code, "KOR");
    assert_eq!(resolver.resolve("kor").source, FlagSource::Builtin);
    for junk in ["", "K", "K O R", "KÖR", "ABCDEFGHIJK"] {
        let r = resolver.resolve(junk);
        assert_eq!(r.source, FlagSource::Missing, "{junk:?}");
        assert!(r.image.is_none());
    }
    assert_eq!(ioc::normalize_code("club-7"), Some("CLUB-7".into()));
}

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
    let msgs = import_files(&t, vec![item(kor), item(ger)], false);
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
