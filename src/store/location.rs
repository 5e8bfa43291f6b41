//! Where the store lives: the default (the local, non-roaming data folder), the location the
//! operator chose (remembered in a small file outside the store, which it locates), cleaning a
//! pasted path, and the fallback when the saved location is unreachable at start.
//!
//! A Windows operator pastes paths with Explorer's "Copy as path" (`"C:\Users\op\x.redb"`, quotes
//! included), from text files with a BOM, or points at a USB disk whose drive letter changes.
//! Each of those used to lock the operator out (the next start failed to open the store); here
//! they are cleaned, checked before saving, and fall back to the default store with a notice.

use std::path::{Path, PathBuf};

/// The store file name in the default folder.
pub const STORE_FILE_NAME: &str = "courtside.redb";

/// Why a store location cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    /// Nothing left after cleaning.
    #[error("the store location is empty; enter the full path of a store file")]
    Empty,
    /// A relative path would depend on the folder courtside happens to start in.
    #[error(
        "store location '{0}' is not a full path; enter it with its drive or root \
         (e.g. C:\\Users\\me\\courtside.redb or /home/me/courtside.redb)"
    )]
    NotAbsolute(String),
    /// The path names a folder (or a root), not a file in one.
    #[error("store location '{0}' is a folder; add a file name such as courtside.redb")]
    IsFolder(String),
    /// The folder does not exist (a mistyped path, or a drive letter that changed).
    #[error(
        "the folder {0} does not exist (mistyped, or a drive that is not connected); create it \
         or choose another location"
    )]
    FolderMissing(String),
    /// Nothing can be written in the folder.
    #[error("courtside cannot write in the folder {folder}: {cause}")]
    FolderNotWritable {
        /// The folder.
        folder: String,
        /// The system's reason.
        cause: String,
    },
}

/// A pasted or saved location with what editors and Explorer add around it removed: a byte
/// order mark, surrounding whitespace (line breaks included) and surrounding quotes (`"…"` from
/// "Copy as path", or `'…'`), repeatedly, so `" \u{FEFF}"C:\x.redb"\r\n"` gives `C:\x.redb`.
pub fn clean_location(raw: &str) -> String {
    let mut s = raw;
    loop {
        let before = s.len();
        s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        for q in ['"', '\''] {
            if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
                s = &s[1..s.len() - 1];
            }
        }
        if s.len() == before {
            return s.to_string();
        }
    }
}

/// The checks that need no file system: cleaned, not empty, absolute, ending in a file name.
pub fn check_location_text(raw: &str) -> Result<PathBuf, LocationError> {
    let cleaned = clean_location(raw);
    if cleaned.is_empty() {
        return Err(LocationError::Empty);
    }
    let path = PathBuf::from(&cleaned);
    if !path.is_absolute() {
        return Err(LocationError::NotAbsolute(cleaned));
    }
    if path.file_name().is_none() || cleaned.ends_with(['/', '\\']) {
        return Err(LocationError::IsFolder(cleaned));
    }
    Ok(path)
}

/// Check a location before it is saved: [`check_location_text`], then the folder exists, is a
/// folder, and takes a new file (probed by creating and removing one), and the path itself is not
/// a folder. Returns the cleaned path to save. Does file I/O: call it off the UI thread.
pub fn check_location(raw: &str) -> Result<PathBuf, LocationError> {
    let path = check_location_text(raw)?;
    let shown = path.display().to_string();
    if path.is_dir() {
        return Err(LocationError::IsFolder(shown));
    }
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if !folder.is_dir() {
        return Err(LocationError::FolderMissing(folder.display().to_string()));
    }
    probe_writable(&folder).map_err(|e| LocationError::FolderNotWritable {
        folder: folder.display().to_string(),
        cause: e.to_string(),
    })?;
    Ok(path)
}

/// Create and remove a uniquely named file in `folder`: the only portable test of "can write
/// here" (permission bits say nothing about ACLs, read-only media or a full quota).
fn probe_writable(folder: &Path) -> std::io::Result<()> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let probe = folder.join(format!(
        ".courtside-write-test-{}-{nanos}",
        std::process::id()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Whether a saved location can be used at start: a full path whose folder exists. (A missing
/// store file in an existing folder is fine: a new store is created there.)
pub fn reachable(path: &Path) -> bool {
    path.is_absolute() && path.parent().is_some_and(Path::is_dir) && !path.is_dir()
}

/// The store chosen for this run and what the operator must be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The store file to open.
    pub path: PathBuf,
    /// Operator-visible notes (a fallback from an unreachable saved location, a moved store).
    pub notices: Vec<String>,
}

/// Pick the store: `--db`, else the saved location (cleaned) when it is reachable, else
/// `default`. An unreachable saved location is not forgotten (the drive may come back); the
/// notice says which store is used instead.
pub fn resolve(cli_db: Option<PathBuf>, saved: Option<&str>, default: PathBuf) -> Resolved {
    if let Some(p) = cli_db {
        return Resolved {
            path: p,
            notices: Vec::new(),
        };
    }
    let Some(saved) = saved.map(clean_location).filter(|s| !s.is_empty()) else {
        return Resolved {
            path: default,
            notices: Vec::new(),
        };
    };
    let path = PathBuf::from(&saved);
    if reachable(&path) {
        return Resolved {
            path,
            notices: Vec::new(),
        };
    }
    let why = match check_location_text(&saved) {
        Err(e) => e.to_string(),
        Ok(p) if p.is_dir() => LocationError::IsFolder(saved.clone()).to_string(),
        Ok(p) => {
            LocationError::FolderMissing(p.parent().unwrap_or(&p).display().to_string()).to_string()
        }
    };
    let notice = format!(
        "the saved store location {saved} cannot be used ({why}); this run uses the default \
         store {}. Reconnect the drive and restart, or choose the location again in Settings → \
         Store location.",
        default.display()
    );
    Resolved {
        path: default,
        notices: vec![notice],
    }
}

/// Where the chosen store location is remembered (outside the store, which it locates).
pub fn location_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("courtside").join("store-location.txt"))
}

