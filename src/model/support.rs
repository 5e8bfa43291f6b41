//! What the "System & support" window draws (system monitor, diagnostics, logs, data, advanced
//! mode, licence) and the match report viewer, plus the commands they emit ([`SupportCommand`], wrapped in `Command::Support`). No I/O
//! here.

use super::panels::AdvancedPanel;
use crate::advanced::LockState;
use crate::export::ExportFormat;
use crate::license::LicenseReport;
use crate::logging::{LogLevel, Secret};
use crate::model::diagnostics::PipelineDiagnostics;
use crate::sysmon::SysHistory;
use std::path::PathBuf;
use std::time::Duration;

/// Tabs of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupportTab {
    /// CPU, memory, plot.
    #[default]
    System,
    /// Pipeline numbers and slow operations.
    Diagnostics,
    /// Log level and folder.
    Logs,
    /// Export, report, backup, restore, delete.
    Data,
    /// Advanced-mode lock.
    Advanced,
    /// Version and licence.
    About,
}

/// Report file kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// PNG image.
    Png,
    /// PDF document.
    Pdf,
}

/// What the window (or a test) asks the support service to do.
#[derive(Debug, Clone, PartialEq)]
pub enum SupportCommand {
    /// Change the log level.
    SetLogLevel(LogLevel),
    /// Open the log folder in the file manager.
    OpenLogFolder,
    /// Set the advanced-mode password (first use, or change while unlocked).
    SetPassword {
        /// New password.
        new: Secret,
        /// Repeated.
        confirm: Secret,
    },
    /// Unlock advanced mode.
    Unlock(Secret),
    /// Lock advanced mode now.
    Lock,
    /// Verify and store a licence key.
    ApplyLicense(Secret),
    /// Reset the licence's latest time seen to the clock (advanced mode), with a logged reason.
    ResetLicenseMark {
        /// Why.
        reason: String,
    },
    /// Export a match: ask for the file with a save dialog (`path: None`) or write to `path`.
    ExportMatch {
        /// Match key.
        key: u64,
        /// JSON or CSV.
        format: ExportFormat,
        /// Target file (`None`: ask).
        path: Option<PathBuf>,
    },
    /// Back up the whole store (while ingest keeps running).
    Backup {
        /// Target file (`None`: ask).
        path: Option<PathBuf>,
    },
    /// Stage a backup to replace the store at the next start (advanced mode).
    Restore {
        /// Backup file (`None`: ask).
        path: Option<PathBuf>,
    },
    /// Delete a finished match (advanced mode; asks first in the UI).
    DeleteMatch(u64),
    /// Build a match's report and show it.
    OpenReport(u64),
    /// Save the shown report.
    SaveReport {
        /// Match key.
        key: u64,
        /// PNG or PDF.
        format: ReportFormat,
        /// Target file (`None`: ask).
        path: Option<PathBuf>,
    },
}

/// A finished or running background job, for the Data tab.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLine {
    /// What ("Backup to …").
    pub what: String,
    /// Running, or its outcome.
    pub state: TaskState,
}

/// State of a background job.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    /// Still running; progress text.
    Running(String),
    /// Done; detail.
    Done(String),
    /// Failed; why.
    Failed(String),
}

/// The match report shown in its window.
pub struct ReportView {
    /// Match key.
    pub key: u64,
    /// Title ("#204 Quarterfinal — …").
    pub title: String,
    /// The rendered page.
    pub texture: egui::TextureHandle,
    /// Page size in pixels.
    pub size: [usize; 2],
}

/// Everything the window shows.
#[derive(Default)]
pub struct SupportView {
    /// Open tab.
    pub tab: SupportTab,
    /// System samples of the last minutes.
    pub history: SysHistory,
    /// Pipeline numbers (kept here so the panel can set the slow-operation threshold).
    pub diagnostics: Option<PipelineDiagnostics>,
    /// Current log level (`None`: file logging is off).
    pub log_level: Option<LogLevel>,
    /// Log folder.
    pub log_dir: Option<PathBuf>,
    /// Why file logging is off.
    pub log_problem: Option<String>,
    /// Log lines dropped since start because the log thread could not keep up.
    pub log_dropped: usize,
    /// Old log files the size cap could not delete (on Windows: held open by another program).
    pub log_undeletable: u64,
    /// Advanced-mode state as of this frame.
    pub lock: Option<LockState>,
    /// A password check runs.
    pub advanced_busy: bool,
    /// Password fields and the last outcome.
    pub advanced_panel: AdvancedPanel,
    /// Licence status.
    pub license: Option<LicenseReport>,
    /// Licence key being typed.
    pub license_entry: String,
    /// Outcome of the last "Apply key".
    pub license_message: Option<Result<String, String>>,
    /// Match chosen in the Data tab (`None`: the table's).
    pub data_match: Option<u64>,
    /// Match waiting for delete confirmation.
    pub confirm_delete: Option<u64>,
    /// Format chosen for match exports.
    pub export_format: Option<ExportFormat>,
    /// Background jobs, newest last.
    pub tasks: Vec<TaskLine>,
    /// The report window's content.
    pub report: Option<ReportView>,
    /// A report is being built.
    pub report_loading: Option<u64>,
}

impl SupportView {
    /// Whether advanced mode is unlocked.
    pub fn unlocked(&self) -> bool {
        matches!(self.lock, Some(LockState::Unlocked { .. }))
    }

    /// Start a task line (replacing an older one with the same text).
    pub fn task(&mut self, what: &str, state: TaskState) {
        self.tasks.retain(|t| t.what != what);
        self.tasks.push(TaskLine {
            what: what.to_string(),
            state,
        });
        if self.tasks.len() > 20 {
            self.tasks.remove(0);
        }
    }
}

/// How often the highest time seen is recorded for the licence clock check.
pub const TIME_RECORD_EVERY: Duration = Duration::from_secs(3600);
