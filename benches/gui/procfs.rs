//! What the GUI bench reads of a running process: CPU time, resident memory and its parts
//! (Linux `/proc`; `None` elsewhere).

use std::time::{Duration, Instant};

/// CPU seconds (user + system) a process has used.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Resident memory of a process in bytes: (now, peak). Linux `/proc`; None elsewhere.
pub fn rss_bytes(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((kb("VmRSS:")? * 1024.0, kb("VmHWM:")? * 1024.0))
}

/// `bytes` as "X MB (Y MiB)": MB are 10^6 bytes, the unit the target is judged in.
pub fn mb(bytes: f64) -> String {
    format!("{:.1} MB ({:.1} MiB)", bytes / 1e6, bytes / 1048576.0)
}

/// CPU share of `pid` over the next 10 s: (% of one core, CPU seconds).
pub fn cpu_share(pid: u32) -> Option<(f64, f64)> {
    let c0 = cpu_secs(pid)?;
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    let c1 = cpu_secs(pid)?;
    Some(((c1 - c0) / t0.elapsed().as_secs_f64() * 100.0, c1 - c0))
}

/// Parts of a process's resident memory, bytes.
pub struct Breakdown {
    /// Files of Mesa's software OpenGL (llvmpipe) and X shared memory: what Xvfb without a GPU
    /// adds, and a GPU driver replaces.
    pub renderer: f64,
    /// The courtside executable's own pages.
    pub executable: f64,
    /// Anonymous pages (heap, stacks, private mappings).
    pub anonymous: f64,
}

/// Linux `/proc/PID/smaps`; None elsewhere.
pub fn rss_breakdown(pid: u32) -> Option<Breakdown> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).ok()?;
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    let exe = exe.to_string_lossy().into_owned();
    let mut b = Breakdown {
        renderer: 0.0,
        executable: 0.0,
        anonymous: 0.0,
    };
    let mut path = String::new();
    for line in smaps.lines() {
        let mut f = line.split_whitespace();
        let first = f.next().unwrap_or_default();
        if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            path = line
                .split_whitespace()
                .nth(5)
                .unwrap_or_default()
                .to_string();
        } else if first == "Rss:" {
            let bytes = f.next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) * 1024.0;
            if path.contains("libLLVM")
                || path.ends_with("_dri.so")
                || path.contains("libgallium")
                || path.starts_with("/SYSV")
            {
                b.renderer += bytes;
            } else if path == exe {
                b.executable += bytes;
            } else if path.is_empty() || path.starts_with('[') {
                b.anonymous += bytes;
            }
        }
    }
    Some(b)
}
