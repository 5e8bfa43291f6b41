//! The only place that encodes or decodes stored values. Values are bincode 2 (serde, standard
//! config). Keeping every call here means the format can be swapped in one file.

use serde::{Serialize, de::DeserializeOwned};

/// A value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot {op} stored {what}: {cause}")]
pub struct CodecError {
    /// "encode" or "decode".
    pub op: &'static str,
    /// What was being handled ("event", "match" …).
    pub what: &'static str,
    /// The codec's message.
    pub cause: String,
}

/// Encode a value for storage.
pub fn encode<T: Serialize>(value: &T, what: &'static str) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(|e| CodecError {
        op: "encode",
        what,
        cause: e.to_string(),
    })
}

/// Encode a value for storage into `out` (cleared first), reusing its capacity: the writer
/// encodes thousands of records per commit, and a fresh, repeatedly grown `Vec` for each was a
/// measurable share of its time. Same bytes as [`encode`].
pub fn encode_into<T: Serialize>(
    value: &T,
    what: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    out.clear();
    bincode::serde::encode_into_writer(value, VecWriter(out), bincode::config::standard()).map_err(
        |e| CodecError {
            op: "encode",
            what,
            cause: e.to_string(),
        },
    )
}

/// Appends to a borrowed `Vec` (bincode's own vec writer owns its `Vec`).
struct VecWriter<'a>(&'a mut Vec<u8>);

impl bincode::enc::write::Writer for VecWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// Decode a stored value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &'static str) -> Result<T, CodecError> {
    bincode::serde::decode_from_slice(bytes, bincode::config::standard())
        .map(|(v, _)| v)
        .map_err(|e| CodecError {
            op: "decode",
            what,
            cause: e.to_string(),
        })
}

/// Render a value as JSON for people (settings history, exports).
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("\"<unrenderable: {e}>\""))
}

#[cfg(test)]
mod tests {
    use crate::protocol::parse_datagram;
    use crate::store::{EventRecord, EventRecordRef};

    #[test]
    fn borrowed_record_encodes_exactly_like_the_owned_one() {
        let raw = b"at1;J. M\xc3\x9cLLER;Jonas;GER;at2;A;B;\xff\r\n".to_vec();
        let owned = EventRecord {
            seq: 7,
            received_at_ns: -3,
            source: "[::1]:6000".into(),
            court: "Mat A".into(),
            events: parse_datagram(&raw),
            raw: raw.clone(),
            match_key: 5,
        };
        let borrowed = EventRecordRef {
            seq: owned.seq,
            received_at_ns: owned.received_at_ns,
            source: &owned.source,
            court: &owned.court,
            raw: &owned.raw,
            events: &owned.events,
            match_key: owned.match_key,
        };
        let a = super::encode(&owned, "event").expect("encode");
        let b = super::encode(&borrowed, "event").expect("encode");
        assert_eq!(a, b);
        // Into a reused buffer holding older, longer bytes: the same bytes, nothing left over.
        let mut reused = vec![0xAA; a.len() + 7];
        super::encode_into(&borrowed, "event", &mut reused).expect("encode");
        assert_eq!(reused, a);
        let back: EventRecord = super::decode(&b, "event").expect("decode");
        assert_eq!(back, owned);
    }
}
