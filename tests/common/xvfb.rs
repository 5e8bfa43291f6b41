//! An Xvfb X server on the first free display, for tests and benches that run a real window or a
//! real OBS (shared by several test binaries and the GUI bench through `#[path]`).
//! `-displayfd` lets Xvfb pick the display and report it once it accepts clients, so there is
//! no fixed display number to collide with and no wait by time. Killed on drop.
// Each binary that includes this uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running Xvfb.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// Start one with a 1920×1080 screen (the size a venue's projector or OBS canvas has).
    pub fn start() -> Result<Xvfb, String> {
        Xvfb::with_screen("1920x1080x24")
    }

    /// Start one with the given screen (`WxHxDEPTH`).
    pub fn with_screen(screen: &str) -> Result<Xvfb, String> {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                screen,
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start Xvfb (is xvfb installed?): {e}"))?;
        let stdout = child.stdout.take().ok_or("no Xvfb stdout")?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("xvfb-display".into())
            .spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(stdout).read_line(&mut line);
                let _ = tx.send(line);
            })
            .map_err(|e| e.to_string())?;
        let mut xvfb = Xvfb {
            child,
            display: String::new(),
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if !line.trim().is_empty() => {
                xvfb.display = format!(":{}", line.trim());
                Ok(xvfb)
            }
            _ => Err("Xvfb did not report a display".into()),
        }
    }

    /// The `DISPLAY` value (`:N`).
    pub fn display(&self) -> &str {
        &self.display
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
