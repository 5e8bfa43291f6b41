//! The event table: one row per event of the chosen match, virtualised, with filters.

use crate::model::state::EventTable;
use crate::model::table_model::{AthleteFilter, RowKind, RowMeta};
use crate::model::{AppState, Command};
use crate::review::{Prefer, VideoSegment, locate};
use crate::store::MatchRecord;
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

/// Row height of the table.
const ROW_HEIGHT: f32 = 20.0;

#[path = "event_table_video.rs"]
mod video;
pub use video::SHOW_ON_VIDEO;
use video::{row_menu, selected_id, show, video_cell};

/// The event table with its filter bar and match selector.
pub fn event_table_ui(ui: &mut egui::Ui, s: &mut AppState) {
    match_selector_ui(ui, s);
    filters_ui(ui, &mut s.table, &mut s.commands);
    let t = &s.table;
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} of {} events shown",
            t.visible_len(),
            t.rows.len()
        ));
        if let Some((loaded, total)) = t.loading {
            let frac = if total == 0 {
                0.0
            } else {
                loaded as f32 / total as f32
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(200.0)
                    .text(format!("loading {loaded} / {total} datagrams")),
            );
        }
        if t.builder.overflowed || t.rows.full {
            ui.colored_label(
                Color32::from_rgb(0xE0, 0x40, 0x40),
                "this match runs past 4 294 967 295 datagrams or events: later events are stored but not listed here",
            );
        }
        if t.searching() {
            ui.spinner();
            ui.label("searching…");
        }
    });
    table_ui(ui, &mut s.table, &s.review.segments, &mut s.commands);
}

/// One line describing a stored match.
pub fn match_title(m: &MatchRecord) -> String {
    let st = &m.state;
    if st.info.number.is_empty() && st.blue.long_name.is_empty() && st.red.long_name.is_empty() {
        return format!(
            "(no match loaded) — {} · {} · {} datagram(s)",
            m.court,
            crate::ui::live_data::local_date_time(m.started_at_ns),
            m.event_count
        );
    }
    let name = |n: &str, c: &str| {
        if n.is_empty() {
            "?".to_string()
        } else {
            format!("{n} ({c})")
        }
    };
    format!(
        "#{} {} — {} {}:{} {} — {} · {}",
        if st.info.number.is_empty() {
            "?"
        } else {
            &st.info.number
        },
        st.info.phase,
        name(&st.blue.short_name, &st.blue.country),
        st.blue.score,
        st.red.score,
        name(&st.red.short_name, &st.red.country),
        m.court,
        crate::ui::live_data::local_time(m.started_at_ns),
    )
}

fn match_selector_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let court = s.scoreboard_court();
    let current = match s.table.chosen {
        None => format!("Current match ({court})"),
        Some(k) => s
            .match_list
            .iter()
            .find(|m| m.key == k)
            .map(match_title)
            .unwrap_or_else(|| format!("Match {k}")),
    };
    ui.horizontal(|ui| {
        ui.label("Match:");
        let mut chosen = s.table.chosen;
        egui::ComboBox::from_id_salt("match-selector")
            .width(520.0)
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut chosen,
                    None,
                    format!("Current match ({court}) — follows new matches"),
                );
                // Only the rows in view are laid out: a store used for months holds thousands.
                let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
                egui::ScrollArea::vertical()
                    .id_salt("match-selector-rows")
                    .max_height(row * 16.0)
                    .show_rows(ui, row, s.match_list.len(), |ui, range| {
                        for m in &s.match_list[range] {
                            ui.selectable_value(&mut chosen, Some(m.key), match_title(m));
                        }
                    });
            })
            .response
            .on_hover_text("The current match, or any earlier match in the store");
        if chosen != s.table.chosen {
            s.commands.push(Command::SelectMatch(chosen));
        }
        ui.checkbox(&mut s.table.follow, "Follow newest")
            .on_hover_text(
                "Keep the newest event in view (Ctrl+F); untick to pause and scroll back",
            );
    });
}

