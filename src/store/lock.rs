//! Holding a store's lock while its file is swapped or moved. The lock is redb's own (the one
//! every courtside holds while the store is open), so a running `courtside listen` or app on the
//! same file is seen, and nothing can open the file half-way through the swap.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The store is held by another process (or another part of this one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "store {path} is in use by another courtside (the app or `courtside listen`); waited {waited_s} s. \
     Close it, then try again"
)]
pub struct StoreInUse {
    /// The store file.
    pub path: PathBuf,
    /// How long this waited for it.
    pub waited_s: u64,
}

/// A held store lock; released when dropped.
pub struct StoreLock {
    _db: Option<redb::Database>,
    /// Set when the file exists but does not open as a store (then no process can hold it
    /// either: redb takes its lock before it reads the file). Its replacement goes ahead.
    pub unreadable: Option<String>,
}

/// Take the lock of the store at `path`, waiting up to `wait` for another holder to let go.
/// A missing file needs no lock. Polls every 100 ms: the holder is another process, which
/// cannot signal this one.
pub fn lock_store(path: &Path, wait: Duration) -> Result<StoreLock, StoreInUse> {
    let started = Instant::now();
    loop {
        if !path.exists() {
            return Ok(StoreLock {
                _db: None,
                unreadable: None,
            });
        }
        match redb::Builder::new().set_cache_size(64 * 1024).open(path) {
            Ok(db) => {
                return Ok(StoreLock {
                    _db: Some(db),
                    unreadable: None,
                });
            }
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                if started.elapsed() >= wait {
                    return Err(StoreInUse {
                        path: path.to_path_buf(),
                        waited_s: started.elapsed().as_secs(),
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                return Ok(StoreLock {
                    _db: None,
                    unreadable: Some(e.to_string()),
                });
            }
        }
    }
}
