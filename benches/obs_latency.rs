//! PSS datagram → OBS request latency of the automation, against a local obs-websocket endpoint
//! that timestamps each `SaveReplayBuffer` frame as it arrives.
//!
//! Three paths, measured in the same run:
//! - baseline: a bare obws `SaveReplayBuffer` call to the endpoint (the floor of any obws path);
//! - automation: a persisted `ch1` record handed to `Automation::on_persisted` → rules → worker →
//!   session → obws → endpoint;
//! - full: a `ch1` UDP datagram → listener → store writer (durable commit) → automation thread →
//!   … → endpoint.
//!
//! Criterion reports means; afterwards each path is sampled 2000 times and p50/p99/max printed,
//! with each p99 as a ratio to the baseline's. Target: full-path p99 ≤ 5 ms.

use courtside::ingest::{self, Listener, ListenerConfig};
use courtside::obs::{
    Automation, AutomationHandle, ObsAction, ObsConnection, ObsUpdate, ObsWorker, ObsWorkerConfig,
    Rule, RuleAction, Trigger,
};
use courtside::protocol::parse_text;
use courtside::store::writer::Persisted;
use courtside::store::{EventRecord, Store, Writer, WriterConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use crossbeam_channel::{Receiver, Sender, bounded};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_websockets::{Message, ServerBuilder};

/// Serve one fake obs-websocket connection: no auth, answers every request with success and
/// plausible data, reports the arrival instant of each `SaveReplayBuffer` and then tells every
/// connection (events go over courtside's status link) that the replay was saved.
async fn serve(
    stream: tokio::net::TcpStream,
    arrivals: Sender<Instant>,
    saved: tokio::sync::broadcast::Sender<()>,
) {
    let Ok((_, mut ws)) = ServerBuilder::new().accept(stream).await else {
        return;
    };
    let mut saved_rx = saved.subscribe();
    let hello = json!({"op": 0, "d": {"obsWebSocketVersion": "5.5.0", "rpcVersion": 1}});
    if ws.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        let msg = tokio::select! {
            m = ws.next() => match m { Some(Ok(m)) => m, _ => return },
            r = saved_rx.recv() => {
                if r.is_err() { return }
                let ev = json!({"op": 5, "d": {"eventType": "ReplayBufferSaved", "eventIntent": 64,
                    "eventData": {"savedReplayPath": "/tmp/bench.mkv"}}});
                if ws.send(Message::text(ev.to_string())).await.is_err() { return }
                continue;
            }
        };
        let arrived = Instant::now();
        let Some(text) = msg.as_text() else { continue };
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let d = &frame["d"];
        let ty = d["requestType"].as_str().unwrap_or_default().to_string();
        let reply = match frame["op"].as_u64() {
            Some(1) => json!({"op": 2, "d": {"negotiatedRpcVersion": 1}}),
            Some(6) => json!({"op": 7, "d": {"requestType": ty, "requestId": d["requestId"],
                    "requestStatus": {"result": true, "code": 100}, "responseData": answer(&ty)}}),
            _ => continue,
        };
        if ws.send(Message::text(reply.to_string())).await.is_err() {
            return;
        }
        if ty == "SaveReplayBuffer" {
            let _ = arrivals.try_send(arrived);
            let _ = saved.send(());
        }
    }
}

fn answer(request: &str) -> Value {
    match request {
        "GetVersion" => json!({"obsVersion": "30.2.0", "obsWebSocketVersion": "5.5.0",
            "rpcVersion": 1, "availableRequests": [], "supportedImageFormats": [],
            "platform": "bench", "platformDescription": "bench"}),
        "GetSceneList" => json!({"currentProgramSceneName": "A", "scenes": [
            {"sceneName": "A", "sceneIndex": 0}]}),
        "GetReplayBufferStatus" => json!({"outputActive": true}),
        "GetRecordStatus" | "GetStreamStatus" => json!({"outputActive": false}),
        _ => Value::Null,
    }
}

struct Rig {
    rt: tokio::runtime::Runtime,
    port: u16,
    arrivals: Receiver<Instant>,
    updates: Receiver<ObsUpdate>,
    worker: ObsWorker,
}

fn rig() -> Rig {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (arr_tx, arrivals) = bounded(65_536);
    let (saved, _) = tokio::sync::broadcast::channel(64);
    rt.spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(serve(s, arr_tx.clone(), saved.clone()));
        }
    });
    let (up_tx, updates) = bounded(65_536);
    let config = ObsWorkerConfig {
        connections: vec![ObsConnection::new("bench", "127.0.0.1", port)],
        updates: up_tx,
        repaint: Box::new(|| {}),
        store_writer: None,
    };
    let worker = ObsWorker::spawn(rt.handle().clone(), config).expect("worker");
    let end = Instant::now() + Duration::from_secs(10);
    while !worker.statuses().iter().any(|s| s.link.is_connected()) {
        assert!(Instant::now() < end, "fake OBS not connected");
        let _ = updates.recv_timeout(Duration::from_millis(100));
    }
    Rig {
        rt,
        port,
        arrivals,
        updates,
        worker,
    }
}

fn save_rule() -> Vec<Rule> {
    vec![Rule::new(
        "save",
        Trigger::ChallengeRequested,
        vec![RuleAction::now(ObsAction::SaveReplay)],
    )]
}

