//! The control API's bearer token: generated from the OS random source, shown once, stored only
//! as its SHA-256, compared in constant time.

use sha2::{Digest, Sha256};
use std::fmt;

/// Random bytes in a token (256 bits).
const TOKEN_BYTES: usize = 32;

/// The SHA-256 of a token: what is stored and compared.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hash of a 256-bit random token reveals nothing, but logs need not carry it either.
        f.write_str("TokenHash(…)")
    }
}

impl TokenHash {
    /// The hash of `token`.
    pub fn of(token: &str) -> TokenHash {
        TokenHash(Sha256::digest(token.as_bytes()).into())
    }

    /// The stored text form: `sha256:<64 hex digits>`.
    pub fn to_stored(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Parse the stored form.
    pub fn parse(text: &str) -> Result<TokenHash, String> {
        let hex = text
            .strip_prefix("sha256:")
            .ok_or_else(|| "a token hash must start with 'sha256:'".to_string())?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("a token hash needs 64 hex digits".into());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|e| format!("bad hex in the token hash: {e}"))?;
        }
        Ok(TokenHash(out))
    }

    /// Whether `presented` is the token, in time independent of where they differ.
    pub fn verify(&self, presented: &str) -> bool {
        let other = TokenHash::of(presented);
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        // black_box keeps the optimiser from turning the fold into an early-exit comparison.
        std::hint::black_box(diff) == 0
    }
}

/// A new token (`cs_` + 43 base64url characters) and its hash. Show the token once to the
/// operator; store only the hash ([`TokenHash::to_stored`] under [`super::config::TOKEN_KEY`]).
pub fn generate() -> Result<(String, TokenHash), String> {
    use base64::Engine;
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        format!("cannot generate a control token: the OS random source failed ({e})")
    })?;
    let token = format!(
        "cs_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = TokenHash::of(&token);
    Ok((token, hash))
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_verifies_and_differs_each_time() {
        let (a, ha) = generate().unwrap();
        let (b, _) = generate().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("cs_") && a.len() == 46, "{a}");
        assert!(ha.verify(&a));
        assert!(!ha.verify(&b));
        assert!(!ha.verify(""));
    }

    #[test]
    fn the_stored_hash_round_trips_and_bad_forms_are_named() {
        let (t, h) = generate().unwrap();
        let back = TokenHash::parse(&h.to_stored()).unwrap();
        assert!(back.verify(&t));
        assert!(TokenHash::parse("md5:00").unwrap_err().contains("sha256:"));
        assert!(
            TokenHash::parse("sha256:zz")
                .unwrap_err()
                .contains("64 hex")
        );
        assert!(!format!("{h:?}").contains(&h.to_stored()[7..]));
    }

    #[test]
    fn bearer_header_needs_the_scheme() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("abc"), None);
    }
}
