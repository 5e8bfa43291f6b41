//! The OBS shortcuts of the whole app against a real OBS, each pressed once: F9 saves a replay (a
//! file appears), Ctrl+Shift+B starts and stops the replay buffer, Ctrl+Shift+S starts streaming
//! to a local RTMP sink (Debian's `ffmpeg -listen 1`, which must receive the stream) and stops
//! it. An independent websocket client checks OBS's own view of each output.

#![cfg(target_os = "linux")]

use crate::app_obs::{configure, notice_done, step_until};
use crate::app_support::{app, free_port};
use crate::obs_process::{Listener, ObsProcess, is_mkv_with_data, port_listener, wait_until};
use crate::obs_ui::{direct_client, named_file, runtime};
use courtside::app::CourtsideApp;
use courtside::obs::OutputPhase;
use egui::{Key, Modifiers};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const DEADLINE: Duration = Duration::from_secs(40);

/// `ffmpeg` listening for one RTMP publisher, copying what it receives into a file; killed by pid
/// when dropped.
struct RtmpSink {
    child: Child,
    /// Where the received stream goes.
    out: PathBuf,
    /// `rtmp://127.0.0.1:<port>/live` (OBS's "server"; the stream key is `test`).
    server: String,
}

impl RtmpSink {
    /// ffmpeg needs its port on the command line (no port 0 to read back): a port free right now
    /// is picked (bound, read back, released) and ffmpeg must then own the listening socket; if
    /// another process took the port in between (ffmpeg exits, or someone else listens), a fresh
    /// port is tried.
    fn start(dir: &Path) -> RtmpSink {
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free port")
                .port();
            if let Some(sink) = RtmpSink::start_on(dir, port) {
                return sink;
            }
        }
        let log = std::fs::read_to_string(dir.join("ffmpeg.log")).unwrap_or_default();
        panic!(
            "ffmpeg did not listen on any of three free ports (taken by another process, or ffmpeg exited); its log:\n{log}"
        );
    }

    /// ffmpeg listening on `port`, or None when the port was taken by another process.
    fn start_on(dir: &Path, port: u16) -> Option<RtmpSink> {
        let out = dir.join("received.flv");
        let log = std::fs::File::create(dir.join("ffmpeg.log")).expect("log");
        let child = Command::new("ffmpeg")
            .args(["-hide_banner", "-nostdin", "-loglevel", "info"])
            .args(["-listen", "1", "-f", "flv"])
            .arg("-i")
            .arg(format!("rtmp://127.0.0.1:{port}/live/test"))
            .args(["-c", "copy", "-f", "flv", "-y"])
            .arg(&out)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("cannot start ffmpeg (apt-get install ffmpeg)");
        let pid = child.id();
        let mut sink = RtmpSink {
            child,
            out,
            server: format!("rtmp://127.0.0.1:{port}/live"),
        };
        // Not probed by connecting: `-listen 1` serves exactly one client.
        let mut taken = false;
        wait_until(DEADLINE, "ffmpeg listening", || {
            if matches!(sink.child.try_wait(), Ok(Some(_))) {
                taken = true;
                return true;
            }
            match port_listener(pid, port) {
                Listener::Process => true,
                Listener::Other => {
                    taken = true;
                    true
                }
                Listener::Nobody => false,
            }
        })
        .expect("ffmpeg listens");
        // Dropping the sink kills an ffmpeg that is still running.
        (!taken).then_some(sink)
    }

    fn received(&self) -> u64 {
        std::fs::metadata(&self.out).map(|m| m.len()).unwrap_or(0)
    }
}

impl Drop for RtmpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status(a: &CourtsideApp) -> Option<&courtside::obs::ObsStatus> {
    a.state.obs.statuses.first()
}