impl Rig {
    /// Wait for the arrival at the endpoint and for the action's notice (so runs do not queue).
    fn arrival(&self) -> Instant {
        let at = self
            .arrivals
            .recv_timeout(Duration::from_secs(5))
            .expect("request arrived");
        loop {
            match self.updates.recv_timeout(Duration::from_secs(5)) {
                Ok(ObsUpdate::Notice(n)) => {
                    assert!(n.result.is_ok(), "{n:?}");
                    return at;
                }
                Ok(_) => {}
                Err(e) => panic!("no notice: {e}"),
            }
        }
    }
}

fn ch1_record(seq: u64) -> Arc<EventRecord> {
    Arc::new(EventRecord {
        seq,
        received_at_ns: 0,
        source: "127.0.0.1:1".into(),
        court: "1".into(),
        raw: b"ch1".to_vec(),
        events: parse_text("ch1"),
        match_key: 1,
    })
}

/// One measurement per path; each closure returns one latency.
struct Paths<'a> {
    baseline: Box<dyn FnMut() -> Duration + 'a>,
    automation: Box<dyn FnMut() -> Duration + 'a>,
    full: Box<dyn FnMut() -> Duration + 'a>,
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), v[v.len() - 1])
}

/// A bare obws client to the endpoint (the baseline).
fn direct_client(rig: &Rig) -> obws::Client {
    let config = obws::client::ConnectConfig {
        host: "127.0.0.1",
        port: rig.port,
        password: None::<&str>,
        event_subscriptions: Some(obws::requests::EventSubscription::NONE),
        broadcast_capacity: 16,
        connect_timeout: Duration::from_secs(5),
        dangerous: None,
    };
    let client = obws::Client::connect_with_config(config);
    rig.rt.block_on(client).expect("direct client")
}

/// The app's court path: UDP listener → store writer (durable commit) → automation thread.
struct Court {
    listener: Listener,
    automation: AutomationHandle,
    writer: Writer,
    pss: UdpSocket,
    to: SocketAddr,
    _dir: tempfile::TempDir,
}

fn court(rig: &Rig) -> Court {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("bench.redb")).expect("store");
    let (p_tx, p_rx) = bounded(1024);
    let writer = Writer::spawn(store, WriterConfig::default(), vec![p_tx]).expect("writer");
    let automation = Automation::new(save_rule(), false, rig.worker.commands())
        .spawn(p_rx)
        .expect("automation");
    let loopback = ListenerConfig {
        bind: [127, 0, 0, 1].into(),
        ..ListenerConfig::new(0, "1")
    };
    let sock = ingest::bind(&loopback).expect("udp");
    let to = sock.local_addr().expect("addr");
    let config = ListenerConfig {
        port: to.port(),
        ..loopback
    };
    let listener = Listener::spawn(config, Some(sock), writer.sender()).expect("listener");
    let pss = UdpSocket::bind("127.0.0.1:0").expect("udp");
    Court {
        listener,
        automation,
        writer,
        pss,
        to,
        _dir: dir,
    }
}

fn latency(c: &mut Criterion) {
    let rig = rig();
    let direct = direct_client(&rig);
    let court = court(&rig);
    let mut automation = Automation::new(save_rule(), false, rig.worker.commands());
    let mut seq = 0u64;
    let mut paths = Paths {
        baseline: Box::new(|| {
            let start = Instant::now();
            rig.rt
                .block_on(direct.replay_buffer().save())
                .expect("save");
            rig.arrivals
                .recv_timeout(Duration::from_secs(5))
                .expect("arrived")
                - start
        }),
        automation: Box::new(|| {
            seq += 1;
            let received = Instant::now();
            automation.on_persisted(&Persisted {
                record: ch1_record(seq),
                received,
            });
            rig.arrival() - received
        }),
        full: Box::new(|| {
            let start = Instant::now();
            court.pss.send_to(b"ch1", court.to).expect("send");
            rig.arrival() - start
        }),
    };
    let mut group = c.benchmark_group("ch1 -> SaveReplayBuffer at OBS");
    group.bench_function("baseline: bare obws request", |b| {
        b.iter_custom(|n| (0..n).map(|_| (paths.baseline)()).sum())
    });
    group.bench_function("automation: persisted record", |b| {
        b.iter_custom(|n| (0..n).map(|_| (paths.automation)()).sum())
    });
    group.bench_function("full: UDP datagram via store", |b| {
        b.iter_custom(|n| (0..n).map(|_| (paths.full)()).sum())
    });
    group.finish();
    report(&mut paths);
    drop(paths);
    court.listener.stop();
    court.automation.stop();
    court.writer.shutdown();
}

fn report(paths: &mut Paths<'_>) {
    const N: usize = 2000;
    let (b50, b99, bmax) = percentiles((0..N).map(|_| (paths.baseline)()).collect());
    println!("\nlatency over {N} samples each (p50 / p99 / max, p99 as × baseline p99):");
    println!("  baseline   {b50:>10.2?} {b99:>10.2?} {bmax:>10.2?}");
    for (name, f) in [
        ("automation", &mut paths.automation),
        ("full (UDP)", &mut paths.full),
    ] {
        let (p50, p99, max) = percentiles((0..N).map(|_| f()).collect());
        let ratio = p99.as_secs_f64() / b99.as_secs_f64();
        let verdict = if p99 <= Duration::from_millis(5) {
            "within"
        } else {
            "OVER"
        };
        println!(
            "  {name} {p50:>10.2?} {p99:>10.2?} {max:>10.2?}  ×{ratio:.1}  ({verdict} the 5 ms p99 target)"
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(200).measurement_time(Duration::from_secs(5));
    targets = latency
}
criterion_main!(benches);
