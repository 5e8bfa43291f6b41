//! The flags manager panel: import (button, dialog, drop), files waiting for a code, missing
//! flags of the athletes in the store, a searchable grid with preview, the code mapping.
//!
//! It draws and returns [`FlagsCommand`]s; it does no I/O. The App runs them through a
//! [`crate::flags::FlagsService`] at the end of the frame.

mod grid;
mod mapping;

use crate::flags::service::{FlagsCommand, FlagsState};
use crate::flags::{FlagResolver, FlagSource, FlagTextureCache};
use crate::model::{AppState, Command};
use std::path::PathBuf;

pub use crate::model::panels::FlagsPanel;

/// Draw the flags manager. Returns what the operator asked for.
pub fn flags_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    cache: &mut FlagTextureCache,
) -> Vec<FlagsCommand> {
    let mut commands = Vec::new();
    toolbar_ui(ui, state, &mut commands);
    pending_ui(ui, panel, state, &mut commands);
    missing_ui(ui, panel, state, cache);
    ui.separator();
    mapping::mapping_ui(ui, panel, state, &mut commands);
    mapping::log_ui(ui, state);
    ui.separator();
    grid::grid_ui(ui, panel, state, cache, &mut commands);
    commands
}

fn toolbar_ui(ui: &mut egui::Ui, state: &FlagsState, commands: &mut Vec<FlagsCommand>) {
    ui.horizontal(|ui| {
        if ui
            .button("Import…")
            .on_hover_text("Choose flag images (PNG, JPEG, SVG); the file name gives the code")
            .clicked()
        {
            commands.push(FlagsCommand::PickFiles);
        }
        if ui
            .button("Import folder…")
            .on_hover_text("Import every flag image in a folder")
            .clicked()
        {
            commands.push(FlagsCommand::PickFolder);
        }
        let n = state.resolver.imports().len();
        if ui
            .add_enabled(n > 0, egui::Button::new("Export imported…"))
            .on_hover_text("Write every imported flag to a folder (CODE.ext, original bytes)")
            .clicked()
        {
            commands.push(FlagsCommand::PickExportFolder);
        }
        if ui
            .button("Refresh")
            .on_hover_text("Reload flags, mapping and codes seen from the store")
            .clicked()
        {
            commands.push(FlagsCommand::Refresh);
        }
        match state.progress {
            Some(p) => {
                let frac = if p.total == 0 {
                    0.0
                } else {
                    p.done as f32 / p.total as f32
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(200.0)
                        .text(format!("importing {}/{}", p.done, p.total)),
                );
            }
            None => {
                ui.weak("Drop PNG, JPEG or SVG files (or a folder) on the window to import.");
            }
        }
    });
}

/// Files whose name gives no known code: ask for one.
fn pending_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    commands: &mut Vec<FlagsCommand>,
) {
    if state.pending.is_empty() {
        panel.pending_codes.clear();
        return;
    }
    ui.separator();
    ui.strong("Which code is each of these flags?");
    for p in &state.pending {
        let code = panel
            .pending_codes
            .entry(p.path.clone())
            .or_insert_with(|| {
                p.suggestion
                    .clone()
                    .or_else(|| p.name_code.clone())
                    .unwrap_or_default()
            });
        ui.horizontal(|ui| {
            ui.label(crate::flags::import::file_name(&p.path));
            ui.add(
                egui::TextEdit::singleline(code)
                    .desired_width(60.0)
                    .hint_text("KOR"),
            )
            .on_hover_text("The code this flag is for (IOC code like KOR, or a club code)");
            if ui
                .button("Import as this code")
                .on_hover_text("Import the file as the flag of the code typed here")
                .clicked()
            {
                commands.push(FlagsCommand::ImportAs {
                    path: p.path.clone(),
                    code: code.clone(),
                });
            }
            if ui
                .button("Skip")
                .on_hover_text("Do not import this file")
                .clicked()
            {
                commands.push(FlagsCommand::Dismiss(p.path.clone()));
            }
            if let Some(s) = &p.suggestion {
                ui.weak(format!("(looks like {s})"));
            }
        });
    }
}

