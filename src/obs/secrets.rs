//! OBS passwords in the operating system's credential store: Windows Credential Manager, macOS
//! Keychain, the Secret Service on Linux (through the `keyring` crate). The courtside store then
//! holds only a [`KeyringRef`], so neither the store file nor its backups carry the password.
//!
//! Where no credential store is reachable (a headless Linux, CI) the password stays in the
//! courtside store and the OBS window says so per connection. A password kept there moves into the
//! credential store the next time one is reachable ([`super::vault`]).
//!
//! Every call here may block (D-Bus, a keychain prompt), so none runs on the UI thread: saving
//! and moving run on the vault's thread, reading on the OBS runtime's blocking pool.

use super::config::{KeyringRef, ObsConnection, Password};

/// Service name of every courtside entry in the credential store.
pub const SERVICE: &str = "courtside";

/// Why the credential store could not be used. Messages never hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// There is no credential store to talk to (no Secret Service on this Linux, …).
    #[error("no system keyring reachable ({0})")]
    Unreachable(String),
    /// The credential store answered with an error.
    #[error("the system keyring refused: {0}")]
    Failed(String),
}

/// A place to keep passwords by account name. The app uses [`SystemKeyring`]; tests use an
/// in-memory one to check the reference logic on any machine.
pub trait CredentialStore: Send + Sync {
    /// The password of `account`, `None` when there is no such entry.
    fn get(&self, account: &str) -> Result<Option<Password>, KeyringError>;
    /// Store `password` under `account` (replacing any).
    fn set(&self, account: &str, password: &Password) -> Result<(), KeyringError>;
    /// Remove `account` (no error when it does not exist).
    fn delete(&self, account: &str) -> Result<(), KeyringError>;
}

/// The operating system's credential store.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemKeyring;

fn entry(account: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, account).map_err(map_err)
}

/// Our error for a keyring error; the keyring's own text never holds the secret, but bad-encoding
/// errors carry the stored bytes, so those are named, not shown.
fn map_err(e: keyring::Error) -> KeyringError {
    use keyring::Error as E;
    match e {
        E::NoDefaultStore => KeyringError::Unreachable("no credential store on this system".into()),
        E::PlatformFailure(e) | E::NoStorageAccess(e) => KeyringError::Unreachable(e.to_string()),
        E::BadEncoding(_) => KeyringError::Failed("the stored entry is not text".into()),
        other => KeyringError::Failed(other.to_string()),
    }
}

impl CredentialStore for SystemKeyring {
    fn get(&self, account: &str) -> Result<Option<Password>, KeyringError> {
        match entry(account)?.get_password() {
            Ok(p) => Ok(Some(Password::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn set(&self, account: &str, password: &Password) -> Result<(), KeyringError> {
        entry(account)?
            .set_password(password.expose())
            .map_err(map_err)
    }

    fn delete(&self, account: &str) -> Result<(), KeyringError> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}

/// Whether the credential store answers: a read of an entry that does not exist.
pub fn probe(store: &dyn CredentialStore) -> Result<(), KeyringError> {
    store.get("courtside-probe").map(|_| ())
}

/// A new account name for connection `id`. Fresh on every save, so a save that fails in the
/// courtside store never overwrites the entry the stored connection still points to.
pub fn new_account(id: u64) -> KeyringRef {
    KeyringRef(format!("obs-connection-{id}-{}", super::config::new_id()))
}

/// The password to send to OBS for `conn`: a typed or store-kept one, else the credential
/// store's entry, else none. Blocking.
pub fn resolve(store: &dyn CredentialStore, conn: &ObsConnection) -> Result<Password, String> {
    if !conn.password.is_empty() {
        return Ok(conn.password.clone());
    }
    let Some(account) = &conn.keyring else {
        return Ok(Password::default());
    };
    match store.get(&account.0) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(format!(
            "the password of OBS connection '{}' is not in this computer's system keyring \
             (store restored from another computer?): enter it again in OBS → Connections",
            conn.name
        )),
        Err(e) => Err(format!(
            "the password of OBS connection '{}' could not be read: {e}",
            conn.name
        )),
    }
}
