//! Importing flag files and folders, off the UI thread, with progress messages.
//!
//! Each file is checked on its own ([`super::validate`]); a bad file is reported by name and
//! reason and the good ones of the same drop are still stored. Valid flags are written in
//! batches through the store writer, and reported as imported only once their batch is durable.

use super::resolve::FlagResolver;
use super::store::{self, ImportedFlag, ImportedFlagMeta};
use super::validate::{self, Rejection};
use super::{FlagsError, Waker, ioc};
use crate::store::WriteRequest;
use crate::store::writer::now_ns;
use crossbeam_channel::Sender;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Most files taken from one dropped folder (a drop of a whole disk is a mistake).
pub const MAX_FOLDER_FILES: usize = 2000;
/// Most folders visited in one dropped folder.
pub const MAX_FOLDERS: usize = 10_000;
/// Flags stored per commit.
const BATCH_FILES: usize = 32;
/// Bytes stored per commit (about).
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// One path to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItem {
    /// A file, or a folder (its image files are imported).
    pub path: PathBuf,
    /// A code the operator confirmed for this file (overrides the file name; may be a code not in
    /// the IOC table). Ignored for folders.
    pub code: Option<String>,
}

/// What to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRequest {
    /// Files and folders.
    pub items: Vec<ImportItem>,
    /// Accept file-name codes that are not in the table (headless `--allow-unknown`); otherwise
    /// such files come back as [`ImportMsg::NeedsCode`].
    pub allow_unknown: bool,
}

impl ImportRequest {
    /// Import these paths, codes from the file names.
    pub fn paths(paths: impl IntoIterator<Item = PathBuf>) -> ImportRequest {
        ImportRequest {
            items: paths
                .into_iter()
                .map(|path| ImportItem { path, code: None })
                .collect(),
            allow_unknown: false,
        }
    }
}

/// Progress and outcome messages of an import, in order; the last one is `Finished`.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportMsg {
    /// Files found (folders expanded).
    Started {
        /// Number of files.
        total: usize,
    },
    /// About to check file `done + 1` of `total`.
    Progress {
        /// Files done.
        done: usize,
        /// Files in all.
        total: usize,
        /// File name being checked.
        current: String,
    },
    /// Stored (durably).
    Imported {
        /// The file.
        path: PathBuf,
        /// Its code.
        code: String,
        /// True when it replaced an earlier import of that code.
        replaced: bool,
    },
    /// Not stored, with the reason.
    Rejected {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: Rejection,
    },
    /// A valid image whose file name gives no known code: ask the operator.
    NeedsCode {
        /// The file.
        path: PathBuf,
        /// The code-shaped name it has, if any.
        name_code: Option<String>,
        /// A likely IOC code (from ISO codes), if any.
        suggestion: Option<String>,
    },
    /// The import is over.
    Finished(ImportSummary),
}

/// Counts of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Files stored.
    pub imported: usize,
    /// Files refused.
    pub rejected: usize,
    /// Files waiting for a code.
    pub needs_code: usize,
}

/// Start an import on its own thread. Messages go to `out` (bounded; the worker waits when it is
/// full, never the UI), and `wake` is called after each one.
pub fn spawn_import(
    request: ImportRequest,
    resolver: FlagResolver,
    writer: Sender<WriteRequest>,
    out: Sender<ImportMsg>,
    wake: Waker,
) -> Result<JoinHandle<ImportSummary>, FlagsError> {
    // Not a `WorkerThread`: a one-shot worker whose caller joins it for the value it returns
    // (the summary); it needs no stop signal (it ends after the last file) and is not owned by
    // a service that could stop it early.
    std::thread::Builder::new()
        .name("flags-import".into())
        .spawn(move || {
            let emit = |m: ImportMsg| {
                // A closed channel means nobody watches any more; the import still completes.
                let _ = out.send(m);
                wake();
            };
            run_import(&request, &resolver, &writer, &emit)
        })
        .map_err(|e| FlagsError::Thread {
            name: "flags-import",
            cause: e.to_string(),
        })
}

/// Run an import on the calling thread (the CLI; the worker of [`spawn_import`]).
pub fn run_import(
    request: &ImportRequest,
    resolver: &FlagResolver,
    writer: &Sender<WriteRequest>,
    emit: &dyn Fn(ImportMsg),
) -> ImportSummary {
    let mut summary = ImportSummary::default();
    let mut files = Vec::new();
    for item in &request.items {
        expand(item, &mut files, &mut |path, reason| {
            summary.rejected += 1;
            emit(ImportMsg::Rejected { path, reason });
        });
    }
    let total = files.len();
    emit(ImportMsg::Started { total });
    let mut batch = Batch::default();
    let mut codes: HashMap<String, String> = HashMap::new();
    for (done, (path, explicit)) in files.into_iter().enumerate() {
        emit(ImportMsg::Progress {
            done,
            total,
            current: file_name(&path),
        });
        match prepare(&path, explicit.as_deref(), request.allow_unknown, resolver) {
            Prepared::Ok(flag) => {
                if let Some(first) = codes.get(&flag.meta.code) {
                    let reason = Rejection::DuplicateCode {
                        code: flag.meta.code.clone(),
                        first: first.clone(),
                    };
                    summary.rejected += 1;
                    emit(ImportMsg::Rejected { path, reason });
                    continue;
                }
                codes.insert(flag.meta.code.clone(), file_name(&path));
                batch.push(path, flag);
                if batch.full() {
                    batch.flush(resolver, writer, emit, &mut summary);
                }
            }
            Prepared::Rejected(reason) => {
                summary.rejected += 1;
                emit(ImportMsg::Rejected { path, reason });
            }
            Prepared::NeedsCode(name_code) => {
                summary.needs_code += 1;
                let suggestion = name_code
                    .as_deref()
                    .and_then(ioc::suggest)
                    .map(|c| c.ioc.to_string());
                emit(ImportMsg::NeedsCode {
                    path,
                    name_code,
                    suggestion,
                });
            }
        }
    }
    batch.flush(resolver, writer, emit, &mut summary);
    emit(ImportMsg::Finished(summary));
    summary
}

