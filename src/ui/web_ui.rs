//! The web server in the UI: its status bar entry (URL, copy button, the pages in the tooltip)
//! and Settings → Web (address, port, control API, allowlist, the control token shown once).

use crate::model::Command;
use crate::model::state::InterfaceChoice;
use crate::model::web::{WebCommand, WebDraft, WebRun, WebView};
use egui::{Color32, RichText};

const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);

/// "web: http://127.0.0.1:8090" with a "copy URL" button, "web: off" or "web: port taken".
pub fn status_ui(ui: &mut egui::Ui, web: &WebView, commands: &mut Vec<Command>) {
    let text = RichText::new(web.status_text());
    let text = match web.run {
        WebRun::Failed { .. } => text.color(BAD),
        WebRun::Off | WebRun::NotStarted => text.weak(),
        WebRun::Serving(_) => text,
    };
    ui.label(text).on_hover_text(web.tooltip());
    if let Some(url) = web.url()
        && ui
            .small_button("copy URL")
            .on_hover_text(format!("Copy {url} to the clipboard"))
            .clicked()
    {
        commands.push(Command::Copy(url.to_string()));
    }
}

/// Settings → Web. The fields are saved with the rest of the form ("Save and apply"); the token
/// is generated and stored on its own, and shown here once.
pub fn settings_section(
    ui: &mut egui::Ui,
    d: &mut WebDraft,
    web: &mut WebView,
    ifaces: &[InterfaceChoice],
    commands: &mut Vec<Command>,
) {
    egui::CollapsingHeader::new("Web (overlays, venue screens, API)")
        .id_salt("web_section")
        .default_open(false)
        // A refused field is never hidden in a closed section.
        .open(d.has_error().then_some(true))
        .show(ui, |ui| web_fields(ui, d, web, ifaces, commands))
        .header_response
        .on_hover_text(
            "The HTTP server for OBS browser-source overlays, venue screens and Stream Deck / \
             Companion: address, port, allowed machines, control API and its token",
        );
}

fn web_fields(
    ui: &mut egui::Ui,
    d: &mut WebDraft,
    web: &mut WebView,
    ifaces: &[InterfaceChoice],
    commands: &mut Vec<Command>,
) {
    egui::Grid::new("web_settings")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("Serve pages");
            ui.checkbox(&mut d.enabled, "enabled")
                .on_hover_text("Serve the overlay, board and courts pages and the API over HTTP");
            ui.end_row();
            ui.label("Address");
            ui.horizontal(|ui| {
                bind_choice(ui, &mut d.bind, ifaces);
                error(ui, &d.bind_error);
            });
            ui.end_row();
            ui.label("Port");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut d.port).desired_width(60.0))
                    .on_hover_text("TCP port of the pages (default 8090)");
                error(ui, &d.port_error);
            });
            ui.end_row();
            ui.label("Allowed addresses");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut d.allow).desired_width(260.0))
                    .on_hover_text(
                        "Only these machines (and this one) may use the pages and API, e.g. \
                     192.168.1.50, 192.168.1.51; empty: every machine that reaches the address",
                    );
                error(ui, &d.allow_error);
            });
            ui.end_row();
            ui.label("Control API");
            ui.checkbox(&mut d.control_enabled, "enabled")
            .on_hover_text(
                "Accept POST /api/v1/obs/<action> (save replay, recording, replay buffer, scene) \
                 from Stream Deck / Companion / scripts, with the control token",
            );
            ui.end_row();
        });
    token_ui(ui, web, commands);
}

/// The address choice: this machine only, or one of its interfaces (for OBS on another PC).
fn bind_choice(ui: &mut egui::Ui, bind: &mut String, ifaces: &[InterfaceChoice]) {
    let mut choices = vec![(
        "127.0.0.1".to_string(),
        "127.0.0.1 — this machine only".to_string(),
    )];
    for i in ifaces {
        if i.addr != "0.0.0.0" && i.addr != "127.0.0.1" {
            choices.push((i.addr.clone(), i.label.clone()));
        }
    }
    choices.push((
        "0.0.0.0".to_string(),
        "0.0.0.0 — every interface (keeps working when the LAN address changes)".to_string(),
    ));
    if !choices.iter().any(|(a, _)| a == bind.trim()) {
        // A stored address no interface has now (the laptop left that network): kept, shown.
        choices.push((bind.clone(), format!("{bind} — not on this machine now")));
    }
    let selected = choices
        .iter()
        .find(|(a, _)| a == bind.trim())
        .map_or_else(|| bind.clone(), |(_, l)| l.clone());
    egui::ComboBox::from_id_salt("web_bind")
        .selected_text(selected)
        .width(300.0)
        .show_ui(ui, |ui| {
            for (addr, label) in choices {
                ui.selectable_value(bind, addr, label);
            }
        })
        .response
        .on_hover_text(
            "127.0.0.1: only browsers and OBS on this machine. A LAN address: OBS or screens on \
             other machines of that network. 0.0.0.0: every network this machine is on (use the \
             allowlist)",
        );
}

/// "Generate control token", and a new token shown once with a copy button.
fn token_ui(ui: &mut egui::Ui, web: &mut WebView, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = if web.token_set {
            "Generate new control token"
        } else {
            "Generate control token"
        };
        if ui
            .add_enabled(!web.token_saving, egui::Button::new(label))
            .on_hover_text(
                "courtside makes a new random token and keeps only its hash: the token is shown \
                 once, here; an earlier token stops working",
            )
            .clicked()
        {
            commands.push(Command::Web(WebCommand::GenerateToken));
        }
        if web.token_saving {
            ui.spinner();
        }
        ui.label(
            RichText::new(if web.token_set {
                "a token is set"
            } else {
                "no token yet: the control API refuses every call"
            })
            .weak(),
        );
        error(ui, &web.token_error);
    });
    let mut hide = false;
    if let Some(token) = &web.new_token {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label("New control token — copy it now, it is not shown again:");
            ui.horizontal(|ui| {
                ui.monospace(token);
                if ui.button("Copy token").clicked() {
                    commands.push(Command::Copy(token.clone()));
                }
                hide = ui
                    .button("Hide token")
                    .on_hover_text("Hide the token (only its hash is kept)")
                    .clicked();
            });
            ui.label(RichText::new("Send it as the header  Authorization: Bearer <token>").weak());
        });
    }
    if hide {
        web.new_token = None;
    }
}

fn error(ui: &mut egui::Ui, e: &Option<String>) {
    if let Some(e) = e {
        ui.colored_label(BAD, e);
    }
}