/// Codes of athletes in the store without a real flag: missing (red), placeholder (orange).
fn missing_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    cache: &mut FlagTextureCache,
) {
    let since = if panel.only_today {
        start_of_local_day_ns()
    } else {
        i64::MIN
    };
    let problems: Vec<_> = state
        .seen
        .iter()
        .filter(|s| s.last_seen_ns >= since)
        .map(|s| (s, state.resolver.resolve(&s.code)))
        .filter(|(_, r)| r.source == FlagSource::Missing || r.is_placeholder())
        .collect();
    ui.horizontal(|ui| {
        ui.strong("Missing flags for today's athletes");
        ui.checkbox(&mut panel.only_today, "today only")
            .on_hover_text("Only codes of athletes seen today");
    });
    if problems.is_empty() {
        ui.weak("Every athlete seen has a flag.");
        return;
    }
    for (seen, resolved) in problems {
        ui.horizontal(|ui| {
            crate::ui::flag_widget::flag_widget(ui, cache, &resolved, 16.0);
            let (color, what) = if resolved.source == FlagSource::Missing {
                (ui.visuals().error_fg_color, "no flag")
            } else {
                (ui.visuals().warn_fg_color, "placeholder only")
            };
            ui.colored_label(color, format!("{} — {what}", seen.code));
            ui.weak(seen.athletes.join(", "));
            if ui
                .small_button("Map…")
                .on_hover_text("Show another code's flag for this received code")
                .clicked()
            {
                panel.map_from = seen.code.clone();
                panel.map_to = crate::flags::ioc::suggest(&seen.code)
                    .map(|c| c.ioc.to_string())
                    .unwrap_or_default();
            }
        });
    }
}

/// Unix ns of the last local midnight (the start of "today" for the missing-flags list).
fn start_of_local_day_ns() -> i64 {
    use chrono::TimeZone;
    let now = chrono::Local::now();
    now.date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| chrono::Local.from_local_datetime(&t).earliest())
        .and_then(|t| t.timestamp_nanos_opt())
        .unwrap_or(i64::MIN)
}

/// The flags manager window (when the flags service runs) and files dropped anywhere on the
/// main window: both become [`Command::Flags`], run by the app at the end of the frame.
pub fn flags_window(ctx: &egui::Context, s: &mut AppState) {
    if !s.flags_available {
        return;
    }
    if let Some(c) = handle_dropped_files(ctx) {
        s.prefs.show_flags = true;
        s.commands.push(Command::Flags(c));
    }
    if !s.prefs.show_flags {
        return;
    }
    let mut open = true;
    egui::Window::new("Flags")
        .open(&mut open)
        .default_size([760.0, 560.0])
        .show(ctx, |ui| {
            let asked = flags_ui(ui, &mut s.flags_panel, &s.flags, &mut s.flag_cache);
            s.commands.extend(asked.into_iter().map(Command::Flags));
        });
    s.prefs.show_flags = open;
}

/// Call once per frame (from [`flags_window`]): while files hover over the window, paints a hint; when
/// they are dropped, returns the import command (codes from the file names).
pub fn handle_dropped_files(ctx: &egui::Context) -> Option<FlagsCommand> {
    let (hovering, dropped) = ctx.input(|i| {
        let dropped: Vec<PathBuf> = i
            .raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        (!i.raw.hovered_files.is_empty(), dropped)
    });
    if hovering {
        let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("flags-drop"));
        let painter = ctx.layer_painter(layer);
        let rect = ctx.content_rect();
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop flag images (PNG, JPEG, SVG) or a folder to import",
            egui::FontId::proportional(22.0),
            egui::Color32::WHITE,
        );
    }
    (!dropped.is_empty()).then_some(FlagsCommand::Import(dropped))
}

/// Label of where a code's flag comes from, as the grid shows it.
fn source_label(resolver: &FlagResolver, code: &str) -> &'static str {
    let r = resolver.resolve(code);
    match r.source {
        FlagSource::Imported => "imported",
        FlagSource::Builtin if r.is_placeholder() => "placeholder",
        FlagSource::Builtin => "built-in",
        FlagSource::Missing => "missing",
    }
}
