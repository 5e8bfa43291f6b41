//! A cold start without touching the rest of the machine: the store file's pages are evicted
//! from the OS page cache (`posix_fadvise(POSIX_FADV_DONTNEED)` on that one file), so start-up
//! reads it from the disk. Dropping the whole page cache (`/proc/sys/vm/drop_caches`) needs root
//! and would slow every other program on a shared machine; a fresh copy would be in the cache
//! already (writing a file puts its pages there). `mincore` then tells how much of the file is
//! still in memory, so the bench prints what "cold" meant. Linux only; elsewhere `Err`.

use std::path::Path;

/// Evict `path`'s pages from the page cache; returns the share of its pages still resident
/// afterwards (0.0 = fully cold).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn evict(path: &Path) -> Result<f64, String> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Dirty pages cannot be dropped: write them first.
    file.sync_all().map_err(|e| e.to_string())?;
    // SAFETY: a valid open descriptor; advice only, no memory is touched.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc != 0 {
        return Err(format!(
            "posix_fadvise: {}",
            std::io::Error::from_raw_os_error(rc)
        ));
    }
    resident_share(&file)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn evict(_path: &Path) -> Result<f64, String> {
    Err("evicting one file from the page cache is implemented for Linux only".into())
}

/// Share of `file`'s pages in the page cache (`mmap` + `mincore`; the mapping reads nothing).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resident_share(file: &std::fs::File) -> Result<f64, String> {
    use std::os::fd::AsRawFd;
    let len = file.metadata().map_err(|e| e.to_string())?.len() as usize;
    if len == 0 {
        return Ok(0.0);
    }
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
    let pages = len.div_ceil(page);
    // SAFETY: a read-only shared mapping of a file we hold open, of its exact length; only
    // passed to mincore (never read through) and unmapped below.
    let addr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return Err(format!("mmap: {}", std::io::Error::last_os_error()));
    }
    let mut vec = vec![0u8; pages];
    // SAFETY: `addr` maps `len` bytes; `vec` has one byte per page of it.
    let rc = unsafe { libc::mincore(addr, len, vec.as_mut_ptr()) };
    let err = std::io::Error::last_os_error();
    // SAFETY: the mapping made above, unmapped once.
    unsafe { libc::munmap(addr, len) };
    if rc != 0 {
        return Err(format!("mincore: {err}"));
    }
    let resident = vec.iter().filter(|b| **b & 1 == 1).count();
    Ok(resident as f64 / pages as f64)
}
