//! The About panel: version and licence status (licensee, edition, expiry, days left), the
//! clock warning, and a field to enter a licence key. Draws only; returns the key entered.

use crate::license::{LicenseReport, LicenseStatus};
use crate::logging::Secret;

/// Draw the panel; returns a licence key when the operator applies one.
pub fn about_ui(
    ui: &mut egui::Ui,
    report: &LicenseReport,
    key_entry: &mut String,
) -> Option<Secret> {
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
    if report.status.needs_notice() {
        ui.label("Scoring, storage and the scoreboard keep working without a licence.");
    }
    ui.separator();
    let mut applied = None;
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
            applied = Some(Secret::new(std::mem::take(key_entry)));
        }
    });
    applied
}

/// The last valid day of a licence whose expiry is `expires_at` (exclusive), as YYYY-MM-DD.
fn date(expires_at: i64) -> String {
    chrono::DateTime::from_timestamp(expires_at - 1, 0).map_or_else(
        || expires_at.to_string(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}
