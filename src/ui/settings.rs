//! Settings window: listeners, scoreboard appearance, theme, store location, history.

use crate::model::settings::Theme;
use crate::model::state::{InterfaceChoice, ListenerDraft, SettingsDraft};
use crate::model::{AppState, Command, SettingsCommand};
use crate::store::SettingChange;
use egui::{Color32, RichText};

const ERR: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);

/// The settings window (when open).
pub fn settings_window(ctx: &egui::Context, s: &mut AppState) {
    let mut open = s.prefs.show_settings;
    egui::Window::new("Settings")
        .open(&mut open)
        // Wide enough for a listener row (address, port, court, sources, lock, PSS address and
        // request port) without squeezing its fields.
        .default_width(980.0)
        .default_height(640.0)
        .vscroll(false)
        .show(ctx, |ui| {
            // "Save and apply" stays in view below the form, however long it grows (listeners,
            // scoreboard, web, tournament…): the form scrolls, the buttons do not.
            egui::Panel::bottom("settings-actions").show(ui, |ui| actions_ui(ui, s));
            egui::ScrollArea::vertical().show(ui, |ui| form_ui(ui, s));
        });
    s.prefs.show_settings = open;
}

/// Save and Revert, the save's progress and outcome.
pub fn actions_ui(ui: &mut egui::Ui, s: &mut AppState) {
    ui.horizontal(|ui| {
        let save = ui
            .add_enabled(!s.draft.saving, egui::Button::new("Save and apply"))
            .on_hover_text("Check every field; if all are valid, store and apply them now");
        if save.clicked()
            && let Some(new) = s.draft.to_settings()
        {
            s.commands
                .push(Command::Settings(SettingsCommand::Save(Box::new(new))));
        }
        if ui
            .button("Revert")
            .on_hover_text("Discard the edits and show the settings in force")
            .clicked()
        {
            s.draft = SettingsDraft::from_settings(&s.settings);
        }
        if s.draft.saving {
            ui.spinner();
        }
        if let Some(e) = &s.draft.error {
            ui.label(RichText::new(e).color(ERR));
        }
        if let Some(st) = &s.draft.status {
            ui.label(st);
        }
    });
}

/// The whole settings content in one column: the form, then Save and Revert (tests draw it
/// alone; the window pins the buttons below the scrolling form).
pub fn settings_ui(ui: &mut egui::Ui, s: &mut AppState) {
    form_ui(ui, s);
    ui.separator();
    actions_ui(ui, s);
}

/// The settings form: listeners, scoreboard, web, tournament, theme, store, history.
pub fn form_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let courts: Vec<String> = s.draft.listeners.iter().map(|l| l.court.clone()).collect();
    listeners_ui(ui, &mut s.draft, &s.interfaces);
    ui.separator();
    scoreboard_ui(ui, &mut s.draft, &courts);
    ui.separator();
    let ifaces = &s.interfaces;
    crate::ui::web_ui::settings_section(ui, &mut s.draft.web, &mut s.web, ifaces, &mut s.commands);
    ui.separator();
    crate::ui::tournament_ui::tournament_settings_ui(ui, s);
    ui.separator();
    ui.horizontal(|ui| {
        ui.strong("Theme");
        ui.radio_value(&mut s.draft.theme, Theme::Dark, "Dark")
            .on_hover_text("Dark theme (dim halls)");
        ui.radio_value(&mut s.draft.theme, Theme::Light, "Light")
            .on_hover_text("Light theme (bright rooms)");
    });
    ui.horizontal(|ui| {
        ui.strong("Store location");
        let unlocked = s.support.unlocked();
        ui.add_enabled(
            unlocked,
            egui::TextEdit::singleline(&mut s.draft.store_path).desired_width(360.0),
        )
        .on_hover_text("Store file used from the next start (empty: the default location)")
        .on_disabled_hover_text(
            "Changing the store location needs advanced mode (System & support → Advanced)",
        );
        if ui
            .add_enabled(unlocked, egui::Button::new("Browse…"))
            .on_hover_text("Choose the store file with a file dialog")
            .clicked()
        {
            s.commands
                .push(Command::Settings(SettingsCommand::PickStorePath));
        }
    });
    if let Some(e) = &s.draft.store_path_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    ui.label(RichText::new(format!("Current store: {}", s.store.path)).weak());
    ui.horizontal(|ui| {
        ui.strong("Advanced mode locks after");
        let unlocked = s.support.unlocked();
        ui.add_enabled(
            unlocked,
            egui::TextEdit::singleline(&mut s.draft.lock_minutes).desired_width(50.0),
        )
        .on_hover_text("Minutes without activity before advanced mode locks again (1–240)")
        .on_disabled_hover_text(
            "Changing the lock time needs advanced mode (System & support → Advanced)",
        );
        ui.label("minutes without activity");
        if let Some(e) = &s.draft.lock_error {
            ui.colored_label(ERR, e);
        }
    });
    ui.separator();
    egui::CollapsingHeader::new("History")
        .default_open(false)
        .show(ui, |ui| history_ui(ui, &s.history, &mut s.commands))
        .header_response
        .on_hover_text("Every settings change: when, what, old → new value, and who made it");
}

