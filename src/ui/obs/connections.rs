//! OBS connections: list, add, edit, delete (with confirmation), test. A stored password is
//! never shown: the list says only where it is kept (system keyring, or the store when no keyring
//! is reachable), the form's field starts empty.

use super::{BAD, OK, link_color};
use crate::model::Command;
use crate::model::obs::{ConnectionDraft, ObsCommand, ObsView};
use crate::obs::{ObsConnection, ObsRole, PasswordPlace};
use egui::RichText;

/// The Connections tab.
pub fn connections_ui(ui: &mut egui::Ui, view: &mut ObsView, commands: &mut Vec<Command>) {
    let now = std::time::Instant::now();
    egui::Grid::new("obs-connections")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for h in ["Name", "Address", "Role", "Password", "State", ""] {
                ui.strong(h);
            }
            ui.end_row();
            for c in view.connections.clone() {
                ui.label(&c.name);
                ui.label(c.addr());
                ui.label(c.role.label());
                password_cell(ui, &c, view.keyring.as_ref());
                let status = view.statuses.iter().find(|s| s.connection_id == c.id);
                match status {
                    Some(s) => ui.colored_label(link_color(&s.link), s.link.label(now)),
                    None if !c.enabled => ui.label("disabled"),
                    None => ui.label("…"),
                };
                ui.horizontal(|ui| row_buttons(ui, view, &c, commands));
                ui.end_row();
            }
        });
    if view.connections.is_empty() {
        ui.label(RichText::new("No OBS connection yet.").weak());
    }
    if view.editing.is_none()
        && ui
            .button("Add connection…")
            .on_hover_text("A new OBS connection (obs-websocket, port 4455 by default)")
            .clicked()
    {
        view.editing = Some(ConnectionDraft::new_local(view.connections.len()));
    }
    if view.editing.is_some() {
        ui.separator();
        editor_ui(ui, view, commands);
    }
}

/// Where the password is; a warning when it is kept in the store.
fn password_cell(ui: &mut egui::Ui, c: &ObsConnection, keyring: Option<&Result<(), String>>) {
    match (c.password_place(), keyring) {
        (PasswordPlace::None, _) => ui.label("none"),
        (PasswordPlace::Keyring, _) => ui.label("system keyring").on_hover_text(
            "Kept in the system credential store (Windows Credential Manager, macOS Keychain, \
             Secret Service); the courtside store holds only a reference",
        ),
        (PasswordPlace::Store, Some(Ok(()))) => ui
            .colored_label(BAD, "password kept in the store")
            .on_hover_text(
                "A system keyring answers now: Edit and Save this connection (or restart) to \
                 move the password there",
            ),
        (PasswordPlace::Store, why) => ui
            .colored_label(
                BAD,
                "password kept in the store: no system keyring reachable",
            )
            .on_hover_text(format!(
                "The password is in the courtside store and its backups. It moves into the \
                 system keyring at the next start where one is reachable.{}",
                match why {
                    Some(Err(e)) => format!(" ({e})"),
                    _ => String::new(),
                }
            )),
    };
}

fn row_buttons(
    ui: &mut egui::Ui,
    view: &mut ObsView,
    c: &crate::obs::ObsConnection,
    commands: &mut Vec<Command>,
) {
    if view.confirm_delete == Some(c.id) {
        ui.colored_label(BAD, "Delete?");
        if ui
            .button("Yes, delete")
            .on_hover_text(format!("Remove '{}' and disconnect from it", c.name))
            .clicked()
        {
            commands.push(Command::Obs(ObsCommand::DeleteConnection(c.id)));
        }
        if ui.button("Keep").on_hover_text("Do not delete").clicked() {
            view.confirm_delete = None;
        }
        return;
    }
    if ui
        .button("Edit")
        .on_hover_text("Change this connection")
        .clicked()
    {
        view.editing = Some(ConnectionDraft::edit(c));
    }
    if ui
        .button("Test")
        .on_hover_text("Connect once with these settings and report the OBS version")
        .clicked()
    {
        commands.push(Command::Obs(ObsCommand::Test(c.clone())));
    }
    if ui
        .button("Delete…")
        .on_hover_text("Remove this connection (asks first)")
        .clicked()
    {
        view.confirm_delete = Some(c.id);
    }
}

