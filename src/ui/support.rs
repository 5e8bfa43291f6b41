//! The "System & support" window (system monitor, pipeline diagnostics, logs, data jobs,
//! advanced mode, About/licence) and the match report window. Draws `AppState::support` and pushes
//! `SupportCommand`s; no I/O here.

use crate::export::ExportFormat;
use crate::logging::LogLevel;
use crate::model::AppState;
use crate::model::Command;
use crate::model::support::{ReportFormat, SupportCommand, SupportTab, SupportView, TaskState};
use crate::store::MatchRecord;
use crate::ui::advanced::advanced_ui;
use egui::{Color32, RichText};

/// Push a command of this window.
fn emit(out: &mut Vec<Command>, c: SupportCommand) {
    out.push(Command::Support(c));
}

const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);
const OK: Color32 = Color32::from_rgb(0x3C, 0xB3, 0x71);

/// The window (when open) and the report window (when a report is shown).
pub fn support_windows(ctx: &egui::Context, s: &mut AppState) {
    let mut open = s.prefs.show_support;
    egui::Window::new("System & support")
        .open(&mut open)
        .default_width(720.0)
        .default_height(520.0)
        .vscroll(true)
        .show(ctx, |ui| support_ui(ui, s));
    s.prefs.show_support = open;
    report_window(ctx, &mut s.support, &mut s.commands);
}

/// The window's content (also used directly by tests).
pub fn support_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let v = &mut s.support;
    let out = &mut s.commands;
    ui.horizontal(|ui| {
        for (tab, label, tip) in [
            (
                SupportTab::System,
                "System",
                "CPU and memory of this machine and of courtside",
            ),
            (
                SupportTab::Diagnostics,
                "Diagnostics",
                "Pipeline numbers and slow operations",
            ),
            (SupportTab::Logs, "Logs", "Log level and log folder"),
            (
                SupportTab::Data,
                "Data",
                "Export, match report, backup, restore",
            ),
            (
                SupportTab::Advanced,
                "Advanced",
                "Unlock expert and destructive actions",
            ),
            (SupportTab::About, "About", "Version and licence"),
        ] {
            ui.selectable_value(&mut v.tab, tab, label)
                .on_hover_text(tip);
        }
    });
    ui.separator();
    if matches!(v.tab, SupportTab::System | SupportTab::Diagnostics) {
        // Every value changes by the second here; the monitor wakes the UI only for the coarse
        // status-bar values.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs(1));
    }
    match v.tab {
        SupportTab::System => crate::ui::monitor::system_ui(ui, &v.history),
        SupportTab::Diagnostics => match &mut v.diagnostics {
            Some(d) => {
                let snapshot = d.snapshot().clone();
                crate::ui::monitor::diagnostics_ui(ui, &snapshot, d.slow_ops());
            }
            None => {
                ui.label("No store open: nothing to measure.");
            }
        },
        SupportTab::Logs => logs_ui(ui, v, out),
        SupportTab::Data => data_ui(
            ui,
            v,
            &s.match_list,
            current_match(s.table.chosen, &s.court_keys),
            out,
        ),
        SupportTab::Advanced => advanced_tab(ui, v, out),
        SupportTab::About => about_tab(ui, v, out),
    }
}

fn current_match(
    chosen: Option<u64>,
    courts: &std::collections::BTreeMap<String, u64>,
) -> Option<u64> {
    chosen.or_else(|| courts.values().max().copied())
}

fn logs_ui(ui: &mut egui::Ui, v: &mut SupportView, out: &mut Vec<Command>) {
    if let Some(p) = &v.log_problem {
        ui.colored_label(BAD, p);
    }
    let Some(level) = v.log_level else { return };
    ui.horizontal(|ui| {
        ui.label("Log level");
        egui::ComboBox::from_id_salt("log-level")
            .selected_text(level.name())
            .show_ui(ui, |ui| {
                for l in LogLevel::ALL {
                    if ui.selectable_label(l == level, l.name()).clicked() && l != level {
                        emit(out, SupportCommand::SetLogLevel(l));
                    }
                }
            })
            .response
            .on_hover_text(
                "How much courtside writes to its log (info is right for a competition day)",
            );
    });
    if let Some(dir) = &v.log_dir {
        ui.label(format!("Log folder: {}", dir.display()));
        ui.label(
            RichText::new("One file per day; the oldest are deleted beyond 50 MB in total.").weak(),
        );
        if ui
            .button("Open log folder")
            .on_hover_text("Open the folder in the file manager (to send the logs to support)")
            .clicked()
        {
            emit(out, SupportCommand::OpenLogFolder);
        }
    }
    if let Some(problem) = log_losses(v.log_dropped, v.log_undeletable) {
        ui.colored_label(BAD, problem);
    }
}

