//! The hub's "Tournament" window (`courtside hub` with a window): every court in one grid, the
//! chosen court's scoreboard and records, the finished matches with their export. Draws
//! `model::hub` and pushes `Command::Hub`; the reads and the export run as jobs in the app.

use crate::export::ExportFormat;
use crate::flags::{FlagResolver, FlagTextureCache};
use crate::model::hub::{Badge, Connection, CourtRow, HubCommand, HubView, court_rows, link_text};
use crate::model::{AppState, Command};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

const OK: Color32 = Color32::from_rgb(0x3C, 0xB3, 0x71);
const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);
const WARN: Color32 = Color32::from_rgb(0xE8, 0xA0, 0x20);
/// Blue and red as the scoreboard's default colours, for the score cell.
const BLUE: Color32 = Color32::from_rgb(0x3A, 0x6E, 0xE8);
const RED: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);

/// The flags the grid draws with (resolver and texture cache of the app state).
pub(crate) struct Flags<'a> {
    pub(crate) resolver: &'a FlagResolver,
    pub(crate) cache: &'a mut FlagTextureCache,
}

/// The Tournament window, while this courtside is a hub and the window is open.
pub fn hub_window(ctx: &egui::Context, s: &mut AppState) {
    if s.hub.status.is_none() {
        return;
    }
    let mut open = s.prefs.show_tournament;
    egui::Window::new("Tournament")
        .open(&mut open)
        .default_width(1250.0)
        .default_height(720.0)
        .show(ctx, |ui| hub_ui(ui, s));
    s.prefs.show_tournament = open;
}

/// The window's content.
pub fn hub_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let AppState {
        hub,
        flag_resolver,
        flag_cache,
        commands,
        settings,
        ..
    } = s;
    let mut flags = Flags {
        resolver: flag_resolver,
        cache: flag_cache,
    };
    header(ui, hub);
    ui.separator();
    courts_grid(ui, hub, &mut flags, commands);
    ui.separator();
    ui.columns(2, |cols| {
        let scoreboard = &settings.scoreboard;
        super::hub_court_ui::court_ui(&mut cols[0], hub, &mut flags, scoreboard);
        results_ui(&mut cols[1], hub, commands);
    });
}

fn header(ui: &mut egui::Ui, hub: &HubView) {
    let Some(status) = &hub.status else { return };
    let (text, fault) = link_text(&status.link);
    ui.horizontal_wrapped(|ui| {
        let color = if fault { BAD } else { OK };
        ui.label(RichText::new(text).color(color).strong());
        ui.label(
            RichText::new(format!(
                "· {} courts · {} datagrams stored this run · {} duplicates dropped",
                status.courts.len(),
                status.stored,
                status.duplicates
            ))
            .weak(),
        );
    });
}

fn courts_grid(
    ui: &mut egui::Ui,
    hub: &HubView,
    flags: &mut Flags<'_>,
    commands: &mut Vec<Command>,
) {
    let Some(status) = &hub.status else { return };
    let rows = court_rows(status, crate::store::writer::now_ns());
    if rows.is_empty() {
        ui.label(
            "No court heard yet. Courts appear here once they publish (Settings → Tournament on \
             each court laptop, or courtside listen --nats … --tournament …).",
        );
        return;
    }
    let row_h = 24.0;
    TableBuilder::new(ui)
        .id_salt("hub-courts")
        .striped(true)
        .max_scroll_height(row_h * 8.5)
        .column(Column::initial(90.0).resizable(true))
        .column(Column::initial(60.0))
        .column(Column::initial(100.0).resizable(true))
        .column(Column::initial(200.0).resizable(true))
        .column(Column::initial(70.0))
        .column(Column::initial(200.0).resizable(true))
        .column(Column::initial(100.0))
        .column(Column::initial(80.0))
        .column(Column::initial(170.0).resizable(true))
        .column(Column::initial(90.0))
        .column(Column::remainder().at_least(80.0))
        .header(20.0, |mut h| {
            for t in [
                "Court",
                "Match",
                "Phase",
                "Blue",
                "Score",
                "Red",
                "Round",
                "Clock",
                "",
                "Last seen",
                "Link",
            ] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(row_h, rows.len(), |mut row| {
                let r = &rows[row.index()];
                let chosen = hub.selected.as_deref() == Some(r.court.as_str());
                row.col(|ui| {
                    if ui
                        .selectable_label(chosen, RichText::new(&r.court).strong())
                        .on_hover_text("Show this court's scoreboard and records")
                        .clicked()
                    {
                        let pick = (!chosen).then(|| r.court.clone());
                        commands.push(Command::Hub(HubCommand::SelectCourt(pick)));
                    }
                });
                court_cells(&mut row, r, flags);
            });
        });
}

