//! Flags: the built-in IOC set (embedded SVGs), imported overrides and the code mapping, stored
//! in redb; resolution of a received code to an image; a texture cache; headless import.
//!
//! How a received code becomes a flag ([`FlagResolver::resolve`]): the operator's mapping is
//! applied first (one hop: `HRV → CRO`), then an imported flag for that code wins, then the
//! built-in table. Nothing is guessed: an ISO alpha-3 code without a mapping is "missing" (with a
//! suggestion in the manager), because ISO and IOC codes collide (`BRN`).

pub mod builtin;
pub mod export;
pub mod import;
pub mod ioc;
pub mod live;
pub mod raster;
pub mod raster_jobs;
pub mod resolve;
pub mod service;
pub mod state;
pub mod store;
pub mod svg_guard;
pub mod texture;
pub mod validate;

pub use import::{ImportItem, ImportMsg, ImportRequest, ImportSummary};
pub use resolve::{FlagImage, FlagKey, FlagResolver, FlagSource, Resolved};
pub use service::{FlagsCommand, FlagsService, FlagsState};
pub use store::{ImageFormat, ImportedFlag, ImportedFlagMeta, MappingChange};
pub use texture::{CacheStats, FlagFailure, FlagTextureCache};

use crate::store::StoreError;
use std::path::PathBuf;

/// Errors of the flags module. Messages name the code or file and the cause.
#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store writer refused or failed a write.
    #[error("cannot save {what}: {cause}")]
    Write {
        /// What was being saved.
        what: String,
        /// The writer's message.
        cause: String,
    },
    /// The store writer thread is gone (the app is shutting down).
    #[error("cannot save {what}: the store writer has stopped")]
    WriterGone {
        /// What was being saved.
        what: String,
    },
    /// A code typed or received is not usable.
    #[error("invalid flag code {code:?}: {reason}")]
    InvalidCode {
        /// The code as given.
        code: String,
        /// Why it is refused.
        reason: String,
    },
    /// A file or folder could not be read or written.
    #[error("{path}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        cause: String,
    },
    /// A worker thread could not be started.
    #[error("cannot start {name} thread: {cause}")]
    Thread {
        /// Thread name.
        name: &'static str,
        /// The OS error.
        cause: String,
    },
}

/// Wakes the UI when a worker has news (the App passes `ctx.request_repaint_of(ROOT)`).
pub type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;

/// A waker that does nothing (CLI, tests without a UI).
pub fn no_waker() -> Waker {
    std::sync::Arc::new(|| {})
}
