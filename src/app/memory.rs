//! Handing memory freed by large one-off work back to the operating system.
//!
//! Loading a big match's index decodes every stored record on the reader thread and passes the
//! rows over in chunks; once loaded, that memory is free but glibc's allocator keeps most of it
//! mapped (measured: ~19 MB on a million-event match). Windows' and macOS' allocators return such
//! memory by themselves; on glibc it takes `malloc_trim`.

/// Rows loaded at once above which the trim is worth a thread.
pub const TRIM_AFTER_ROWS: usize = 100_000;

/// Return free heap pages to the system, on a short-lived thread (a trim of a large heap takes
/// milliseconds and must not hold up a frame). Does nothing where there is no need.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let spawned = std::thread::Builder::new()
            .name("mem-trim".into())
            .spawn(|| {
                // SAFETY: malloc_trim only walks and trims the allocator's own free lists; it
                // takes no pointer and is thread-safe (it locks each arena).
                unsafe {
                    libc::malloc_trim(0);
                }
            });
        if let Err(e) = spawned {
            tracing::debug!("memory trim not started: {e}");
        }
    }
}
