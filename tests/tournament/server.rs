//! A real `nats-server` per test: its own store folder, a free port (chosen by the server, read
//! from its ports file, then kept across restarts so courts reconnect to the same URL).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's server (installed by .ci/run); `NATS_SERVER` overrides.
fn binary() -> PathBuf {
    std::env::var_os("NATS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nats-server"))
}

/// How the server is started.
#[derive(Clone, Default)]
pub struct Options {
    /// Without JetStream (to prove the court says so).
    pub no_jetstream: bool,
    /// `authorization { user, password }`.
    pub user_password: Option<(String, String)>,
}

/// A running (or stopped, restartable) server.
pub struct NatsServer {
    dir: PathBuf,
    options: Options,
    port: u16,
    child: Option<Child>,
}

impl NatsServer {
    /// Start a server with JetStream in a folder of `dir`.
    pub fn start(dir: &Path) -> NatsServer {
        NatsServer::start_with(dir, Options::default())
    }

    /// Start with `options`.
    pub fn start_with(dir: &Path, options: Options) -> NatsServer {
        let dir = dir.join("nats");
        std::fs::create_dir_all(dir.join("ports")).unwrap();
        let mut s = NatsServer {
            dir,
            options,
            port: 0,
            child: None,
        };
        s.launch(None);
        s
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The server process's id while it runs (the tournament bench reads its CPU and memory).
    #[allow(dead_code)]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's JetStream storage folder (the bench sizes it).
    pub fn storage_dir(&self) -> PathBuf {
        self.dir.join("js")
    }

    fn launch(&mut self, port: Option<u16>) {
        let conf = self.dir.join("server.conf");
        let mut text = String::new();
        if let Some((user, pass)) = &self.options.user_password {
            text.push_str(&format!(
                "authorization {{ user: \"{user}\", password: \"{pass}\" }}\n"
            ));
        }
        std::fs::write(&conf, text).unwrap();
        let ports = self.dir.join("ports");
        for e in std::fs::read_dir(&ports).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
        let mut cmd = Command::new(binary());
        cmd.arg("-c").arg(&conf).args(["-a", "127.0.0.1", "-p"]);
        cmd.arg(port.map_or("-1".to_string(), |p| p.to_string()));
        cmd.arg("--ports_file_dir").arg(&ports);
        if !self.options.no_jetstream {
            cmd.arg("-js").arg("-sd").arg(self.storage_dir());
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server (apt-get install nats-server)");
        self.child = Some(child);
        self.port = wait_for_port(&ports);
        if let Some(p) = port {
            assert_eq!(self.port, p, "nats-server restarted on another port");
        }
    }

    /// Kill the server (SIGKILL: nothing flushed that was not already).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start it again on the same port with the same store.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port;
        // The old socket may linger a moment: retry on the same port until it binds.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let bindable = std::net::TcpListener::bind(("127.0.0.1", port)).is_ok();
            if bindable || Instant::now() > deadline {
                break;
            }
            std::thread::park_timeout(Duration::from_millis(50));
        }
        self.launch(Some(port));
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The client port from the server's ports file (`{"nats":["nats://127.0.0.1:1234"],...}`),
/// once it accepts connections.
fn wait_for_port(dir: &Path) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "nats-server did not start");
        let file = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_string_lossy().ends_with(".ports"));
        if let Some(f) = file
            && let Ok(text) = std::fs::read_to_string(f.path())
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
            && let Some(url) = v["nats"][0].as_str()
            && let Some(port) = url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok())
            && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
        std::thread::park_timeout(Duration::from_millis(20));
    }
}
