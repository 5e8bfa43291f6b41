//! Helpers shared by the in-process spine tests: temp dirs, the example stream, datagrams for the
//! writer.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A temp dir that lives as long as the test needs it.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("courtside-spine-")
        .tempdir()
        .expect("temp dir")
}

/// The example match stream (a copy of the workspace's shared/streams/example-match.pss, so the
/// repository tests on its own).
pub fn example_stream() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example-match.pss")
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

/// Store `raws` on `court` through a writer of its own, durably.
pub fn store_datagrams(store: &Store, court: &str, raws: &[&[u8]]) {
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
    for raw in raws {
        writer
            .sender()
            .send(WriteRequest::Datagram(incoming(court, raw)))
            .unwrap();
    }
    writer.flush().unwrap();
    writer.shutdown();
}

/// A store file written by a future courtside: only its schema version, `version`.
pub fn future_store(path: &Path, version: u64) {
    let db = redb::Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    txn.open_table(courtside::store::schema::META)
        .unwrap()
        .insert("schema_version", version)
        .unwrap();
    txn.commit().unwrap();
}
