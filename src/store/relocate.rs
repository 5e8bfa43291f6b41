//! Moving the default store out of the roaming profile, once.
//!
//! Older versions kept the default store in `%APPDATA%` (roaming: a domain profile copies it to a
//! server at every log-off, and a 2 GB store makes log-off take minutes or fails the profile
//! sync). The default is now the local data folder. At start, when the default store is used and
//! only the old one exists, it is moved (with a staged restore and its `logs` folder): a rename
//! when both are on one volume, else copy + sync + rename, and the old file is removed only once
//! the new one is complete. Nothing is ever overwritten; if anything fails the old store stays
//! where it was and this run uses it. On Linux both folders are the same and the plan is empty.

use super::durable::{remove_leftover, sibling, sync_file, sync_parent};
use super::lock::lock_store;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One thing to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Where it is.
    pub from: PathBuf,
    /// Where it goes.
    pub to: PathBuf,
}

/// What [`plan_move`] decided; inspect it, then [`execute`] it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MovePlan {
    /// The store file (first), then a staged restore beside it.
    pub files: Vec<Move>,
    /// The logs folder beside the old store, when the new place has none.
    pub logs: Option<Move>,
    /// Things left where they are, and why (for the notice).
    pub left: Vec<String>,
}

/// Decide what moves from `old_store` to `new_store` (both store file paths). Reads only whether
/// files exist; moves nothing.
pub fn plan_move(old_store: &Path, new_store: &Path) -> MovePlan {
    let mut plan = MovePlan::default();
    if same_place(old_store, new_store) || !old_store.is_file() {
        return plan;
    }
    if new_store.exists() {
        plan.left.push(format!(
            "a store exists both at {} and at {}; the second is used and the first is left as it \
             was",
            old_store.display(),
            new_store.display()
        ));
        return plan;
    }
    plan.files.push(Move {
        from: old_store.to_path_buf(),
        to: new_store.to_path_buf(),
    });
    let staged = (
        sibling(old_store, ".restore"),
        sibling(new_store, ".restore"),
    );
    if staged.0.is_file() && !staged.1.exists() {
        plan.files.push(Move {
            from: staged.0,
            to: staged.1,
        });
    }
    if let (Some(old_dir), Some(new_dir)) = (old_store.parent(), new_store.parent()) {
        let (from, to) = (old_dir.join("logs"), new_dir.join("logs"));
        if from.is_dir() {
            if to.exists() {
                plan.left.push(format!(
                    "the old logs stay at {} ({} exists already)",
                    from.display(),
                    to.display()
                ));
            } else {
                plan.logs = Some(Move { from, to });
            }
        }
    }
    plan
}

/// Whether two store paths name the same file (on Linux the roaming and local data folders are
/// one folder; on any system a symlinked folder can make them so).
fn same_place(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    let folder = |p: &Path| p.parent().and_then(|d| d.canonicalize().ok());
    a.file_name() == b.file_name() && folder(a).is_some() && folder(a) == folder(b)
}

/// What [`execute`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveOutcome {
    /// The store file to use this run: the new one once moved, the old one if the move failed.
    pub store: PathBuf,
    /// What the operator is told (moved, or why not).
    pub notices: Vec<String>,
}

/// Carry out `plan`; `fallback` is the store to use when there is nothing to move (the new
/// default). The store's lock is held while it moves, so a running courtside on the old file
/// keeps it where it is (and this run uses it there).
pub fn execute(plan: &MovePlan, fallback: &Path) -> MoveOutcome {
    let mut notices = plan.left.clone();
    let Some(store) = plan.files.first() else {
        return MoveOutcome {
            store: fallback.to_path_buf(),
            notices,
        };
    };
    let lock = match lock_store(&store.from, Duration::ZERO) {
        Ok(l) => l,
        Err(e) => {
            notices.push(format!(
                "the store was not moved to the local data folder: {e}"
            ));
            return MoveOutcome {
                store: store.from.clone(),
                notices,
            };
        }
    };
    if let Err(e) = move_file(&store.from, &store.to) {
        notices.push(format!(
            "the store could not be moved from {} to {} ({e}); it stays where it was and is used \
             there",
            store.from.display(),
            store.to.display()
        ));
        return MoveOutcome {
            store: store.from.clone(),
            notices,
        };
    }
    drop(lock);
    notices.push(format!(
        "the store was moved out of the roaming profile, from {} to {} (local data folder)",
        store.from.display(),
        store.to.display()
    ));
    for m in &plan.files[1..] {
        if let Err(e) = move_file(&m.from, &m.to) {
            notices.push(format!("{} was not moved ({e})", m.from.display()));
        }
    }
    if let Some(m) = &plan.logs
        && let Err(e) = std::fs::rename(&m.from, &m.to)
    {
        notices.push(format!("the old logs stay at {} ({e})", m.from.display()));
    }
    MoveOutcome {
        store: store.to.clone(),
        notices,
    }
}

/// Move one file without ever overwriting: a rename on one volume, else copy to a `.partial`
/// beside the target, sync, rename, and only then remove the original. On any failure before
/// the final rename the partial copy is removed and the original is untouched.
pub fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists already", to.display()),
        ));
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::rename(from, to).is_ok() {
        sync_parent(to)?;
        return sync_parent(from);
    }
    let partial = sibling(to, ".partial");
    let copied = (|| {
        std::fs::copy(from, &partial)?;
        sync_file(&partial)?;
        if to.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} appeared while copying", to.display()),
            ));
        }
        std::fs::rename(&partial, to)?;
        sync_parent(to)
    })();
    if let Err(e) = copied {
        remove_leftover(&partial);
        return Err(e);
    }
    // The copy is complete and durable; a failure to remove the original leaves two copies
    // (the new one in use), never none.
    if let Err(e) = std::fs::remove_file(from) {
        tracing::warn!(from = %from.display(), "old store copy left behind: {e}");
    }
    Ok(())
}
