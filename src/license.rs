//! Offline licence keys: an Ed25519-signed token (licensee, edition, expiry, issue time) checked
//! against the public key compiled into the binary. The vendor issues tokens with
//! `courtside license issue`, whose private key comes from a file named on the command line and
//! is never in the repository.
//!
//! A missing or expired licence only shows a notice: scoring, storage and the scoreboard keep
//! working. The highest time seen is kept in the store (the "mark") and judged against the clock
//! with a tolerance of [`CLOCK_MARGIN`] (24 h):
//! - a mark at most 24 h ahead of the clock is trusted: the expiry is judged at the mark, so
//!   setting the clock back a little (or a time-zone slip) gains nothing;
//! - a mark more than 24 h ahead is not trusted blindly: it means either that the clock was set
//!   back or that the mark came from one wrong, future clock reading (a BIOS clock, a bad NTP
//!   answer). The licence is then judged at the current clock, and a standing notice says the
//!   clock is behind the latest time seen until the clock is right again or advanced mode resets
//!   the mark with a logged reason ([`reset_mark_request`]). So one wrong reading can no longer
//!   expire a valid licence for good, and setting the clock back is always visible.
//!
//! Token: `CSL1.<base64url(JSON claims)>.<base64url(signature of "CSL1.<claims part>")>`.

mod mark;

pub use mark::{
    MAX_REASON_CHARS, MarkReset, MarkResetError, last_mark_reset, record_time_request,
    reset_mark_request, stored_max_seen,
};

use crate::logging::Secret;
use crate::store::{Store, StoreError, WriteRequest, codec};
use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use redb::{ReadableDatabase, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// The vendor's public key (32 raw bytes), compiled in. Replace the file with the output of
/// `courtside license keygen --public-out keys/license_public.key` before a release.
pub const PUBLIC_KEY: &[u8; 32] = include_bytes!("../keys/license_public.key");

/// `license`: "token" → encoded token text, "max_seen_ns" → encoded highest clock seen.
pub const LICENSE_TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("license");
const TOKEN_KEY: &str = "token";
const PREFIX: &str = "CSL1";
const DAY: i64 = 86_400;

/// What a licence says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseClaims {
    /// Who holds it.
    pub licensee: String,
    /// Edition ("venue", "federation" …).
    pub edition: String,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry, Unix seconds (valid before it).
    pub expires_at: i64,
}

/// Licence errors. Messages never contain the token or a key.
#[derive(Debug, thiserror::Error)]
pub enum LicenseError {
    /// Not a courtside licence key at all.
    #[error("the licence key is not in the expected format ({0}); paste the whole key")]
    Format(&'static str),
    /// The signature does not match: altered, or issued for another public key.
    #[error(
        "the licence key is not valid: its signature does not match (altered or for another product)"
    )]
    Signature,
    /// The compiled-in public key is unusable.
    #[error("the built-in licence public key is unusable")]
    PublicKey,
    /// A key file could not be read or written.
    #[error("licence key file {path}: {cause}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        cause: String,
    },
    /// Random bytes unavailable.
    #[error("no secure random numbers available: {0}")]
    Random(String),
    /// Storing or reading failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The licence state shown in the About panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseStatus {
    /// Valid.
    Valid {
        /// What it says.
        claims: LicenseClaims,
        /// Whole days left (rounded up).
        days_left: i64,
    },
    /// Past its expiry.
    Expired {
        /// What it says.
        claims: LicenseClaims,
        /// Whole days since expiry.
        days_ago: i64,
    },
    /// No licence entered.
    Missing,
    /// A key was entered but it is not valid.
    Invalid {
        /// Why (never contains the key).
        reason: String,
    },
}

impl LicenseStatus {
    /// Whether a notice should be shown (anything but a valid licence).
    pub fn needs_notice(&self) -> bool {
        !matches!(self, LicenseStatus::Valid { .. })
    }
}

/// Licence status plus the clock check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseReport {
    /// The status, judged at `max(now, highest time seen)`.
    pub status: LicenseStatus,
    /// How far the clock is behind the highest time seen, when beyond the margin.
    pub clock_set_back: Option<Duration>,
}

/// The compiled-in public key.
pub fn public_key() -> Result<VerifyingKey, LicenseError> {
    VerifyingKey::from_bytes(PUBLIC_KEY).map_err(|_| LicenseError::PublicKey)
}

/// Sign claims into a token.
pub fn issue(claims: &LicenseClaims, key: &SigningKey) -> String {
    // Serialising a struct of strings and integers cannot fail.
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let signed = format!("{PREFIX}.{}", Base64UrlUnpadded::encode_string(&json));
    let sig = key.sign(signed.as_bytes());
    format!(
        "{signed}.{}",
        Base64UrlUnpadded::encode_string(&sig.to_bytes())
    )
}

/// Check a token's signature against `key` and read its claims (expiry not judged here).
pub fn verify(token: &str, key: &VerifyingKey) -> Result<LicenseClaims, LicenseError> {
    // Keys are pasted from mails and PDFs: ignore surrounding and embedded whitespace.
    let token: String = token.chars().filter(|c| !c.is_whitespace()).collect();
    let mut parts = token.split('.');
    let (Some(prefix), Some(claims), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(LicenseError::Format("three parts separated by dots"));
    };
    if prefix != PREFIX {
        return Err(LicenseError::Format("it must start with CSL1."));
    }
    let sig = Base64UrlUnpadded::decode_vec(sig)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(LicenseError::Format("bad signature part"))?;
    let signed = &token[..prefix.len() + 1 + claims.len()];
    key.verify(signed.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| LicenseError::Signature)?;
    let json =
        Base64UrlUnpadded::decode_vec(claims).map_err(|_| LicenseError::Format("bad claims"))?;
    // Signed by the vendor, so malformed claims mean a vendor bug, still reported as format.
    serde_json::from_slice(&json).map_err(|_| LicenseError::Format("unreadable claims"))
}

