//! The advanced-mode panel: set the password on first use, unlock, lock. It only draws and
//! returns what the operator asked for as a [`SupportCommand`]; the app runs it (`AdvancedMode::begin_*` / `poll`).

use crate::advanced::LockState;
use crate::logging::Secret;
use crate::model::support::SupportCommand;

pub use crate::model::panels::AdvancedPanel;

/// Draw the panel for `state`; `busy` while a check runs in the background.
pub fn advanced_ui(
    ui: &mut egui::Ui,
    panel: &mut AdvancedPanel,
    state: LockState,
    busy: bool,
) -> Option<SupportCommand> {
    ui.heading("Advanced mode");
    let command = match state {
        LockState::NotSetUp => {
            ui.label(
                "Destructive actions (delete matches, edit automation rules, change the store \
                 location, restore a backup) need a password. Set one now; there is no default \
                 password.",
            );
            set_password_form(ui, panel, busy)
        }
        LockState::Locked => unlock_form(ui, panel, busy, None),
        LockState::LockedOut { retry_in } => unlock_form(ui, panel, busy, Some(retry_in)),
        LockState::Unlocked { locks_in } => {
            ui.label(format!(
                "Unlocked — locks after {} min {} s without activity",
                locks_in.as_secs() / 60,
                locks_in.as_secs() % 60
            ));
            ui.button("Lock now")
                .on_hover_text("Lock advanced mode now instead of waiting for the timeout")
                .clicked()
                .then_some(SupportCommand::Lock)
        }
    };
    if busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Checking the password …");
        });
    }
    if let Some(m) = &panel.message {
        ui.colored_label(ui.visuals().warn_fg_color, m);
    }
    command
}

fn password_field(ui: &mut egui::Ui, label: &str, hint: &str, text: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        ui.add(egui::TextEdit::singleline(text).password(true))
            .labelled_by(l.id)
            .on_hover_text(hint)
    })
    .inner
}

fn set_password_form(
    ui: &mut egui::Ui,
    panel: &mut AdvancedPanel,
    busy: bool,
) -> Option<SupportCommand> {
    password_field(
        ui,
        "New password",
        "The password that unlocks advanced mode (hidden as you type)",
        &mut panel.password,
    );
    password_field(
        ui,
        "Repeat password",
        "Type the same password again, to catch a typo",
        &mut panel.confirm,
    );
    let clicked = ui
        .add_enabled(!busy, egui::Button::new("Set password"))
        .on_hover_text("Store this password for advanced mode")
        .on_disabled_hover_text("Waiting for the password check to finish")
        .clicked();
    clicked.then(|| SupportCommand::SetPassword {
        new: Secret::new(std::mem::take(&mut panel.password)),
        confirm: Secret::new(std::mem::take(&mut panel.confirm)),
    })
}

fn unlock_form(
    ui: &mut egui::Ui,
    panel: &mut AdvancedPanel,
    busy: bool,
    paused: Option<std::time::Duration>,
) -> Option<SupportCommand> {
    ui.label("Locked. Enter the advanced-mode password to unlock.");
    let field = password_field(
        ui,
        "Password",
        "The advanced-mode password; Enter unlocks",
        &mut panel.password,
    );
    if let Some(wait) = paused {
        ui.label(format!(
            "Too many wrong passwords: try again in {} s",
            wait.as_secs().max(1)
        ));
    }
    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let clicked = ui
        .add_enabled(!busy && paused.is_none(), egui::Button::new("Unlock"))
        .on_hover_text("Unlock advanced mode with this password")
        .on_disabled_hover_text("Wait: a check is running or too many wrong passwords")
        .clicked();
    ((clicked || enter) && !busy && paused.is_none())
        .then(|| SupportCommand::Unlock(Secret::new(std::mem::take(&mut panel.password))))
}
