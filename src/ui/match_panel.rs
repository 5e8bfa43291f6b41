//! Match panel: each court's match state at a glance, and the match history.

use crate::match_state::{MatchState, Side};
use crate::model::{AppState, Command};
use egui::{Color32, RichText};

/// The match panel.
pub fn match_panel_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let board = s.scoreboard_court();
    // The courts on top (their own scroll area), the history below in a virtualised list: a
    // tournament store holds hundreds of matches, and laying out every one each frame cost CPU
    // and kept a laid-out text per match in egui's cache.
    let courts_height = (ui.available_height() * 0.6).max(160.0);
    egui::ScrollArea::vertical()
        .id_salt("match-panel")
        .max_height(courts_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (court, state) in &s.courts {
                egui::CollapsingHeader::new(RichText::new(court).strong())
                    .id_salt(("court", court))
                    .default_open(*court == board)
                    .show(ui, |ui| {
                        let mut flags = Flags {
                            resolver: &s.flag_resolver,
                            cache: &mut s.flag_cache,
                        };
                        state_ui(ui, state, Some(&mut flags))
                    })
                    .header_response
                    .on_hover_text(format!("{court}: its current match; click to fold"));
            }
            if s.courts.is_empty() {
                ui.weak("No match received yet.");
            }
        });
    ui.separator();
    history_ui(ui, s);
}

/// What the panel needs to draw flags.
pub struct Flags<'a> {
    /// Code → flag.
    pub resolver: &'a crate::flags::FlagResolver,
    /// Texture cache.
    pub cache: &'a mut crate::flags::FlagTextureCache,
}

/// Placeholder flag: a framed box with the country code (real flags come from the flags module).
pub fn flag_box(ui: &mut egui::Ui, country: &str, size: egui::Vec2) {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let p = ui.painter();
    p.rect_filled(rect, 2.0, Color32::from_gray(60));
    p.rect_stroke(
        rect,
        2.0,
        egui::Stroke::new(1.0, Color32::from_gray(160)),
        egui::StrokeKind::Inside,
    );
    p.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        if country.is_empty() { "?" } else { country },
        egui::FontId::proportional(size.y * 0.45),
        Color32::WHITE,
    );
}

fn side_ui(ui: &mut egui::Ui, colour: Color32, side: &Side, flags: Option<&mut Flags<'_>>) {
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(egui::vec2(8.0, 36.0), egui::Sense::hover());
        ui.painter().rect_filled(r, 2.0, colour);
        match flags {
            Some(f) if !side.country.is_empty() => {
                let resolved = f.resolver.resolve(&side.country);
                crate::ui::flag_widget::flag_widget(ui, f.cache, &resolved, 36.0)
                    .on_hover_text(format!("flag for {}", side.country));
            }
            _ => flag_box(ui, &side.country, egui::vec2(48.0, 36.0)),
        }
        ui.vertical(|ui| {
            ui.label(RichText::new(&side.long_name).strong());
            ui.label(format!(
                "{} · gam-jeom {} · rounds won {}",
                side.country, side.penalties, side.rounds_won
            ));
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(RichText::new(side.score.to_string()).size(28.0).strong());
        });
    });
    ui.label(
        RichText::new(format!(
            "rounds {} / {} / {} · punch {} body {} head {} turning body {} turning head {}",
            side.round_scores[0],
            side.round_scores[1],
            side.round_scores[2],
            side.points.punch,
            side.points.body,
            side.points.head,
            side.points.tech_body,
            side.points.tech_head
        ))
        .small(),
    );
}

