//! The chosen court of the hub's Tournament window: its full scoreboard (the scoreboard window's
//! own drawing) and its records of the current match, newest last.

use super::hub_ui::Flags;
use crate::model::hub::HubView;
use crate::model::scoreboard::ScoreboardView;
use crate::model::settings::ScoreboardSettings;
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// The chosen court's scoreboard and records, or a hint to choose one.
pub(crate) fn court_ui(
    ui: &mut egui::Ui,
    hub: &HubView,
    flags: &mut Flags<'_>,
    settings: &ScoreboardSettings,
) {
    let chosen = hub.selected.as_ref().and_then(|c| {
        let status = hub.status.as_ref()?;
        status.courts.get(c).map(|v| (c, v))
    });
    let Some((court, view)) = chosen else {
        ui.heading("Court");
        ui.label("Click a court above for its scoreboard and records.");
        return;
    };
    let number = &view.state.info.number;
    let title = if number.is_empty() {
        format!("{court}: no match loaded")
    } else {
        format!("{court} — match {number}")
    };
    ui.heading(title);
    let codes = [
        view.state.blue.country.as_str(),
        view.state.red.country.as_str(),
    ];
    let [blue_flag, red_flag] = flags.cache.board_flags(ui.ctx(), flags.resolver, codes);
    let board = ScoreboardView {
        state: Some(view.state.clone()),
        court: court.clone(),
        settings: settings.clone(),
        blue_flag,
        red_flag,
        ..ScoreboardView::default()
    };
    let width = ui.available_width();
    let size = egui::vec2(width, (width * 9.0 / 16.0).min(300.0));
    ui.allocate_ui(size, |ui| {
        ui.set_min_size(size);
        super::scoreboard::scoreboard_ui(ui, &board);
    });
    events_table(ui, hub, court);
}

/// The court's records of its current match (as read so far), newest last.
fn events_table(ui: &mut egui::Ui, hub: &HubView, court: &str) {
    let events = &hub.events;
    if let Some(e) = &events.error {
        ui.label(
            RichText::new(format!("Records could not be read: {e}"))
                .color(ui.visuals().error_fg_color),
        );
    }
    if events.court != court {
        ui.label("Reading the records…");
        return;
    }
    let shown = events.records.len() as u64;
    let note = if events.read > shown {
        format!(
            "{} records of match key {} (the newest {shown} shown)",
            events.read, events.match_key
        )
    } else {
        format!("{} records of match key {}", events.read, events.match_key)
    };
    ui.label(RichText::new(note).weak());
    let row_h = 18.0;
    TableBuilder::new(ui)
        .id_salt("hub-court-events")
        .striped(true)
        .stick_to_bottom(true)
        .column(Column::initial(95.0))
        .column(Column::initial(60.0))
        .column(Column::initial(200.0).resizable(true))
        .column(Column::remainder())
        .header(row_h, |mut h| {
            for t in ["Received", "#", "Events", "Datagram"] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(row_h, events.records.len(), |mut row| {
                let r = &events.records[row.index()];
                let labels: Vec<String> = r.events.iter().map(|e| e.label()).collect();
                row.col(|ui| {
                    ui.monospace(time_of(r.received_at_ns));
                });
                row.col(|ui| {
                    ui.label(r.seq.to_string());
                });
                // One line per record (rows are virtualised at a fixed height): the whole text
                // on hover.
                let (labels, raw) = (labels.join(", "), String::from_utf8_lossy(&r.raw));
                row.col(|ui| {
                    ui.add(egui::Label::new(labels.as_str()).truncate())
                        .on_hover_text(labels.as_str());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(RichText::new(raw.as_ref()).monospace()).truncate())
                        .on_hover_text(raw.as_ref());
                });
            });
        });
}

/// Local time of day to the millisecond ("14:03:27.512").
fn time_of(ns: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_nanos(ns)
        .format("%H:%M:%S%.3f")
        .to_string()
}
