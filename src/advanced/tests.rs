//! Unit tests of `advanced` (kept apart so the module stays short).
use super::*;

fn random_password() -> Secret {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("random");
    Secret::new(b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

fn mode() -> (AdvancedMode, Secret) {
    let pw = random_password();
    let hash = hash_password(&pw).expect("hash");
    (
        AdvancedMode::with_hash(Some(hash), AdvancedConfig::default()),
        pw,
    )
}

#[test]
fn hash_is_argon2id_salted_and_verifies() {
    let pw = random_password();
    let a = hash_password(&pw).expect("hash");
    let b = hash_password(&pw).expect("hash");
    assert!(a.starts_with("$argon2id$"), "{a}");
    assert_ne!(a, b, "fresh salt each time");
    assert!(!a.contains(pw.expose()));
    assert!(verify_password(&a, &pw));
    assert!(!verify_password(&a, &random_password()));
    assert!(!verify_password("not a hash", &pw));
}

#[test]
fn unlock_and_inactivity_lock() {
    let (mut m, pw) = mode();
    let t0 = Instant::now();
    assert_eq!(m.state(t0), LockState::Locked);
    assert_eq!(
        m.try_unlock_blocking(&pw, t0).ok(),
        Some(AdvancedEvent::Unlocked)
    );
    let idle = m.config().inactivity;
    assert!(m.is_unlocked(t0 + idle / 2));
    m.touch(t0 + idle / 2);
    // Activity restarted the clock: still unlocked after the original deadline.
    assert!(m.is_unlocked(t0 + idle + Duration::from_secs(1)));
    assert_eq!(m.state(t0 + idle / 2 + idle), LockState::Locked);
    // Touching a locked mode does not unlock it.
    m.touch(t0 + idle * 2);
    assert!(!m.is_unlocked(t0 + idle * 2));
}

#[test]
fn wrong_passwords_pause_exponentially() {
    let (mut m, pw) = mode();
    let t = Instant::now();
    let wrong = random_password();
    for left in [2, 1] {
        match m.try_unlock_blocking(&wrong, t) {
            Err(AdvancedError::WrongPassword { attempts_left }) => {
                assert_eq!(attempts_left, left)
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(matches!(
        m.try_unlock_blocking(&wrong, t),
        Err(AdvancedError::WrongPassword { attempts_left: 0 })
    ));
    // Paused 5 s: even the right password is refused until then, without being checked.
    let e = m.try_unlock_blocking(&pw, t + Duration::from_secs(4));
    assert!(matches!(e, Err(AdvancedError::LockedOut { .. })), "{e:?}");
    assert!(
        e.err()
            .is_some_and(|e| e.to_string().contains("try again in 1 s"))
    );
    // Next wrong attempt after the pause doubles it to 10 s.
    let t2 = t + Duration::from_secs(5);
    assert!(m.try_unlock_blocking(&wrong, t2).is_err());
    assert!(matches!(
        m.state(t2 + Duration::from_secs(9)),
        LockState::LockedOut { .. }
    ));
    let t3 = t2 + Duration::from_secs(10);
    assert_eq!(m.state(t3), LockState::Locked);
    assert!(m.try_unlock_blocking(&pw, t3).is_ok());
    assert_eq!(m.failures, 0);
}

#[test]
fn not_set_up_never_unlocks() {
    let mut m = AdvancedMode::with_hash(None, AdvancedConfig::default());
    let now = Instant::now();
    assert_eq!(m.state(now), LockState::NotSetUp);
    for pw in ["", "admin", "password", "courtside"] {
        assert!(matches!(
            m.try_unlock_blocking(&Secret::new(pw), now),
            Err(AdvancedError::NotSetUp)
        ));
    }
    assert!(!m.is_unlocked(now));
}

#[test]
fn new_password_validation() {
    let mut m = AdvancedMode::with_hash(None, AdvancedConfig::default());
    let now = Instant::now();
    let (w, _r) = crossbeam_channel::bounded(1);
    let short = Secret::new("abc");
    assert!(matches!(
        m.set_password_blocking(&short, &short, &w, now),
        Err(AdvancedError::TooShort { min: 8 })
    ));
    let a = random_password();
    let b = random_password();
    assert!(matches!(
        m.set_password_blocking(&a, &b, &w, now),
        Err(AdvancedError::Mismatch)
    ));
    let (mut locked, _) = mode();
    assert!(matches!(
        locked.set_password_blocking(&a, &a, &w, now),
        Err(AdvancedError::NeedsUnlock)
    ));
}
