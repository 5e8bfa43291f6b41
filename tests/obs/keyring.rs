//! OBS passwords and the system credential store: the courtside store keeps only a reference
//! when a credential store answers, keeps the password itself (and says why) when none does,
//! moves clear-text passwords of older stores over once, and the worker connects with a password
//! read back from the credential store. The credential store here is an in-memory one (any
//! machine); the app's real fallback path (no Secret Service) is tested in `keyring_app`.

use crate::fake_obs::FakeObs;
use crate::obs_ui::{TestUi, runtime};
use courtside::obs::secrets::{CredentialStore, KeyringError};
use courtside::obs::store::{CONNECTIONS, load_connections};
use courtside::obs::vault::{Vault, VaultDone};
use courtside::obs::{
    KeyringRef, LinkState, ObsConnection, ObsRole, ObsWorker, ObsWorkerConfig, Password,
    PasswordPlace,
};
use courtside::store::{Store, StoreError, WriteRequest, Writer, WriterConfig, codec};
use crossbeam_channel::{Receiver, bounded};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "venue-obs-pw-7f3a";

/// An in-memory credential store; `reachable: false` behaves like a Linux without Secret Service.
#[derive(Default)]
pub struct MemKeyring {
    entries: Mutex<HashMap<String, String>>,
    unreachable: bool,
}

impl MemKeyring {
    fn unreachable() -> MemKeyring {
        MemKeyring {
            unreachable: true,
            ..MemKeyring::default()
        }
    }

    fn accounts(&self) -> Vec<String> {
        self.entries.lock().expect("lock").keys().cloned().collect()
    }

    fn check(&self) -> Result<(), KeyringError> {
        if self.unreachable {
            return Err(KeyringError::Unreachable("test: no Secret Service".into()));
        }
        Ok(())
    }
}

impl CredentialStore for MemKeyring {
    fn get(&self, account: &str) -> Result<Option<Password>, KeyringError> {
        self.check()?;
        let e = self.entries.lock().expect("lock");
        Ok(e.get(account).map(|p| Password::new(p.clone())))
    }

    fn set(&self, account: &str, password: &Password) -> Result<(), KeyringError> {
        self.check()?;
        // The trait gives no getter: read the secret back the way OBS would get it (Debug is
        // redacted), through the store's own encoding of a Password.
        let bytes = codec::encode(password, "test").expect("encode");
        let text: String = codec::decode(&bytes, "test").expect("decode");
        self.entries
            .lock()
            .expect("lock")
            .insert(account.into(), text);
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        self.check()?;
        self.entries.lock().expect("lock").remove(account);
        Ok(())
    }
}

struct Rig {
    dir: tempfile::TempDir,
    store: Store,
    writer: Writer,
    vault: Vault,
    done: Receiver<VaultDone>,
}

fn rig(creds: Arc<MemKeyring>) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let (tx, done) = bounded(64);
    let vault = Vault::spawn(creds, writer.sender(), tx, Box::new(|| {})).expect("vault");
    Rig {
        dir,
        store,
        writer,
        vault,
        done,
    }
}

fn next(done: &Receiver<VaultDone>, pick: impl Fn(&VaultDone) -> bool) -> VaultDone {
    loop {
        let d = done
            .recv_timeout(Duration::from_secs(20))
            .expect("a vault result");
        if pick(&d) {
            return d;
        }
    }
}

fn saved(done: &Receiver<VaultDone>) -> ObsConnection {
    match next(done, |d| matches!(d, VaultDone::Saved { .. })) {
        VaultDone::Saved { result, .. } => result.expect("saved"),
        _ => unreachable!(),
    }
}

fn conn(port: u16) -> ObsConnection {
    let mut c = ObsConnection::new("court OBS", "127.0.0.1", port);
    c.password = Password::new(SECRET);
    c.role = ObsRole::Recording;
    c
}

/// Whether the store file (every page, also freed ones a copy could carry) holds the secret.
fn file_holds_secret(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("read store file");
    bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes())
}

#[test]
fn a_saved_password_goes_to_the_keyring_and_the_store_holds_only_a_reference() {
    let creds = Arc::new(MemKeyring::default());
    let r = rig(creds.clone());
    r.vault.save(conn(4455), None).expect("queued");
    let stored = saved(&r.done);
    assert_eq!(stored.password_place(), PasswordPlace::Keyring);
    let account = stored.keyring.clone().expect("a reference");
    assert_eq!(creds.accounts(), vec![account.0.clone()]);
    let loaded = load_connections(&r.store).expect("load");
    assert_eq!(loaded, vec![stored.clone()]);
    assert!(loaded[0].password.is_empty(), "no password in the store");
    r.writer.shutdown();
    assert!(!file_holds_secret(&r.dir.path().join("s.redb")));
    // Debug output of what went around never shows it either.
    assert!(!format!("{stored:?}").contains(SECRET));
}

