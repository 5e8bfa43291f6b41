//! The searchable grid of every code with a flag, and the preview of the selected one.

use super::{FlagsPanel, source_label};
use crate::flags::service::{FlagsCommand, FlagsState};
use crate::flags::{FlagSource, FlagTextureCache, ioc};
use egui_extras::{Column, TableBuilder};

/// Row height of the grid, points.
const ROW_HEIGHT: f32 = 22.0;

/// One grid row: a table code, or an imported code the table does not know.
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    iso2: &'a str,
}

/// The rows matching the search, sorted by code.
fn rows<'a>(state: &'a FlagsState, search: &str) -> Vec<Row<'a>> {
    let needle = search.trim().to_lowercase();
    let table = ioc::COUNTRIES.iter().map(|c| Row {
        code: c.ioc,
        name: c.name,
        iso2: c.iso2.unwrap_or(""),
    });
    let extra = state
        .resolver
        .imports()
        .keys()
        .filter(|code| ioc::lookup(code).is_none())
        .map(|code| Row {
            code,
            name: "(imported, not an IOC code)",
            iso2: "",
        });
    let mut out: Vec<Row<'a>> = table
        .chain(extra)
        .filter(|r| {
            needle.is_empty()
                || r.code.to_lowercase().contains(&needle)
                || r.name.to_lowercase().contains(&needle)
                || r.iso2 == needle
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(b.code));
    out
}

/// Search box, grid (left) and preview (right).
pub(super) fn grid_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    cache: &mut FlagTextureCache,
    commands: &mut Vec<FlagsCommand>,
) {
    let rows = rows(state, &panel.search);
    ui.horizontal(|ui| {
        ui.label("Search:");
        ui.add(
            egui::TextEdit::singleline(&mut panel.search)
                .hint_text("code, country or ISO")
                .desired_width(200.0),
        )
        .on_hover_text("Filter the flags by IOC code, country name or ISO alpha-2 code");
        ui.weak(format!("{} flags", rows.len()));
    });
    ui.columns(2, |cols| {
        table_ui(&mut cols[0], panel, state, cache, &rows);
        preview_ui(&mut cols[1], panel, state, cache, commands);
    });
}

fn table_ui(
    ui: &mut egui::Ui,
    panel: &mut FlagsPanel,
    state: &FlagsState,
    cache: &mut FlagTextureCache,
    rows: &[Row<'_>],
) {
    TableBuilder::new(ui)
        .id_salt("flags-grid")
        .striped(true)
        .column(Column::exact(36.0))
        .column(Column::exact(60.0))
        .column(Column::remainder().clip(true))
        .column(Column::exact(80.0))
        .header(ROW_HEIGHT, |mut h| {
            for title in ["Flag", "Code", "Country", "Source"] {
                h.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        // Virtualised: only the visible rows are laid out and rasterised.
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let r = &rows[row.index()];
                let selected = panel.selected.as_deref() == Some(r.code);
                row.set_selected(selected);
                row.col(|ui| {
                    crate::ui::flag_widget::flag_widget(
                        ui,
                        cache,
                        &state.resolver.resolve(r.code),
                        ROW_HEIGHT - 6.0,
                    );
                });
                row.col(|ui| {
                    if ui
                        .selectable_label(selected, r.code)
                        .on_hover_text("Show this flag larger")
                        .clicked()
                    {
                        panel.selected = Some(r.code.to_string());
                    }
                });
                row.col(|ui| {
                    ui.label(r.name);
                });
                row.col(|ui| {
                    ui.label(source_label(&state.resolver, r.code));
                });
            });
        });
}

fn preview_ui(
    ui: &mut egui::Ui,
    panel: &FlagsPanel,
    state: &FlagsState,
    cache: &mut FlagTextureCache,
    commands: &mut Vec<FlagsCommand>,
) {
    let Some(code) = panel.selected.as_deref() else {
        ui.weak("Select a code to preview its flag.");
        return;
    };
    let resolved = state.resolver.resolve(code);
    crate::ui::flag_widget::flag_widget(ui, cache, &resolved, 120.0);
    ui.heading(format!(
        "{code} — {}",
        resolved.country.map_or("(not an IOC code)", |c| c.name)
    ));
    if resolved.mapped {
        ui.label(format!("Mapped: shows the flag of {}", resolved.code));
    }
    ui.label(format!("ISO: {}", resolved.iso2().unwrap_or("-")));
    ui.label(format!("Source: {}", source_label(&state.resolver, code)));
    if resolved.is_placeholder() {
        ui.weak("Placeholder drawn by courtside (no licensed flag bundled). Import the real one.");
    }
    if let Some(err) = resolved.image.as_ref().and_then(|i| cache.failure(&i.key)) {
        ui.colored_label(ui.visuals().error_fg_color, format!("cannot draw: {err}"));
    }
    let mapped_here: Vec<&str> = state
        .resolver
        .mapping()
        .iter()
        .filter(|(_, to)| to.as_str() == code)
        .map(|(from, _)| from.as_str())
        .collect();
    if !mapped_here.is_empty() {
        ui.label(format!("Also shown for: {}", mapped_here.join(", ")));
    }
    if let Some(imported) = state.resolver.imports().get(code) {
        let m = &imported.meta;
        ui.label(format!(
            "Imported from {} ({} KB, {}×{}) at {}",
            m.source_name,
            m.bytes.div_ceil(1024),
            m.width,
            m.height,
            local_time(m.imported_at_ns)
        ));
        let label = if ioc::lookup(code).is_some() {
            "Revert to built-in"
        } else {
            "Remove imported flag"
        };
        if ui
            .button(label)
            .on_hover_text("Drop the imported flag of this code")
            .clicked()
        {
            commands.push(FlagsCommand::Revert(code.to_string()));
        }
    } else if resolved.source == FlagSource::Missing {
        ui.weak("No flag: import one (drop a file named like this code).");
    }
}

/// Unix ns as local "YYYY-MM-DD HH:MM".
pub(super) fn local_time(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns)
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