/// A file's outcome before storing.
enum Prepared {
    Ok(ImportedFlag),
    Rejected(Rejection),
    NeedsCode(Option<String>),
}

/// Check one file and decide its code. The image is checked first, so a broken file is reported
/// as broken rather than asked about.
fn prepare(
    path: &Path,
    explicit: Option<&str>,
    allow_unknown: bool,
    resolver: &FlagResolver,
) -> Prepared {
    let (image, data) = match validate::check_file(path) {
        Ok(v) => v,
        Err(r) => return Prepared::Rejected(r),
    };
    let code = match explicit {
        Some(given) => match ioc::normalize_code(given) {
            Some(c) => c,
            None => return Prepared::Rejected(Rejection::InvalidCode(given.to_string())),
        },
        None => match validate::code_from_name(path) {
            Some(c) if resolver.is_known_code(&c) || allow_unknown => c,
            other => return Prepared::NeedsCode(other),
        },
    };
    Prepared::Ok(ImportedFlag {
        meta: ImportedFlagMeta {
            code,
            source_name: file_name(path),
            format: image.format,
            bytes: data.len() as u64,
            width: image.width,
            height: image.height,
            imported_at_ns: now_ns(),
        },
        data: Arc::from(data),
    })
}

/// Valid flags waiting to be stored.
#[derive(Default)]
struct Batch {
    items: Vec<(PathBuf, ImportedFlag)>,
    bytes: usize,
}

impl Batch {
    fn push(&mut self, path: PathBuf, flag: ImportedFlag) {
        self.bytes += flag.data.len();
        self.items.push((path, flag));
    }

    fn full(&self) -> bool {
        self.items.len() >= BATCH_FILES || self.bytes >= BATCH_BYTES
    }

    /// Store the batch in one commit and report each file.
    fn flush(
        &mut self,
        resolver: &FlagResolver,
        writer: &Sender<WriteRequest>,
        emit: &dyn Fn(ImportMsg),
        summary: &mut ImportSummary,
    ) {
        if self.items.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.items);
        self.bytes = 0;
        let flags = items.iter().map(|(_, f)| f.clone()).collect();
        let result = store::apply_and_wait(writer, "imported flags", store::put_flags_op(flags));
        for (path, flag) in items {
            match &result {
                Ok(()) => {
                    summary.imported += 1;
                    let replaced = resolver.imports().contains_key(&flag.meta.code);
                    emit(ImportMsg::Imported {
                        path,
                        code: flag.meta.code,
                        replaced,
                    });
                }
                Err(e) => {
                    summary.rejected += 1;
                    let reason = Rejection::Store(e.to_string());
                    emit(ImportMsg::Rejected { path, reason });
                }
            }
        }
    }
}

/// Add `item`'s files to `files`: a file as is, a folder's files recursively (sorted, hidden
/// files skipped). Symbolic links inside a folder are not followed (reported instead: a link
/// may lead out of the folder, to a device, or back into itself), and the walk stops as soon as
/// it has found more than [`MAX_FOLDER_FILES`] files or visited [`MAX_FOLDERS`] folders.
/// Unreadable paths go to `bad`.
fn expand(
    item: &ImportItem,
    files: &mut Vec<(PathBuf, Option<String>)>,
    bad: &mut dyn FnMut(PathBuf, Rejection),
) {
    if !item.path.is_dir() {
        files.push((item.path.clone(), item.code.clone()));
        return;
    }
    let mut stack = vec![item.path.clone()];
    let mut found = Vec::new();
    let mut folders = 0;
    while let Some(dir) = stack.pop() {
        folders += 1;
        if folders > MAX_FOLDERS {
            let reason = Rejection::Unreadable(format!(
                "the folder holds more than {MAX_FOLDERS} folders; import a smaller folder"
            ));
            return bad(item.path.clone(), reason);
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                bad(dir, Rejection::Unreadable(e.to_string()));
                continue;
            }
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // The entry's own type: a link is not resolved.
            match entry.file_type() {
                Ok(t) if t.is_symlink() => bad(
                    path,
                    Rejection::NotAFile(
                        "it is a symbolic link; links are not followed in a folder import \
                         (import the file it points to directly)"
                            .into(),
                    ),
                ),
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) => found.push(path),
                Err(e) => bad(path, Rejection::Unreadable(e.to_string())),
            }
            if found.len() > MAX_FOLDER_FILES {
                let reason = Rejection::Unreadable(format!(
                    "the folder holds more than {MAX_FOLDER_FILES} files; at most \
                     {MAX_FOLDER_FILES} are imported from one folder"
                ));
                return bad(item.path.clone(), reason);
            }
        }
    }
    found.sort();
    files.extend(found.into_iter().map(|p| (p, None)));
}

/// The file name for messages.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