/// What the log lost, in words, or `None` when it lost nothing.
pub(crate) fn log_losses(dropped: usize, undeletable: u64) -> Option<String> {
    let mut parts = Vec::new();
    if dropped > 0 {
        parts.push(format!(
            "{dropped} log line(s) dropped: the disk could not keep up (events are not affected, \
             only the log)"
        ));
    }
    if undeletable > 0 {
        parts.push(format!(
            "{undeletable} old log file(s) could not be deleted: another program holds them open"
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn data_ui(
    ui: &mut egui::Ui,
    v: &mut SupportView,
    matches: &[MatchRecord],
    current: Option<u64>,
    out: &mut Vec<Command>,
) {
    ui.heading("Match");
    let mut key = v.data_match.or(current);
    ui.horizontal(|ui| {
        let label = |k: Option<u64>| {
            k.and_then(|k| matches.iter().find(|m| m.key == k)).map_or(
                "(choose a match)".to_string(),
                crate::ui::event_table::match_title,
            )
        };
        egui::ComboBox::from_id_salt("data-match")
            .selected_text(label(key))
            .width(360.0)
            .show_ui(ui, |ui| {
                for m in matches {
                    let title = crate::ui::event_table::match_title(m);
                    ui.selectable_value(&mut key, Some(m.key), title);
                }
            })
            .response
            .on_hover_text("The match to export or report on (default: the one in the table)");
    });
    v.data_match = key;
    let unlocked = v.unlocked();
    let format = v.export_format.get_or_insert(ExportFormat::Json);
    ui.horizontal(|ui| {
        for f in ExportFormat::ALL {
            ui.radio_value(format, f, f.extension().to_uppercase())
                .on_hover_text(match f {
                    ExportFormat::Json => "JSON: one object per datagram with its events",
                    ExportFormat::Csv => {
                        "CSV: one row per event, opens in Excel (UTF-8 with BOM); cells that \
                         start like a formula get a leading '"
                    }
                });
        }
        let format = *format;
        if let Some(key) = key {
            if ui
                .button("Export…")
                .on_hover_text("Write every datagram of this match to a file you choose")
                .clicked()
            {
                emit(
                    out,
                    SupportCommand::ExportMatch {
                        key,
                        format,
                        path: None,
                    },
                );
            }
            if ui
                .button("Match report")
                .on_hover_text("One-page summary: athletes, scores per round, points, penalties…")
                .clicked()
            {
                emit(out, SupportCommand::OpenReport(key));
            }
            if ui
                .add_enabled(unlocked, egui::Button::new("Delete match…"))
                .on_hover_text("Remove this match and its datagrams from the store (asks first)")
                .on_disabled_hover_text("Deleting a match needs advanced mode (Advanced tab)")
                .clicked()
            {
                v.confirm_delete = Some(key);
            }
        }
    });
    if let Some(k) = v.confirm_delete {
        let events = matches
            .iter()
            .find(|m| m.key == k)
            .map_or(0, |m| m.event_count);
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                BAD,
                format!(
                    "Delete match {k} and its {events} datagrams? This cannot be undone — back \
                     up first if you may need it."
                ),
            );
            if ui
                .button("Yes, delete")
                .on_hover_text("Delete the match now")
                .clicked()
            {
                emit(out, SupportCommand::DeleteMatch(k));
            }
            if ui
                .button("Keep it")
                .on_hover_text("Do not delete")
                .clicked()
            {
                v.confirm_delete = None;
            }
        });
    }
    ui.separator();
    ui.heading("Whole store");
    ui.horizontal(|ui| {
        if ui
            .button("Back up…")
            .on_hover_text("Copy the whole store to a new file; ingest keeps running meanwhile")
            .clicked()
        {
            emit(out, SupportCommand::Backup { path: None });
        }
        if ui
            .add_enabled(unlocked, egui::Button::new("Restore…"))
            .on_hover_text(
                "Check a backup table by table, then replace the store with it at the next start \
                 (the current store is kept; a backup that fails a check is refused)",
            )
            .on_disabled_hover_text("Restore needs advanced mode (Advanced tab)")
            .clicked()
        {
            emit(out, SupportCommand::Restore { path: None });
        }
    });
    tasks_ui(ui, v);
}

fn tasks_ui(ui: &mut egui::Ui, v: &SupportView) {
    if v.tasks.is_empty() {
        return;
    }
    ui.separator();
    for t in v.tasks.iter().rev() {
        ui.horizontal_wrapped(|ui| match &t.state {
            TaskState::Running(p) => {
                ui.spinner();
                ui.label(format!("{}: {p}", t.what));
            }
            TaskState::Done(d) => {
                ui.colored_label(OK, format!("{}: done — {d}", t.what));
            }
            TaskState::Failed(e) => {
                ui.colored_label(BAD, format!("{}: {e}", t.what));
            }
        });
    }
}

fn advanced_tab(ui: &mut egui::Ui, v: &mut SupportView, out: &mut Vec<Command>) {
    let Some(lock) = v.lock else {
        ui.label("Advanced mode is unavailable (see the notices).");
        return;
    };
    if let Some(c) = advanced_ui(ui, &mut v.advanced_panel, lock, v.advanced_busy) {
        out.push(c.into());
    }
}

fn about_tab(ui: &mut egui::Ui, v: &mut SupportView, out: &mut Vec<Command>) {
    let Some(report) = v.license.clone() else {
        ui.label("Licence status unavailable: no store open.");
        return;
    };
    let unlocked = v.unlocked();
    if let Some(c) = crate::ui::about::about_ui(ui, &report, &mut v.license_entry, unlocked) {
        out.push(c.into());
    }
    match &v.license_message {
        Some(Ok(m)) => {
            ui.colored_label(OK, m);
        }
        Some(Err(e)) => {
            ui.colored_label(BAD, e);
        }
        None => {}
    }
}

fn report_window(ctx: &egui::Context, v: &mut SupportView, out: &mut Vec<Command>) {
    if let Some(key) = v.report_loading {
        egui::Window::new("Match report")
            .id(egui::Id::unique("report-window"))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Building the report of match {key}…"));
                });
            });
        return;
    }
    let Some(r) = &v.report else { return };
    let mut open = true;
    let key = r.key;
    let mut save = None;
    egui::Window::new(format!("Match report — {}", r.title))
        .id(egui::Id::unique("report-window"))
        .open(&mut open)
        .default_size([640.0, 860.0])
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button("Save PNG…")
                    .on_hover_text("Save the report as an image")
                    .clicked()
                {
                    save = Some(ReportFormat::Png);
                }
                if ui
                    .button("Save PDF…")
                    .on_hover_text("Save the report as a one-page PDF (A4)")
                    .clicked()
                {
                    save = Some(ReportFormat::Pdf);
                }
            });
            egui::ScrollArea::both().show(ui, |ui| {
                let w = ui.available_width().max(200.0);
                let scale = w / r.size[0] as f32;
                let size = egui::vec2(w, r.size[1] as f32 * scale);
                ui.add(egui::Image::new(&r.texture).fit_to_exact_size(size));
            });
        });
    if let Some(format) = save {
        emit(
            out,
            SupportCommand::SaveReport {
                key,
                format,
                path: None,
            },
        );
    }
    if !open {
        v.report = None;
    }
}

#[cfg(test)]
mod tests {
    use super::log_losses;

    #[test]
    fn a_log_that_lost_nothing_says_nothing_and_each_loss_is_named() {
        assert_eq!(log_losses(0, 0), None);
        let dropped = log_losses(12, 0).unwrap_or_default();
        assert!(dropped.starts_with("12 log line(s) dropped"), "{dropped}");
        assert!(!dropped.contains("could not be deleted"), "{dropped}");
        let both = log_losses(1, 2).unwrap_or_default();
        assert!(
            both.contains("1 log line(s)") && both.contains("2 old log file(s)"),
            "{both}"
        );
    }
}
