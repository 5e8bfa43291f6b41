//! The code mapping editor ("code received from PSS → IOC flag"), its history, and the report.

use super::FlagsPanel;
use super::grid::local_time;
use crate::flags::ioc;
use crate::flags::service::{FlagsCommand, FlagsState};

/// Current mappings with remove buttons, an add/change row, and the change history.
pub(super) fn mapping_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    commands: &mut Vec<FlagsCommand>,
) {
    let title = format!("Code mapping ({})", state.resolver.mapping().len());
    egui::CollapsingHeader::new(title)
        .id_salt("flags-mapping")
        .default_open(!state.resolver.mapping().is_empty())
        .show(ui, |ui| {
            ui.weak("For scoring systems that send other codes (ISO alpha-3, club codes).");
            for (from, to) in state.resolver.mapping() {
                ui.horizontal(|ui| {
                    ui.monospace(format!("{from} → {to}"));
                    if ui
                        .small_button("Remove")
                        .on_hover_text("Remove this mapping")
                        .clicked()
                    {
                        commands.push(FlagsCommand::RemoveMapping(from.clone()));
                    }
                });
            }
            editor_ui(ui, panel, state, commands);
            history_ui(ui, state);
        })
        .header_response
        .on_hover_text("Show another code's flag for codes the scoring system sends");
}

fn editor_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    commands: &mut Vec<FlagsCommand>,
) {
    ui.horizontal(|ui| {
        ui.label("Received");
        ui.add(
            egui::TextEdit::singleline(&mut panel.map_from)
                .desired_width(60.0)
                .hint_text("HRV"),
        )
        .on_hover_text("The code the scoring system sends (e.g. ISO alpha-3 HRV)");
        ui.label("→ flag of");
        ui.add(
            egui::TextEdit::singleline(&mut panel.map_to)
                .desired_width(60.0)
                .hint_text("CRO"),
        )
        .on_hover_text("The code whose flag to show instead (an IOC code or an imported one)");
        let target = ioc::normalize_code(&panel.map_to);
        let known = target
            .as_deref()
            .is_some_and(|t| state.resolver.is_known_code(t));
        let ready = known && ioc::normalize_code(&panel.map_from).is_some();
        if ui
            .add_enabled(ready, egui::Button::new("Save mapping"))
            .on_hover_text("Show the second code's flag whenever the first code is received")
            .clicked()
        {
            commands.push(FlagsCommand::SetMapping {
                from: panel.map_from.clone(),
                to: panel.map_to.clone(),
            });
            panel.map_from.clear();
            panel.map_to.clear();
        }
        match target.as_deref().and_then(ioc::lookup) {
            Some(c) => {
                ui.weak(c.name);
            }
            None if !panel.map_to.trim().is_empty() && !known => {
                ui.colored_label(ui.visuals().warn_fg_color, "no flag for that code");
            }
            None => {}
        }
    });
    if let Some(s) = ioc::normalize_code(&panel.map_from)
        .as_deref()
        .and_then(ioc::suggest)
        && panel.map_to.trim().is_empty()
    {
        ui.weak(format!(
            "{} looks like {} ({})",
            panel.map_from.trim(),
            s.ioc,
            s.name
        ));
    }
}

fn history_ui(ui: &mut egui::Ui, state: &FlagsState) {
    if state.history.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("History")
        .id_salt("flags-mapping-history")
        .show(ui, |ui| {
            for c in &state.history {
                let old = c.old.as_deref().unwrap_or("—");
                let new = c.new.as_deref().unwrap_or("—");
                ui.label(format!(
                    "{}  {}: {old} → {new}  ({})",
                    local_time(c.at_ns),
                    c.from,
                    c.source
                ));
            }
        })
        .header_response
        .on_hover_text("Every mapping change: when, which code, old → new, made where");
}

/// The import/export report, newest first; errors in the error colour.
pub(super) fn log_ui(ui: &mut egui::Ui, state: &FlagsState) {
    if state.log.is_empty() {
        return;
    }
    let errors = state.log.iter().filter(|l| !l.ok).count();
    egui::CollapsingHeader::new(format!("Report ({errors} problems)"))
        .id_salt("flags-report")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(120.0)
                .id_salt("flags-report-scroll")
                .show(ui, |ui| {
                    for line in state.log.iter().rev() {
                        if line.ok {
                            ui.label(&line.text);
                        } else {
                            ui.colored_label(ui.visuals().error_fg_color, &line.text);
                        }
                    }
                });
        })
        .header_response
        .on_hover_text("What the last imports, exports and mapping changes did, newest first");
}