/// One match state at a glance (flags drawn when `flags` is given, else code boxes).
pub fn state_ui(ui: &mut egui::Ui, s: &MatchState, mut flags: Option<&mut Flags<'_>>) {
    let i = &s.info;
    ui.label(format!(
        "Match {} · {} · {} · {}",
        i.number, i.phase, i.weight, i.division
    ));
    let clock_color = if s.clock_running {
        ui.visuals().text_color()
    } else {
        Color32::from_rgb(0xE0, 0x40, 0x40)
    };
    ui.horizontal(|ui| {
        ui.label(format!("Round {}", s.round));
        ui.label(RichText::new(&s.clock).size(20.0).color(clock_color))
            .on_hover_text(if s.clock_running {
                "clock running"
            } else {
                "clock stopped"
            });
        if let Some(b) = &s.break_clock {
            ui.label(format!("break {b}"));
        }
    });
    side_ui(ui, crate::ui::theme::BLUE, &s.blue, flags.as_deref_mut());
    side_ui(ui, crate::ui::theme::RED, &s.red, flags);
    if let Some(inj) = &s.injury {
        ui.label(format!(
            "Injury {} {}{}",
            inj.athlete.as_deref().unwrap_or("(athlete not identified)"),
            inj.clock,
            if inj.visible { "" } else { " (hidden)" }
        ));
    }
    if let Some(c) = &s.challenge {
        ui.label(format!("Challenge by {}: {}", c.by, c.status));
    }
    if let Some(w) = s.winner {
        ui.label(
            RichText::new(format!(
                "Winner: {}{}",
                w.name(),
                s.decision
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ))
            .strong(),
        );
    }
    if s.counts.unknown + s.counts.malformed > 0 {
        ui.label(
            RichText::new(format!(
                "{} unknown, {} malformed messages",
                s.counts.unknown, s.counts.malformed
            ))
            .color(Color32::from_rgb(0xE8, 0xA0, 0x20)),
        );
    }
}

fn history_ui(ui: &mut egui::Ui, s: &mut AppState) {
    ui.horizontal(|ui| {
        ui.strong("Match history");
        if ui
            .small_button("Refresh")
            .on_hover_text("Reload the match list from the store")
            .clicked()
        {
            s.commands.push(Command::LoadMatches);
        }
    });
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("match-history")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, s.match_list.len(), |ui, rows| {
            // One line per match (the list is virtualised by a fixed row height); the whole
            // title is in the tooltip.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            for m in &s.match_list[rows] {
                // A court's current match: the list was loaded when it started, so its stored
                // state is old; show the live one.
                let live = (s.court_keys.get(&m.court) == Some(&m.key))
                    .then(|| s.courts.get(&m.court))
                    .flatten()
                    .map(|state| crate::store::MatchRecord {
                        state: state.clone(),
                        ..m.clone()
                    });
                let m = live.as_ref().unwrap_or(m);
                history_row(ui, m, s.table.chosen, &mut s.commands);
            }
        });
}

/// One match of the history: click shows its events, right-click offers report and export.
fn history_row(
    ui: &mut egui::Ui,
    m: &crate::store::MatchRecord,
    chosen: Option<u64>,
    commands: &mut Vec<Command>,
) {
    let st = &m.state;
    let text = crate::ui::event_table::match_title(m);
    let r = ui
        .selectable_label(chosen == Some(m.key), &text)
        .on_hover_text(format!(
            "{text}\n{} · {} · {} datagrams{}\nclick to show its events; right-click for its report and export",
            m.court,
            crate::ui::live_data::local_date_time(m.started_at_ns),
            m.event_count,
            st.winner
                .map(|w| format!(" · winner {}", w.name()))
                .unwrap_or_default()
        ));
    r.context_menu(|ui| match_menu(ui, m.key, commands));
    if r.clicked() {
        commands.push(Command::SelectMatch(Some(m.key)));
    }
}

/// Right-click menu of a match: report, export.
fn match_menu(ui: &mut egui::Ui, key: u64, commands: &mut Vec<Command>) {
    use crate::export::ExportFormat;
    use crate::model::support::SupportCommand;
    if ui
        .button("Match report")
        .on_hover_text("Open this match's report: scores, points and timeline")
        .clicked()
    {
        commands.push(Command::Support(SupportCommand::OpenReport(key)));
        ui.close();
    }
    for f in ExportFormat::ALL {
        let ext = f.extension().to_uppercase();
        if ui
            .button(format!("Export {ext}…"))
            .on_hover_text(format!("Save this match's events as a {ext} file"))
            .clicked()
        {
            commands.push(Command::Support(SupportCommand::ExportMatch {
                key,
                format: f,
                path: None,
            }));
            ui.close();
        }
    }
}