/// The saved location's text, `None` when none is saved. A file that cannot be read is an error
/// (it is not the same as "none saved").
pub fn read_location_file(file: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(file) {
        Ok(bytes) => {
            let text = clean_location(&String::from_utf8_lossy(&bytes));
            Ok((!text.is_empty()).then_some(text))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Remember `value` (or with `None`, forget the saved location) in `file`, atomically: a
/// temporary file beside it is written and synced, then renamed over it, and the folder synced,
/// so a crash or a full disk leaves the old location or the new one, never an empty file (which
/// would silently send the next start to the default store).
pub fn write_location_file(file: &Path, value: Option<&str>) -> std::io::Result<()> {
    let Some(value) = value else {
        return match std::fs::remove_file(file) {
            Ok(()) => super::durable::sync_parent(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
    };
    super::durable::write_atomically(file, value.as_bytes())
}

/// The default store: `courtside.redb` in the local data folder (`%LOCALAPPDATA%\courtside` on
/// Windows, not the roaming `%APPDATA%`, which a domain profile copies to a server at every
/// log-off; `~/.local/share/courtside` on Linux, `~/Library/Application Support/courtside` on
/// macOS).
pub fn default_store_path() -> PathBuf {
    default_folder(dirs::data_local_dir()).join(STORE_FILE_NAME)
}

/// Where older versions put the default store (the roaming data folder on Windows).
pub fn legacy_default_store_path() -> PathBuf {
    default_folder(dirs::data_dir()).join(STORE_FILE_NAME)
}

fn default_folder(base: Option<PathBuf>) -> PathBuf {
    base.unwrap_or_else(|| PathBuf::from(".")).join("courtside")
}

/// Pick this run's store and say what the operator must know: `--db` as given; else the saved
/// location, cleaned, when reachable (else the default, with a notice); else the default store,
/// moved once out of the roaming profile where older versions kept it.
pub fn resolve_store(cli_db: Option<PathBuf>) -> Resolved {
    if cli_db.is_some() {
        return resolve(cli_db, None, default_store_path());
    }
    let mut notices = Vec::new();
    let saved = match location_file().map(|f| (read_location_file(&f), f)) {
        Some((Ok(saved), _)) => saved,
        Some((Err(e), f)) => {
            notices.push(format!(
                "the saved store location in {} cannot be read ({e}); the default store is used",
                f.display()
            ));
            None
        }
        None => None,
    };
    let default = default_store_path();
    let mut chosen = resolve(None, saved.as_deref(), default.clone());
    notices.append(&mut chosen.notices);
    if chosen.path == default {
        // The default store (chosen, or fallen back to): moved out of the roaming folder once.
        let plan = super::relocate::plan_move(&legacy_default_store_path(), &default);
        let mut moved = super::relocate::execute(&plan, &default);
        notices.append(&mut moved.notices);
        chosen.path = moved.store;
    }
    Resolved {
        path: chosen.path,
        notices,
    }
}

/// The store [`resolve_store`] would pick, without moving anything or reporting (for commands
/// that only compare paths).
pub fn resolve_store_quietly(cli_db: Option<PathBuf>) -> PathBuf {
    let saved = location_file().and_then(|f| read_location_file(&f).ok().flatten());
    resolve(cli_db, saved.as_deref(), default_store_path()).path
}

/// Notices from choosing the store at start (made in `main` before the window exists), for the
/// app to show once it runs.
static STARTUP_NOTICES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Keep start-up notices for the app (see [`take_startup_notices`]).
pub fn set_startup_notices(notices: Vec<String>) {
    if let Ok(mut n) = STARTUP_NOTICES.lock() {
        *n = notices;
    }
}

/// The start-up notices, once.
pub fn take_startup_notices() -> Vec<String> {
    STARTUP_NOTICES
        .lock()
        .map(|mut n| std::mem::take(&mut *n))
        .unwrap_or_default()
}

/// The settings write of a store-location change: the location is checked (the folder exists and
/// takes a file), the settings are written, then the location is remembered in `file`
/// atomically, all inside the writer's transaction, so any failure (a missing folder, a full
/// disk, no config folder) aborts the whole save and comes back to the settings panel as its
/// error, instead of a "saved" that the next start does not honour. `location: None` forgets the
/// saved location (the default store is used from the next start).
pub fn save_location_op(
    location: Option<String>,
    file: Option<PathBuf>,
    settings: super::writer::WriteOp,
) -> super::writer::WriteOp {
    Box::new(move |txn| {
        let invalid = |reason: String| super::StoreError::Invalid {
            key: "store_path".into(),
            reason,
        };
        let file = file.ok_or_else(|| {
            invalid("this system has no configuration folder to remember it in".into())
        })?;
        let checked = match &location {
            Some(raw) => Some(check_location(raw).map_err(|e| invalid(e.to_string()))?),
            None => None,
        };
        settings(txn)?;
        let text = checked.as_ref().map(|p| p.display().to_string());
        write_location_file(&file, text.as_deref())
            .map_err(|e| invalid(format!("cannot remember it in {}: {e}", file.display())))
    })
}
