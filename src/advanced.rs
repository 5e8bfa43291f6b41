//! Advanced mode: destructive or expert actions (clear the store, delete matches, edit automation
//! rules, change the store location, restore a backup) unlock with a password the operator sets
//! on first use. There is no built-in password: a new store has none, and nothing unlocks until
//! one is set.
//!
//! The password is stored only as an argon2id PHC string (random salt, parameters inside) in the
//! `auth` table, written through the store writer. Wrong passwords lock further attempts out for
//! exponentially growing pauses; an unlocked mode locks again after a configurable inactivity.
//! The logic takes `now` as a parameter so tests need no sleeping. Hashing is slow on purpose
//! (tens of ms): the UI uses [`AdvancedMode::begin_unlock`] / [`AdvancedMode::poll`], which run
//! it on a named thread.

use crate::logging::Secret;
use crate::store::{Store, StoreError, WriteRequest, codec};
use crate::sysmon::Wake;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded};
use redb::{ReadableDatabase, TableDefinition};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `auth`: key → encoded value. Kept out of `settings` so the hash never shows in the settings
/// history or the settings view.
pub const AUTH: TableDefinition<&str, &[u8]> = TableDefinition::new("auth");
const PASSWORD_KEY: &str = "advanced_password_phc";

/// Timing and policy.
#[derive(Debug, Clone)]
pub struct AdvancedConfig {
    /// Lock again after this long without activity.
    pub inactivity: Duration,
    /// Wrong attempts allowed before the first pause.
    pub free_attempts: u32,
    /// First pause; doubles with every further wrong attempt.
    pub base_lockout: Duration,
    /// Longest pause.
    pub max_lockout: Duration,
    /// Shortest password accepted.
    pub min_len: usize,
}

impl Default for AdvancedConfig {
    fn default() -> Self {
        AdvancedConfig {
            inactivity: Duration::from_secs(5 * 60),
            free_attempts: 3,
            base_lockout: Duration::from_secs(5),
            max_lockout: Duration::from_secs(5 * 60),
            min_len: 8,
        }
    }
}

/// Advanced-mode errors. None of them ever contains a password.
#[derive(Debug, thiserror::Error)]
pub enum AdvancedError {
    /// No password has been set yet.
    #[error("advanced mode has no password yet: set one first")]
    NotSetUp,
    /// Changing the password needs advanced mode unlocked.
    #[error("unlock advanced mode before changing its password")]
    NeedsUnlock,
    /// Wrong password.
    #[error("wrong password{}", left_text(*.attempts_left))]
    WrongPassword {
        /// Attempts left before a pause (0: a pause has started).
        attempts_left: u32,
    },
    /// Too many wrong passwords: wait.
    #[error("too many wrong passwords: try again in {} s", .retry_in.as_secs().max(1))]
    LockedOut {
        /// Time until the next attempt is accepted.
        retry_in: Duration,
    },
    /// The new password is too short.
    #[error("the password needs at least {min} characters")]
    TooShort {
        /// Minimum length.
        min: usize,
    },
    /// The confirmation differs.
    #[error("the two passwords differ")]
    Mismatch,
    /// A check or change is still running.
    #[error("a password check is already running")]
    Busy,
    /// Hashing failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
    /// Storing or reading failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn left_text(left: u32) -> String {
    match left {
        0 => String::from("; further attempts are paused"),
        1 => String::from("; 1 attempt left before a pause"),
        n => format!("; {n} attempts left before a pause"),
    }
}

/// What the advanced-mode panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// No password yet: the panel offers to set one.
    NotSetUp,
    /// Locked: the panel asks for the password.
    Locked,
    /// Locked, and attempts are paused.
    LockedOut {
        /// Until the next attempt.
        retry_in: Duration,
    },
    /// Unlocked.
    Unlocked {
        /// Until the inactivity lock.
        locks_in: Duration,
    },
}

/// What finished in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvancedEvent {
    /// The password was right: unlocked.
    Unlocked,
    /// The new password is stored: unlocked.
    PasswordSet,
}

enum Pending {
    Verify(Receiver<bool>, JoinHandle<()>),
    Set(Receiver<Result<String, String>>, JoinHandle<()>),
}

/// Advanced-mode state (owned by the app).
pub struct AdvancedMode {
    config: AdvancedConfig,
    hash: Option<String>,
    last_activity: Option<Instant>,
    failures: u32,
    paused_until: Option<Instant>,
    pending: Option<Pending>,
}

/// Hash a password with argon2id and a fresh random salt (slow on purpose).
pub fn hash_password(password: &Secret) -> Result<String, AdvancedError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AdvancedError::Hash(e.to_string()))
}

/// Check a password against a stored PHC string (slow on purpose). A malformed hash never
/// matches.
pub fn verify_password(phc: &str, password: &Secret) -> bool {
    Argon2::default()
        .verify_password(password.expose().as_bytes(), phc)
        .is_ok()
}

