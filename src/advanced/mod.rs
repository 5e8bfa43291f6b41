//! Advanced mode: destructive or expert actions (delete matches, edit automation rules, change
//! the store location — a new empty store —, restore a backup) unlock with a password the operator sets
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
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use crossbeam_channel::{Receiver, Sender};
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
        let phc = background::store_hashed(new, writer).map_err(AdvancedError::Hash)?;
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
}

mod background;
#[cfg(test)]
mod tests;
