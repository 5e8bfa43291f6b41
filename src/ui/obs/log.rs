//! The automation log: every action a rule ran, newest first, with its result and latency.

use super::{BAD, OK};
use crate::model::obs::{FIRING_LOG_LEN, ObsView};
use crate::obs::FiringResult;
use egui_extras::{Column, TableBuilder};

/// The Automation log tab.
pub fn firing_log_ui(ui: &mut egui::Ui, view: &ObsView) {
    if view.firings.is_empty() {
        ui.label("No automation action has run yet.");
        return;
    }
    ui.label(
        egui::RichText::new(format!(
            "Newest first; the last {FIRING_LOG_LEN} are shown, the store keeps every one."
        ))
        .weak(),
    );
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    TableBuilder::new(ui)
        .id_salt("obs-firings")
        .striped(true)
        .max_scroll_height(420.0)
        .column(Column::exact(70.0))
        .column(Column::initial(150.0).resizable(true))
        .column(Column::initial(170.0).resizable(true))
        .column(Column::initial(170.0).resizable(true))
        .column(Column::initial(90.0))
        .column(Column::remainder())
        .header(row_h, |mut h| {
            for t in ["Time", "Rule", "Event", "Action", "Latency", "Result"] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(row_h, view.firings.len(), |mut row| {
                let f = &view.firings[row.index()];
                let event = format!("{} · {}", f.cause.event, f.cause.court);
                let event_tip = format!(
                    "{}\ncourt {}, match key {}, event #{}",
                    f.cause.event, f.cause.court, f.cause.match_key, f.cause.event_seq
                );
                let latency = f
                    .latency_us
                    .map_or("not sent".into(), |us| format!("{:.2} ms", us as f64 / 1e3));
                let answered = f.round_trip_us.map_or(String::new(), |us| {
                    format!("; OBS answered in {:.1} ms", us as f64 / 1e3)
                });
                let (result, color) = match &f.result {
                    FiringResult::Done(d) => (format!("done: {d}"), OK),
                    FiringResult::Failed(e) => (format!("failed: {e}"), BAD),
                };
                row.col(|ui| cell(ui, time_of(f.at_ns), None, None));
                row.col(|ui| cell(ui, f.cause.rule_name.clone(), None, None));
                row.col(|ui| cell(ui, event, Some(event_tip), None));
                let action = format!("{} → {}", f.action, f.connection);
                row.col(|ui| cell(ui, action.clone(), Some(action), None));
                let tip = format!("PSS datagram received → request sent{answered}");
                row.col(|ui| cell(ui, latency, Some(tip), None));
                row.col(|ui| cell(ui, result.clone(), Some(result), Some(color)));
            });
        });
}

/// One table cell on one line; the whole text on hover when it is cut.
fn cell(ui: &mut egui::Ui, text: String, hover: Option<String>, color: Option<egui::Color32>) {
    let rich = match color {
        Some(c) => egui::RichText::new(text).color(c),
        None => egui::RichText::new(text),
    };
    let r = ui.add(egui::Label::new(rich).truncate());
    if let Some(h) = hover {
        r.on_hover_text(h);
    }
}

/// Local wall-clock time of a Unix-ns timestamp, "HH:MM:SS".
fn time_of(ns: i64) -> String {
    use chrono::TimeZone;
    chrono::Local
        .timestamp_nanos(ns)
        .format("%H:%M:%S")
        .to_string()
}
