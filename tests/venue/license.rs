//! Licence keys: valid, expired, tampered, wrong key, malformed, missing; clock set back; the
//! vendor CLI (keygen + issue) round trip; stored key and highest time seen.

use courtside::cli::{LicenseAction, LicenseArgs, license};
use courtside::license::{
    self, CLOCK_MARGIN, LicenseClaims, LicenseError, LicenseStatus, check, generate_key, issue,
    status, verify,
};
use courtside::logging::Secret;
use courtside::store::{Store, Writer, WriterConfig};
use std::time::Duration;

const DAY: i64 = 86_400;
const NOW: i64 = 1_800_000_000;

fn claims(expires_at: i64) -> LicenseClaims {
    LicenseClaims {
        licensee: "Test Club Ümlaut".into(),
        edition: "venue".into(),
        issued_at: NOW - 10 * DAY,
        expires_at,
    }
}

#[test]
fn valid_token_reports_days_left() {
    let key = generate_key().expect("key");
    let token = issue(&claims(NOW + 30 * DAY - 5), &key);
    assert_eq!(
        verify(&token, &key.verifying_key()).expect("valid"),
        claims(NOW + 30 * DAY - 5)
    );
    match status(Some(&token), &key.verifying_key(), NOW) {
        LicenseStatus::Valid {
            claims: c,
            days_left,
        } => {
            assert_eq!(days_left, 30);
            assert_eq!(c.licensee, "Test Club Ümlaut");
        }
        other => panic!("expected valid, got {other:?}"),
    }
    // Whitespace from a mail client does not matter.
    let wrapped = format!("  {}\n{}  ", &token[..40], &token[40..]);
    assert!(verify(&wrapped, &key.verifying_key()).is_ok());
}

#[test]
fn expired_token() {
    let key = generate_key().expect("key");
    let token = issue(&claims(NOW - 3 * DAY), &key);
    let s = status(Some(&token), &key.verifying_key(), NOW);
    assert!(
        matches!(s, LicenseStatus::Expired { days_ago: 3, .. }),
        "{s:?}"
    );
    assert!(s.needs_notice());
    // The expiry instant itself is already expired.
    let at = issue(&claims(NOW), &key);
    assert!(matches!(
        status(Some(&at), &key.verifying_key(), NOW),
        LicenseStatus::Expired { days_ago: 0, .. }
    ));
}

#[test]
fn tampered_tokens_are_refused() {
    let key = generate_key().expect("key");
    let token = issue(&claims(NOW + DAY), &key);
    let parts: Vec<&str> = token.split('.').collect();
    // Claims swapped for a later expiry, signature kept.
    let forged_claims = issue(&claims(NOW + 3650 * DAY), &generate_key().expect("key"));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        forged_claims.split('.').nth(1).unwrap(),
        parts[2]
    );
    assert!(matches!(
        verify(&forged, &key.verifying_key()),
        Err(LicenseError::Signature)
    ));
    // One character of the signature changed.
    let mut sig: Vec<char> = parts[2].chars().collect();
    sig[5] = if sig[5] == 'A' { 'B' } else { 'A' };
    let bad_sig = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        sig.iter().collect::<String>()
    );
    assert!(verify(&bad_sig, &key.verifying_key()).is_err());
}

#[test]
fn wrong_key_is_refused() {
    let vendor = generate_key().expect("key");
    let other = generate_key().expect("key");
    let token = issue(&claims(NOW + DAY), &other);
    let s = status(Some(&token), &vendor.verifying_key(), NOW);
    match s {
        LicenseStatus::Invalid { reason } => assert!(reason.contains("signature"), "{reason}"),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn malformed_and_missing() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    assert_eq!(status(None, &pk, NOW), LicenseStatus::Missing);
    assert_eq!(status(Some("   "), &pk, NOW), LicenseStatus::Missing);
    let secretish = "XYZ-SECRET-KEY-TEXT";
    for bad in [
        secretish,
        "CSL1.abc",
        "CSL2.a.b",
        "CSL1.!!!.???",
        "CSL1.a.b.c",
    ] {
        let s = status(Some(bad), &pk, NOW);
        match &s {
            LicenseStatus::Invalid { reason } => {
                assert!(
                    !reason.contains(secretish),
                    "the key is never echoed: {reason}"
                )
            }
            other => panic!("{bad}: expected invalid, got {other:?}"),
        }
    }
}

#[test]
fn clock_set_back_is_detected_and_cannot_extend_a_licence() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    let token = issue(&claims(NOW + 2 * DAY), &key);
    let ns = |s: i64| s * 1_000_000_000;
    // The clock was seen at NOW + 5 days; it now says NOW (set back 5 days).
    let r = check(
        Some(&token),
        &pk,
        ns(NOW),
        Some(ns(NOW + 5 * DAY)),
        CLOCK_MARGIN,
    );
    assert_eq!(r.clock_set_back, Some(Duration::from_secs(5 * DAY as u64)));
    assert!(
        matches!(r.status, LicenseStatus::Expired { days_ago: 3, .. }),
        "{:?}",
        r.status
    );
    // An hour behind (within the margin) is not flagged.
    let r = check(
        Some(&token),
        &pk,
        ns(NOW),
        Some(ns(NOW) + ns(3600)),
        CLOCK_MARGIN,
    );
    assert_eq!(r.clock_set_back, None);
    assert!(matches!(r.status, LicenseStatus::Valid { .. }));
    // Nothing seen yet.
    assert_eq!(
        check(Some(&token), &pk, ns(NOW), None, CLOCK_MARGIN).clock_set_back,
        None
    );
}

