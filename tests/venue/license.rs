//! Licence keys: valid, expired, tampered, wrong key, malformed, missing; the clock against the
//! highest time seen (24 h tolerance, a wrong future reading, the advanced-mode reset); the
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
fn a_mark_within_the_tolerance_is_trusted_so_setting_the_clock_back_gains_nothing() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    let ns = |s: i64| s * 1_000_000_000;
    // Expired 2 h ago by the latest time seen; the clock was set back 20 h (within 24 h).
    let token = issue(&claims(NOW + 18 * 3600), &key);
    let r = check(
        Some(&token),
        &pk,
        ns(NOW),
        Some(ns(NOW + 20 * 3600)),
        CLOCK_MARGIN,
    );
    assert_eq!(r.clock_set_back, None, "within the tolerance: not flagged");
    assert!(
        matches!(r.status, LicenseStatus::Expired { .. }),
        "judged at the mark: {:?}",
        r.status
    );
    // Nothing seen yet.
    assert_eq!(
        check(Some(&token), &pk, ns(NOW), None, CLOCK_MARGIN).clock_set_back,
        None
    );
}

#[test]
fn a_wrong_future_clock_reading_does_not_expire_a_valid_licence() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    let ns = |s: i64| s * 1_000_000_000;
    let token = issue(&claims(NOW + 30 * DAY), &key);
    // One reading said 2037 (a bad BIOS or NTP answer); the clock is right again.
    let wrong = 2_145_916_800i64;
    let r = check(Some(&token), &pk, ns(NOW), Some(ns(wrong)), CLOCK_MARGIN);
    assert!(
        matches!(r.status, LicenseStatus::Valid { days_left: 30, .. }),
        "judged at the clock: {:?}",
        r.status
    );
    // Still flagged, so the operator sees it (and a clock set back is never silent).
    let behind = r.clock_set_back.expect("flagged");
    assert_eq!(behind, Duration::from_secs((wrong - NOW) as u64));
    let n = license::notice(&r).expect("notice");
    assert!(n.action.contains("reset it"), "{}", n.action);
}

#[test]
fn advanced_mode_resets_the_mark_and_keeps_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let tx = writer.sender();
    let ns = |s: i64| s * 1_000_000_000;
    let wrong = ns(2_145_916_800);
    tx.send(license::record_time_request(wrong)).expect("send");
    tx.send(license::record_time_request(ns(NOW)))
        .expect("send");
    writer.flush().expect("flush");
    assert_eq!(license::stored_max_seen(&store).expect("read"), Some(wrong));
    assert!(matches!(
        license::reset_mark_request(ns(NOW), " \n ", None),
        Err(license::MarkResetError::NoReason)
    ));
    let (ack, done) = crossbeam_channel::bounded(1);
    let req = license::reset_mark_request(ns(NOW), "BIOS clock said 2037\u{7}", Some(ack))
        .expect("a reason");
    tx.send(req).expect("send");
    done.recv().expect("ack").expect("reset");
    assert_eq!(
        license::stored_max_seen(&store).expect("read"),
        Some(ns(NOW))
    );
    let record = license::last_mark_reset(&store)
        .expect("read")
        .expect("kept");
    assert_eq!(record.previous_ns, Some(wrong));
    assert_eq!(record.at_ns, ns(NOW));
    assert_eq!(record.reason, "BIOS clock said 2037");
    // From there the mark moves forward again as usual.
    tx.send(license::record_time_request(ns(NOW + 60)))
        .expect("send");
    writer.flush().expect("flush");
    assert_eq!(
        license::stored_max_seen(&store).expect("read"),
        Some(ns(NOW + 60))
    );
    let long = "x".repeat(500);
    let (ack, done) = crossbeam_channel::bounded(1);
    tx.send(license::reset_mark_request(ns(NOW), &long, Some(ack)).expect("ok"))
        .expect("send");
    done.recv().expect("ack").expect("reset");
    let kept = license::last_mark_reset(&store)
        .expect("read")
        .expect("kept");
    assert_eq!(kept.reason.chars().count(), license::MAX_REASON_CHARS);
}

#[test]
fn the_about_panel_resets_the_mark_only_in_advanced_mode_and_with_a_reason() {
    use courtside::model::support::SupportCommand;
    use courtside::ui::about::about_ui;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    let key = generate_key().expect("key");
    let ns = |s: i64| s * 1_000_000_000;
    let token = issue(&claims(NOW + 30 * DAY), &key);
    let report = check(
        Some(&token),
        &key.verifying_key(),
        ns(NOW),
        Some(ns(NOW + 400 * DAY)),
        CLOCK_MARGIN,
    );
    type S = (license::LicenseReport, String, bool, Vec<SupportCommand>);
    let mut h = Harness::builder().with_size([800.0, 400.0]).build_ui_state(
        |ui, (report, entry, unlocked, out): &mut S| {
            out.extend(about_ui(ui, report, entry, *unlocked));
        },
        (report, String::new(), false, Vec::new()),
    );
    h.run();
    h.get_by_label_contains("400 days behind");
    assert!(reset_disabled(&h), "locked: no reset");
    h.state_mut().2 = true;
    h.run();
    assert!(reset_disabled(&h), "no reason yet");
    let field = h.get_by(|n| {
        n.role() == egui::accesskit::Role::TextInput && n.label().as_deref() == Some("Reason")
    });
    field.focus();
    field.type_text("NTP answered 2027");
    h.run();
    h.get_by_label("Reset latest time seen").click();
    h.run();
    assert_eq!(
        h.state().3,
        vec![SupportCommand::ResetLicenseMark {
            reason: "NTP answered 2027".into()
        }]
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

/// Whether the About panel's "Reset latest time seen" button is there and disabled.
fn reset_disabled<S>(h: &egui_kittest::Harness<'_, S>) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_by(|n| n.label().as_deref() == Some("Reset latest time seen") && n.is_disabled())
        .is_some()
}
