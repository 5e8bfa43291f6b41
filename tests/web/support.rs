//! A real server fed by a real store writer (early subscription), plus small raw HTTP clients.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, Subscribers, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use courtside::web::{WebConfig, WebControlRequest, WebFeed, WebService, WebSettings};
use crossbeam_channel::{Receiver, Sender};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The example match stream.
pub fn example_stream() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example-match.pss")
}

/// The datagrams of the example match, in order.
pub fn example_datagrams() -> Vec<Vec<u8>> {
    let file = std::fs::read(example_stream()).unwrap();
    courtside::stream_file::datagrams(&file)
        .into_iter()
        .map(|l| l.bytes)
        .collect()
}

/// Server + writer + store in a temp dir; dropped in a safe order.
pub struct Rig {
    pub service: WebService,
    pub addr: SocketAddr,
    pub writer: Writer,
    pub control: Option<Receiver<WebControlRequest>>,
    pub runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

/// Options of a rig.
pub struct RigOptions {
    pub config: WebConfig,
    pub with_control: bool,
    pub courts: Vec<String>,
    /// Datagrams stored before the service starts (court, raw): the restart path.
    pub prefill: Vec<(String, Vec<u8>)>,
}

impl Default for RigOptions {
    fn default() -> Self {
        let mut config = WebConfig::from_settings(&WebSettings::default(), None);
        config.addr = "127.0.0.1:0".parse().unwrap();
        RigOptions {
            config,
            with_control: false,
            courts: vec!["Court 1".into()],
            prefill: Vec::new(),
        }
    }
}

impl Rig {
    pub fn start() -> Rig {
        Rig::with(RigOptions::default())
    }

    pub fn with(o: RigOptions) -> Rig {
        let dir = tempfile::Builder::new()
            .prefix("courtside-web-")
            .tempdir()
            .unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        if !o.prefill.is_empty() {
            let w = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
            for (court, raw) in &o.prefill {
                w.sender()
                    .send(WriteRequest::Datagram(incoming(court, raw)))
                    .unwrap();
            }
            w.flush().unwrap();
            w.shutdown();
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (tx, rx) = crossbeam_channel::bounded(courtside::web::FEED_QUEUE);
        let (ctl_tx, ctl_rx): (Option<Sender<_>>, _) = if o.with_control {
            let (t, r) = crossbeam_channel::bounded(courtside::web::CONTROL_QUEUE);
            (Some(t), Some(r))
        } else {
            (None, None)
        };
        let feed = WebFeed {
            records: rx,
            courts: courtside::web::load_courts(&store).unwrap(),
            court_names: o.courts,
            flags: courtside::flags::FlagResolver::builtin_only(),
            control: ctl_tx,
        };
        let service = WebService::spawn(o.config, runtime.handle().clone(), feed).unwrap();
        let subscribers = Subscribers {
            early: vec![tx],
            durable: Vec::new(),
        };
        let writer = Writer::spawn_with(store, WriterConfig::default(), subscribers, None).unwrap();
        let addr = service.local_addr().unwrap();
        Rig {
            service,
            addr,
            writer,
            control: ctl_rx,
            runtime,
            _dir: dir,
        }
    }

    /// Store one datagram on `court` (the web side gets it from the writer).
    pub fn send(&self, court: &str, raw: &[u8]) {
        self.writer
            .sender()
            .send(WriteRequest::Datagram(incoming(court, raw)))
            .unwrap();
    }

    /// Wait until the service has applied `n` records in all.
    pub fn wait_records(&self, n: u64) {
        let stats = self.service.stats();
        wait_until(Duration::from_secs(10), "records applied", || {
            stats.records.load(std::sync::atomic::Ordering::Relaxed) >= n
        });
    }
}

/// A datagram for the writer, parsed like the ingest worker does.
pub fn incoming(court: &str, raw: &[u8]) -> Incoming {
    Incoming {
        received_at_ns: now_ns(),
        received: Instant::now(),
        source: "127.0.0.1:6000".into(),
        court: court.into(),
        raw: raw.to_vec(),
        events: parse_datagram(raw),
    }
}

/// The state `replay --json` gives for `datagrams` (the contract the API must match).
pub fn replayed(datagrams: &[Vec<u8>]) -> serde_json::Value {
    let mut state = courtside::match_state::MatchState::new();
    for d in datagrams {
        for e in parse_datagram(d) {
            state.apply(&e);
        }
    }
    serde_json::to_value(&state).unwrap()
}

/// Wait for `cond` with a deadline; panics naming `what`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A raw HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// Send raw request bytes, read the whole answer (the request should ask to close).
pub fn raw(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(request).unwrap();
    read_answer(&mut s)
}

/// Read one answer with a Content-Length body.
pub fn read_answer(s: &mut TcpStream) -> Answer {
    // Never reads past this answer: on a kept-alive connection the next answer may already be
    // in the socket (pipelined requests), and bytes read here would be lost to the next call.
    // So the head is read a byte at a time and the body exactly.
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).unwrap();
        assert!(
            n > 0,
            "connection closed before an answer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let status = head[9..12].parse().unwrap();
    let answer = Answer {
        status,
        head: head.clone(),
        body: Vec::new(),
    };
    let len: usize = answer
        .header("content-length")
        .map_or(0, |v| v.parse().unwrap());
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("the whole body");
    Answer { body, ..answer }
}

/// `GET path` (path already percent-encoded).
pub fn get(addr: SocketAddr, path: &str) -> Answer {
    raw(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// `POST path` with headers and a body.
pub fn post(addr: SocketAddr, path: &str, headers: &str, body: &str) -> Answer {
    raw(
        addr,
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}
