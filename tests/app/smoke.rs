//! `courtside --smoke-frames N` as CI runs it: a real process drawing both windows under its own
//! Xvfb display. It must fail, naming the cause, when a worker failed even though the windows drew.

use crate::whole_app::{configure, free_port};
use crate::xvfb::Xvfb;
use courtside::store::Store;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Only reached on failure: two shared cores draw with a software renderer.
const DEADLINE: Duration = Duration::from_secs(120);

fn smoke(display: &str, db: &Path, home: &Path) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["--smoke-frames", "10", "--db"])
        .arg(db)
        .env("DISPLAY", display)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env("RUST_LOG", "warn")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("courtside");
    let pid = child.id();
    let (tx, rx) = crossbeam_channel::bounded(1);
    std::thread::Builder::new()
        .name("smoke-wait".into())
        .spawn(move || tx.send(child.wait_with_output()))
        .expect("spawn the waiting thread");
    match rx.recv_timeout(DEADLINE) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("smoke run did not end");
        }
    }
}

#[test]
fn smoke_frames_pass_and_fail_with_the_cause_when_a_worker_failed() {
    let x = Xvfb::start().expect("Xvfb (xvfb is installed by .ci/run)");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);

    let ok = smoke(x.display(), &db, dir.path());
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    assert!(err.contains("smoke test passed"), "{err}");

    // The listener's port is taken: both windows still draw, but the run fails naming it.
    let taken = UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).expect("take the port");
    let failed = smoke(x.display(), &db, dir.path());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{err}");
    assert!(
        err.contains("smoke test:") && err.contains(&port.to_string()),
        "{err}"
    );
    drop(taken);

    // The store is held by another process (here: this one).
    let held = Store::open(&db).expect("hold the store");
    let failed = smoke(x.display(), &db, dir.path());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{err}");
    assert!(
        err.contains("smoke test:") && err.to_lowercase().contains("store"),
        "{err}"
    );
    drop(held);
}