fn filters_ui(ui: &mut egui::Ui, t: &mut EventTable, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Athlete:");
        egui::ComboBox::from_id_salt("athlete-filter")
            .selected_text(format!("{:?}", t.filter.athlete))
            .show_ui(ui, |ui| {
                for a in [
                    AthleteFilter::All,
                    AthleteFilter::Blue,
                    AthleteFilter::Red,
                    AthleteFilter::Neither,
                ] {
                    ui.selectable_value(&mut t.filter.athlete, a, format!("{a:?}"));
                }
            })
            .response
            .on_hover_text("Show events of one athlete only");
        ui.label("Round:");
        egui::ComboBox::from_id_salt("round-filter")
            .selected_text(t.filter.round.map_or("All".into(), |r| r.to_string()))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut t.filter.round, None, "All");
                for r in 1..=4u8 {
                    let label = if r == 4 {
                        "4 (golden)".into()
                    } else {
                        r.to_string()
                    };
                    ui.selectable_value(&mut t.filter.round, Some(r), label);
                }
            })
            .response
            .on_hover_text("Show events of one round only");
        for k in RowKind::ALL {
            let mut on = t.filter.kinds & k.bit() != 0;
            if ui
                .checkbox(&mut on, k.label())
                .on_hover_text(format!("Show {} events", k.label().to_lowercase()))
                .changed()
            {
                t.filter.kinds ^= k.bit();
            }
        }
        ui.label("Search:");
        let r = ui
            .add(egui::TextEdit::singleline(&mut t.filter.text).desired_width(160.0))
            .on_hover_text("Find events whose label or raw text contains this");
        if r.changed() {
            commands.push(Command::SearchText(t.filter.text.clone()));
        }
    });
}

