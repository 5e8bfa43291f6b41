//! Live data: the raw datagram log with receive time, source and parse result.

use crate::model::Command;
use crate::model::panels::AnswerMarks;
use crate::model::state::{LiveLine, LiveLog};
use egui::{Color32, RichText};

/// Colour of the "answer" mark.
const ANSWER: Color32 = Color32::from_rgb(0x40, 0x90, 0xE0);

/// Pause or resume the log view.
pub fn toggle_pause(log: &mut LiveLog) {
    log.paused_at = match log.paused_at {
        Some(_) => None,
        None => Some(log.lines.len()),
    };
}

/// Local wall-clock time with milliseconds.
pub fn local_time(ns: i64) -> String {
    let utc = chrono::DateTime::from_timestamp_nanos(ns);
    utc.with_timezone(&chrono::Local)
        .format("%H:%M:%S%.3f")
        .to_string()
}

/// Local wall-clock time to the second (`12:03:55`), for status lines.
pub fn local_clock(ns: i64) -> String {
    let utc = chrono::DateTime::from_timestamp_nanos(ns);
    utc.with_timezone(&chrono::Local)
        .format("%H:%M:%S")
        .to_string()
}

/// The tag shown before an answer's parse result.
pub const ANSWER_TAG: &str = "answer to courtside's state request";

/// A receive or change time as local date and time to the second (`2026-11-27 14:05:09`), for
/// lists that span days (settings history, match history) where a time alone is ambiguous.
pub fn local_date_time(ns: i64) -> String {
    let utc = chrono::DateTime::from_timestamp_nanos(ns);
    utc.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Raw bytes as visible text: CR, LF and other control bytes escaped (`\r`, `\n`, `\x00`),
/// invalid UTF-8 as U+FFFD.
pub fn visible_raw(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len() + 4);
    for c in String::from_utf8_lossy(raw).chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn line_text(l: &LiveLine, answers: &AnswerMarks) -> String {
    let tag = if answers.contains(l.record.received_at_ns) {
        format!("  [{ANSWER_TAG}]")
    } else {
        String::new()
    };
    format!(
        "{}  {}  {}  {}  {}{tag}",
        local_time(l.record.received_at_ns),
        l.record.source,
        l.record.court,
        visible_raw(&l.record.raw),
        l.result
    )
}

/// The live data panel.
pub fn live_data_ui(ui: &mut egui::Ui, log: &mut LiveLog, commands: &mut Vec<Command>) {
    let shown_len = log.paused_at.unwrap_or(log.lines.len());
    let needle = log.search.to_lowercase();
    let shown: Vec<usize> = (0..shown_len.min(log.lines.len()))
        .filter(|i| {
            needle.is_empty()
                || line_text(&log.lines[*i], &log.answers)
                    .to_lowercase()
                    .contains(&needle)
        })
        .collect();
    ui.horizontal(|ui| {
        ui.strong("Live data");
        let paused = log.paused_at.is_some();
        if ui
            .selectable_label(paused, if paused { "Resume" } else { "Pause" })
            .on_hover_text("Freeze the log to read it (Ctrl+P); nothing is lost meanwhile")
            .clicked()
        {
            toggle_pause(log);
        }
        if let Some(p) = log.paused_at {
            let waiting = log.lines.len().saturating_sub(p);
            ui.label(RichText::new(format!("{waiting} new while paused")).weak());
        }
        ui.checkbox(&mut log.auto_scroll, "Auto-scroll")
            .on_hover_text("Keep the newest datagram in view");
        ui.label("Search:");
        ui.add(egui::TextEdit::singleline(&mut log.search).desired_width(160.0))
            .on_hover_text("Show only datagrams containing this text");
        if ui
            .button("Copy")
            .on_hover_text("Copy the datagrams shown (after search) to the clipboard")
            .clicked()
        {
            let text: Vec<String> = shown
                .iter()
                .map(|i| line_text(&log.lines[*i], &log.answers))
                .collect();
            commands.push(Command::Copy(text.join("\n")));
        }
        ui.label(RichText::new(format!("{} datagrams", shown.len())).weak());
    });
    let row_h = ui.text_style_height(&egui::TextStyle::Monospace) + 2.0;
    egui::ScrollArea::vertical()
        .id_salt("live-log")
        .auto_shrink([false, false])
        .stick_to_bottom(log.auto_scroll)
        .show_rows(ui, row_h, shown.len(), |ui, range| {
            for i in range {
                let l = &log.lines[shown[i]];
                let color = if l.problem {
                    Color32::from_rgb(0xE0, 0x40, 0x40)
                } else {
                    ui.visuals().text_color()
                };
                ui.horizontal(|ui| {
                    ui.monospace(local_time(l.record.received_at_ns));
                    ui.monospace(RichText::new(&l.record.source).weak());
                    ui.monospace(visible_raw(&l.record.raw));
                    if log.answers.contains(l.record.received_at_ns) {
                        ui.label(RichText::new("answer").color(ANSWER).small())
                            .on_hover_text(
                                "This datagram answered courtside's state request to the scoring \
                                 program (sent at start or after a silent court spoke again); it \
                                 is stored like any datagram",
                            );
                    }
                    ui.label(RichText::new(&l.result).color(color));
                });
            }
        });
}
