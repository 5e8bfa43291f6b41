//! The About panel: version and licence status (licensee, edition, expiry, days left), the
//! clock warning with the advanced-mode reset of the latest time seen, and a field to enter a
//! licence key. Draws only; returns what the operator asked for.

use crate::license::{LicenseReport, LicenseStatus};
use crate::logging::Secret;
use crate::model::support::SupportCommand;

/// Draw the panel. `unlocked`: advanced mode is unlocked (the mark reset needs it).
pub fn about_ui(
    ui: &mut egui::Ui,
    report: &LicenseReport,
    key_entry: &mut String,
    unlocked: bool,
) -> Option<SupportCommand> {
    ui.heading("About courtside");
    ui.label(format!("Version {}", env!("CARGO_PKG_VERSION")));
    ui.separator();
    let warn = ui.visuals().warn_fg_color;
    match &report.status {
        LicenseStatus::Valid { claims, days_left } => {
            ui.label(format!("Licensed to {}", claims.licensee));
            ui.label(format!("Edition: {}", claims.edition));
            ui.label(format!(
                "Expires {} ({days_left} days left)",
                date(claims.expires_at)
            ));
        }
        LicenseStatus::Expired { claims, days_ago } => {
            ui.label(format!("Licensed to {}", claims.licensee));
            ui.colored_label(
                warn,
                format!(
                    "Licence expired on {} ({days_ago} days ago)",
                    date(claims.expires_at)
                ),
            );
        }
        LicenseStatus::Missing => {
            ui.colored_label(warn, "No licence key entered");
        }
        LicenseStatus::Invalid { reason } => {
            ui.colored_label(warn, reason);
        }
    }
    if let Some(behind) = report.clock_set_back {
        ui.colored_label(
            warn,
            format!(
                "The system clock is {} days behind the latest time courtside has seen; \
                 check the computer's date and time",
                behind.as_secs().div_ceil(86_400)
            ),
        );
    }
    let mut command = report
        .clock_set_back
        .and_then(|_| reset_mark_ui(ui, unlocked));
    if report.status.needs_notice() {
        ui.label("Scoring, storage and the scoreboard keep working without a licence.");
    }
    ui.separator();
    ui.horizontal(|ui| {
        let l = ui.label("Licence key");
        ui.add(egui::TextEdit::singleline(key_entry).password(true))
            .labelled_by(l.id)
            .on_hover_text("Paste the licence key you received (it is hidden as you type)");
        if ui
            .add_enabled(!key_entry.trim().is_empty(), egui::Button::new("Apply key"))
            .on_hover_text("Check this key and use it if it is valid")
            .on_disabled_hover_text("Enter a licence key first")
            .clicked()
        {
            command = Some(SupportCommand::ApplyLicense(Secret::new(std::mem::take(
                key_entry,
            ))));
        }
    });
    command
}

/// The reset of the latest time seen: a reason and a button, usable in advanced mode only. The
/// reason is kept in egui's memory while typed (the panel owns no other state for it).
fn reset_mark_ui(ui: &mut egui::Ui, unlocked: bool) -> Option<SupportCommand> {
    let id = ui.make_persistent_id("licence-mark-reason");
    let mut reason = ui.data_mut(|d| d.get_temp::<String>(id).unwrap_or_default());
    let mut command = None;
    ui.horizontal(|ui| {
        let l = ui.label("Reason");
        ui.add_enabled(
            unlocked,
            egui::TextEdit::singleline(&mut reason)
                .hint_text("e.g. BIOS clock was wrong on 12 May")
                .desired_width(260.0),
        )
        .labelled_by(l.id)
        .on_hover_text("Why the latest time seen was wrong; it is written to the log");
        let ready = unlocked && !reason.trim().is_empty();
        if ui
            .add_enabled(ready, egui::Button::new("Reset latest time seen"))
            .on_hover_text(
                "The date and time are right and the latest time seen came from a wrong clock \
                 reading: set it to the current clock (logged with the reason)",
            )
            .on_disabled_hover_text(if unlocked {
                "Give a reason first"
            } else {
                "Needs advanced mode: unlock it in System & support → Advanced"
            })
            .clicked()
        {
            command = Some(SupportCommand::ResetLicenseMark {
                reason: std::mem::take(&mut reason),
            });
        }
    });
    ui.data_mut(|d| d.insert_temp(id, reason));
    command
}

/// The last valid day of a licence whose expiry is `expires_at` (exclusive), as YYYY-MM-DD.
fn date(expires_at: i64) -> String {
    chrono::DateTime::from_timestamp(expires_at - 1, 0).map_or_else(
        || expires_at.to_string(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}
