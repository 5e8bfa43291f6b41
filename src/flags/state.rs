//! What the flags panel asks for ([`FlagsCommand`]) and what it shows ([`FlagsState`]).

use super::resolve::FlagResolver;
use super::store::{MappingChange, SeenCode};
use std::collections::VecDeque;
use std::path::PathBuf;

/// What the flags panel (or the drop handler) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagsCommand {
    /// Import files and folders; codes from the file names.
    Import(Vec<PathBuf>),
    /// Import one file under a code the operator confirmed.
    ImportAs {
        /// The file.
        path: PathBuf,
        /// The confirmed code.
        code: String,
    },
    /// Forget a file that was waiting for a code.
    Dismiss(PathBuf),
    /// Open a file dialog to pick images to import.
    PickFiles,
    /// Open a folder dialog to import a folder.
    PickFolder,
    /// Remove the imported flag of a code (back to the built-in one).
    Revert(String),
    /// Map a received code to another code's flag.
    SetMapping {
        /// Code the scoring system sends.
        from: String,
        /// Code whose flag to show.
        to: String,
    },
    /// Remove the mapping of a received code.
    RemoveMapping(String),
    /// Open a folder dialog, then export every imported flag there.
    PickExportFolder,
    /// Export every imported flag to this folder (`CODE.ext`, original bytes).
    ExportTo(PathBuf),
    /// Re-read the store (e.g. after a new match was loaded).
    Refresh,
}

/// A valid image waiting for the operator to say which code it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    /// The file.
    pub path: PathBuf,
    /// The code-shaped part of its name, if any.
    pub name_code: Option<String>,
    /// A likely IOC code.
    pub suggestion: Option<String>,
}

/// One line of the panel's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// False for errors and rejected files.
    pub ok: bool,
    /// The message (names the file or code and the reason).
    pub text: String,
}

/// Progress of a running import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Files done.
    pub done: usize,
    /// Files in all.
    pub total: usize,
}

/// Everything the flags panel shows.
#[derive(Debug, Clone, Default)]
pub struct FlagsState {
    /// Current mapping and imports (also what the scoreboard should resolve with).
    pub resolver: FlagResolver,
    /// Latest mapping changes, newest first.
    pub history: Vec<MappingChange>,
    /// Codes of athletes in the store, most recent first.
    pub seen: Vec<SeenCode>,
    /// The running import, if any.
    pub progress: Option<Progress>,
    /// Files waiting for a code.
    pub pending: Vec<PendingFile>,
    /// Report lines, oldest first.
    pub log: VecDeque<LogLine>,
    /// Bumped with every snapshot from the store.
    pub generation: u64,
}