fn court_cells(row: &mut egui_extras::TableRow<'_, '_>, r: &CourtRow, flags: &mut Flags<'_>) {
    row.col(|ui| {
        ui.label(r.number.as_str());
    });
    row.col(|ui| {
        ui.label(r.phase.as_str());
    });
    row.col(|ui| athlete(ui, &r.blue, flags));
    row.col(|ui| {
        ui.label(score_text(ui, r.score));
    });
    row.col(|ui| athlete(ui, &r.red, flags));
    row.col(|ui| {
        ui.label(r.round.as_str());
    });
    row.col(|ui| {
        ui.monospace(r.clock.as_str());
    });
    row.col(|ui| {
        ui.horizontal(|ui| {
            for b in &r.badges {
                let color = match b {
                    Badge::Challenge(_) => WARN,
                    Badge::Injury(_) => BAD,
                    Badge::Winner(_) | Badge::Tie => OK,
                };
                ui.label(RichText::new(b.text()).color(color).strong());
            }
        });
    });
    row.col(|ui| {
        ui.label(r.age.as_str());
    });
    row.col(|ui| {
        let (color, tip) = match r.connection {
            Connection::Live => (OK, "Heard within the last minute"),
            Connection::Stale => (
                WARN,
                "Not heard for over a minute: check the court laptop, its network and its \
                 tournament link (status bar there)",
            ),
            Connection::HubDown => (BAD, "The hub is not connected: see the line above"),
        };
        ui.label(RichText::new(r.connection.text()).color(color))
            .on_hover_text(tip);
    });
}

/// "6 – 5" in one label, blue's number in blue and red's in red.
fn score_text(ui: &egui::Ui, (blue, red): (u32, u32)) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let fmt = |color| egui::TextFormat::simple(font.clone(), color);
    let mut job = egui::text::LayoutJob::default();
    job.append(&blue.to_string(), 0.0, fmt(BLUE));
    job.append(" – ", 0.0, fmt(ui.visuals().text_color()));
    job.append(&red.to_string(), 0.0, fmt(RED));
    job
}

/// A flag and a name.
fn athlete(ui: &mut egui::Ui, (name, country): &(String, String), flags: &mut Flags<'_>) {
    ui.horizontal(|ui| {
        if !country.is_empty() {
            let resolved = flags.resolver.resolve(country);
            super::flag_widget::flag_widget(ui, flags.cache, &resolved, 14.0)
                .on_hover_text(country.as_str());
        }
        ui.label(name.as_str());
    });
}

fn results_ui(ui: &mut egui::Ui, hub: &HubView, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading("Finished matches");
        let idle = hub.exporting.is_none();
        for (label, format) in [
            ("Export CSV…", ExportFormat::Csv),
            ("Export JSON…", ExportFormat::Json),
        ] {
            if ui
                .add_enabled(idle, egui::Button::new(label))
                .on_hover_text("Every finished match, as `courtside results` writes it")
                .clicked()
            {
                let c = HubCommand::ExportResults { format, path: None };
                commands.push(Command::Hub(c));
            }
        }
        if ui.button("Reload").clicked() {
            commands.push(Command::Hub(HubCommand::ReloadResults));
        }
    });
    if let Some(what) = &hub.exporting {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("{what}…"));
        });
    }
    match &hub.last_export {
        Some(Ok(done)) => {
            ui.label(RichText::new(done).color(OK));
        }
        Some(Err(e)) => {
            ui.label(RichText::new(format!("Export failed: {e}")).color(BAD));
        }
        None => {}
    }
    let list = &hub.results;
    if let Some(e) = &list.error {
        ui.label(RichText::new(format!("Results could not be read: {e}")).color(BAD));
    }
    if list.items.is_empty() {
        ui.label(if list.loaded {
            "No finished match yet."
        } else {
            "Reading the results…"
        });
        return;
    }
    results_table(ui, hub);
}

fn results_table(ui: &mut egui::Ui, hub: &HubView) {
    let items = &hub.results.items;
    TableBuilder::new(ui)
        .id_salt("hub-results")
        .striped(true)
        .column(Column::initial(60.0).resizable(true))
        .column(Column::initial(50.0))
        .column(Column::initial(150.0).resizable(true))
        .column(Column::initial(70.0).resizable(true))
        .column(Column::remainder())
        .header(20.0, |mut h| {
            for t in ["Court", "Match", "Winner", "Decision", "Rounds (blue–red)"] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            // Newest first: the results desk looks for the match that just ended.
            body.rows(20.0, items.len(), |mut row| {
                let r = &items[items.len() - 1 - row.index()];
                let who = format!(
                    "{} ({}) – {} ({}), {}",
                    r.blue.name, r.blue.country, r.red.name, r.red.country, r.phase
                );
                row.col(|ui| {
                    ui.label(r.court.as_str());
                });
                row.col(|ui| {
                    ui.label(r.number.as_str()).on_hover_text(who.as_str());
                });
                row.col(|ui| {
                    ui.label(crate::model::hub::winner_text(r))
                        .on_hover_text(who.as_str());
                });
                row.col(|ui| {
                    ui.label(r.decision.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(crate::model::hub::round_scores_text(r));
                });
            });
        });
}