#[test]
fn a_new_password_replaces_the_keyring_entry_and_no_password_removes_it() {
    let creds = Arc::new(MemKeyring::default());
    let r = rig(creds.clone());
    r.vault.save(conn(4455), None).expect("queued");
    let first = saved(&r.done);
    let mut again = first.clone();
    again.password = Password::new("another-one");
    r.vault.save(again, first.keyring.clone()).expect("queued");
    let second = saved(&r.done);
    assert_ne!(second.keyring, first.keyring);
    assert_eq!(
        creds.accounts(),
        vec![second.keyring.clone().expect("ref").0]
    );
    let mut none = second.clone();
    none.keyring = None;
    r.vault.save(none, second.keyring.clone()).expect("queued");
    let third = saved(&r.done);
    assert_eq!(third.password_place(), PasswordPlace::None);
    assert!(creds.accounts().is_empty(), "the old entry is deleted");
}

#[test]
fn without_a_keyring_the_password_stays_in_the_store_and_the_reason_is_reported() {
    let r = rig(Arc::new(MemKeyring::unreachable()));
    r.vault.save(conn(4455), None).expect("queued");
    let reason = match next(&r.done, |d| matches!(d, VaultDone::Keyring(_))) {
        VaultDone::Keyring(r) => r.expect_err("unreachable"),
        _ => unreachable!(),
    };
    assert!(reason.contains("no system keyring reachable"), "{reason}");
    let stored = saved(&r.done);
    assert_eq!(stored.password_place(), PasswordPlace::Store);
    assert_eq!(load_connections(&r.store).expect("load"), vec![stored]);
}

/// The bytes an older courtside stored for a connection (no keyring reference).
#[derive(serde::Serialize)]
struct OldConnection {
    id: u64,
    name: String,
    host: String,
    port: u16,
    password: String,
    role: ObsRole,
    enabled: bool,
}

fn store_old(writer: &Writer, c: &ObsConnection) {
    let old = OldConnection {
        id: c.id,
        name: c.name.clone(),
        host: c.host.clone(),
        port: c.port,
        password: SECRET.into(),
        role: c.role,
        enabled: c.enabled,
    };
    let bytes = codec::encode(&old, "test").expect("encode");
    let id = c.id;
    let (ack, acked) = bounded(1);
    let req = WriteRequest::Apply {
        what: "old OBS connection",
        op: Box::new(move |txn| {
            txn.open_table(CONNECTIONS)?.insert(id, bytes.as_slice())?;
            Ok::<(), StoreError>(())
        }),
        ack: Some(ack),
    };
    writer.sender().send(req).expect("queue");
    acked.recv().expect("ack").expect("stored");
}

#[test]
fn a_clear_text_password_of_an_older_store_moves_into_the_keyring_once() {
    let creds = Arc::new(MemKeyring::default());
    let r = rig(creds.clone());
    store_old(&r.writer, &conn(4455));
    let loaded = load_connections(&r.store).expect("an old record still reads");
    assert_eq!(loaded[0].password_place(), PasswordPlace::Store);
    r.vault.move_stored(loaded.clone()).expect("queued");
    let moved = match next(&r.done, |d| matches!(d, VaultDone::Moved(_))) {
        VaultDone::Moved(m) => m,
        _ => unreachable!(),
    };
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].password_place(), PasswordPlace::Keyring);
    assert_eq!(load_connections(&r.store).expect("load"), moved);
    assert_eq!(creds.accounts().len(), 1);
    // Once: what is now stored has nothing left to move.
    r.vault.move_stored(moved).expect("queued");
    assert!(matches!(
        next(&r.done, |_| true),
        VaultDone::Keyring(Ok(()))
    ));
    assert!(r.done.recv_timeout(Duration::from_millis(300)).is_err());
    assert_eq!(creds.accounts().len(), 1);
}

#[test]
fn the_worker_connects_with_the_password_read_from_the_keyring() {
    let rt = runtime();
    let obs = FakeObs::start(&rt, SECRET);
    let creds = Arc::new(MemKeyring::default());
    let account = KeyringRef("obs-connection-test".into());
    creds
        .set(&account.0, &Password::new(SECRET))
        .expect("keyring");
    let mut c = conn(obs.port);
    c.password = Password::default();
    c.keyring = Some(account);
    let mut missing = conn(obs.port);
    missing.name = "restored elsewhere".into();
    missing.password = Password::default();
    missing.keyring = Some(KeyringRef("not-on-this-computer".into()));
    let (tx, rx) = bounded(4096);
    let worker = ObsWorker::spawn_with_credentials(
        rt.handle().clone(),
        ObsWorkerConfig {
            connections: vec![c.clone(), missing.clone()],
            updates: tx,
            repaint: Box::new(|| {}),
            store_writer: None,
        },
        creds,
    )
    .expect("worker");
    let mut ui = TestUi::from_channel(rx);
    ui.wait("connected with the keyring's password", |s| {
        s.status.get(&c.id).is_some_and(|s| s.link.is_connected())
    });
    ui.wait("the missing entry is named", |s| {
        s.status.get(&missing.id).is_some_and(|s| {
            matches!(&s.link, LinkState::Waiting { problem, .. }
                if problem.label().contains("not in this computer's system keyring"))
        })
    });
    assert!(obs.accepted() >= 1);
    assert_eq!(obs.refused(), 0, "no connection sent a wrong password");
    worker.shutdown();
}
