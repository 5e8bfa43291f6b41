//! Notices: what failed or needs attention, why, and what the operator can do; each dismissable.

/// Severity of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something needs attention.
    Warning,
    /// For information.
    Info,
}

/// A visible, dismissable notice: what happened, why, what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// Id (for dismissing).
    pub id: u64,
    /// Severity.
    pub level: Level,
    /// Short title.
    pub title: String,
    /// The cause.
    pub cause: String,
    /// What the operator can do.
    pub action: String,
}

/// The notice list. Repeating a title replaces the older notice instead of stacking copies.
#[derive(Debug, Default)]
pub struct Notices {
    /// Current notices, oldest first.
    pub items: Vec<Notice>,
    next: u64,
}

impl Notices {
    /// Add (or refresh) a notice.
    pub fn push(&mut self, level: Level, title: &str, cause: &str, action: &str) {
        self.items.retain(|n| n.title != title);
        self.next += 1;
        self.items.push(Notice {
            id: self.next,
            level,
            title: title.into(),
            cause: cause.into(),
            action: action.into(),
        });
    }

    /// Remove a notice.
    pub fn dismiss(&mut self, id: u64) {
        self.items.retain(|n| n.id != id);
    }

    /// Follow the store writer's last error (polled every frame): raise the notice when the
    /// error is new or different (so Dismiss holds while the same error repeats), and replace it
    /// with an all-clear once the writer stores again. `seen` is the error last followed.
    pub fn follow_store_error(&mut self, seen: &mut Option<String>, now: Option<String>) {
        if *seen == now {
            return;
        }
        match &now {
            Some(e) => self.push(
                Level::Error,
                STORE_ERROR_TITLE,
                e,
                "Free disk space or fix the store location; nothing received is dropped while \
                 courtside retries.",
            ),
            None => {
                self.items.retain(|n| n.title != STORE_ERROR_TITLE);
                self.push(
                    Level::Info,
                    "The store writes again",
                    "Every datagram held while it could not write has been stored.",
                    "Nothing to do.",
                );
            }
        }
        *seen = now;
    }
}

/// Title of the notice raised while the store writer cannot write.
pub const STORE_ERROR_TITLE: &str = "The store cannot write: events are held and retried";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_error_notice_is_raised_once_stays_dismissed_and_clears_on_recovery() {
        let mut n = Notices::default();
        let mut seen = None;
        n.follow_store_error(&mut seen, None);
        assert!(n.items.is_empty(), "no error, no notice");
        let err = Some("cannot store 3 datagram(s): No space left on device".to_string());
        n.follow_store_error(&mut seen, err.clone());
        assert_eq!(n.items.len(), 1);
        assert_eq!(n.items[0].level, Level::Error);
        assert!(n.items[0].cause.contains("No space left"));
        // The operator dismisses it; the same error polled again does not bring it back.
        let id = n.items[0].id;
        n.dismiss(id);
        n.follow_store_error(&mut seen, err);
        assert!(n.items.is_empty(), "dismissed stays dismissed");
        // A different error is news.
        n.follow_store_error(
            &mut seen,
            Some("cannot store 3 datagram(s): I/O error".into()),
        );
        assert_eq!(n.items.len(), 1);
        // Recovery: the error notice goes, an all-clear says so.
        n.follow_store_error(&mut seen, None);
        assert_eq!(n.items.len(), 1);
        assert_eq!(n.items[0].level, Level::Info);
        assert_ne!(n.items[0].title, STORE_ERROR_TITLE);
    }
}
