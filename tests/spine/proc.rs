//! The courtside binary as a child process: output collected by reader threads, waits with
//! deadlines (never fixed sleeps), `listen` started on free ports.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Generous: the CI machine has 2 shared cores and fsyncs can be slow. Only reached on failure.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The courtside binary under test.
pub fn courtside() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_courtside"));
    // Keep logs quiet and free of colour codes so stderr assertions read plain text.
    c.env("RUST_LOG", "warn").env("NO_COLOR", "1");
    c
}

/// Write a stream file (bytes exactly as given) into `dir`.
pub fn write_stream(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write stream file");
    p
}

/// What a child wrote so far.
#[derive(Default)]
struct Captured {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Highest `courtside: committed seq N` seen.
    committed: u64,
    /// Number of `committed` lines seen.
    commit_lines: u64,
    /// Streams (stdout, stderr) still open.
    open: u8,
}

#[derive(Default)]
struct Shared {
    state: Mutex<Captured>,
    cond: Condvar,
}

/// A running courtside child whose output is collected by two reader threads, so the child never
/// blocks on a full pipe and the test can wait for a line with a deadline.
pub struct Proc {
    child: Child,
    shared: Arc<Shared>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

/// Output of a finished child.
pub struct Finished {
    /// Exit status.
    pub status: ExitStatus,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// Raw stdout bytes.
    pub stdout_bytes: Vec<u8>,
    /// Highest `courtside: committed seq N` printed (0 if none).
    pub committed: u64,
}

impl Proc {
    /// Start `cmd` with piped output.
    pub fn spawn(mut cmd: Command) -> Proc {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn courtside");
        let shared = Arc::new(Shared::default());
        shared.state.lock().unwrap().open = 2;
        let out = child.stdout.take().expect("stdout");
        let err = child.stderr.take().expect("stderr");
        let s1 = shared.clone();
        let s2 = shared.clone();
        let readers = vec![
            std::thread::Builder::new()
                .name("child-stdout".into())
                .spawn(move || read_stdout(out, &s1))
                .expect("reader thread"),
            std::thread::Builder::new()
                .name("child-stderr".into())
                .spawn(move || read_stderr(err, &s2))
                .expect("reader thread"),
        ];
        Proc {
            child,
            shared,
            readers,
        }
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Wait until `pred` holds for the captured output; panics with the output at the deadline.
    fn wait_for(&self, what: &str, pred: impl Fn(&Captured) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        let mut st = self.shared.state.lock().unwrap();
        while !pred(&st) {
            let now = Instant::now();
            if now >= deadline || st.open == 0 {
                let why = if st.open == 0 {
                    "child exited"
                } else {
                    "timed out"
                };
                let msg = format!(
                    "{why} waiting for {what}\nstdout:\n{}\nstderr:\n{}",
                    String::from_utf8_lossy(&st.stdout),
                    String::from_utf8_lossy(&st.stderr)
                );
                // Unlocked first, so this panic does not poison the reader threads' lock.
                drop(st);
                panic!("{msg}");
            }
            st = self.shared.cond.wait_timeout(st, deadline - now).unwrap().0;
        }
    }

    /// The UDP addresses `courtside listen` printed, one per `--port`, in order.
    pub fn wait_listening(&self, ports: usize) -> Vec<SocketAddr> {
        self.wait_for("the listening lines", |c| {
            listening_addrs(&c.stdout).len() >= ports
        });
        let st = self.shared.state.lock().unwrap();
        listening_addrs(&st.stdout)
    }

    /// Wait until the child reported a durable commit of sequence `seq` (or higher).
    pub fn wait_committed(&self, seq: u64) {
        self.wait_for(&format!("commit of seq {seq}"), |c| c.committed >= seq);
    }

    /// Wait until at least `n` commit lines were printed; returns the highest committed seq.
    pub fn wait_commit_lines(&self, n: u64) -> u64 {
        self.wait_for(&format!("{n} commit lines"), |c| c.commit_lines >= n);
        self.shared.state.lock().unwrap().committed
    }

    /// Wait until the child wrote `needle` to stderr.
    pub fn wait_stderr(&self, needle: &str) {
        self.wait_for(&format!("{needle:?} on stderr"), |c| {
            String::from_utf8_lossy(&c.stderr).contains(needle)
        });
    }

    /// What the child wrote to stderr so far.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.shared.state.lock().unwrap().stderr).into_owned()
    }

