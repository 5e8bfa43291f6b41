//! The data jobs of the System & support window (export, backup, restore, match report), each
//! a job of the registry on its own named thread, asking for the file with a dialog when no path
//! was given; and match deletion, a store write whose confirmation the registry waits for.

use super::CourtsideApp;
use super::jobs_glue::{JobKind, JobOutput};
use super::services::Shared;
use super::support::SupportService;
use crate::model::support::TaskState;
use crate::model::support::{ReportFormat, SupportCommand};
use crate::report::{MatchReport, font::Font, png};
use crate::store::Store;
use crossbeam_channel::bounded;
use std::path::{Path, PathBuf};

/// Render scale of the report page in the viewer (1.5 px per point ≈ 890 × 1260 px).
const REPORT_SCALE: f32 = 1.5;

impl SupportService {
    /// Delete a finished match (advanced mode): the writer deletes it in one transaction; the
    /// job registry waits for its confirmation.
    pub(super) fn delete_match(&mut self, app: &mut Shared<'_>, key: u64) {
        app.state.support.confirm_delete = None;
        let what = format!("Delete match {key}");
        if !self.advanced_unlocked() {
            let why = "deleting a match needs advanced mode (Advanced tab)";
            self.task_done(app, &what, Err(why.into()));
            return;
        }
        let (ack, acked) = bounded(1);
        let (req, count) = crate::store::delete::delete_match_request(key, ack);
        let sent = app
            .data
            .writer
            .as_ref()
            .is_some_and(|w| w.sender().try_send(req).is_ok());
        if !sent {
            let why = "the store is not open or is busy; try again";
            self.task_done(app, &what, Err(why.into()));
            return;
        }
        app.state
            .support
            .task(&what, TaskState::Running("deleting…".into()));
        app.jobs
            .await_store(&what, JobKind::MatchDeleted { key, count }, acked);
    }
}

impl CourtsideApp {
    /// The writer answered a deletion: the views that showed the match let go of it.
    pub(super) fn match_deleted(&mut self, key: u64, removed: Result<u64, String>) {
        let what = format!("Delete match {key}");
        if removed.is_ok() {
            if self.state.table.chosen == Some(key) {
                self.handle(crate::model::Command::SelectMatch(None));
            }
            if self
                .state
                .support
                .report
                .as_ref()
                .is_some_and(|r| r.key == key)
            {
                self.state.support.report = None;
            }
            self.state.support.data_match = None;
            self.handle(crate::model::Command::LoadMatches);
        }
        let outcome = removed.map(|n| JobOutput::Text(format!("{n} datagrams removed")));
        self.services
            .support
            .task_done(&mut shared!(self), &what, outcome);
    }
}

/// One data job, run off the UI thread.
pub(super) struct Job {
    pub(super) store: Store,
    pub(super) store_path: PathBuf,
    pub(super) command: SupportCommand,
}

impl Job {
    pub(super) fn label(&self) -> String {
        match &self.command {
            SupportCommand::ExportMatch { key, format, .. } => {
                format!("Export of match {key} ({})", format.extension())
            }
            SupportCommand::Backup { .. } => "Backup".into(),
            SupportCommand::Restore { .. } => "Restore".into(),
            SupportCommand::OpenReport(key) => format!("Report of match {key}"),
            SupportCommand::SaveReport { key, format, .. } => {
                format!("Report of match {key} ({})", report_ext(*format))
            }
            _ => "Job".into(),
        }
    }

    /// Run the job (on its thread): a detail to show, a rendered page, or why it failed.
    pub(super) fn run(self) -> Result<JobOutput, String> {
        let result = match self.command {
            SupportCommand::OpenReport(key) => {
                return render_report(&self.store, key)
                    .map(|(title, page)| JobOutput::Page(title, page));
            }
            SupportCommand::ExportMatch { key, format, path } => {
                let record = self.store.match_record(key).ok().flatten();
                let name = match_file_name(key, record.as_ref(), None, format.extension());
                with_path(path, &name, format.extension(), |p| {
                    crate::export::export_match_to_file(&self.store, key, format, p)
                        .map(|n| format!("{n} datagrams written to {}", p.display()))
                        .map_err(|e| e.to_string())
                })
            }
            SupportCommand::Backup { path } => {
                let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
                let name = crate::export::data_file_name(
                    &["courtside-backup", &stamp],
                    "redb",
                    "courtside-backup.redb",
                );
                with_path(path, &name, "redb", |p| {
                    crate::backup::backup(&self.store, p)
                        .map(|s| {
                            format!(
                                "{} ({:.1} MB, events up to #{}, {:.1} s)",
                                p.display(),
                                s.bytes as f64 / 1e6,
                                s.last_seq,
                                s.took.as_secs_f64()
                            )
                        })
                        .map_err(|e| e.to_string())
                })
            }
            SupportCommand::Restore { path } => {
                let picked = path.or_else(|| {
                    rfd::FileDialog::new()
                        .set_title("Restore from backup")
                        .add_filter("courtside store", &["redb"])
                        .pick_file()
                });
                match picked {
                    None => Err("cancelled".into()),
                    Some(p) => crate::backup::stage_restore(&p, &self.store_path)
                        .map(|_| {
                            format!(
                                "{} passed every check and will replace the store at the next \
                                 start (the current store is kept beside it); restart courtside \
                                 to use it (close any `courtside listen` on the store first)",
                                p.display()
                            )
                        })
                        .map_err(|e| e.to_string()),
                }
            }
            SupportCommand::SaveReport { key, format, path } => {
                let ext = report_ext(format);
                let record = self.store.match_record(key).ok().flatten();
                let name = match_file_name(key, record.as_ref(), Some("report"), ext);
                with_path(path, &name, ext, |p| {
                    let report = MatchReport::load(&self.store, key).map_err(|e| e.to_string())?;
                    match format {
                        ReportFormat::Png => crate::report::png::write_png(&report, p),
                        ReportFormat::Pdf => crate::report::pdf::write_pdf(&report, p),
                    }
                    .map(|_| format!("saved {}", p.display()))
                    .map_err(|e| e.to_string())
                })
            }
            _ => Err("not a data job".into()),
        };
        result.map(JobOutput::Text)
    }
}

