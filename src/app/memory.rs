//! Handing memory freed by large one-off work back to the operating system.
//!
//! Loading a big match's index decodes every stored record on the reader thread and passes the
//! rows over in chunks; once loaded, that memory is free but glibc's allocator keeps most of it
//! mapped (measured: ~19 MB on a million-event match). Windows' and macOS' allocators return such
//! memory by themselves; on glibc it takes `malloc_trim`.

/// Set up the allocator, first thing in `main` (before any thread starts).
///
/// glibc serves blocks of 128 KiB and more from their own mappings, but raises that threshold
/// (up to 32 MiB) each time such a block is freed; from then on the big, growing blocks (the
/// event table's index columns, the font atlas, pages of records read from the store) land in
/// the heap, where a freed or moved block leaves a hole that is returned late or never. Pinned at
/// 1 MiB, each of those is its own mapping: returned the moment it is freed, grown by `mremap`
/// without a copy. Measured on the 1 M-event store under Xvfb: 2.2 MB less resident. (Pinned at
/// 128 KiB: 3.5 MB less, but each writer batch then took fresh zeroed pages and ingest lost
/// ~10 %.) Elsewhere there is nothing to do.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread
        // exists, so no allocation runs concurrently.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024) };
        if ok != 1 {
            tracing::debug!("mallopt(M_MMAP_THRESHOLD) refused");
        }
    }
}

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