/// Read the stored hash, if any.
pub fn stored_hash(store: &Store) -> Result<Option<String>, StoreError> {
    let txn = store.db().begin_read()?;
    let table = match txn.open_table(AUTH) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let v = match table.get(PASSWORD_KEY)? {
        Some(g) => Some(codec::decode(g.value(), "password hash")?),
        None => None,
    };
    Ok(v)
}

/// The write request that stores a hash (run by the writer thread).
pub fn store_hash_request(phc: String, ack: Option<Sender<Result<(), String>>>) -> WriteRequest {
    WriteRequest::Apply {
        what: "advanced-mode password",
        op: Box::new(move |txn| {
            let mut t = txn.open_table(AUTH)?;
            t.insert(
                PASSWORD_KEY,
                codec::encode(&phc, "password hash")?.as_slice(),
            )?;
            Ok(())
        }),
        ack,
    }
}

impl AdvancedMode {
    /// State for a store: locked, or not set up when the store has no password.
    pub fn load(store: &Store, config: AdvancedConfig) -> Result<AdvancedMode, AdvancedError> {
        Ok(AdvancedMode::with_hash(stored_hash(store)?, config))
    }

    /// State with a known hash (`None`: not set up).
    pub fn with_hash(hash: Option<String>, config: AdvancedConfig) -> AdvancedMode {
        AdvancedMode {
            config,
            hash,
            last_activity: None,
            failures: 0,
            paused_until: None,
            pending: None,
        }
    }

    /// The policy.
    pub fn config(&self) -> &AdvancedConfig {
        &self.config
    }

    /// Change the policy (e.g. the inactivity timeout from settings).
    pub fn set_config(&mut self, config: AdvancedConfig) {
        self.config = config;
    }

    /// The current state; locks when the inactivity time has passed.
    pub fn state(&mut self, now: Instant) -> LockState {
        let Some(_) = self.hash else {
            return LockState::NotSetUp;
        };
        if let Some(last) = self.last_activity {
            let idle = now.saturating_duration_since(last);
            if idle < self.config.inactivity {
                return LockState::Unlocked {
                    locks_in: self.config.inactivity - idle,
                };
            }
            self.last_activity = None;
            tracing::info!("advanced mode locked after inactivity");
        }
        match self.paused_until {
            Some(until) if until > now => LockState::LockedOut {
                retry_in: until - now,
            },
            _ => LockState::Locked,
        }
    }

    /// Whether expert actions are allowed right now.
    pub fn is_unlocked(&mut self, now: Instant) -> bool {
        matches!(self.state(now), LockState::Unlocked { .. })
    }

    /// The operator did something: restart the inactivity time (only while unlocked).
    pub fn touch(&mut self, now: Instant) {
        if self.is_unlocked(now) {
            self.last_activity = Some(now);
        }
    }

    /// Lock now.
    pub fn lock(&mut self) {
        if self.last_activity.take().is_some() {
            tracing::info!("advanced mode locked");
        }
    }

    /// A check or change runs in the background.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Refuse an attempt while paused or busy.
    fn check_attempt(&mut self, now: Instant) -> Result<String, AdvancedError> {
        if self.pending.is_some() {
            return Err(AdvancedError::Busy);
        }
        match self.state(now) {
            LockState::NotSetUp => Err(AdvancedError::NotSetUp),
            LockState::LockedOut { retry_in } => Err(AdvancedError::LockedOut { retry_in }),
            LockState::Locked | LockState::Unlocked { .. } => {
                Ok(self.hash.clone().unwrap_or_default())
            }
        }
    }

    /// Apply the outcome of a password check.
    fn finish_attempt(&mut self, ok: bool, now: Instant) -> Result<AdvancedEvent, AdvancedError> {
        if ok {
            self.failures = 0;
            self.paused_until = None;
            self.last_activity = Some(now);
            tracing::info!("advanced mode unlocked");
            return Ok(AdvancedEvent::Unlocked);
        }
        self.failures += 1;
        let free = self.config.free_attempts;
        tracing::warn!(failures = self.failures, "wrong advanced-mode password");
        if self.failures < free {
            return Err(AdvancedError::WrongPassword {
                attempts_left: free - self.failures,
            });
        }
        let doublings = (self.failures - free).min(16);
        let pause = self
            .config
            .base_lockout
            .saturating_mul(1 << doublings)
            .min(self.config.max_lockout);
        self.paused_until = Some(now + pause);
        Err(AdvancedError::WrongPassword { attempts_left: 0 })
    }

    /// Check a password on this thread (slow: for tests and the CLI).
    pub fn try_unlock_blocking(
        &mut self,
        password: &Secret,
        now: Instant,
    ) -> Result<AdvancedEvent, AdvancedError> {
        let hash = self.check_attempt(now)?;
        let ok = verify_password(&hash, password);
        self.finish_attempt(ok, now)
    }

