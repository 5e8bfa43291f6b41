//! Runs a real OBS Studio headless for tests: its own Xvfb display (`-displayfd`, no display
//! number race), its own HOME with a generated config (websocket on a free port with a random
//! password, a two-scene collection, recording and replay buffer into temp folders). OBS and Xvfb
//! are killed by pid when dropped, also when a test fails (OBS's obs-ffmpeg-mux helper then sees
//! its pipe close and exits by itself).

#![allow(dead_code)]

use std::hash::{BuildHasher, RandomState};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::xvfb::Xvfb;

/// Name of the generated scene collection and profile.
pub const COLLECTION: &str = "courtside-test";
/// The two scenes of the test collection, in OBS's list order.
pub const SCENES: [&str; 2] = ["Scene A", "Scene B"];
/// A source in "Scene A" (for visibility toggles).
pub const SOURCE: &str = "Color";
/// Longest wait for OBS to open its websocket port.
const START_DEADLINE: Duration = Duration::from_secs(90);

/// Poll `cond` until it holds or `deadline` passes.
pub fn wait_until(
    deadline: Duration,
    what: &str,
    mut cond: impl FnMut() -> bool,
) -> Result<(), String> {
    let end = Instant::now() + deadline;
    let mut pause = Duration::from_millis(10);
    loop {
        if cond() {
            return Ok(());
        }
        if Instant::now() >= end {
            return Err(format!("timed out after {deadline:?} waiting for {what}"));
        }
        std::thread::park_timeout(pause);
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// A random password, different per run, never printed.
pub fn random_password() -> String {
    let s = RandomState::new();
    format!("{:016x}{:016x}", s.hash_one(1u8), s.hash_one(2u8))
}

/// A TCP port free right now (bound to port 0, read back, released). OBS must be told its
/// websocket port in its config before it starts, so it cannot be handed a bound socket or port
/// 0; the race with another process taking the port in between is handled where OBS starts
/// (`start_obs`: OBS must own the listening socket, else a fresh port is tried).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Ports tried before giving up when each was taken by another process before OBS bound it.
const PORT_ATTEMPTS: u32 = 3;

/// Why OBS did not come up.
enum StartError {
    /// Another process listens on the port OBS was told (taken after it was picked).
    PortTaken,
    /// Anything else, described.
    Other(String),
}

/// One OBS at a time: several software-rendered OBS instances on a 2-core CI machine starve each
/// other (a request then times out), so the tests of this binary take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A running headless OBS.
pub struct ObsProcess {
    _turn: std::sync::MutexGuard<'static, ()>,
    home: tempfile::TempDir,
    /// Websocket port.
    pub port: u16,
    /// Websocket password.
    pub password: String,
    /// Where recordings and replays go.
    pub record_dir: PathBuf,
    xvfb: Xvfb,
    obs: Option<Child>,
}

impl ObsProcess {
    /// Start Xvfb and OBS; returns once OBS accepts websocket connections.
    pub fn start() -> Result<ObsProcess, String> {
        // A test that failed while holding the turn poisons the lock; the next may still run.
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let home = tempfile::tempdir().map_err(|e| format!("temp HOME: {e}"))?;
        let record_dir = home.path().join("recordings");
        std::fs::create_dir_all(&record_dir).map_err(|e| e.to_string())?;
        let password = random_password();
        // Tiny screen: OBS renders its canvas, not the screen.
        let xvfb = Xvfb::with_screen("640x480x24")?;
        let mut obs = ObsProcess {
            _turn: turn,
            home,
            port: 0,
            password,
            record_dir,
            xvfb,
            obs: None,
        };
        for _ in 0..PORT_ATTEMPTS {
            obs.port = free_port()?;
            write_config(obs.home.path(), obs.port, &obs.password, &obs.record_dir)?;
            match obs.start_obs() {
                Ok(()) => return Ok(obs),
                Err(StartError::PortTaken) => obs.kill_obs(),
                Err(StartError::Other(why)) => return Err(why),
            }
        }
        Err(format!(
            "OBS could not get a websocket port: {PORT_ATTEMPTS} free ports were each taken \
             by another process before OBS bound them"
        ))
    }

    /// OBS's process id (for its CPU use in /proc), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.obs.as_ref().map(Child::id)
    }

    /// The temp HOME (for extra folders).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Start OBS on the configured port; returns once OBS itself listens on it.
    fn start_obs(&mut self) -> Result<(), StartError> {
        let other = |e: std::io::Error| StartError::Other(e.to_string());
        let log = std::fs::File::create(self.home.path().join("obs-stdout.log")).map_err(other)?;
        let log2 = log.try_clone().map_err(other)?;
        let child = Command::new("obs")
            .args(["--disable-updater", "--disable-shutdown-check", "--multi"])
            .args(["--disable-missing-files-check", "--collection", COLLECTION])
            .args(["--profile", COLLECTION])
            .env("HOME", self.home.path())
            .env("DISPLAY", self.xvfb.display())
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("QT_QPA_PLATFORM", "xcb")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("WAYLAND_DISPLAY")
            .current_dir(self.home.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| {
                StartError::Other(format!("cannot start obs (is obs-studio installed?): {e}"))
            })?;
        let pid = child.id();
        self.obs = Some(child);
        let port = self.port;
        let exited = std::cell::Cell::new(None);
        let taken = std::cell::Cell::new(false);
        // Up when OBS's own process listens on the port: a connect alone could reach another
        // process that took the port after it was picked.
        let up = wait_until(START_DEADLINE, "OBS websocket port", || {
            if let Some(c) = self.obs.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                exited.set(Some(status.to_string()));
                return true;
            }
            match port_listener(pid, port) {
                Listener::Process => true,
                Listener::Other => {
                    taken.set(true);
                    true
                }
                Listener::Nobody => false,
            }
        });
        if taken.get() {
            return Err(StartError::PortTaken);
        }
        if let Some(status) = exited.take() {
            return Err(StartError::Other(format!(
                "obs exited during start ({status}):\n{}",
                self.log_tail()
            )));
        }
        up.map_err(|e| StartError::Other(format!("{e}\n{}", self.log_tail())))
    }

    /// The end of OBS's output, with any line holding the password left out.
    pub fn log_tail(&self) -> String {
        let text =
            std::fs::read_to_string(self.home.path().join("obs-stdout.log")).unwrap_or_default();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains(&self.password))
            .collect();
        lines[lines.len().saturating_sub(25)..].join("\n")
    }

    /// Kill OBS (SIGKILL: a crash, not a clean exit).
    pub fn kill_obs(&mut self) {
        if let Some(mut c) = self.obs.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start OBS again with the same HOME, port and password (the clients under test reconnect
    /// to that port, so it is not changed; another process taking it meanwhile is an error).
    pub fn restart_obs(&mut self) -> Result<(), String> {
        self.kill_obs();
        self.start_obs().map_err(|e| match e {
            StartError::PortTaken => format!(
                "port {} was taken by another process while OBS was down",
                self.port
            ),
            StartError::Other(why) => why,
        })
    }
}

impl Drop for ObsProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- end of OBS's log ---\n{}", self.log_tail());
        }
        self.kill_obs();
        // The display goes with `self.xvfb`, after OBS.
    }
}

