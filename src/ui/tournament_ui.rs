//! Tournament (issue 17, court side): the Settings section and the status bar item.

use crate::model::tournament::{Login, TournamentDraft, TournamentFile};
use crate::model::{AppState, Command};
use crate::tournament::Link;
use egui::{Color32, RichText};

const OK: Color32 = Color32::from_rgb(0x3C, 0xB3, 0x71);
const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);
const WARN: Color32 = Color32::from_rgb(0xE8, 0xA0, 0x20);

/// Settings → Tournament: server, tournament id, this court, login, CA file.
pub fn tournament_settings_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let kept = s.tournament.secret_kept.clone();
    let d = &mut s.draft.tournament;
    ui.horizontal(|ui| {
        ui.strong("Tournament");
        ui.checkbox(&mut d.enabled, "publish this court to the tournament hub")
            .on_hover_text(
                "Send every stored datagram to the tournament's NATS server (JetStream). Off by \
                 default; scoring never depends on it.",
            );
    });
    if !d.enabled {
        return;
    }
    ui.indent("tournament_fields", |ui| {
        field(
            ui,
            "NATS server URL(s)",
            &mut d.servers,
            &d.errors.servers,
            "nats://host:4222 or tls://host:4222; several (a cluster) separated by commas",
        );
        field(
            ui,
            "Tournament id",
            &mut d.tournament,
            &d.errors.tournament,
            "The organiser's id, the same on every court: letters, digits, '-' and '_'",
        );
        field(
            ui,
            "This court",
            &mut d.court,
            &d.errors.court,
            "This court's name in the tournament, e.g. court-3: letters, digits, '-', '_'",
        );
        login_ui(ui, d, &mut s.commands, kept.as_ref());
    });
}

/// Labels of the section's rows share this width, so the fields line up (a `Grid` would size
/// its text fields from the previous frame's cells, and start them tiny).
const LABEL_WIDTH: f32 = 140.0;

fn label(ui: &mut egui::Ui, text: &str) {
    let size = egui::vec2(LABEL_WIDTH, 18.0);
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(size, layout, |ui| {
        ui.set_min_width(LABEL_WIDTH);
        ui.label(text);
    });
}

fn field(ui: &mut egui::Ui, name: &str, text: &mut String, error: &Option<String>, hint: &str) {
    ui.horizontal(|ui| {
        label(ui, name);
        ui.add(egui::TextEdit::singleline(text).desired_width(320.0))
            .on_hover_text(hint);
        if let Some(e) = error {
            ui.colored_label(BAD, e);
        }
    });
}

fn login_ui(
    ui: &mut egui::Ui,
    d: &mut TournamentDraft,
    commands: &mut Vec<Command>,
    kept: Option<&Result<(), String>>,
) {
    ui.horizontal(|ui| {
        label(ui, "Login");
        for l in Login::ALL {
            ui.radio_value(&mut d.login, l, l.label());
        }
    });
    if d.login == Login::UserPassword {
        field(
            ui,
            "User",
            &mut d.user,
            &d.errors.user,
            "The user name the server expects",
        );
    }
    if d.login.needs_secret() {
        secret_row(ui, d, kept);
    }
    if d.login == Login::CredsFile {
        file_row(
            ui,
            ".creds file",
            &mut d.creds_file,
            TournamentFile::Creds,
            commands,
        );
        if let Some(e) = &d.errors.creds_file {
            ui.horizontal(|ui| {
                label(ui, "");
                ui.colored_label(BAD, e);
            });
        }
    }
    file_row(
        ui,
        "CA file (tls://)",
        &mut d.ca_file,
        TournamentFile::Ca,
        commands,
    );
}

fn secret_row(ui: &mut egui::Ui, d: &mut TournamentDraft, kept: Option<&Result<(), String>>) {
    let what = if d.login == Login::Token {
        "Token"
    } else {
        "Password"
    };
    let hint = match kept {
        Some(Err(_)) => "type it (no system keyring: kept until courtside closes)",
        Some(Ok(())) => "kept in the system keyring — type to replace",
        None => "type it: it is kept in the system keyring",
    };
    ui.horizontal(|ui| {
        label(ui, what);
        ui.add(
            egui::TextEdit::singleline(&mut d.secret)
                .password(true)
                .hint_text(hint)
                .desired_width(320.0),
        )
        .on_hover_text(
            "Stored in the operating system's keyring, never in the courtside store or its \
             backups",
        );
        if let Some(Err(e)) = kept {
            ui.colored_label(WARN, format!("not in the keyring: {e}"));
        }
    });
}

fn file_row(
    ui: &mut egui::Ui,
    name: &str,
    path: &mut String,
    which: TournamentFile,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        label(ui, name);
        ui.add(egui::TextEdit::singleline(path).desired_width(320.0));
        if ui
            .button("Browse…")
            .on_hover_text(format!("Choose the {name} with a file dialog"))
            .clicked()
        {
            commands.push(Command::PickTournamentFile(which));
        }
    });
}

/// The status bar item: nothing while the tournament is off; else the state with a tooltip
/// naming the cause and what to do. Returns whether it drew anything (for the separator).
pub fn tournament_status_ui(ui: &mut egui::Ui, s: &mut AppState) -> bool {
    let Some((text, tip)) = s.tournament.status_item() else {
        return false;
    };
    let color = match s.tournament.status.as_ref().map(|st| &st.link) {
        Some(Link::Connected) => OK,
        Some(Link::Connecting) | Some(Link::Stopped) => ui.visuals().weak_text_color(),
        Some(Link::Offline { .. }) => WARN,
        _ => BAD,
    };
    if ui
        .link(RichText::new(text).color(color))
        .on_hover_text(format!("{tip}\nClick for Settings → Tournament"))
        .clicked()
    {
        s.prefs.show_settings = true;
    }
    true
}