fn listeners_ui(ui: &mut egui::Ui, d: &mut SettingsDraft, ifaces: &[InterfaceChoice]) {
    ui.strong("UDP listeners (one per court)");
    let mut remove = None;
    let many = d.listeners.len() > 1;
    egui::Grid::new("listeners").striped(true).show(ui, |ui| {
        ui.label("Address");
        ui.label("Port");
        ui.label("Court");
        ui.label("Allowed sources");
        ui.label("Source lock");
        ui.label("PSS address");
        ui.label("PSS request port");
        ui.end_row();
        for (i, l) in d.listeners.iter_mut().enumerate() {
            listener_row(ui, i, l, ifaces);
            if ui
                .add_enabled(many, egui::Button::new("Remove"))
                .on_hover_text("Remove this listener (at least one stays)")
                .clicked()
            {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        d.listeners.remove(i);
    }
    if ui
        .button("Add listener")
        .on_hover_text("Listen on another port for another court")
        .clicked()
    {
        let n = d.listeners.len() + 1;
        d.listeners.push(ListenerDraft::new_row(n));
    }
}

/// A single-line field's size in a grid row: `width` wide, as tall as a button.
fn field(width: f32, ui: &egui::Ui) -> [f32; 2] {
    [width, ui.spacing().interact_size.y]
}

fn listener_row(ui: &mut egui::Ui, i: usize, l: &mut ListenerDraft, ifaces: &[InterfaceChoice]) {
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut l.bind).desired_width(110.0))
                .on_hover_text("Address to listen on; 0.0.0.0 also receives LAN broadcasts");
            egui::ComboBox::from_id_salt(("iface", i))
                .selected_text("Pick")
                .width(40.0)
                .show_ui(ui, |ui| {
                    for f in ifaces {
                        ui.selectable_value(&mut l.bind, f.addr.clone(), &f.label)
                            .on_hover_text(format!("Listen on {}", f.addr));
                    }
                })
                .response
                .on_hover_text("Choose one of this machine's interfaces");
        });
        if let Some(e) = &l.bind_error {
            ui.label(RichText::new(e).color(ERR).small());
        }
    });
    ui.vertical(|ui| {
        // Sized, not desired: a grid cell offers only its header's width (egui sizes columns
        // from the previous frame), which squeezed these fields to a few characters.
        ui.add_sized(field(60.0, ui), egui::TextEdit::singleline(&mut l.port))
            .on_hover_text("UDP port the scoring system sends to (default 6000)");
        if let Some(e) = &l.port_error {
            ui.label(RichText::new(e).color(ERR).small());
        }
    });
    ui.add_sized(field(100.0, ui), egui::TextEdit::singleline(&mut l.court))
        .on_hover_text("Court name shown everywhere and stored with each event");
    ui.vertical(|ui| {
        ui.add_sized(field(200.0, ui), egui::TextEdit::singleline(&mut l.allow))
            .on_hover_text(
                "Only accept datagrams from these IP addresses (comma separated; empty: all)",
            );
        if let Some(e) = &l.allow_error {
            ui.label(RichText::new(e).color(ERR).small());
        }
    });
    pss_fields_ui(ui, l);
}