fn editor_ui(ui: &mut egui::Ui, view: &mut ObsView, commands: &mut Vec<Command>) {
    let all = view.connections.clone();
    let results = view.test_results.clone();
    let Some(d) = &mut view.editing else { return };
    ui.strong(if d.id.is_some() {
        "Edit connection"
    } else {
        "New connection"
    });
    egui::Grid::new("obs-conn-editor")
        .num_columns(2)
        .show(ui, |ui| form_rows(ui, d));
    if let Some(e) = &d.error {
        ui.colored_label(BAD, e);
    }
    let name = d.name.trim().to_string();
    if let Some((_, r)) = results.iter().find(|(n, _)| *n == name) {
        match r {
            Ok(t) => ui.colored_label(OK, format!("Test: connected — {t}")),
            Err(e) => ui.colored_label(BAD, format!("Test failed: {e}")),
        };
    }
    let mut close = false;
    ui.horizontal(|ui| {
        let save = ui
            .add_enabled(!d.saving, egui::Button::new("Save"))
            .on_hover_text("Check the fields, store the connection and (re)connect");
        if save.clicked() {
            match d.to_connection(&all) {
                Ok(c) => {
                    d.error = None;
                    d.saving = true;
                    d.password.clear();
                    commands.push(Command::Obs(ObsCommand::SaveConnection(c)));
                }
                Err(e) => d.error = Some(e),
            }
        }
        if ui
            .button("Test")
            .on_hover_text("Connect once with the settings in this form (nothing is saved)")
            .clicked()
        {
            match d.to_connection(&all) {
                Ok(c) => {
                    d.error = None;
                    commands.push(Command::Obs(ObsCommand::Test(c)));
                }
                Err(e) => d.error = Some(e),
            }
        }
        if ui
            .button("Cancel")
            .on_hover_text("Close the form without saving")
            .clicked()
        {
            close = true;
        }
        if d.saving {
            ui.spinner();
        }
    });
    if close {
        view.editing = None;
    }
}

fn form_rows(ui: &mut egui::Ui, d: &mut ConnectionDraft) {
    ui.label("Name");
    ui.add(egui::TextEdit::singleline(&mut d.name).desired_width(220.0))
        .on_hover_text("Your name for this OBS, e.g. 'recording PC'");
    ui.end_row();
    ui.label("Host");
    ui.add(egui::TextEdit::singleline(&mut d.host).desired_width(220.0))
        .on_hover_text("Host name or IP address of the machine running OBS (127.0.0.1: this one)");
    ui.end_row();
    ui.label("Port");
    ui.add(egui::TextEdit::singleline(&mut d.port).desired_width(80.0))
        .on_hover_text("obs-websocket port (OBS: Tools → WebSocket Server Settings; default 4455)");
    ui.end_row();
    ui.label("Password");
    ui.horizontal(|ui| {
        let moved = d.port.trim().parse().is_ok_and(|p| d.address_changed(p));
        let hint = match (d.has_password && !d.clear_password, moved) {
            (true, true) => "new address: enter the password again",
            (true, false) => "unchanged (a password is stored)",
            (false, _) => "none",
        };
        ui.add(
            egui::TextEdit::singleline(&mut d.password)
                .password(true)
                .hint_text(hint)
                .desired_width(220.0),
        )
        .on_hover_text(
            "obs-websocket password; kept in the system keyring (or the store when none is \
             reachable), never shown again. Empty keeps the stored one, unless the host or port \
             changed",
        );
        if d.has_password {
            ui.checkbox(&mut d.clear_password, "no password")
                .on_hover_text("Remove the stored password (OBS without authentication)");
        }
    });
    ui.end_row();
    ui.label("Role");
    egui::ComboBox::from_id_salt("obs-role")
        .selected_text(d.role.label())
        .show_ui(ui, |ui| {
            for r in ObsRole::ALL {
                ui.selectable_value(&mut d.role, r, r.label());
            }
        })
        .response
        .on_hover_text("What this OBS does; rules can target instances by role");
    ui.end_row();
    ui.label("Enabled");
    ui.checkbox(&mut d.enabled, "connect to this OBS")
        .on_hover_text("Off: keep the settings but do not connect");
    ui.end_row();
}