/// The default name of a match's export or report: its court and number from the store
/// ("Court 1 - match 245_A - report.pdf"), made a valid file name on every platform; the key
/// when the match has no number.
pub(super) fn match_file_name(
    key: u64,
    record: Option<&crate::store::MatchRecord>,
    suffix: Option<&str>,
    ext: &str,
) -> String {
    let court = record.map_or("", |r| r.court.as_str());
    let number = record
        .map(|r| r.state.info.number.trim())
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("match {key}"), |n| format!("match {n}"));
    let fallback = match suffix {
        Some(s) => format!("match-{key}-{s}.{ext}"),
        None => format!("match-{key}.{ext}"),
    };
    let mut parts = vec![court, number.as_str()];
    parts.extend(suffix);
    crate::export::data_file_name(&parts, ext, &fallback)
}

fn report_ext(f: ReportFormat) -> &'static str {
    match f {
        ReportFormat::Png => "png",
        ReportFormat::Pdf => "pdf",
    }
}

/// Run `f` on `path`, or on a file chosen in a save dialog (cancel is reported, not an error
/// notice… but it is a failed task line, so the operator sees nothing was written).
pub(super) fn with_path(
    path: Option<PathBuf>,
    default_name: &str,
    ext: &str,
    f: impl FnOnce(&Path) -> Result<String, String>,
) -> Result<String, String> {
    let picked = path.or_else(|| {
        rfd::FileDialog::new()
            .set_file_name(default_name)
            .add_filter(ext, &[ext])
            .save_file()
    });
    match picked {
        Some(p) => f(&p),
        None => Err("cancelled: nothing written".into()),
    }
}

fn render_report(store: &Store, key: u64) -> Result<(String, png::RgbaPage), String> {
    let report = MatchReport::load(store, key).map_err(|e| e.to_string())?;
    let font = Font::noto_sans().map_err(|e| e.to_string())?;
    let page = png::render_rgba(&report, &font, REPORT_SCALE).map_err(|e| e.to_string())?;
    let title = format!(
        "Match {} — {} vs {}",
        if report.number.is_empty() {
            "?"
        } else {
            &report.number
        },
        report.blue.name,
        report.red.name
    );
    Ok((title, page))
}

#[cfg(test)]
mod tests {
    use super::match_file_name;
    use crate::fsname::check_file_name;
    use crate::store::MatchRecord;

    fn record(court: &str, number: &str) -> MatchRecord {
        let mut r = MatchRecord::start_at(12, court, 0);
        r.state.info.number = number.into();
        r
    }

    #[test]
    fn export_and_report_names_of_match_245_colon_a_are_valid_file_names() {
        let r = record("Court 1", "245:A");
        let export = match_file_name(12, Some(&r), None, "csv");
        assert_eq!(export, "Court 1 - match 245_A.csv");
        let report = match_file_name(12, Some(&r), Some("report"), "pdf");
        assert_eq!(report, "Court 1 - match 245_A - report.pdf");
        assert_eq!(check_file_name(&export), Ok(()));
        assert_eq!(check_file_name(&report), Ok(()));
    }

    #[test]
    fn a_court_named_con_or_aux_with_no_number_gives_a_valid_name() {
        for court in ["CON", "aux", "COM1", "a/b\\c", ""] {
            let name = match_file_name(7, Some(&record(court, "")), None, "json");
            assert_eq!(check_file_name(&name), Ok(()), "{court}: {name}");
            assert!(name.contains("match 7"), "{name}");
        }
        assert_eq!(
            match_file_name(7, None, Some("report"), "png"),
            "match 7 - report.png"
        );
    }
}