    /// Send SIGINT (what Ctrl-C sends).
    #[cfg(unix)]
    pub fn interrupt(&self) {
        let status = Command::new("sh")
            .args(["-c", &format!("kill -INT {}", self.id())])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -INT failed");
    }

    /// SIGKILL (TerminateProcess on Windows): no chance to flush anything.
    pub fn kill(mut self) -> Finished {
        self.child.kill().expect("kill child");
        self.finish()
    }

    /// Wait (with the deadline) for the child to exit on its own.
    pub fn finish(mut self) -> Finished {
        self.wait_for("exit", |c| c.open == 0);
        let status = self.child.wait().expect("wait child");
        for r in self.readers.drain(..) {
            r.join().expect("reader thread");
        }
        let st = self.shared.state.lock().unwrap();
        Finished {
            status,
            stdout: String::from_utf8_lossy(&st.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&st.stderr).into_owned(),
            stdout_bytes: st.stdout.clone(),
            committed: st.committed,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // A failed assertion must not leave a listener running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_stdout(out: impl Read, shared: &Shared) {
    let mut r = BufReader::new(out);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r.read_until(b'\n', &mut line).unwrap_or(0);
        let mut st = shared.state.lock().unwrap();
        if n == 0 {
            st.open -= 1;
            shared.cond.notify_all();
            return;
        }
        if let Some(seq) = std::str::from_utf8(&line)
            .ok()
            .and_then(|l| l.trim().strip_prefix("courtside: committed seq "))
            .and_then(|n| n.parse::<u64>().ok())
        {
            st.committed = st.committed.max(seq);
            st.commit_lines += 1;
        }
        st.stdout.extend_from_slice(&line);
        shared.cond.notify_all();
    }
}

fn read_stderr(mut err: impl Read, shared: &Shared) {
    let mut buf = [0u8; 4096];
    loop {
        let n = err.read(&mut buf).unwrap_or(0);
        let mut st = shared.state.lock().unwrap();
        if n == 0 {
            st.open -= 1;
            shared.cond.notify_all();
            return;
        }
        st.stderr.extend_from_slice(&buf[..n]);
        shared.cond.notify_all();
    }
}

/// Addresses from `courtside: listening on UDP ADDR (court …)` lines.
fn listening_addrs(stdout: &[u8]) -> Vec<SocketAddr> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("courtside: listening on UDP "))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter_map(|a| a.parse().ok())
        .collect()
}

/// Run a short-lived courtside command to completion (with the deadline).
pub fn run(args: &[&str]) -> Finished {
    let mut cmd = courtside();
    cmd.args(args);
    Proc::spawn(cmd).finish()
}

/// `courtside listen --db DB --port 0 … --print-commits`, started and listening.
pub fn start_listen(db: &Path, extra: &[&str], ports: usize) -> (Proc, Vec<SocketAddr>) {
    let mut cmd = courtside();
    cmd.arg("listen")
        .arg("--db")
        .arg(db)
        .arg("--bind")
        .arg("127.0.0.1")
        .arg("--print-commits");
    for _ in 0..ports {
        cmd.args(["--port", "0"]);
    }
    cmd.args(extra);
    let p = Proc::spawn(cmd);
    let addrs = p.wait_listening(ports);
    (p, addrs)
}

/// Loopback address of a listener bound to `addr` (which may be 0.0.0.0).
pub fn loopback(addr: SocketAddr) -> String {
    format!("127.0.0.1:{}", addr.port())
}

/// `courtside simulate FILE --to ADDR`, asserting success.
pub fn simulate(file: &Path, to: &str) {
    let f = run(&["simulate", file.to_str().expect("utf-8 path"), "--to", to]);
    assert!(f.status.success(), "simulate failed: {}", f.stderr);
}

/// Stop a listener with SIGINT and check it flushed and exited 0.
#[cfg(unix)]
pub fn stop_listen(p: Proc) -> Finished {
    p.interrupt();
    let f = p.finish();
    assert!(
        f.status.success(),
        "listen did not exit 0 after SIGINT: {:?}\n{}",
        f.status,
        f.stderr
    );
    assert!(f.stdout.contains("courtside: stopped;"), "{}", f.stdout);
    f
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