/// The app shows the output fully on (`on`) or fully off.
fn phase_is(a: &CourtsideApp, of: fn(&courtside::obs::ObsStatus) -> OutputPhase, on: bool) -> bool {
    let want = if on {
        OutputPhase::On
    } else {
        OutputPhase::Off
    };
    status(a).is_some_and(|s| of(s) == want)
}

#[test]
fn f9_and_the_ctrl_shift_b_and_s_shortcuts_drive_a_real_obs_and_a_stream_reaches_the_sink() {
    let obs = ObsProcess::start().expect("start OBS");
    let rt = runtime();
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = RtmpSink::start(dir.path());
    let direct = rt.block_on(direct_client(obs.port, &obs.password));
    let service = serde_json::json!({ "server": sink.server, "key": "test", "use_auth": false });
    rt.block_on(
        direct
            .config()
            .set_stream_service_settings("rtmp_custom", &service),
    )
    .expect("stream to the local sink");

    let db = dir.path().join("court.redb");
    // The app opens its UDP listener on the port stored in its settings (no port 0 there).
    configure(&db, free_port(), &obs);
    let mut h = app(db);
    h.state_mut().state.prefs.scoreboard_open = false;
    step_until(&mut h, "OBS connected", |a| {
        status(a).is_some_and(|s| s.link.is_connected() && !s.scenes.is_empty())
    });
    let replay_on = || {
        rt.block_on(direct.replay_buffer().status())
            .expect("status")
    };
    let streaming = || rt.block_on(direct.streaming().status()).expect("status");

    // Ctrl+Shift+B: the replay buffer starts.
    h.key_press_modifiers(CTRL_SHIFT, Key::B);
    step_until(&mut h, "replay buffer on", |a| {
        phase_is(a, |s| s.replay_buffer.phase, true)
    });
    assert!(replay_on(), "OBS reports the replay buffer active");

    // F9 itself (not its Ctrl+Shift+I alternative): a replay file appears.
    h.key_press(Key::F9);
    step_until(&mut h, "replay saved", |a| {
        notice_done(a, "save replay").is_some()
    });
    let saved = notice_done(h.state(), "save replay").expect("notice");
    assert!(is_mkv_with_data(named_file(&saved)), "{saved}");

    // Ctrl+Shift+B again: the buffer stops.
    h.key_press_modifiers(CTRL_SHIFT, Key::B);
    step_until(&mut h, "replay buffer off", |a| {
        phase_is(a, |s| s.replay_buffer.phase, false)
    });
    // The app may show "off" as soon as OBS says the output is stopping; OBS's own status
    // turns inactive once the output has flushed, so wait for it with a deadline.
    wait_until(DEADLINE, "OBS reports the replay buffer stopped", || {
        !replay_on()
    })
    .expect("replay buffer stops");

    // Ctrl+Shift+S: OBS streams and the sink receives FLV data.
    let started = Instant::now();
    h.key_press_modifiers(CTRL_SHIFT, Key::S);
    step_until(&mut h, "streaming on", |a| {
        phase_is(a, |s| s.streaming.phase, true)
    });
    wait_until(DEADLINE, "OBS streaming with bytes sent", || {
        let s = streaming();
        s.active && s.bytes > 0
    })
    .expect("OBS streams");
    wait_until(DEADLINE, "the sink receives the stream", || {
        sink.received() > 10_000
    })
    .expect("ffmpeg receives data");
    let head = std::fs::read(&sink.out).expect("sink file");
    assert!(head.starts_with(b"FLV"), "the sink wrote an FLV stream");
    eprintln!(
        "stream reached the sink {:?} after Ctrl+Shift+S",
        started.elapsed()
    );

    // Ctrl+Shift+S again: streaming stops.
    h.key_press_modifiers(CTRL_SHIFT, Key::S);
    step_until(&mut h, "streaming off", |a| {
        phase_is(a, |s| s.streaming.phase, false)
    });
    wait_until(DEADLINE, "OBS reports streaming stopped", || {
        !streaming().active
    })
    .expect("streaming stops");
}