/// Source lock and the scoring program's address and request port (state recovery).
fn pss_fields_ui(ui: &mut egui::Ui, l: &mut ListenerDraft) {
    ui.checkbox(&mut l.lock_source, "Lock").on_hover_text(
        "Lock to the first scoring program that loads a fight or says hello (or to the PSS \
             address when set): datagrams from any other machine are counted and shown, never \
             stored or applied. \"Unlock\" in the status bar frees it.",
    );
    ui.vertical(|ui| {
        ui.add_sized(
            field(110.0, ui),
            egui::TextEdit::singleline(&mut l.pss_address).hint_text("first heard"),
        )
        .on_hover_text(
            "The scoring program's IP address (empty: the source of the first datagram heard). \
             With the lock on, only this address is accepted from the start.",
        );
        if let Some(e) = &l.pss_address_error {
            ui.label(RichText::new(e).color(ERR).small());
        }
    });
    ui.vertical(|ui| {
        ui.add_sized(
            field(60.0, ui),
            egui::TextEdit::singleline(&mut l.pss_request_port).hint_text("off"),
        )
        .on_hover_text(
            "The port the scoring program listens on for requests (TkStrike's \"listen\" port; \
             empty: off). courtside then asks it for names, scores, round and clock when it \
             starts and when the court speaks again after 10 s of silence.",
        );
        if let Some(e) = &l.request_port_error {
            ui.label(RichText::new(e).color(ERR).small());
        }
    });
}

fn scoreboard_ui(ui: &mut egui::Ui, d: &mut SettingsDraft, courts: &[String]) {
    ui.strong("Scoreboard");
    ui.horizontal(|ui| {
        ui.radio_value(&mut d.custom_colors, false, "Colours from the match (mch)")
            .on_hover_text("Use the colours the scoring system sends");
        ui.radio_value(&mut d.custom_colors, true, "Custom colours")
            .on_hover_text("Use your own colours");
    });
    if d.custom_colors {
        ui.horizontal(|ui| {
            for (i, name) in ["Blue background", "Blue text", "Red background", "Red text"]
                .iter()
                .enumerate()
            {
                ui.label(*name);
                ui.color_edit_button_srgba(&mut d.colors[i])
                    .on_hover_text(format!("{name} colour"));
            }
        });
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut d.chroma, "Chroma-key background")
            .on_hover_text("Fill the background with a key colour for OBS (e.g. green)");
        ui.add_enabled_ui(d.chroma, |ui| {
            ui.color_edit_button_srgba(&mut d.chroma_color)
                .on_hover_text("Key colour");
        });
        ui.label("Font size");
        ui.add(egui::Slider::new(&mut d.font_scale, 0.5..=3.0).step_by(0.05))
            .on_hover_text("Scale of the scoreboard's text");
    });
    ui.horizontal(|ui| {
        ui.label("Court shown");
        egui::ComboBox::from_id_salt("board-court")
            .selected_text(if d.court.is_empty() {
                "first court"
            } else {
                &d.court
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut d.court, String::new(), "first court")
                    .on_hover_text("Show the first listener's court");
                for c in courts {
                    ui.selectable_value(&mut d.court, c.clone(), c)
                        .on_hover_text(format!("Show {c} on the scoreboard"));
                }
            })
            .response
            .on_hover_text("Which court the scoreboard window shows");
    });
}

fn history_ui(ui: &mut egui::Ui, history: &[SettingChange], commands: &mut Vec<Command>) {
    if ui
        .small_button("Reload")
        .on_hover_text("Reload the history from the store")
        .clicked()
    {
        commands.push(Command::Settings(SettingsCommand::LoadHistory));
    }
    if history.is_empty() {
        ui.weak("No changes yet.");
    }
    egui::Grid::new("history").striped(true).show(ui, |ui| {
        for h in history {
            // History spans days (a tournament, setup the day before): date and time.
            ui.label(crate::ui::live_data::local_date_time(h.at_ns));
            ui.label(&h.key);
            ui.label(format!(
                "{} → {}",
                h.old.as_deref().unwrap_or("(unset)"),
                h.new
            ));
            ui.label(&h.source);
            ui.end_row();
        }
    });
}