/// The status of an optional token at `now` (Unix seconds).
pub fn status(token: Option<&str>, key: &VerifyingKey, now: i64) -> LicenseStatus {
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        return LicenseStatus::Missing;
    };
    match verify(token, key) {
        Err(e) => LicenseStatus::Invalid {
            reason: e.to_string(),
        },
        Ok(claims) if now < claims.expires_at => LicenseStatus::Valid {
            days_left: (claims.expires_at - now + DAY - 1) / DAY,
            claims,
        },
        Ok(claims) => LicenseStatus::Expired {
            days_ago: (now - claims.expires_at) / DAY,
            claims,
        },
    }
}

/// Full check. A mark (highest time seen) at most `margin` ahead of the clock is trusted: the
/// status is judged at the mark. A mark further ahead is flagged (`clock_set_back`) and not
/// trusted blindly: the status is judged at the clock, see the module docs.
pub fn check(
    token: Option<&str>,
    key: &VerifyingKey,
    now_ns: i64,
    max_seen_ns: Option<i64>,
    margin: Duration,
) -> LicenseReport {
    let seen = max_seen_ns.unwrap_or(i64::MIN);
    let behind = seen.saturating_sub(now_ns);
    let untrusted = behind > 0 && behind as u128 > margin.as_nanos();
    let clock_set_back = untrusted.then(|| Duration::from_nanos(behind as u64));
    let effective = if untrusted { now_ns } else { now_ns.max(seen) } / 1_000_000_000;
    LicenseReport {
        status: status(token, key, effective),
        clock_set_back,
    }
}

/// Tolerance for [`check`]: a day. Covers time-zone mistakes and manual corrections; a mark
/// further ahead of the clock than this is not trusted blindly.
pub const CLOCK_MARGIN: Duration = Duration::from_secs(24 * 3600);

pub(crate) fn read_value<T: serde::de::DeserializeOwned>(
    store: &Store,
    key: &str,
    what: &'static str,
) -> Result<Option<T>, StoreError> {
    let txn = store.db().begin_read()?;
    let table = match txn.open_table(LICENSE_TABLE) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let v = match table.get(key)? {
        Some(g) => Some(codec::decode(g.value(), what)?),
        None => None,
    };
    Ok(v)
}

/// The stored licence key.
pub fn stored_token(store: &Store) -> Result<Option<Secret>, StoreError> {
    Ok(read_value::<String>(store, TOKEN_KEY, "licence key")?.map(Secret::new))
}

/// Write request storing a licence key (the UI verifies it first).
pub fn store_token_request(
    token: &Secret,
    ack: Option<crossbeam_channel::Sender<Result<(), String>>>,
) -> WriteRequest {
    let token = token.expose().trim().to_string();
    WriteRequest::Apply {
        what: "licence key",
        op: Box::new(move |txn| {
            let mut t = txn.open_table(LICENSE_TABLE)?;
            t.insert(TOKEN_KEY, codec::encode(&token, "licence key")?.as_slice())?;
            Ok(())
        }),
        ack,
    }
}

/// A new random signing key.
pub fn generate_key() -> Result<SigningKey, LicenseError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| LicenseError::Random(e.to_string()))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A public key as hex (what `keygen` prints).
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

/// Write a private key as hex to a new file (refuses to overwrite; owner-only on Unix).
pub fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), LicenseError> {
    use std::io::Write;
    let err = |cause: String| LicenseError::KeyFile {
        path: path.display().to_string(),
        cause,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|e| err(e.to_string()))?;
    writeln!(f, "{}", hex(&key.to_bytes())).map_err(|e| err(e.to_string()))
}

/// Read a private key written by [`write_private_key`].
pub fn read_private_key(path: &Path) -> Result<SigningKey, LicenseError> {
    let err = |cause: &str| LicenseError::KeyFile {
        path: path.display().to_string(),
        cause: cause.to_string(),
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(&e.to_string()))?;
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return Err(err(
            "expected 64 hex digits (a key written by `courtside license keygen`)",
        ));
    }
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| err("not hexadecimal"))?;
    }
    Ok(SigningKey::from_bytes(&seed))
}

/// A licence notice for the notice bar: the cause and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseNotice {
    /// What is wrong.
    pub cause: String,
    /// What to do about it.
    pub action: String,
}

/// The notice to show for a report, if any (a valid licence on a sane clock shows none).
pub fn notice(report: &LicenseReport) -> Option<LicenseNotice> {
    const KEEPS: &str = "scoring, storage and the scoreboard keep working";
    let n = |cause: String, action: &str| LicenseNotice {
        cause,
        action: action.to_string(),
    };
    if let Some(behind) = report.clock_set_back {
        return Some(n(
            format!(
                "the system clock is {} days behind the latest time courtside has seen",
                behind.as_secs().div_ceil(86_400)
            ),
            "check the computer's date and time settings; if they are right, the latest time \
             seen was a wrong reading: reset it in System & support → About (advanced mode)",
        ));
    }
    match &report.status {
        LicenseStatus::Valid { .. } => None,
        LicenseStatus::Expired { days_ago, .. } => Some(n(
            format!("the courtside licence expired {days_ago} days ago ({KEEPS})"),
            "enter a renewed licence key in System & support → About",
        )),
        LicenseStatus::Missing => Some(n(
            format!("no courtside licence key entered ({KEEPS})"),
            "enter your licence key in System & support → About",
        )),
        LicenseStatus::Invalid { reason } => Some(n(
            format!("{reason} ({KEEPS})"),
            "paste the licence key again exactly as received, or ask the vendor for a new one",
        )),
    }
}
