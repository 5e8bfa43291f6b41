//! `courtside --smoke-frames N` as CI runs it: a real process drawing both windows under its own
//! Xvfb display. It must fail, naming the cause, when a worker failed even though the windows drew.

use crate::whole_app::{configure, free_port};
use courtside::store::Store;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Only reached on failure: two shared cores draw with a software renderer.
const DEADLINE: Duration = Duration::from_secs(120);

/// An Xvfb on the first free display (it writes the number to stdout); killed on drop.
struct Xvfb(Child, String);

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (xvfb is installed by .ci/run)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("display number");
        assert!(!line.trim().is_empty(), "Xvfb reported no display");
        Xvfb(child, format!(":{}", line.trim()))
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
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
    let x = Xvfb::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);

    let ok = smoke(&x.1, &db, dir.path());
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(ok.status.success(), "{err}");
    assert!(err.contains("smoke test passed"), "{err}");

    // The listener's port is taken: both windows still draw, but the run fails naming it.
    let taken = UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).expect("take the port");
    let failed = smoke(&x.1, &db, dir.path());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{err}");
    assert!(
        err.contains("smoke test:") && err.contains(&port.to_string()),
        "{err}"
    );
    drop(taken);

    // The store is held by another process (here: this one).
    let held = Store::open(&db).expect("hold the store");
    let failed = smoke(&x.1, &db, dir.path());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{err}");
    assert!(
        err.contains("smoke test:") && err.to_lowercase().contains("store"),
        "{err}"
    );
    drop(held);
}