fn table_ui(
    ui: &mut egui::Ui,
    t: &mut EventTable,
    video: &[VideoSegment],
    commands: &mut Vec<Command>,
) {
    let mut missing: Vec<u64> = Vec::new();
    let n = t.visible_len();
    let key = t.key.unwrap_or(0);
    let selected: Option<(u64, u64)> = ui.data(|d| d.get_temp(selected_id()));
    let selected = selected.filter(|(k, _)| t.key == Some(*k)).map(|(_, s)| s);
    if let (Some(k), Some(seq)) = (t.key, selected)
        && !ui.ctx().egui_wants_keyboard_input()
        && ui.input_mut(|i| i.consume_shortcut(&SHOW_ON_VIDEO))
    {
        commands.push(show(k, seq));
    }
    let mut clicked = None;
    // A click or right-click anywhere on a row is the row's (choose it, its menu): labels that
    // select text would take those clicks. The raw text is in each event's hover.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui)
        .id_salt("events")
        .sense(egui::Sense::click())
        .striped(true)
        .resizable(true)
        .stick_to_bottom(t.follow)
        .column(Column::initial(70.0).at_least(50.0))
        .column(Column::initial(100.0))
        .column(Column::initial(40.0))
        .column(Column::initial(50.0))
        .column(Column::initial(40.0))
        .column(Column::initial(50.0))
        .column(Column::remainder().at_least(160.0))
        .column(Column::initial(70.0));
    // The video column only where something was recorded (a store without video is unchanged).
    if !video.is_empty() {
        builder = builder.column(Column::initial(90.0));
    }
    if t.follow && n > 0 && n != t.scrolled_to {
        builder = builder.scroll_to_row(n - 1, Some(egui::Align::BOTTOM));
    }
    t.scrolled_to = if t.follow { n } else { 0 };
    builder
        .header(ROW_HEIGHT, |mut h| {
            for (title, tip) in [
                ("Seq", "Store sequence number of the datagram"),
                ("Received", "Local time the datagram arrived"),
                ("Rnd", "Round"),
                ("Clock", "Match clock at that moment"),
                ("Ath", "Athlete (blue / red)"),
                ("Code", "Message code on the wire"),
                ("Event", "What happened (hover for the raw text)"),
                ("Hit", "Sensor hit level"),
            ] {
                h.col(|ui| {
                    ui.strong(title).on_hover_text(tip);
                });
            }
            if !video.is_empty() {
                h.col(|ui| {
                    ui.strong("Video").on_hover_text(
                        "Where the event is in the match's recording (else a saved replay): \
                         offset from the file's start",
                    );
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, n, |mut row| {
                let Some(meta) = t.visible_row(row.index()) else {
                    return;
                };
                let seq = meta.seq(key);
                let rec = t.cache.get(seq).cloned();
                // Parts of one datagram are neighbours: one fetch per datagram.
                if rec.is_none() && missing.last() != Some(&seq) {
                    missing.push(seq);
                }
                row.set_selected(selected == Some(seq));
                row_cells(&mut row, &meta, seq, rec.as_deref());
                let spot = rec.as_deref().and_then(|r| {
                    (!video.is_empty())
                        .then(|| locate(video, r.received_at_ns, Prefer::Recording))
                        .flatten()
                });
                let Some(k) = t.key else {
                    return;
                };
                if !video.is_empty() {
                    video_cell(&mut row, spot.as_ref(), || commands.push(show(k, seq)));
                }
                let r = row.response();
                // A right-click chooses the row too: the menu's row is the highlighted one.
                if r.clicked() || r.secondary_clicked() {
                    clicked = Some((k, seq));
                }
                let known = rec.is_some().then_some(spot.as_ref());
                r.context_menu(|ui| row_menu(ui, known, || commands.push(show(k, seq))));
            });
        });
    if let Some(c) = clicked {
        ui.data_mut(|d| d.insert_temp(selected_id(), c));
    }
    if !missing.is_empty() {
        commands.push(Command::FetchRecords(missing));
    }
}

fn row_cells(
    row: &mut egui_extras::TableRow<'_, '_>,
    m: &RowMeta,
    seq: u64,
    rec: Option<&crate::store::EventRecord>,
) {
    let event = rec.and_then(|r| r.events.get(usize::from(m.part)));
    row.col(|ui| {
        ui.label(if m.part == 0 {
            seq.to_string()
        } else {
            format!("{seq}.{}", m.part)
        });
    });
    row.col(|ui| match rec {
        Some(r) => {
            ui.label(crate::ui::live_data::local_time(r.received_at_ns));
        }
        None => {
            ui.weak("…");
        }
    });
    row.col(|ui| {
        ui.label(if m.round == 0 {
            String::new()
        } else {
            m.round.to_string()
        });
    });
    row.col(|ui| {
        ui.label(format!("{}:{:02}", m.clock / 60, m.clock % 60));
    });
    row.col(|ui| {
        if let Some(c) = crate::ui::theme::athlete_color(m.athlete()) {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(28.0, 14.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 3.0, c);
        }
    });
    row.col(|ui| {
        ui.monospace(event.map(|e| e.code()).unwrap_or_default());
    });
    row.col(|ui| match (event, rec) {
        (Some(e), Some(r)) => {
            let color = match m.kind() {
                RowKind::Malformed => Color32::from_rgb(0xE0, 0x40, 0x40),
                RowKind::Unknown => Color32::from_rgb(0xE8, 0xA0, 0x20),
                _ => ui.visuals().text_color(),
            };
            ui.label(RichText::new(e.label()).color(color))
                .on_hover_text(format!(
                    "raw: {}",
                    crate::ui::live_data::visible_raw(&r.raw)
                ));
        }
        _ => {
            ui.weak("…");
        }
    });
    row.col(|ui| {
        if m.hit_level > 0 {
            ui.label(m.hit_level.to_string());
        }
    });
}
