//! The system monitor worker: real sysinfo samples, wake-ups, stop + join.

use courtside::sysmon::{Sysmon, SysmonConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[test]
fn worker_samples_the_machine_and_this_process() {
    let wakes = Arc::new(AtomicUsize::new(0));
    let w = wakes.clone();
    let config = SysmonConfig {
        interval: Duration::from_millis(200),
        ..SysmonConfig::default()
    };
    let mon = Sysmon::spawn(
        config,
        Box::new(move || {
            w.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("spawn sysmon");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut samples = Vec::new();
    while samples.len() < 2 && Instant::now() < deadline {
        if let Ok(s) = mon.receiver().recv_timeout(Duration::from_millis(100)) {
            samples.push(s);
        }
    }
    assert_eq!(samples.len(), 2, "two samples within the deadline");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for s in &samples {
        assert!(s.per_core.len() >= cores, "one value per logical core");
        assert!((0.0..=100.0).contains(&s.cpu_total));
        assert!(s.per_core.iter().all(|c| (0.0..=100.0).contains(c)));
        assert!(s.mem_total > 0 && s.mem_available <= s.mem_total);
        assert!(s.proc_rss > 0, "this process's RSS is measured");
    }
    assert!(samples[1].t > samples[0].t);
    // The first sample always differs from "nothing shown yet".
    assert!(wakes.load(Ordering::SeqCst) >= 1);
    assert!(mon.history().len() >= 2);
    mon.stop();
}
