//! Panel state that lives between frames: what the operator is typing and looking at in the
//! flags manager and the advanced-mode form, and the live log's answer marks.

use std::collections::HashMap;
use std::path::PathBuf;

/// UI state of the flags panel (what the operator is typing and looking at).
#[derive(Debug, Clone)]
pub struct FlagsPanel {
    /// Grid filter: code, country or ISO code, case-insensitive.
    pub search: String,
    /// Code shown in the preview.
    pub selected: Option<String>,
    /// Mapping editor: received code.
    pub map_from: String,
    /// Mapping editor: target code.
    pub map_to: String,
    /// Missing-flags list: only athletes seen since local midnight.
    pub only_today: bool,
    /// Codes typed for files waiting for one.
    pub(crate) pending_codes: HashMap<PathBuf, String>,
}

impl Default for FlagsPanel {
    fn default() -> Self {
        FlagsPanel {
            search: String::new(),
            selected: None,
            map_from: String::new(),
            map_to: String::new(),
            only_today: true,
            pending_codes: HashMap::new(),
        }
    }
}

/// Text typed into the advanced-mode panel (cleared once submitted) and the last outcome to
/// show.
#[derive(Debug, Default)]
pub struct AdvancedPanel {
    /// Password field.
    pub password: String,
    /// Confirmation field (first use / change).
    pub confirm: String,
    /// Outcome of the last attempt ("wrong password; 2 attempts left …"), shown under the form.
    pub message: Option<String>,
}

/// Receive times of datagrams that answered courtside's state requests, so the log can mark
/// them; bounded like the log (an older answer has left the log anyway).
#[derive(Debug, Default)]
pub struct AnswerMarks {
    set: std::collections::HashSet<i64>,
    order: std::collections::VecDeque<i64>,
}

impl AnswerMarks {
    /// Remember that the datagram received at `ns` was an answer.
    pub fn mark(&mut self, ns: i64) {
        if !self.set.insert(ns) {
            return;
        }
        self.order.push_back(ns);
        if self.order.len() > super::state::LiveLog::CAPACITY
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
    }

    /// Whether the datagram received at `ns` was an answer.
    pub fn contains(&self, ns: i64) -> bool {
        self.set.contains(&ns)
    }
}