#[test]
fn compiled_in_public_key_is_a_valid_point() {
    assert!(license::public_key().is_ok());
    // A token from any test key is not valid for the product key.
    let token = issue(&claims(NOW + DAY), &generate_key().expect("key"));
    let pk = license::public_key().expect("pk");
    assert!(matches!(
        status(Some(&token), &pk, NOW),
        LicenseStatus::Invalid { .. }
    ));
}

#[test]
fn vendor_cli_keygen_then_issue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let private = dir.path().join("vendor.key");
    let public = dir.path().join("public.key");
    let mut out = Vec::new();
    let keygen = LicenseArgs {
        action: LicenseAction::Keygen {
            out: private.clone(),
            public_out: Some(public.clone()),
        },
    };
    license(&keygen, &mut out).expect("keygen");
    let printed = String::from_utf8(out).expect("utf8");
    let private_text = std::fs::read_to_string(&private).expect("private key");
    assert!(
        !printed.contains(private_text.trim()),
        "the private key is never printed"
    );
    // Refuses to overwrite an existing private key.
    assert!(license(&keygen, &mut Vec::new()).is_err());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key readable by the owner only");
    }
    let pk_bytes: [u8; 32] = std::fs::read(&public)
        .expect("public")
        .try_into()
        .expect("32 bytes");
    let pk = ed25519_dalek::VerifyingKey::from_bytes(&pk_bytes).expect("point");
    assert!(printed.contains(&license::public_key_hex(&pk)));
    let mut out = Vec::new();
    let issue_args = LicenseArgs {
        action: LicenseAction::Issue {
            key: private.clone(),
            licensee: "Dojang Nord".into(),
            edition: "venue".into(),
            expires: "2031-12-31".into(),
        },
    };
    license(&issue_args, &mut out).expect("issue");
    let token = String::from_utf8(out).expect("utf8");
    let c = verify(token.trim(), &pk).expect("issued token verifies");
    assert_eq!(c.licensee, "Dojang Nord");
    assert_eq!(c.expires_at, 1956528000, "valid through 2031-12-31 UTC");
    // Bad input: a bad date and a bad key file give errors.
    let bad_date = LicenseArgs {
        action: LicenseAction::Issue {
            key: private,
            licensee: "x".into(),
            edition: "venue".into(),
            expires: "31.12.2031".into(),
        },
    };
    assert!(license(&bad_date, &mut Vec::new()).is_err());
    let junk = dir.path().join("junk.key");
    std::fs::write(&junk, "not a key").expect("write");
    let bad_key = LicenseArgs {
        action: LicenseAction::Issue {
            key: junk,
            licensee: "x".into(),
            edition: "venue".into(),
            expires: "2031-12-31".into(),
        },
    };
    let e = license(&bad_key, &mut Vec::new()).expect_err("junk key");
    assert!(e.to_string().contains("64 hex digits"), "{e}");
}

#[test]
fn stored_token_and_highest_time_seen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    assert!(license::stored_token(&store).expect("read").is_none());
    assert!(license::stored_max_seen(&store).expect("read").is_none());
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let tx = writer.sender();
    let token = Secret::new(issue(&claims(NOW + DAY), &generate_key().expect("key")));
    let (ack, done) = crossbeam_channel::bounded(1);
    tx.send(license::store_token_request(&token, Some(ack)))
        .expect("send");
    done.recv().expect("ack").expect("stored");
    for t in [500, 900, 700] {
        tx.send(license::record_time_request(t)).expect("send");
    }
    writer.flush().expect("flush");
    assert_eq!(license::stored_token(&store).expect("read"), Some(token));
    assert_eq!(
        license::stored_max_seen(&store).expect("read"),
        Some(900),
        "never lowered"
    );
}

#[test]
fn notices_name_cause_and_action_without_the_key() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    let ns = |s: i64| s * 1_000_000_000;
    let valid = issue(&claims(NOW + DAY), &key);
    let r = check(Some(&valid), &pk, ns(NOW), None, CLOCK_MARGIN);
    assert_eq!(license::notice(&r), None);
    let expired = issue(&claims(NOW - 4 * DAY), &key);
    let n =
        license::notice(&check(Some(&expired), &pk, ns(NOW), None, CLOCK_MARGIN)).expect("notice");
    assert!(n.cause.contains("expired 4 days ago") && n.cause.contains("keep working"));
    assert!(n.action.contains("About"));
    let n = license::notice(&check(None, &pk, ns(NOW), None, CLOCK_MARGIN)).expect("notice");
    assert!(n.cause.contains("no courtside licence"));
    let garbage = format!("{valid}garbage");
    let n =
        license::notice(&check(Some(&garbage), &pk, ns(NOW), None, CLOCK_MARGIN)).expect("notice");
    assert!(!n.cause.contains(&garbage) && !n.action.contains(&garbage));
    let n = license::notice(&check(
        Some(&valid),
        &pk,
        ns(NOW),
        Some(ns(NOW + 3 * DAY)),
        CLOCK_MARGIN,
    ))
    .expect("notice");
    assert!(n.cause.contains("3 days behind"), "{}", n.cause);
}
