//! Advanced mode against a real store and writer: the first-use password is stored as an
//! argon2id hash through the writer, survives a restart, and the background check unlocks.

use courtside::advanced::{AdvancedConfig, AdvancedError, AdvancedEvent, AdvancedMode, LockState};
use courtside::logging::Secret;
use courtside::store::{Store, Writer, WriterConfig};
use courtside::sysmon::Wake;
use crossbeam_channel::{Receiver, bounded};
use std::time::{Duration, Instant};

fn random_password() -> Secret {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("random");
    Secret::new(b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

/// A wake for a background job, as the app's UI passes one: each call rings `woken`.
fn waker() -> (Wake, Receiver<()>) {
    // One pending ring is enough: the waiter polls after every wake-up.
    let (ring, woken) = bounded(1);
    (
        Box::new(move || {
            // Full: a ring is already pending, which wakes the waiter just the same.
            let _ = ring.try_send(());
        }),
        woken,
    )
}

/// The job's outcome: blocks on the job's wake between polls (no spinning); fails after 30 s.
fn wait_poll(m: &mut AdvancedMode, woken: &Receiver<()>) -> Result<AdvancedEvent, AdvancedError> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = m.poll(Instant::now()) {
            return r;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "background job did not finish");
        let _ = woken.recv_timeout(left);
    }
}

#[test]
fn first_use_password_is_stored_hashed_and_unlocks_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.redb");
    let pw = random_password();
    {
        let store = Store::open(&path).expect("open");
        let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
        let mut m = AdvancedMode::load(&store, AdvancedConfig::default()).expect("load");
        assert_eq!(
            m.state(Instant::now()),
            LockState::NotSetUp,
            "no built-in password"
        );
        let (wake, woken) = waker();
        m.begin_set_password(pw.clone(), &pw, writer.sender(), Instant::now(), wake)
            .expect("start");
        assert!(m.is_busy());
        assert!(matches!(
            m.begin_unlock(pw.clone(), Instant::now(), Box::new(|| {})),
            Err(AdvancedError::Busy) | Err(AdvancedError::NotSetUp)
        ));
        assert_eq!(
            wait_poll(&mut m, &woken).expect("set"),
            AdvancedEvent::PasswordSet
        );
        assert!(
            m.is_unlocked(Instant::now()),
            "setting the password unlocks"
        );
        writer.shutdown();
    }
    let raw = std::fs::read(&path).expect("read store file");
    assert!(
        !raw.windows(pw.expose().len())
            .any(|w| w == pw.expose().as_bytes()),
        "the password itself is never stored"
    );
    let store = Store::open(&path).expect("reopen");
    assert!(
        store.settings().expect("settings").is_empty(),
        "the hash is not in the settings (nor their history)"
    );
    let mut m = AdvancedMode::load(&store, AdvancedConfig::default()).expect("load");
    assert_eq!(
        m.state(Instant::now()),
        LockState::Locked,
        "locked after a restart"
    );
    let (wake, woken) = waker();
    m.begin_unlock(random_password(), Instant::now(), wake)
        .expect("start");
    let wrong = wait_poll(&mut m, &woken).expect_err("wrong password");
    assert!(wrong.to_string().starts_with("wrong password"), "{wrong}");
    let woke = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let w = woke.clone();
    let (ring, woken) = waker();
    m.begin_unlock(
        pw.clone(),
        Instant::now(),
        Box::new(move || {
            w.store(true, std::sync::atomic::Ordering::SeqCst);
            ring();
        }),
    )
    .expect("start");
    assert_eq!(
        wait_poll(&mut m, &woken).expect("unlock"),
        AdvancedEvent::Unlocked
    );
    assert!(
        woke.load(std::sync::atomic::Ordering::SeqCst),
        "the UI was woken"
    );
    assert!(m.is_unlocked(Instant::now()));
}
