//! The only place that encodes or decodes stored values. Values are bincode 2 (serde, standard
//! config). Keeping every call here means the format can be swapped in one file.

use serde::{Serialize, de::DeserializeOwned};

/// A value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot {op} stored {what}{row}: {cause}")]
pub struct CodecError {
    /// "encode" or "decode".
    pub op: &'static str,
    /// What was being handled ("event", "match" …).
    pub what: &'static str,
    /// Where the value lives (" in table 'events', key 17"), empty when not known.
    pub row: String,
    /// The codec's message.
    pub cause: String,
}

/// Encode a value for storage.
pub fn encode<T: Serialize>(value: &T, what: &'static str) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(|e| CodecError {
        op: "encode",
        what,
        row: String::new(),
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
            row: String::new(),
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

/// Decode a stored value. The decoder may claim (allocate) at most about twice the value's own
/// length for strings and byte vectors, so a damaged or crafted length prefix ("2^60 bytes
/// follow") is an error instead of an allocation that aborts the process.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &'static str) -> Result<T, CodecError> {
    decode_bounded(bytes).map_err(|cause| CodecError {
        op: "decode",
        what,
        row: String::new(),
        cause,
    })
}

/// [`decode`] a value read from `table` at `key`: the error names both, so a damaged row can be
/// found (and the operator told which match or setting it is).
pub fn decode_row<T: DeserializeOwned>(
    bytes: &[u8],
    what: &'static str,
    table: &str,
    key: &dyn std::fmt::Display,
) -> Result<T, CodecError> {
    decode_bounded(bytes).map_err(|cause| CodecError {
        op: "decode",
        what,
        row: format!(" in table '{table}', key {key}"),
        cause,
    })
}

/// bincode's limit is a const generic, so the value's length picks one from a fixed ladder of
/// powers of two. bincode counts against it every byte a decode claims: a string's or byte
/// vector's length before it allocates (`vec![0; len]`, the abort a crafted "2^60 bytes follow"
/// caused), and each number's in-memory size. An encoded byte claims at most
/// [`CLAIM_PER_BYTE`] bytes (a one-byte varint decoding to a `u128`), so a limit of that many
/// times the value's length never refuses a valid value and bounds every allocation by it.
fn decode_bounded<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    macro_rules! ladder {
        ($($bits:literal),*) => {
            match limit_bits(bytes.len()) {
                $($bits => decode_with::<T, { 1usize << $bits }>(bytes),)*
                _ => Err(format!(
                    "the value is {} bytes long, more than courtside ever stores",
                    bytes.len()
                )),
            }
        };
    }
    ladder!(6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36)
}

/// The most a valid value can claim per encoded byte (see [`decode_bounded`]).
const CLAIM_PER_BYTE: usize = 16;

/// log2 of the limit for a value of `len` bytes: the even power of two at or above
/// `len × CLAIM_PER_BYTE`, at least 2^6 (even steps halve the decoders built per stored type; the
/// limit stays within 4 × what a valid value can claim).
fn limit_bits(len: usize) -> u32 {
    let bits = len
        .saturating_mul(CLAIM_PER_BYTE)
        .max(64)
        .next_power_of_two()
        .trailing_zeros();
    bits + bits % 2
}

fn decode_with<T: DeserializeOwned, const LIMIT: usize>(bytes: &[u8]) -> Result<T, String> {
    let config = bincode::config::standard().with_limit::<LIMIT>();
    match bincode::serde::decode_from_slice(bytes, config) {
        Ok((v, _)) => Ok(v),
        Err(bincode::error::DecodeError::LimitExceeded) => Err(format!(
            "the value is damaged: it claims more data than its {} bytes can hold",
            bytes.len()
        )),
        Err(e) => Err(e.to_string()),
    }
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

    #[test]
    fn the_limit_grows_with_the_value_and_never_falls_below_it() {
        assert_eq!(super::limit_bits(0), 6);
        assert_eq!(super::limit_bits(4), 6);
        assert_eq!(super::limit_bits(5), 8);
        assert_eq!(super::limit_bits(16), 8);
        assert_eq!(super::limit_bits(17), 10);
        assert_eq!(super::limit_bits(1 << 20), 24);
        assert_eq!(super::limit_bits((1 << 20) + 1), 26);
        // Numbers claim their in-memory size: zeros (one byte each, eight claimed) still decode.
        let zeros = vec![0u64; 10_000];
        let bytes = super::encode(&zeros, "zeros").expect("encode");
        let back: Vec<u64> = super::decode(&bytes, "zeros").expect("decode");
        assert_eq!(back, zeros);
        // A long value (a 600 kB datagram) decodes under its own limit.
        let big = vec![0x5Au8; 600_000];
        let bytes = super::encode(&big, "raw").expect("encode");
        let back: Vec<u8> = super::decode(&bytes, "raw").expect("decode");
        assert_eq!(back, big);
    }

    #[test]
    fn a_length_prefix_beyond_the_value_is_a_named_error_not_an_allocation() {
        // A String claiming 2^60 bytes: varint marker 253, then the u64 length, then nothing.
        // (Unbounded, bincode allocates `vec![0; 2^60]` before reading: an abort.)
        let mut bytes = vec![253u8];
        bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
        let e = super::decode_row::<String>(&bytes, "court", "events", &17)
            .expect_err("must not decode");
        let msg = e.to_string();
        assert!(
            msg.contains("table 'events', key 17")
                && msg.contains("claims more data than its 9 bytes"),
            "{msg}"
        );
    }
}
