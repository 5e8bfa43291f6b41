//! The message a court publishes for each stored datagram: JSON (readable by any dashboard or
//! script), carrying everything the hub needs to store it as the court did — the court's receive
//! time, the source, the exact bytes (base64) and the parsed events.

use crate::protocol::Event;
use crate::store::EventRecord;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Header with the message id the server de-duplicates on.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";

/// One stored datagram of one court.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourtDatagram {
    /// The court store's id (see [`super::cursor::store_id`]).
    pub store_id: String,
    /// The court's tournament name.
    pub court: String,
    /// Sequence in the court's store.
    pub seq: u64,
    /// The court's receive time, Unix ns (kept on the hub: reports show when it happened).
    pub received_at_ns: i64,
    /// The PSS source address as the court saw it.
    pub source: String,
    /// The court's listener name.
    pub listener: String,
    /// The exact received bytes, base64.
    pub raw: String,
    /// The events they parsed to on the court.
    pub events: Vec<Event>,
}

/// A message that is not a courtside datagram.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Not the JSON of a [`CourtDatagram`].
    #[error("not a courtside datagram: {0}")]
    Json(#[from] serde_json::Error),
    /// `raw` is not base64.
    #[error("courtside datagram with unreadable bytes: {0}")]
    Raw(#[from] base64::DecodeError),
}

impl CourtDatagram {
    /// The message for a stored record.
    pub fn of(store_id: &str, court: &str, rec: &EventRecord) -> CourtDatagram {
        CourtDatagram {
            store_id: store_id.to_string(),
            court: court.to_string(),
            seq: rec.seq,
            received_at_ns: rec.received_at_ns,
            source: rec.source.clone(),
            listener: rec.court.clone(),
            raw: base64::engine::general_purpose::STANDARD.encode(&rec.raw),
            events: rec.events.clone(),
        }
    }

    /// `Nats-Msg-Id`: `<store id>:<sequence>`.
    pub fn msg_id(&self) -> String {
        format!("{}:{}", self.store_id, self.seq)
    }

    /// The JSON payload.
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Read a payload.
    pub fn from_bytes(bytes: &[u8]) -> Result<CourtDatagram, WireError> {
        let d: CourtDatagram = serde_json::from_slice(bytes)?;
        base64::engine::general_purpose::STANDARD.decode(&d.raw)?;
        Ok(d)
    }

    /// The exact received bytes.
    pub fn raw_bytes(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.raw)
            .unwrap_or_default()
    }
}

/// How the hub records a datagram's origin in its store's `source` field:
/// `<store id>:<sequence> <PSS source>` — the message id first, so the hub can rebuild its
/// de-duplication state from its own store, and exports still show the PSS address.
pub fn hub_source(d: &CourtDatagram) -> String {
    format!("{} {}", d.msg_id(), d.source)
}

/// The (store id, sequence) a hub record came from; `None` for a record not written by a hub.
pub fn origin_of_hub_source(source: &str) -> Option<(&str, u64)> {
    let (id, _) = source.split_once(' ').unwrap_or((source, ""));
    let (store, seq) = id.rsplit_once(':')?;
    if store.len() != 16 || !store.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some((store, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> EventRecord {
        EventRecord {
            seq: 42,
            received_at_ns: 1_700_000_000_123_456_789,
            source: "192.168.1.20:5000".into(),
            court: "Court 1".into(),
            raw: b"pt1;3;\xff".to_vec(),
            events: vec![Event::FightLoaded],
            match_key: 7,
        }
    }

    #[test]
    fn a_datagram_survives_the_wire_with_its_exact_bytes_and_receive_time() {
        let d = CourtDatagram::of("00112233aabbccdd", "3", &record());
        let back = CourtDatagram::from_bytes(&d.to_bytes().unwrap()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.raw_bytes(), b"pt1;3;\xff");
        assert_eq!(back.received_at_ns, 1_700_000_000_123_456_789);
        assert_eq!(back.msg_id(), "00112233aabbccdd:42");
    }

    #[test]
    fn the_hub_source_gives_back_the_origin() {
        let d = CourtDatagram::of("00112233aabbccdd", "3", &record());
        let s = hub_source(&d);
        assert_eq!(s, "00112233aabbccdd:42 192.168.1.20:5000");
        assert_eq!(origin_of_hub_source(&s), Some(("00112233aabbccdd", 42)));
        assert_eq!(origin_of_hub_source("192.168.1.20:5000"), None);
    }

    #[test]
    fn a_foreign_message_is_refused_with_the_reason() {
        let e = CourtDatagram::from_bytes(b"hello").unwrap_err();
        assert!(e.to_string().starts_with("not a courtside datagram"));
        let mut d = CourtDatagram::of("00112233aabbccdd", "3", &record());
        d.raw = "***".into();
        let e = CourtDatagram::from_bytes(&d.to_bytes().unwrap()).unwrap_err();
        assert!(e.to_string().contains("unreadable bytes"));
    }
}
