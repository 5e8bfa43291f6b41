//! Received code → flag: mapping first, then an imported flag, then the built-in table.

use super::store::{self, ImageFormat, ImportedFlag};
use super::{FlagsError, builtin, ioc};
use crate::store::Store;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Where the flag shown for a code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagSource {
    /// The embedded set (a real flag or a labelled placeholder).
    Builtin,
    /// Imported by the operator (overrides the built-in one).
    Imported,
    /// No flag for this code.
    Missing,
}

impl fmt::Display for FlagSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlagSource::Builtin => "builtin",
            FlagSource::Imported => "imported",
            FlagSource::Missing => "missing",
        })
    }
}

/// Identity of an image, for texture caching: a re-import gets a new key, so a stale texture is
/// never shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FlagKey {
    /// A built-in asset (several codes may share one, e.g. the placeholders).
    Builtin(&'static str),
    /// An imported flag, by code and import time.
    Imported {
        /// The code.
        code: String,
        /// Import time, Unix ns.
        imported_at_ns: i64,
    },
}

impl FlagKey {
    /// What the operator knows the image by: the code of an imported flag, the asset of a
    /// built-in one.
    pub fn label(&self) -> String {
        match self {
            FlagKey::Builtin(asset) => format!("built-in {asset}"),
            FlagKey::Imported { code, .. } => code.clone(),
        }
    }
}

impl fmt::Display for FlagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagKey::Builtin(asset) => write!(f, "builtin:{asset}"),
            FlagKey::Imported {
                code,
                imported_at_ns,
            } => write!(f, "imported:{code}@{imported_at_ns}"),
        }
    }
}

/// The image to draw for a resolved code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagImage {
    /// Cache identity.
    pub key: FlagKey,
    /// Format of `data`.
    pub format: ImageFormat,
    /// Encoded image (SVG text, PNG or JPEG bytes).
    pub data: FlagData,
}

/// Image bytes: embedded or imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagData {
    /// Embedded in the executable.
    Static(&'static [u8]),
    /// Imported, shared with the resolver.
    Shared(Arc<[u8]>),
}

impl FlagData {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            FlagData::Static(b) => b,
            FlagData::Shared(b) => b,
        }
    }
}

/// The answer for one received code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The code as received (trimmed).
    pub received: String,
    /// The code whose flag is shown (after the mapping; upper case).
    pub code: String,
    /// True when the mapping changed the code.
    pub mapped: bool,
    /// The table row of `code`, if it has one.
    pub country: Option<&'static ioc::Country>,
    /// Where the flag comes from.
    pub source: FlagSource,
    /// What to draw (`None` when missing).
    pub image: Option<FlagImage>,
}

impl Resolved {
    /// ISO 3166-1 alpha-2 (lower case) of the country, if it is one.
    pub fn iso2(&self) -> Option<&'static str> {
        self.country.and_then(|c| c.iso2)
    }

    /// True when a built-in placeholder (not a real flag) is shown.
    pub fn is_placeholder(&self) -> bool {
        self.source == FlagSource::Builtin && self.country.is_some_and(|c| c.is_placeholder())
    }
}

/// A snapshot of the mapping and the imported flags. Cheap to clone (shared); build a new one
/// after a change ([`FlagResolver::load`], off the UI thread).
#[derive(Debug, Clone, Default)]
pub struct FlagResolver {
    mapping: Arc<BTreeMap<String, String>>,
    imports: Arc<BTreeMap<String, ImportedFlag>>,
}

impl FlagResolver {
    /// Built-in flags only: no mapping, no imports.
    pub fn builtin_only() -> FlagResolver {
        FlagResolver::default()
    }

    /// A resolver from a mapping (received → target) and imported flags (by code).
    pub fn new(
        mapping: BTreeMap<String, String>,
        imports: BTreeMap<String, ImportedFlag>,
    ) -> FlagResolver {
        FlagResolver {
            mapping: Arc::new(mapping),
            imports: Arc::new(imports),
        }
    }

    /// Read the mapping and the imported flags from the store (a read transaction; not on the
    /// UI thread).
    pub fn load(store: &Store) -> Result<FlagResolver, FlagsError> {
        Ok(FlagResolver::new(
            store::mapping(store)?,
            store::imported_flags(store)?,
        ))
    }

    /// The mapping: received code → target code.
    pub fn mapping(&self) -> &BTreeMap<String, String> {
        &self.mapping
    }

    /// The imported flags, by code.
    pub fn imports(&self) -> &BTreeMap<String, ImportedFlag> {
        &self.imports
    }

    /// True for a code that has a flag of its own (in the table or imported): a valid import
    /// name or mapping target without asking.
    pub fn is_known_code(&self, code: &str) -> bool {
        ioc::lookup(code).is_some() || self.imports.contains_key(code)
    }

    /// Check a mapping `from → to` (`to = None`: removal) before it is saved: both must be
    /// codes, different, and the target must have a flag. Returns them normalised.
    pub fn check_mapping(
        &self,
        from: &str,
        to: Option<&str>,
    ) -> Result<(String, Option<String>), FlagsError> {
        let invalid = |code: &str, reason: &str| FlagsError::InvalidCode {
            code: code.to_string(),
            reason: reason.to_string(),
        };
        let shape = "use 2–10 letters or digits";
        let from_code = ioc::normalize_code(from).ok_or_else(|| invalid(from, shape))?;
        let Some(to) = to else {
            return Ok((from_code, None));
        };
        let to_code = ioc::normalize_code(to).ok_or_else(|| invalid(to, shape))?;
        if to_code == from_code {
            return Err(invalid(to, "a code cannot map to itself"));
        }
        if !self.is_known_code(&to_code) {
            return Err(invalid(
                to,
                "no flag for it: not an IOC code and not imported",
            ));
        }
        Ok((from_code, Some(to_code)))
    }

    /// Resolve a received code. Lower case and surrounding spaces are accepted (`kor` = `KOR`).
    pub fn resolve(&self, received: &str) -> Resolved {
        let received = received.trim().to_string();
        let Some(normal) = ioc::normalize_code(&received) else {
            return Resolved {
                code: received.clone(),
                received,
                mapped: false,
                country: None,
                source: FlagSource::Missing,
                image: None,
            };
        };
        // One hop only: a mapping never chains, so a cycle cannot hang or mislead.
        let (code, mapped) = match self.mapping.get(&normal) {
            Some(target) => (target.clone(), true),
            None => (normal, false),
        };
        let country = ioc::lookup(&code);
        let (source, image) = if let Some(f) = self.imports.get(&code) {
            let image = FlagImage {
                key: FlagKey::Imported {
                    code: code.clone(),
                    imported_at_ns: f.meta.imported_at_ns,
                },
                format: f.meta.format,
                data: FlagData::Shared(f.data.clone()),
            };
            (FlagSource::Imported, Some(image))
        } else if let Some(b) = builtin::flag(&code) {
            let image = FlagImage {
                key: FlagKey::Builtin(b.country.asset),
                format: ImageFormat::Svg,
                data: FlagData::Static(b.svg),
            };
            (FlagSource::Builtin, Some(image))
        } else {
            (FlagSource::Missing, None)
        };
        Resolved {
            received,
            code,
            mapped,
            country,
            source,
            image,
        }
    }
}
