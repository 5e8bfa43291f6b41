//! The built-in flag images, embedded in the executable (single-file install, no asset folder
//! to lose). The asset list must match the table's `asset` names; a test checks both ways so no
//! unused file bloats the binary and no row lacks its image.

use super::ioc::{self, Country};

/// Embed `flags/<name>.svg` for each name, as a sorted `(name, bytes)` slice.
macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/flags/", $name, ".svg")) as &[u8]),)*]
    };
}

/// Every embedded image: `(asset name, SVG bytes)`, sorted by name.
#[rustfmt::skip] // several names per line
pub static ASSETS: &[(&str, &[u8])] = embed![
    "flag-icons/ad", "flag-icons/ae", "flag-icons/af", "flag-icons/ag", "flag-icons/al",
    "flag-icons/am", "flag-icons/ao", "flag-icons/ar", "flag-icons/as", "flag-icons/at",
    "flag-icons/au", "flag-icons/aw", "flag-icons/az", "flag-icons/ba", "flag-icons/bb",
    "flag-icons/bd", "flag-icons/be", "flag-icons/bf", "flag-icons/bg", "flag-icons/bh",
    "flag-icons/bi", "flag-icons/bj", "flag-icons/bm", "flag-icons/bn", "flag-icons/bo",
    "flag-icons/br", "flag-icons/bs", "flag-icons/bt", "flag-icons/bw", "flag-icons/by",
    "flag-icons/bz", "flag-icons/ca", "flag-icons/cd", "flag-icons/cf", "flag-icons/cg",
    "flag-icons/ch", "flag-icons/ci", "flag-icons/ck", "flag-icons/cl", "flag-icons/cm",
    "flag-icons/cn", "flag-icons/co", "flag-icons/cr", "flag-icons/cu", "flag-icons/cv",
    "flag-icons/cy", "flag-icons/cz", "flag-icons/de", "flag-icons/dj", "flag-icons/dk",
    "flag-icons/dm", "flag-icons/do", "flag-icons/dz", "flag-icons/ec", "flag-icons/ee",
    "flag-icons/eg", "flag-icons/er", "flag-icons/es", "flag-icons/et", "flag-icons/fi",
    "flag-icons/fj", "flag-icons/fm", "flag-icons/fr", "flag-icons/ga", "flag-icons/gb",
    "flag-icons/gd", "flag-icons/ge", "flag-icons/gh", "flag-icons/gm", "flag-icons/gn",
    "flag-icons/gq", "flag-icons/gr", "flag-icons/gt", "flag-icons/gu", "flag-icons/gw",
    "flag-icons/gy", "flag-icons/hk", "flag-icons/hn", "flag-icons/hr", "flag-icons/ht",
    "flag-icons/hu", "flag-icons/id", "flag-icons/ie", "flag-icons/il", "flag-icons/in",
    "flag-icons/iq", "flag-icons/ir", "flag-icons/is", "flag-icons/it", "flag-icons/jm",
    "flag-icons/jo", "flag-icons/jp", "flag-icons/ke", "flag-icons/kg", "flag-icons/kh",
    "flag-icons/ki", "flag-icons/km", "flag-icons/kn", "flag-icons/kp", "flag-icons/kr",
    "flag-icons/kw", "flag-icons/ky", "flag-icons/kz", "flag-icons/la", "flag-icons/lb",
    "flag-icons/lc", "flag-icons/li", "flag-icons/lk", "flag-icons/lr", "flag-icons/ls",
    "flag-icons/lt", "flag-icons/lu", "flag-icons/lv", "flag-icons/ly", "flag-icons/ma",
    "flag-icons/mc", "flag-icons/md", "flag-icons/me", "flag-icons/mg", "flag-icons/mh",
    "flag-icons/mk", "flag-icons/ml", "flag-icons/mm", "flag-icons/mn", "flag-icons/mr",
    "flag-icons/mt", "flag-icons/mu", "flag-icons/mv", "flag-icons/mw", "flag-icons/mx",
    "flag-icons/my", "flag-icons/mz", "flag-icons/na", "flag-icons/ne", "flag-icons/ng",
    "flag-icons/ni", "flag-icons/nl", "flag-icons/no", "flag-icons/np", "flag-icons/nr",
    "flag-icons/nz", "flag-icons/om", "flag-icons/pa", "flag-icons/pe", "flag-icons/pg",
    "flag-icons/ph", "flag-icons/pk", "flag-icons/pl", "flag-icons/pr", "flag-icons/ps",
    "flag-icons/pt", "flag-icons/pw", "flag-icons/py", "flag-icons/qa", "flag-icons/ro",
    "flag-icons/rs", "flag-icons/ru", "flag-icons/rw", "flag-icons/sa", "flag-icons/sb",
    "flag-icons/sc", "flag-icons/sd", "flag-icons/se", "flag-icons/sg", "flag-icons/si",
    "flag-icons/sk", "flag-icons/sl", "flag-icons/sm", "flag-icons/sn", "flag-icons/so",
    "flag-icons/sr", "flag-icons/ss", "flag-icons/st", "flag-icons/sv", "flag-icons/sy",
    "flag-icons/sz", "flag-icons/td", "flag-icons/tg", "flag-icons/th", "flag-icons/tj",
    "flag-icons/tl", "flag-icons/tm", "flag-icons/tn", "flag-icons/to", "flag-icons/tr",
    "flag-icons/tt", "flag-icons/tv", "flag-icons/tz", "flag-icons/ua", "flag-icons/ug",
    "flag-icons/us", "flag-icons/uy", "flag-icons/uz", "flag-icons/vc", "flag-icons/ve",
    "flag-icons/vg", "flag-icons/vi", "flag-icons/vn", "flag-icons/vu", "flag-icons/ws",
    "flag-icons/xk", "flag-icons/ye", "flag-icons/za", "flag-icons/zm", "flag-icons/zw",
    "placeholder/neutral", "placeholder/noflag", "placeholder/refugee", "placeholder/wt",
];

/// The MIT licence of the `flag-icons` images (to show in an About box).
pub const FLAG_ICONS_LICENSE: &str = include_str!("../../flags/flag-icons/LICENSE");

/// A built-in flag: the table row and its embedded SVG.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinFlag {
    /// The table row.
    pub country: &'static Country,
    /// The SVG document.
    pub svg: &'static [u8],
}

/// The embedded SVG of an asset name (as in [`Country::asset`]).
pub fn asset(name: &str) -> Option<&'static [u8]> {
    ASSETS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| ASSETS[i].1)
}

/// The built-in flag for an IOC code (exact, upper case).
pub fn flag(ioc: &str) -> Option<BuiltinFlag> {
    let country = ioc::lookup(ioc)?;
    Some(BuiltinFlag {
        country,
        svg: asset(country.asset)?,
    })
}