    /// Validate a new password: first use, or a change while unlocked.
    fn check_new(
        &mut self,
        new: &Secret,
        confirm: &Secret,
        now: Instant,
    ) -> Result<(), AdvancedError> {
        if self.pending.is_some() {
            return Err(AdvancedError::Busy);
        }
        if self.hash.is_some() && !self.is_unlocked(now) {
            return Err(AdvancedError::NeedsUnlock);
        }
        if new.expose().chars().count() < self.config.min_len {
            return Err(AdvancedError::TooShort {
                min: self.config.min_len,
            });
        }
        if new != confirm {
            return Err(AdvancedError::Mismatch);
        }
        Ok(())
    }

    /// Set (first use) or change (unlocked) the password on this thread, waiting for the writer
    /// to store it (slow: for tests and the CLI).
    pub fn set_password_blocking(
        &mut self,
        new: &Secret,
        confirm: &Secret,
        writer: &Sender<WriteRequest>,
        now: Instant,
    ) -> Result<AdvancedEvent, AdvancedError> {
        self.check_new(new, confirm, now)?;
        let phc = store_hashed(new, writer).map_err(AdvancedError::Hash)?;
        Ok(self.password_stored(phc, now))
    }

    fn password_stored(&mut self, phc: String, now: Instant) -> AdvancedEvent {
        self.hash = Some(phc);
        self.failures = 0;
        self.paused_until = None;
        self.last_activity = Some(now);
        tracing::info!("advanced-mode password set");
        AdvancedEvent::PasswordSet
    }

    /// Start checking a password on a named thread; `wake` is called when it is done. Collect
    /// the outcome with [`AdvancedMode::poll`].
    pub fn begin_unlock(
        &mut self,
        password: Secret,
        now: Instant,
        wake: Wake,
    ) -> Result<(), AdvancedError> {
        let hash = self.check_attempt(now)?;
        let (tx, rx) = bounded(1);
        let join = spawn_job(move || {
            let _ = tx.send(verify_password(&hash, &password));
            wake();
        })?;
        self.pending = Some(Pending::Verify(rx, join));
        Ok(())
    }

    /// Start setting (first use) or changing (unlocked) the password on a named thread: hash,
    /// then store through the writer. Collect the outcome with [`AdvancedMode::poll`].
    pub fn begin_set_password(
        &mut self,
        new: Secret,
        confirm: &Secret,
        writer: Sender<WriteRequest>,
        now: Instant,
        wake: Wake,
    ) -> Result<(), AdvancedError> {
        self.check_new(&new, confirm, now)?;
        let (tx, rx) = bounded(1);
        let join = spawn_job(move || {
            let _ = tx.send(store_hashed(&new, &writer));
            wake();
        })?;
        self.pending = Some(Pending::Set(rx, join));
        Ok(())
    }

    /// The outcome of a background check or change, once it is done (call from `App::logic`).
    pub fn poll(&mut self, now: Instant) -> Option<Result<AdvancedEvent, AdvancedError>> {
        let outcome = match self.pending.as_ref()? {
            Pending::Verify(rx, _) => match rx.try_recv() {
                Ok(ok) => Ok(ok),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Err("password check stopped".to_string()),
            }
            .map(Ok),
            Pending::Set(rx, _) => match rx.try_recv() {
                Ok(r) => r.map(Err),
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => Err("password change stopped".to_string()),
            },
        };
        if let Some(Pending::Verify(_, j) | Pending::Set(_, j)) = self.pending.take() {
            // The job has sent its result: it is finishing.
            let _ = j.join();
        }
        Some(match outcome {
            Ok(Ok(ok)) => self.finish_attempt(ok, now),
            Ok(Err(phc)) => Ok(self.password_stored(phc, now)),
            Err(msg) => Err(AdvancedError::Hash(msg)),
        })
    }
}

fn spawn_job(f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, AdvancedError> {
    std::thread::Builder::new()
        .name("advanced-auth".into())
        .spawn(f)
        .map_err(|e| AdvancedError::Hash(format!("cannot start password thread: {e}")))
}

/// Hash `new` and store it through the writer; the PHC string once durable.
fn store_hashed(new: &Secret, writer: &Sender<WriteRequest>) -> Result<String, String> {
    let phc = hash_password(new).map_err(|e| e.to_string())?;
    let (ack, done) = bounded(1);
    writer
        .send(store_hash_request(phc.clone(), Some(ack)))
        .map_err(|_| StoreError::WriterGone.to_string())?;
    done.recv()
        .map_err(|_| StoreError::WriterGone.to_string())??;
    Ok(phc)
}

#[cfg(test)]
mod tests {
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
        let (w, _r) = bounded(1);
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
}
