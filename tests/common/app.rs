//! The real app under egui_kittest over a temp store, as the whole-app tests of several test
//! binaries start it (shared through `#[path]`): a free loopback port, the settings an operator
//! would have saved, and the harness.
// Each binary that includes this uses part of it.
#![allow(dead_code)]

use courtside::app::{AppOptions, CourtsideApp};
use courtside::model::settings::{AppSettings, ListenerSetting};
use courtside::store::{Store, Writer, WriterConfig};
use egui_kittest::Harness;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::{Path, PathBuf};

/// A UDP port for the app to listen on. Not port 0: the app opens its listeners from saved
/// settings, a saved listener port must be 1–65535 (`validate_listeners`), and the app does not
/// report a port it picked. Picking one free port (bind 0, read back, release) left a race: any
/// port-0 bind in between (another test's socket, OBS, ffmpeg) could be given the same port. So the
/// port comes from 20000–29999, below every system's ephemeral range (Linux 32768+, Windows and
/// macOS 49152+) where no port-0 bind can land; from a window of this process (by its id), so
/// that two test processes rarely share one; unique within the process by a counter, so that
/// parallel tests never share one; and checked free (bound and released) before it is handed out.
/// Tests that build a `Listener` themselves bind port 0 and pass the socket in.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const WINDOW: u16 = 200;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 50) as u16 * WINDOW;
    for _ in 0..WINDOW {
        let port = base + NEXT.fetch_add(1, Ordering::Relaxed) % WINDOW;
        if UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port)).is_ok() {
            return port;
        }
    }
    panic!("no free UDP port in {base}–{}", base + WINDOW - 1)
}

/// Store a loopback listener for "Court 1" on `port` before the app starts, then let `more`
/// store what else the test needs (an OBS connection, a flag mapping) through the same writer.
pub fn configure_with(db: &Path, port: u16, more: impl FnOnce(&Writer)) {
    let store = Store::open(db).expect("store");
    let writer = Writer::spawn(store, WriterConfig::default(), Vec::new()).expect("writer");
    let settings = AppSettings {
        listeners: vec![ListenerSetting {
            bind: Ipv4Addr::LOCALHOST.into(),
            port,
            court: "Court 1".into(),
            allow: Vec::new(),
            ..ListenerSetting::default()
        }],
        // Off: parallel tests (and a courtside running here) never compete for port 8090;
        // tests of the web server store their own web settings.
        web: courtside::web::WebSettings {
            enabled: false,
            ..Default::default()
        },
        ..AppSettings::default()
    };
    for (k, v) in settings.to_entries() {
        writer.set_setting(k, &v, "test").expect("setting");
    }
    more(&writer);
    writer.shutdown();
}

/// Store listener settings before the app starts (as an operator's saved settings would be).
pub fn configure(db: &Path, port: u16) {
    configure_with(db, port, |_| {});
}

/// The whole app on `db`, built the way eframe builds it.
pub fn app(db: PathBuf) -> Harness<'static, CourtsideApp> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            CourtsideApp::new(
                &cc.egui_ctx,
                None,
                AppOptions {
                    db,
                    smoke_frames: None,
                    smoke_report: None,
                    log: None,
                },
            )
        })
}