/// Who listens on a TCP port.
pub enum Listener {
    /// The given process.
    Process,
    /// Another process.
    Other,
    /// Nobody yet.
    Nobody,
}

/// Whether process `pid` listens on TCP `port` (IPv4 or IPv6), from Linux's `/proc`: the sockets
/// listening on the port (`/proc/net/tcp{,6}`, state 0A) matched by inode against the process's
/// open files.
pub fn port_listener(pid: u32, port: u16) -> Listener {
    let suffix = format!(":{port:04X}");
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.get(1).is_some_and(|l| l.ends_with(&suffix)) && cols.get(3) == Some(&"0A") {
                inodes.extend(cols.get(9).map(|i| format!("socket:[{i}]")));
            }
        }
    }
    if inodes.is_empty() {
        return Listener::Nobody;
    }
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten();
    let owns = fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .is_ok_and(|l| inodes.iter().any(|i| l.as_os_str() == i.as_str()))
    });
    if owns {
        Listener::Process
    } else {
        Listener::Other
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// OBS 29 config: websocket 5.1 keeps its settings in global.ini; FirstRun skips the wizard.
fn write_config(home: &Path, port: u16, password: &str, record_dir: &Path) -> Result<(), String> {
    let cfg = home.join(".config/obs-studio");
    write(
        &cfg.join("global.ini"),
        &format!(
            "[General]\nFirstRun=true\n\n[Basic]\nProfile={COLLECTION}\nProfileDir={COLLECTION}\n\
             SceneCollection={COLLECTION}\nSceneCollectionFile={COLLECTION}\n\n\
             [OBSWebSocket]\nFirstLoad=false\nServerEnabled=true\nServerPort={port}\n\
             AlertsEnabled=false\nAuthRequired=true\nServerPassword={password}\n"
        ),
    )?;
    // Tiny picture and the fastest x264 preset: two shared cores run several of these at once.
    // Recording shares the stream encoder with the replay buffer; a recording started while the
    // buffer runs begins at the next keyframe, so keyframes come every second (x264 defaults to
    // 250 frames: 25 s at 10 fps).
    write(
        &cfg.join(format!("basic/profiles/{COLLECTION}/basic.ini")),
        &format!(
            "[General]\nName={COLLECTION}\n\n[Output]\nMode=Simple\n\n[SimpleOutput]\n\
             FilePath={}\nRecFormat=mkv\nRecQuality=Stream\nStreamEncoder=x264\nUseAdvanced=true\n\
             x264Settings=keyint=10\n\
             VBitrate=500\nABitrate=64\nPreset=ultrafast\nRecRB=true\nRecRBTime=10\nRecRBSize=64\n\n\
             [Video]\nBaseCX=320\nBaseCY=180\nOutputCX=320\nOutputCY=180\nFPSType=1\nFPSInt=10\n\n\
             [Audio]\nSampleRate=48000\nChannelSetup=Stereo\n",
            record_dir.display()
        ),
    )?;
    write(
        &cfg.join(format!("basic/scenes/{COLLECTION}.json")),
        &scene_collection(),
    )
}

fn scene_collection() -> String {
    serde_json::json!({
        "name": COLLECTION,
        "current_scene": SCENES[0],
        "current_program_scene": SCENES[0],
        "scene_order": [{ "name": SCENES[0] }, { "name": SCENES[1] }],
        "sources": [
            { "id": "scene", "versioned_id": "scene", "name": SCENES[0],
              "settings": { "id_counter": 1, "custom_size": false, "items": [
                { "name": SOURCE, "visible": true, "id": 1,
                  "pos": { "x": 0, "y": 0 }, "scale": { "x": 1, "y": 1 } } ] } },
            { "id": "scene", "versioned_id": "scene", "name": SCENES[1],
              "settings": { "id_counter": 0, "custom_size": false, "items": [] } },
            { "id": "color_source", "versioned_id": "color_source_v3", "name": SOURCE,
              "settings": { "color": 4278190335u32, "width": 320, "height": 180 } }
        ],
        "groups": [], "transitions": [], "current_transition": "Cut",
        "transition_duration": 0, "quick_transitions": [], "saved_projectors": [], "modules": {}
    })
    .to_string()
}

/// True when `path` is a Matroska file (EBML magic) with more than a header in it.
pub fn is_mkv_with_data(path: &Path) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => bytes.len() > 1000 && bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
        Err(_) => false,
    }
}
